//! The relay between replicas on Redis pub/sub: every replica publishes
//! on one channel and hears every message, keeping those of the sessions
//! it serves.

use std::sync::Arc;

use mcpwire_http::server::{RelayError, RelayFeed, Relayed, SessionRelay};
use mcpwire_rpc::BoxFuture;
use tokio::sync::broadcast;

use crate::pubsub::{Heard, listen};
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
    heard: Arc<broadcast::Sender<Heard>>,
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
        let channel = format!("{}:relay", Keys::new(redis.options().key_prefix()).prefix());
        let (tx, _) = broadcast::channel(RELAY_BACKLOG);
        listen(redis.clone(), channel.clone(), &tx).await;
        RedisRelay {
            redis,
            channel,
            heard: Arc::new(tx),
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
                    Ok(Heard::Message(bytes)) => match serde_json::from_slice::<Relayed>(&bytes) {
                        Ok(m) => return Some((m, rx)),
                        Err(e) => {
                            tracing::warn!(error = %e, "an unreadable relayed message was skipped")
                        }
                    },
                    Ok(Heard::Reconnected) => {}
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
