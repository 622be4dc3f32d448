//! Which instances are alive: each instance that writes streams keeps a
//! short-lived key of its own refreshed by a heartbeat, so that a client
//! following a stream on another instance learns when the instance writing
//! it has died (its request died with it) instead of waiting for events
//! that will never come.

use std::sync::{Arc, Once, Weak};
use std::time::Duration;

use crate::{Keys, Redis};

/// How often an instance refreshes its key.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(1);
/// How long an instance's key outlives its last heartbeat: past it, the
/// instance is taken for dead.
pub(crate) const ALIVE_FOR: Duration = Duration::from_secs(4);

/// This instance's heartbeat.
#[derive(Debug)]
pub(crate) struct Liveness {
    /// This instance's name, random for each process.
    pub(crate) instance: String,
    started: Once,
}

impl Liveness {
    pub(crate) fn new() -> Arc<Liveness> {
        Arc::new(Liveness {
            instance: crate::keys::random_hex(12),
            started: Once::new(),
        })
    }

    /// Starts the heartbeat, once, before this instance writes its first
    /// stream; it ends when the instance's store is dropped. A heartbeat
    /// that fails is retried at the next beat.
    pub(crate) fn start(self: &Arc<Self>, redis: &Redis, keys: &Keys) {
        self.started.call_once(|| {
            let Ok(rt) = tokio::runtime::Handle::try_current() else {
                return;
            };
            let weak: Weak<Liveness> = Arc::downgrade(self);
            let redis = redis.clone();
            let key = keys.alive(&self.instance);
            rt.spawn(async move {
                let mut tick = tokio::time::interval(HEARTBEAT);
                loop {
                    tick.tick().await;
                    if weak.upgrade().is_none() {
                        return;
                    }
                    let beat = redis
                        .query::<()>(
                            redis::cmd("SET")
                                .arg(&key)
                                .arg(1)
                                .arg("PX")
                                .arg(ALIVE_FOR.as_millis() as u64),
                        )
                        .await;
                    if let Err(e) = beat {
                        tracing::debug!(error = %e, "an instance heartbeat failed; retrying");
                    }
                }
            });
        });
    }
}
