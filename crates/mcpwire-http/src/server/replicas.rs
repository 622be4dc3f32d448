//! This process's side of the relay between replicas: what a POST hands
//! the others (the client's answers and cancellations), what the engine
//! sends when the session's GET stream is elsewhere, and the task that
//! takes in what the others relay.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use futures_util::StreamExt;
use mcpwire_rpc::engine::Extensions;
use mcpwire_types::{Incoming, Message, methods};

use super::StreamableHttp;
use super::relay::{RelayKind, Relayed, SessionRelay};

/// The most relayed messages this process sends at once; past it, a
/// message for another replica's GET stream is dropped and logged.
pub const MAX_RELAYS_IN_FLIGHT: usize = 1024;

/// Sends relayed messages from sync code, each in a task of its own, with
/// a cap on how many are in flight.
#[derive(Debug)]
pub(crate) struct Outbox {
    relay: Arc<dyn SessionRelay>,
    in_flight: Arc<AtomicUsize>,
    deadline: std::time::Duration,
}

impl Outbox {
    pub(crate) fn new(relay: Arc<dyn SessionRelay>, deadline: std::time::Duration) -> Outbox {
        Outbox {
            relay,
            in_flight: Arc::new(AtomicUsize::new(0)),
            deadline,
        }
    }

    /// Relays `message` in the background; `false` when it could not even
    /// be started (too many in flight, or no runtime).
    pub(crate) fn post(&self, message: Relayed) -> bool {
        let admitted = self
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_RELAYS_IN_FLIGHT).then_some(n + 1)
            })
            .is_ok();
        if !admitted {
            tracing::warn!(
                "too many messages waiting to be relayed to other replicas; one dropped"
            );
            return false;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            return false;
        };
        let send = self.relay.send(message);
        let in_flight = self.in_flight.clone();
        let deadline = self.deadline;
        rt.spawn(async move {
            match tokio::time::timeout(deadline, send).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "a message for another replica was lost"),
                Err(_) => tracing::warn!(
                    ?deadline,
                    "relaying a message to another replica timed out; it was lost"
                ),
            }
            in_flight.fetch_sub(1, Ordering::AcqRel);
        });
        true
    }

    /// Relays `message` and waits for the relay to take it.
    pub(crate) async fn send(&self, message: Relayed) -> bool {
        matches!(
            tokio::time::timeout(self.deadline, self.relay.send(message)).await,
            Ok(Ok(()))
        )
    }
}

/// Whether a message from the client must reach the other replicas: an
/// answer (its request may wait elsewhere) or a cancellation (its request
/// may run elsewhere).
pub(crate) fn concerns_others(incoming: &Incoming) -> bool {
    let one = |m: &Message| match m {
        Message::Response(_) => true,
        Message::Notification(n) => n.method == methods::NOTIFICATIONS_CANCELLED,
        Message::Request(_) => false,
    };
    match incoming {
        Incoming::Message(m) => one(m),
        Incoming::Batch(items) => items.iter().any(|v| {
            v.get("method")
                .is_none_or(|m| m == methods::NOTIFICATIONS_CANCELLED)
        }),
        Incoming::Invalid(_) => false,
    }
}

impl StreamableHttp {
    /// Starts taking in what other replicas relay, once.
    pub(crate) fn start_relay(&self) {
        let Some(relay) = self.state.config.relay.clone() else {
            return;
        };
        if self.state.shared.is_none() {
            return;
        }
        let weak = Arc::downgrade(&self.state);
        self.state.relaying.call_once(|| {
            let mut feed = relay.subscribe();
            tokio::spawn(async move {
                while let Some(m) = feed.next().await {
                    let Some(state) = weak.upgrade() else { return };
                    StreamableHttp { state }.take_relayed(m);
                }
            });
        });
    }

    /// Hands a relayed message to this process's copy of its session, if
    /// it has one.
    fn take_relayed(&self, m: Relayed) {
        let Some(session) = self.sessions().get(m.session.as_str()).cloned() else {
            return;
        };
        match m.kind {
            RelayKind::ToEngine => {
                let incoming = Incoming::parse(&m.data);
                if let Err(e) = session.deliver(incoming, Extensions::new(), m.data.len()) {
                    tracing::debug!(?e, "a relayed message could not reach its session's engine");
                }
            }
            RelayKind::ToClient => session.core.push_standalone(Bytes::clone(&m.data)),
            RelayKind::Changed => {
                match serde_json::from_slice::<mcpwire_server::SessionRecord>(&m.data) {
                    Ok(record) => {
                        if let Some(h) = &session.handle {
                            h.apply(&record);
                        }
                    }
                    // Unreadable: the next request reads it from the store.
                    Err(e) => {
                        tracing::debug!(error = %e, "an unreadable session change was skipped")
                    }
                }
            }
            RelayKind::Ended => {
                self.sessions_mut().remove(m.session.as_str());
                session.close();
            }
            // Names no session (so none is found above); each request
            // compares its copy's version with the store's, which tracks
            // changes on its own.
            RelayKind::Resync => {}
        }
    }
}
