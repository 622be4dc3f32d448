//! The notification bus: how a change on the server (a tool added, a
//! resource updated) reaches every session and every `subscriptions/listen`
//! stream, in this process or, through a shared bus, in every replica.
//!
//! The server publishes each [`ServerEvent`] on its [`NotificationBus`] and
//! nowhere else. Legacy sessions get the events through one fan-out task
//! per server; each 2026-07-28 subscription reads the bus itself. The
//! default bus, [`InProcessBus`], is a bounded broadcast channel. A bus
//! shared between processes (a message broker, a database's notify
//! channel) implements the same two methods, and every replica of a server
//! built with it tells its clients about changes made on any of them.

use std::fmt;
use std::pin::Pin;

use futures_util::Stream;
use futures_util::stream;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::BoxFuture;

/// Something that changed on the server, announced to connected clients.
///
/// Plain data, so a bus between processes can carry it in any serde
/// format:
///
/// ```
/// use mcpwire_server::ServerEvent;
/// let ev = ServerEvent::ResourceUpdated("file:///notes.txt".into());
/// let json = serde_json::to_string(&ev).unwrap();
/// assert_eq!(json, r#"{"resourceUpdated":"file:///notes.txt"}"#);
/// assert_eq!(serde_json::from_str::<ServerEvent>(&json).unwrap(), ev);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ServerEvent {
    /// The tool list changed (`notifications/tools/list_changed`).
    ToolsChanged,
    /// The resource or template list changed
    /// (`notifications/resources/list_changed`).
    ResourcesChanged,
    /// The prompt list changed (`notifications/prompts/list_changed`).
    PromptsChanged,
    /// The resource with this URI changed (`notifications/resources/updated`,
    /// sent to clients subscribed to it).
    ResourceUpdated(String),
    /// A client cancelled this task through another replica: the replica
    /// running it stops it.
    TaskCancelled(String),
    /// A client answered this task's input requests through another
    /// replica: the replica running it takes the answers.
    TaskInput {
        /// The task.
        task: String,
        /// The answers, by input request key.
        answers: serde_json::Map<String, serde_json::Value>,
    },
}

/// The events a subscriber reads from a bus, in publication order. The
/// stream ends when the bus closes, which ends every subscription on it
/// gracefully.
pub type EventStream = Pin<Box<dyn Stream<Item = ServerEvent> + Send>>;

/// Why a bus could not publish an event.
///
/// The server logs it; the clients that would have been told of the change
/// are not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BusError {
    /// The bus is closed: nothing more can be published on it.
    #[error("the notification bus is closed")]
    Closed,
    /// The broker or channel behind the bus failed.
    #[error("the notification bus failed: {0}")]
    Backend(String),
}

/// Carries [`ServerEvent`]s from the server that publishes them to every
/// subscriber.
///
/// A subscriber sees the events published after it subscribed. A bus may
/// drop events for a subscriber that falls far behind (log it); it never
/// blocks the publisher for long. Events are [`ServerEvent`]s, which
/// serialize with serde, so a bus between processes can carry them as it
/// likes.
///
/// `publish` answers with a future, so that a bus between processes can
/// wait for its broker. The server's methods that publish are synchronous
/// ([`Server::add_tool`](crate::Server::add_tool),
/// [`Server::resource_updated`](crate::Server::resource_updated), …) and
/// stay so: a future that is ready at once (the [`InProcessBus`]'s) is
/// finished in place, before the method returns; one that waits is handed
/// to a task on the current tokio runtime, which publishes the server's
/// events one after another, in the order they were made, each within
/// [`PUBLISH_TIMEOUT`](crate::PUBLISH_TIMEOUT), with at most
/// [`MAX_UNPUBLISHED_EVENTS`](crate::MAX_UNPUBLISHED_EVENTS) waiting behind.
/// A publish that fails or times out is logged. Called outside a tokio
/// runtime, a future that waits cannot be driven: it is dropped, with a
/// warning. The server calls `publish` holding its publishing order, so
/// `publish` itself must not block, nor change the same server.
///
/// # Example
///
/// A bus that counts what it carries, around the in-process one:
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use mcpwire_server::{
///     BoxFuture, BusError, EventStream, InProcessBus, NotificationBus, Server, ServerEvent,
/// };
///
/// #[derive(Default)]
/// struct Counted {
///     inner: InProcessBus,
///     published: AtomicUsize,
/// }
///
/// impl NotificationBus for Counted {
///     fn publish(&self, event: ServerEvent) -> BoxFuture<Result<(), BusError>> {
///         self.published.fetch_add(1, Ordering::Relaxed);
///         self.inner.publish(event)
///     }
///     fn subscribe(&self) -> EventStream {
///         self.inner.subscribe()
///     }
/// }
///
/// let bus = Arc::new(Counted::default());
/// let server = Server::builder("demo", "1.0.0").notification_bus(bus.clone()).build()?;
/// server.resource_updated("file:///notes.txt");
/// assert_eq!(bus.published.load(Ordering::Relaxed), 1);
/// # Ok::<(), mcpwire_server::BuildError>(())
/// ```
pub trait NotificationBus: Send + Sync + 'static {
    /// Sends `event` to every current subscriber. The future is `'static`:
    /// a bus that works in it takes what it needs (a client handle) into
    /// it.
    fn publish(&self, event: ServerEvent) -> BoxFuture<Result<(), BusError>>;

    /// Starts reading the events published from now on.
    fn subscribe(&self) -> EventStream;
}

/// The default [`NotificationBus`]: a bounded broadcast channel within
/// this process. It publishes when called, and its futures are ready at
/// once, so publishing costs the server no task.
///
/// Share one (in an `Arc`) between several servers built in the same
/// process and each tells its clients about the others' changes. A
/// subscriber that falls more than the capacity behind skips the events it
/// missed, with a warning.
///
/// ```
/// use std::sync::Arc;
/// use mcpwire_server::{InProcessBus, Server};
///
/// let bus = Arc::new(InProcessBus::with_capacity(1024));
/// let a = Server::builder("replica-a", "1.0.0").notification_bus(bus.clone()).build()?;
/// let b = Server::builder("replica-b", "1.0.0").notification_bus(bus).build()?;
/// # let _ = (a, b);
/// # Ok::<(), mcpwire_server::BuildError>(())
/// ```
pub struct InProcessBus {
    tx: broadcast::Sender<ServerEvent>,
}

impl InProcessBus {
    /// How many events a subscriber may fall behind by default.
    pub const DEFAULT_CAPACITY: usize = 256;

    /// A bus on which a subscriber may fall `capacity` events behind
    /// before it skips some (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(1));
        Self { tx }
    }

    /// How many subscribers read the bus now: one per server with
    /// sessions, plus one per open `subscriptions/listen`.
    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }
}

impl Default for InProcessBus {
    fn default() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }
}

impl fmt::Debug for InProcessBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InProcessBus")
            .field("subscribers", &self.tx.receiver_count())
            .finish()
    }
}

impl NotificationBus for InProcessBus {
    fn publish(&self, event: ServerEvent) -> BoxFuture<Result<(), BusError>> {
        // No subscriber is not an error: nobody is listening yet.
        let _ = self.tx.send(event);
        Box::pin(std::future::ready(Ok(())))
    }

    fn subscribe(&self) -> EventStream {
        Box::pin(stream::unfold(self.tx.subscribe(), |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(event) => return Some((event, rx)),
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(
                            skipped = n,
                            "a notification subscriber fell behind and missed events; \
                             raise InProcessBus::with_capacity if this recurs"
                        );
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }))
    }
}
