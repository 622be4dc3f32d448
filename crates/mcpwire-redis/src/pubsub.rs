//! Listening on one Redis channel for as long as anyone wants its
//! messages: one pub/sub connection in a task of its own, checked with a
//! heartbeat and resubscribed with a capped backoff when it breaks. What
//! it hears goes to a [`Hearer`], which is also told when the
//! subscription came back (what was published meanwhile was missed).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::oneshot;

use crate::{Redis, RedisError};

const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often a quiet subscription is checked with a PING.
const HEARTBEAT: Duration = Duration::from_secs(10);

/// Where a channel's messages go.
pub(crate) trait Hearer: Send + Sync + 'static {
    /// One message, as published.
    fn heard(&self, payload: &[u8]);
    /// The subscription is back after a break.
    fn reconnected(&self);
    /// Resolves once nobody wants the messages any more.
    fn gone(&self) -> impl Future<Output = ()> + Send;
}

/// Why the task stopped listening.
enum Stop {
    /// Nobody wants the messages.
    Done,
    /// The subscription broke.
    Broken(RedisError),
}

/// A channel's subscription, run by [`Listener::run`].
pub(crate) struct Listener<H> {
    pub(crate) redis: Redis,
    pub(crate) channel: String,
    pub(crate) hearer: H,
    /// Whether the subscription is in place now.
    pub(crate) listening: Arc<AtomicBool>,
}

impl<H: Hearer> Listener<H> {
    /// Listens until nobody wants the messages; `ready` is told once the
    /// first attempt to subscribe succeeded or failed.
    pub(crate) async fn run(self, mut ready: Option<oneshot::Sender<()>>) {
        let mut backoff = FIRST_BACKOFF;
        let mut missed = false;
        loop {
            let subscribed = self.subscribe().await;
            if let Some(r) = ready.take() {
                let _ = r.send(());
            }
            let stop = match subscribed {
                Ok(pubsub) => {
                    backoff = FIRST_BACKOFF;
                    self.listening.store(true, Ordering::SeqCst);
                    if missed {
                        tracing::info!(channel = %self.channel, "listening on the Redis channel again");
                        self.hearer.reconnected();
                    }
                    let stop = self.listen(pubsub).await;
                    self.listening.store(false, Ordering::SeqCst);
                    stop
                }
                Err(e) => Stop::Broken(e),
            };
            let e = match stop {
                Stop::Done => return,
                Stop::Broken(e) => e,
            };
            missed = true;
            tracing::warn!(
                error = %e,
                retry_in = ?backoff,
                channel = %self.channel,
                "lost the subscription to a Redis channel; what other instances publish there waits until it is back"
            );
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                () = self.hearer.gone() => return,
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// A connection subscribed to the channel.
    async fn subscribe(&self) -> Result<redis::aio::PubSub, RedisError> {
        let mut pubsub = self.redis.pubsub().await?;
        let deadline = self.redis.options().call_deadline();
        crate::conn::with_deadline(deadline, pubsub.subscribe(&self.channel)).await?;
        Ok(pubsub)
    }

    /// Hands each message on until the subscription breaks or nobody wants
    /// the messages.
    async fn listen(&self, pubsub: redis::aio::PubSub) -> Stop {
        let deadline = self.redis.options().call_deadline();
        let (mut sink, mut messages) = pubsub.split();
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        heartbeat.tick().await;
        loop {
            tokio::select! {
                msg = messages.next() => {
                    let Some(msg) = msg else {
                        return Stop::Broken(RedisError::Unreachable(
                            "the subscription's connection closed".into(),
                        ));
                    };
                    self.hearer.heard(msg.get_payload_bytes());
                }
                _ = heartbeat.tick() => {
                    let ping = crate::conn::with_deadline(deadline, sink.ping::<redis::Value>()).await;
                    if let Err(e) = ping {
                        return Stop::Broken(e);
                    }
                }
                () = self.hearer.gone() => return Stop::Done,
            }
        }
    }
}
