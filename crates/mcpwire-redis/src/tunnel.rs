//! A [`Tunnel`] on Redis pub/sub: each instance listens on a channel of
//! its own, frames are published there as they are, and an instance is
//! alive while its heartbeat key exists.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use mcpwire_http::server::{RelayError, Tunnel, TunnelEvent, TunnelFeed};
use mcpwire_rpc::BoxFuture;
use tokio::sync::{broadcast, oneshot, watch};

use crate::liveness::Liveness;
use crate::pubsub::{Hearer, Listener};
use crate::{Keys, Redis};

/// How many frames this instance may fall behind by before it misses
/// some; then every open tunnel is aborted.
pub const TUNNEL_BACKLOG: usize = 4096;
/// How long an answer of [`Tunnel::alive`] is reused.
pub const ALIVE_CACHE: Duration = Duration::from_millis(500);
/// How many instances' answers are kept at most.
const ALIVE_CACHE_SIZE: usize = 1024;

/// A [`Tunnel`] on Redis pub/sub, for instances that serve sessions held
/// by one of them (a proxied server process): give it to
/// `mcpwire_proxy::HttpProxy::tunnel`, or to
/// [`Owned`](mcpwire_http::server::Owned). Works on a single Redis server
/// and on a Redis Cluster (where PUBLISH reaches every node).
///
/// Each instance gets a random name, listens on its own channel
/// ([`Keys::tunnel_channel`]) and keeps its heartbeat key
/// ([`Keys::alive`]) refreshed every second; an instance whose key
/// expired (4 s after its last heartbeat) is dead.
///
/// ```no_run
/// # async fn run(redis: mcpwire_redis::Redis) {
/// use mcpwire_http::server::Tunnel;
/// let tunnel = mcpwire_redis::RedisTunnel::connect(redis).await;
/// println!("this instance is {}", tunnel.instance());
/// # }
/// ```
#[derive(Debug)]
pub struct RedisTunnel {
    redis: Redis,
    keys: Keys,
    liveness: Arc<Liveness>,
    heard: broadcast::Sender<TunnelEvent>,
    /// Recent answers of [`Tunnel::alive`], by instance.
    known: Arc<Mutex<HashMap<String, (Instant, bool)>>>,
    /// Dropped with the tunnel, which ends its subscription.
    _alive: watch::Sender<()>,
}

/// The tunnel's end of its channel's subscription.
struct TunnelHearer {
    tx: broadcast::Sender<TunnelEvent>,
    alive: watch::Receiver<()>,
}

impl Hearer for TunnelHearer {
    fn heard(&self, payload: &[u8]) {
        let _ = self
            .tx
            .send(TunnelEvent::Frame(Bytes::copy_from_slice(payload)));
    }

    // Frames published while away are lost.
    fn reconnected(&self) {
        let _ = self.tx.send(TunnelEvent::Missed);
    }

    async fn gone(&self) {
        let mut alive = self.alive.clone();
        while alive.changed().await.is_ok() {}
    }
}

impl RedisTunnel {
    /// Starts this instance's heartbeat and listens on its channel;
    /// returns once it listens (or once the first attempt failed: it
    /// keeps trying in the background).
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// let tunnel = mcpwire_redis::RedisTunnel::connect(redis).await;
    /// # let _ = tunnel; }
    /// ```
    pub async fn connect(redis: Redis) -> RedisTunnel {
        let keys = Keys::new(redis.options().key_prefix());
        let liveness = Liveness::new();
        liveness.start(&redis, &keys);
        let (tx, _) = broadcast::channel(TUNNEL_BACKLOG);
        let (alive, alive_rx) = watch::channel(());
        let (ready, subscribed) = oneshot::channel();
        let listener = Listener {
            redis: redis.clone(),
            channel: keys.tunnel_channel(&liveness.instance),
            hearer: TunnelHearer {
                tx: tx.clone(),
                alive: alive_rx,
            },
            listening: Arc::new(AtomicBool::new(false)),
        };
        tokio::spawn(listener.run(Some(ready)));
        let _ = subscribed.await;
        RedisTunnel {
            redis,
            keys,
            liveness,
            heard: tx,
            known: Arc::new(Mutex::new(HashMap::new())),
            _alive: alive,
        }
    }

    /// A fresh enough answer about `instance`, when one is known.
    fn cached(&self, instance: &str) -> Option<bool> {
        let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        let (at, alive) = known.get(instance)?;
        (at.elapsed() < ALIVE_CACHE).then_some(*alive)
    }
}

impl Tunnel for RedisTunnel {
    fn instance(&self) -> &str {
        &self.liveness.instance
    }

    fn send(&self, to: &str, frame: Bytes) -> BoxFuture<Result<(), RelayError>> {
        let redis = self.redis.clone();
        let channel = self.keys.tunnel_channel(to);
        // On a cluster, PUBLISH goes to the node of the channel's slot:
        // one instance's frames all pass one node, and arrive in the
        // order they were sent.
        Box::pin(async move {
            redis
                .query::<i64>(redis::cmd("PUBLISH").arg(&channel).arg(&frame[..]))
                .await
                .map(|_| ())
                .map_err(|e| RelayError::Backend(e.to_string()))
        })
    }

    fn subscribe(&self) -> TunnelFeed {
        let rx = self.heard.subscribe();
        Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
            match rx.recv().await {
                Ok(event) => Some((event, rx)),
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(
                        missed = n,
                        "this instance fell behind its tunnel and missed frames"
                    );
                    Some((TunnelEvent::Missed, rx))
                }
                Err(broadcast::error::RecvError::Closed) => None,
            }
        }))
    }

    fn alive(&self, instance: &str) -> BoxFuture<Result<bool, RelayError>> {
        if instance == self.instance() {
            return Box::pin(async { Ok(true) });
        }
        if let Some(known) = self.cached(instance) {
            return Box::pin(async move { Ok(known) });
        }
        let redis = self.redis.clone();
        let key = self.keys.alive(instance);
        let name = instance.to_owned();
        let known = self.known.clone();
        Box::pin(async move {
            let n = redis
                .query::<i64>(redis::cmd("EXISTS").arg(&key))
                .await
                .map_err(|e| RelayError::Backend(e.to_string()))?;
            let mut known = known.lock().unwrap_or_else(|p| p.into_inner());
            if known.len() >= ALIVE_CACHE_SIZE {
                known.retain(|_, (at, _)| at.elapsed() < ALIVE_CACHE);
                if known.len() >= ALIVE_CACHE_SIZE {
                    known.clear();
                }
            }
            known.insert(name, (Instant::now(), n > 0));
            Ok(n > 0)
        })
    }
}
