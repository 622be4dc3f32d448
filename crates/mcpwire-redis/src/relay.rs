//! The relay between replicas on Redis pub/sub: every replica publishes
//! on one channel and hears every message, keeping those of the sessions
//! it serves.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use mcpwire_http::server::{RelayError, RelayFeed, Relayed, SessionRelay};
use mcpwire_rpc::BoxFuture;
use tokio::sync::{broadcast, oneshot, watch};

use crate::pubsub::{Hearer, Listener};
use crate::{Keys, Redis};

/// How many relayed messages a slow replica may fall behind by before it
/// misses some (each is logged).
pub const RELAY_BACKLOG: usize = 1024;

/// A [`SessionRelay`] on Redis pub/sub.
///
/// ```no_run
/// # async fn run(redis: mcpwire_redis::Redis) {
/// use std::sync::Arc;
/// use mcpwire_http::server::HttpConfig;
/// let relay = mcpwire_redis::RedisRelay::connect(redis).await;
/// let config = HttpConfig::default().relay(Arc::new(relay));
/// # let _ = config; }
/// ```
#[derive(Debug)]
pub struct RedisRelay {
    redis: Redis,
    channel: String,
    heard: broadcast::Sender<Relayed>,
    /// Dropped with the relay, which ends its subscription.
    _alive: watch::Sender<()>,
}

/// The relay's end of its channel's subscription.
struct RelayHearer {
    tx: broadcast::Sender<Relayed>,
    alive: watch::Receiver<()>,
}

impl Hearer for RelayHearer {
    fn heard(&self, payload: &[u8]) {
        match serde_json::from_slice::<Relayed>(payload) {
            Ok(m) => {
                let _ = self.tx.send(m);
            }
            Err(e) => tracing::warn!(error = %e, "an unreadable relayed message was skipped"),
        }
    }

    // Relayed messages sent while away are lost: what waited for them ends
    // at its own deadline, and sessions changed meanwhile must be read
    // again.
    fn reconnected(&self) {
        let _ = self.tx.send(Relayed::resync());
    }

    /// Resolves once the relay is dropped.
    async fn gone(&self) {
        let mut alive = self.alive.clone();
        while alive.changed().await.is_ok() {}
    }
}

impl RedisRelay {
    /// Starts listening on the relay channel; returns once it listens (or
    /// once the first attempt failed: it keeps trying in the background).
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// let relay = mcpwire_redis::RedisRelay::connect(redis).await;
    /// # let _ = relay; }
    /// ```
    pub async fn connect(redis: Redis) -> RedisRelay {
        let channel = Keys::new(redis.options().key_prefix()).relay_channel();
        let (tx, _) = broadcast::channel(RELAY_BACKLOG);
        let (alive, alive_rx) = watch::channel(());
        let (ready, subscribed) = oneshot::channel();
        let listener = Listener {
            redis: redis.clone(),
            channel: channel.clone(),
            hearer: RelayHearer {
                tx: tx.clone(),
                alive: alive_rx,
            },
            listening: Arc::new(AtomicBool::new(false)),
        };
        tokio::spawn(listener.run(Some(ready)));
        let _ = subscribed.await;
        RedisRelay {
            redis,
            channel,
            heard: tx,
            _alive: alive,
        }
    }
}

impl SessionRelay for RedisRelay {
    fn send(&self, message: Relayed) -> BoxFuture<Result<(), RelayError>> {
        let redis = self.redis.clone();
        let channel = self.channel.clone();
        Box::pin(async move {
            let payload =
                serde_json::to_vec(&message).map_err(|e| RelayError::Backend(e.to_string()))?;
            redis
                .query::<i64>(redis::cmd("PUBLISH").arg(&channel).arg(payload))
                .await
                .map(|_| ())
                .map_err(|e| RelayError::Backend(e.to_string()))
        })
    }

    fn subscribe(&self) -> RelayFeed {
        let rx = self.heard.subscribe();
        Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(m) => return Some((m, rx)),
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(
                            missed = n,
                            "this replica fell behind the relay and missed messages"
                        )
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }))
    }
}
