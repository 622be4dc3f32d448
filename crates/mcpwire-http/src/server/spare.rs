//! Spare engines for 2026-07-28 requests: an engine that served a
//! stateless request and kept nothing serves the next one, since starting
//! an engine per request costs more than the rest of a small call.

use std::sync::{Arc, Mutex, MutexGuard};

use super::Backend;
use super::session::Session;

/// How many spare engines are kept, at most.
const MAX_SPARE: usize = 64;

/// The spare engines of one endpoint.
#[derive(Default)]
pub(crate) struct Spare(Mutex<Vec<Arc<Session>>>);

impl Spare {
    fn lock(&self) -> MutexGuard<'_, Vec<Arc<Session>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A spare engine of `backend`, if one waits.
    pub(crate) fn take(&self, backend: &Backend) -> Option<Arc<Session>> {
        if backend.reuses_engines() {
            self.lock().pop()
        } else {
            None
        }
    }

    /// Keeps a stateless request's engine for the next one, when nothing
    /// else holds it and the request left no trace in it.
    pub(crate) fn keep(&self, backend: &Backend, session: Arc<Session>) {
        if backend.reuses_engines() && Arc::strong_count(&session) == 1 && session.is_pristine() {
            let mut spare = self.lock();
            if spare.len() < MAX_SPARE {
                spare.push(session);
            }
        }
    }
}
