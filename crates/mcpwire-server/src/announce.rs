//! How the server's synchronous change methods (`add_tool`,
//! `resource_updated`, …) publish on a [`NotificationBus`] whose `publish`
//! may wait: an answer ready at once is finished in place; one that waits
//! is driven by a task, and the events made meanwhile wait behind it, so
//! that they are published in the order they were made.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::FutureExt;

use crate::{BoxFuture, BusError, NotificationBus, Server, ServerEvent};

/// How long the server waits for its bus to publish one event; past it,
/// the event is given up on (with a warning) and the next one goes.
pub const PUBLISH_TIMEOUT: Duration = Duration::from_secs(10);

/// How many events may wait while the bus publishes an earlier one; past
/// it, new events are dropped, with a warning.
pub const MAX_UNPUBLISHED_EVENTS: usize = 1024;

/// Publishes a server's events on its bus, in order.
pub(crate) struct Announcer {
    bus: Arc<dyn NotificationBus>,
    /// `Some` while a task publishes: the events waiting behind.
    waiting: Mutex<Option<VecDeque<ServerEvent>>>,
}

impl Announcer {
    pub(crate) fn new(bus: Arc<dyn NotificationBus>) -> Arc<Announcer> {
        Arc::new(Announcer {
            bus,
            waiting: Mutex::new(None),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Option<VecDeque<ServerEvent>>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Publishes `event`: at once if the bus answers at once and nothing
    /// waits, after the events already waiting otherwise.
    pub(crate) fn announce(self: &Arc<Self>, event: ServerEvent) {
        // Held while the bus is called, so that events made one after
        // another are published in that order.
        let mut waiting = self.lock();
        if let Some(queue) = waiting.as_mut() {
            if queue.len() >= MAX_UNPUBLISHED_EVENTS {
                tracing::warn!(
                    ?event,
                    "the notification bus is {MAX_UNPUBLISHED_EVENTS} events behind; \
                     this one is dropped and clients are not told of it"
                );
                return;
            }
            queue.push_back(event);
            return;
        }
        let mut publish = self.bus.publish(event);
        let Some(published) = (&mut publish).now_or_never() else {
            match tokio::runtime::Handle::try_current() {
                Ok(rt) => {
                    *waiting = Some(VecDeque::new());
                    rt.spawn(self.clone().drive(publish));
                }
                Err(_) => tracing::warn!(
                    "the notification bus did not publish at once, and there is no tokio \
                     runtime to wait for it on; the event is dropped"
                ),
            }
            return;
        };
        report(published);
    }

    /// Waits for each publish in turn, within [`PUBLISH_TIMEOUT`], and
    /// starts the ones waiting; ends when none is left.
    async fn drive(self: Arc<Self>, mut publish: BoxFuture<Result<(), BusError>>) {
        loop {
            match tokio::time::timeout(PUBLISH_TIMEOUT, publish).await {
                Ok(published) => report(published),
                Err(_) => tracing::warn!(
                    "the notification bus took longer than {PUBLISH_TIMEOUT:?} to publish an \
                     event; it is given up on"
                ),
            }
            let mut waiting = self.lock();
            loop {
                let Some(event) = waiting.as_mut().and_then(VecDeque::pop_front) else {
                    *waiting = None;
                    return;
                };
                let mut next = self.bus.publish(event);
                match (&mut next).now_or_never() {
                    Some(published) => report(published),
                    None => {
                        publish = next;
                        break;
                    }
                }
            }
        }
    }
}

fn report(published: Result<(), BusError>) {
    if let Err(e) = published {
        tracing::warn!(error = %e, "a server event could not be published; clients were not told of it");
    }
}

impl Server {
    /// Tells every session, and every subscription, about a change: it
    /// goes on the bus, which is the only way events travel.
    pub(crate) fn announce(&self, ev: ServerEvent) {
        self.inner.announcer.announce(ev);
    }
}

#[cfg(test)]
#[path = "announce_tests.rs"]
mod tests;
