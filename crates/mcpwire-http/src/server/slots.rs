//! Session slots: the cap on open sessions, taken before `initialize` runs
//! and given back if it fails, with a quota for each principal so that one
//! caller cannot fill the server; and the cap on stateless requests in
//! flight, each of which runs an engine of its own.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use http::{Response, StatusCode};
use mcpwire_types::ErrorCode;

use super::body::{self, Body};

/// Why no slot was free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Full {
    /// Every session slot of the server is taken.
    Server,
    /// The principal holds as many sessions as its quota allows.
    Principal(usize),
    /// As many stateless requests as allowed are in flight.
    Stateless,
}

impl Full {
    /// The answer: 503 when the server is full, 429 when the caller is;
    /// both say when to try again.
    pub(crate) fn response(self) -> Response<Body> {
        match self {
            Full::Server => body::retry_later(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::SERVER_BUSY,
                "Service Unavailable: too many sessions; try again later",
            ),
            Full::Principal(n) => body::retry_later(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::SERVER_BUSY,
                &format!(
                    "Too Many Requests: you have {n} sessions open, the most allowed; end one (DELETE) or let one expire"
                ),
            ),
            Full::Stateless => body::retry_later(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::SERVER_BUSY,
                "Service Unavailable: too many requests in flight; try again later",
            ),
        }
    }
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_principal: HashMap<Box<str>, usize>,
}

/// The session slots of one server.
#[derive(Debug)]
pub(crate) struct SessionSlots {
    max: usize,
    per_principal: usize,
    counts: Mutex<Counts>,
}

impl SessionSlots {
    pub(crate) fn new(max: usize, per_principal: usize) -> Arc<Self> {
        Arc::new(SessionSlots {
            max,
            per_principal,
            counts: Mutex::new(Counts::default()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a slot for a session `principal` opens (`None` without
    /// authentication: only the server-wide cap applies).
    pub(crate) fn reserve(self: &Arc<Self>, principal: Option<&str>) -> Result<SessionSlot, Full> {
        let mut c = self.lock();
        if c.total >= self.max {
            return Err(Full::Server);
        }
        if let Some(p) = principal {
            let held = c.by_principal.get(p).copied().unwrap_or(0);
            if held >= self.per_principal {
                return Err(Full::Principal(held));
            }
            c.by_principal.insert(Box::from(p), held + 1);
        }
        c.total += 1;
        Ok(SessionSlot {
            slots: self.clone(),
            principal: principal.map(Box::from),
        })
    }

    /// How many slots are taken.
    #[cfg(test)]
    pub(crate) fn taken(&self) -> usize {
        self.lock().total
    }

    fn release(&self, principal: Option<&str>) {
        let mut c = self.lock();
        c.total = c.total.saturating_sub(1);
        if let Some(p) = principal
            && let Some(n) = c.by_principal.get_mut(p)
        {
            *n -= 1;
            if *n == 0 {
                c.by_principal.remove(p);
            }
        }
    }
}

/// One taken session slot, given back when dropped.
#[derive(Debug)]
pub(crate) struct SessionSlot {
    slots: Arc<SessionSlots>,
    principal: Option<Box<str>>,
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.slots.release(self.principal.as_deref());
    }
}

/// A cap on things in flight, such as stateless requests.
#[derive(Debug)]
pub(crate) struct InFlight {
    max: usize,
    now: AtomicUsize,
}

impl InFlight {
    pub(crate) fn new(max: usize) -> Arc<Self> {
        Arc::new(InFlight {
            max,
            now: AtomicUsize::new(0),
        })
    }

    /// A permit, or `None` at the cap.
    pub(crate) fn try_acquire(self: &Arc<Self>) -> Option<Permit> {
        self.now
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Permit(self.clone()))
    }
}

/// One thing in flight; dropped when it is done.
#[derive(Debug)]
pub(crate) struct Permit(Arc<InFlight>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_given_back_when_dropped_and_quotas_are_per_principal() {
        let slots = SessionSlots::new(3, 2);
        let a1 = slots.reserve(Some("alice")).unwrap();
        let _a2 = slots.reserve(Some("alice")).unwrap();
        assert_eq!(
            slots.reserve(Some("alice")).unwrap_err(),
            Full::Principal(2)
        );
        let _b = slots.reserve(Some("bob")).unwrap();
        assert_eq!(slots.reserve(None).unwrap_err(), Full::Server);
        drop(a1);
        assert_eq!(slots.taken(), 2);
        let _a3 = slots.reserve(Some("alice")).unwrap();
        assert_eq!(slots.taken(), 3);
    }

    #[test]
    fn permits_stop_at_the_cap_and_come_back() {
        let f = InFlight::new(2);
        let a = f.try_acquire().unwrap();
        let _b = f.try_acquire().unwrap();
        assert!(f.try_acquire().is_none());
        drop(a);
        assert!(f.try_acquire().is_some());
    }
}
