//! [`RedisBus`]: server events carried between instances by Redis
//! pub/sub, so that a change made on one instance reaches the clients of
//! every other.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::stream;
use mcpwire_server::{BoxFuture, BusError, EventStream, NotificationBus, ServerEvent};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use crate::{Keys, Redis};

/// How many events a subscriber may fall behind unless told otherwise.
///
/// ```
/// assert_eq!(mcpwire_redis::DEFAULT_BUS_CAPACITY, 256);
/// ```
pub const DEFAULT_BUS_CAPACITY: usize = 256;

/// The events that make a client fetch every list again: what a
/// subscriber is told after the bus lost Redis for a while, since a change
/// may have been announced meanwhile.
const REFETCH: [ServerEvent; 3] = [
    ServerEvent::ToolsChanged,
    ServerEvent::PromptsChanged,
    ServerEvent::ResourcesChanged,
];

/// A [`NotificationBus`] over Redis pub/sub: every instance of a server
/// connected to the same Redis (a single server or a Redis Cluster) tells
/// its clients about changes made on any of them.
///
/// [`publish`](NotificationBus::publish) sends the event as JSON on
/// [`Keys::events_channel`]. The subscribers of one bus share one
/// subscription to that channel, held by a task the first
/// [`subscribe`](NotificationBus::subscribe) starts, which hands each
/// event to them through a bounded broadcast
/// ([`with_capacity`](RedisBus::with_capacity)). When the subscription
/// breaks, the task connects again, backing off up to 5 s, and once back
/// tells every subscriber that the tool, prompt and resource lists changed,
/// so that clients fetch them again rather than miss a change announced
/// while it was away. The task ends once the bus and all its subscribers
/// are gone.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use mcpwire_redis::{Redis, RedisBus, RedisOptions};
/// use mcpwire_server::Server;
///
/// let redis = Redis::connect("redis://127.0.0.1:6379", RedisOptions::default()).await?;
/// let bus = Arc::new(RedisBus::new(redis));
/// let server = Server::builder("demo", "1.0.0").notification_bus(bus).build()?;
/// # let _ = server; Ok(()) }
/// ```
pub struct RedisBus {
    shared: Arc<Shared>,
}

struct Shared {
    redis: Redis,
    channel: String,
    tx: broadcast::Sender<ServerEvent>,
    /// Whether the subscription is in place now.
    listening: Arc<AtomicBool>,
    /// Whether the task was started.
    started: Mutex<bool>,
    /// Closed when the bus is dropped, which the task watches.
    alive: watch::Sender<()>,
}

impl std::fmt::Debug for RedisBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBus")
            .field("channel", &self.shared.channel)
            .field("subscribers", &self.shared.tx.receiver_count())
            .field("listening", &self.is_listening())
            .finish()
    }
}

impl RedisBus {
    /// A bus on `redis`, on the events channel of its key prefix, on which
    /// a subscriber may fall [`DEFAULT_BUS_CAPACITY`] events behind.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// let bus = mcpwire_redis::RedisBus::new(redis);
    /// # let _ = bus; }
    /// ```
    pub fn new(redis: Redis) -> RedisBus {
        RedisBus::with_capacity(redis, DEFAULT_BUS_CAPACITY)
    }

    /// A bus on which a subscriber may fall `capacity` events behind (at
    /// least 1) before it skips some, with a warning.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// let bus = mcpwire_redis::RedisBus::with_capacity(redis, 1024);
    /// # let _ = bus; }
    /// ```
    pub fn with_capacity(redis: Redis, capacity: usize) -> RedisBus {
        let channel = Keys::new(redis.options().key_prefix()).events_channel();
        let (tx, _) = broadcast::channel(capacity.max(1));
        let (alive, _) = watch::channel(());
        RedisBus {
            shared: Arc::new(Shared {
                redis,
                channel,
                tx,
                listening: Arc::new(AtomicBool::new(false)),
                started: Mutex::new(false),
                alive,
            }),
        }
    }

