//! The key cache of a [`JwtVerifier`](super::JwtVerifier). A token whose
//! key is cached is checked without waiting for anything. An unknown
//! `kid` starts a fetch of the key set only when none is under way and
//! the last one started at least the minimum refresh interval ago; the
//! tokens that need a key wait for that single fetch, never longer than
//! its deadline. No lock is held across the fetch: it runs in a task of
//! its own (so a caller that goes away does not abandon it), and the new
//! key set is swapped in, under a short write lock, once it has arrived.

use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::{Jwks, JwksSource, KeyMaterial};
use crate::resource::token::VerifyError;

/// How much longer than a fetch's deadline its waiters wait at most (the
/// fetch's end wakes them; this bounds the wait should it not).
const WAIT_MARGIN: Duration = Duration::from_secs(1);

/// When and how long key sets are fetched.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// The shortest time between the starts of two fetches.
    pub min_refresh: Duration,
    /// The longest a fetch may take, and a token may wait for it.
    pub fetch_timeout: Duration,
}

/// The cached key set and the state of its refresh.
pub(super) struct KeyCache {
    shared: Arc<Shared>,
}

struct Shared {
    source: Arc<dyn JwksSource>,
    keys: RwLock<Option<Arc<Jwks>>>,
    refresh: Mutex<Refresh>,
}

#[derive(Default)]
struct Refresh {
    /// When the last fetch started.
    last_start: Option<Instant>,
    /// The fetch under way: it signals its end on this channel.
    in_flight: Option<watch::Receiver<()>>,
    /// Why the last fetch failed, for a cache that never loaded.
    last_error: Option<String>,
}

impl KeyCache {
    /// An empty cache over `source`.
    pub(super) fn new(source: Arc<dyn JwksSource>) -> KeyCache {
        KeyCache {
            shared: Arc::new(Shared {
                source,
                keys: RwLock::new(None),
                refresh: Mutex::new(Refresh::default()),
            }),
        }
    }

    /// The key for a token's `kid` and `alg`: from the cache at once, else
    /// after the fetch an unknown `kid` may start or join.
    pub(super) async fn key_for(
        &self,
        kid: Option<&str>,
        alg: &str,
        limits: Limits,
    ) -> Result<KeyMaterial, VerifyError> {
        if let Some(k) = self.shared.lookup(kid, alg) {
            return Ok(k);
        }
        let mut done = {
            let mut r = self.shared.refresh();
            match &r.in_flight {
                Some(rx) => rx.clone(),
                None => {
                    // A fetch may have ended between the lookup and the lock.
                    if let Some(k) = self.shared.lookup(kid, alg) {
                        return Ok(k);
                    }
                    if r.last_start
                        .is_some_and(|t| t.elapsed() < limits.min_refresh)
                    {
                        return Err(self.shared.missing(&r));
                    }
                    r.last_start = Some(Instant::now());
                    let (tx, rx) = watch::channel(());
                    r.in_flight = Some(rx.clone());
                    drop(r);
                    let guard = InFlight {
                        shared: self.shared.clone(),
                        tx,
                    };
                    tokio::spawn(guard.fetch(limits.fetch_timeout));
                    rx
                }
            }
        };
        // The fetch ends by its own deadline; this one is for safety.
        let wait = limits.fetch_timeout.saturating_add(WAIT_MARGIN);
        let _ = tokio::time::timeout(wait, done.changed()).await;
        if let Some(k) = self.shared.lookup(kid, alg) {
            return Ok(k);
        }
        Err(self.shared.missing(&self.shared.refresh()))
    }
}

impl Shared {
    fn refresh(&self) -> MutexGuard<'_, Refresh> {
        self.refresh.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lookup(&self, kid: Option<&str>, alg: &str) -> Option<KeyMaterial> {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        keys.as_ref()?.find(kid, alg).map(|k| k.key.clone())
    }

    /// The error of a token whose key is not there.
    fn missing(&self, r: &Refresh) -> VerifyError {
        let loaded = self
            .keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        if loaded {
            VerifyError::UnknownKey
        } else {
            VerifyError::Unavailable(
                r.last_error
                    .clone()
                    .unwrap_or_else(|| "the JWKS has not loaded yet".to_owned()),
            )
        }
    }
}

/// The fetch under way. Dropping it, when the fetch ends or its task
/// fails, clears the in-flight mark and wakes the waiting tokens.
struct InFlight {
    shared: Arc<Shared>,
    tx: watch::Sender<()>,
}

impl InFlight {
    async fn fetch(self, timeout: Duration) {
        let loaded = tokio::time::timeout(timeout, self.shared.source.load()).await;
        match loaded {
            Ok(Ok(jwks)) => {
                *self.shared.keys.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(jwks));
                self.shared.refresh().last_error = None;
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "loading the JWKS failed");
                self.shared.refresh().last_error = Some(e.to_string());
            }
            Err(_) => {
                tracing::warn!(?timeout, "loading the JWKS took too long; gave up");
                self.shared.refresh().last_error =
                    Some(format!("the JWKS did not load within {timeout:?}"));
            }
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.shared.refresh().in_flight = None;
        self.tx.send_replace(());
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