    /// Whether the subscription to Redis is in place now: false before the
    /// first [`subscribe`](NotificationBus::subscribe) and while Redis is
    /// away. A readiness check may ask it.
    ///
    /// ```no_run
    /// # async fn run(bus: mcpwire_redis::RedisBus) {
    /// if !bus.is_listening() { eprintln!("not receiving other instances' changes now"); }
    /// # }
    /// ```
    pub fn is_listening(&self) -> bool {
        self.shared.listening.load(Ordering::SeqCst)
    }

    /// A bus already listening: returns once its subscription holds (or
    /// once the first attempt failed; it keeps trying), so that no event
    /// another instance publishes from then on is missed while Redis
    /// answers. A server whose clients listen for changes should start its
    /// bus this way.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// let bus = mcpwire_redis::RedisBus::connect(redis).await;
    /// assert!(bus.is_listening());
    /// # }
    /// ```
    pub async fn connect(redis: Redis) -> RedisBus {
        let bus = RedisBus::new(redis);
        let (ready, subscribed) = tokio::sync::oneshot::channel();
        bus.start_with(Some(ready));
        let _ = subscribed.await;
        bus
    }

    /// Starts the subscription task unless it runs.
    fn start(&self) {
        self.start_with(None);
    }

    /// Starts the subscription task unless it runs, telling `ready` once
    /// its first attempt to subscribe is over.
    fn start_with(&self, ready: Option<tokio::sync::oneshot::Sender<()>>) {
        let mut started = self
            .shared
            .started
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if *started {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            tracing::error!(
                "RedisBus::subscribe was called outside a tokio runtime: \
                 events from other instances are not received"
            );
            return;
        };
        *started = true;
        let task = crate::pubsub::Listener {
            redis: self.shared.redis.clone(),
            channel: self.shared.channel.clone(),
            hearer: BusHearer {
                channel: self.shared.channel.clone(),
                tx: self.shared.tx.clone(),
                alive: self.shared.alive.subscribe(),
            },
            listening: self.shared.listening.clone(),
        };
        rt.spawn(task.run(ready));
    }
}

impl NotificationBus for RedisBus {
    fn publish(&self, event: ServerEvent) -> BoxFuture<Result<(), BusError>> {
        let redis = self.shared.redis.clone();
        let channel = self.shared.channel.clone();
        Box::pin(async move {
            let json =
                serde_json::to_string(&event).map_err(|e| BusError::Backend(e.to_string()))?;
            redis
                .query::<i64>(redis::cmd("PUBLISH").arg(&channel).arg(json))
                .await
                .map(|_| ())
                .map_err(|e| BusError::Backend(e.to_string()))
        })
    }

    fn subscribe(&self) -> EventStream {
        let rx = self.shared.tx.subscribe();
        self.start();
        Box::pin(stream::unfold(rx, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(event) => return Some((event, rx)),
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(
                            skipped = n,
                            "a notification subscriber fell behind and missed events; \
                             raise RedisBus::with_capacity if this recurs"
                        );
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }))
    }
}

/// The bus's end of its channel's subscription.
struct BusHearer {
    channel: String,
    tx: broadcast::Sender<ServerEvent>,
    alive: watch::Receiver<()>,
}

impl crate::pubsub::Hearer for BusHearer {
    fn heard(&self, payload: &[u8]) {
        match serde_json::from_slice::<ServerEvent>(payload) {
            Ok(event) => {
                let _ = self.tx.send(event);
            }
            Err(e) => tracing::warn!(
                error = %e,
                channel = %self.channel,
                "ignored a message on the notification channel that is not a server event"
            ),
        }
    }

    fn reconnected(&self) {
        // Changes made on other instances meanwhile were missed: clients
        // are told to fetch every list again.
        for event in REFETCH {
            let _ = self.tx.send(event);
        }
    }

    /// Resolves once the bus is dropped and no subscriber is left.
    async fn gone(&self) {
        let mut alive = self.alive.clone();
        while alive.changed().await.is_ok() {}
        self.tx.closed().await;
    }
}
