//! Listening on one Redis channel for as long as anyone wants its
//! messages: one pub/sub connection in a task of its own, checked with a
//! ping and reconnected with a capped backoff when it fails, telling its
//! listeners when it came back (messages sent meanwhile were missed).

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::{broadcast, oneshot};

use crate::Redis;

/// What a listener hears.
#[derive(Debug, Clone)]
pub(crate) enum Heard {
    /// A message published on the channel.
    Message(Bytes),
    /// The connection came back after a failure: what was published
    /// while it was away was missed.
    Reconnected,
}

/// How often the connection is checked while the channel is quiet.
const PING_EVERY: Duration = Duration::from_secs(5);
/// The longest wait between two attempts to reconnect.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Listens on `channel`, handing what it hears to `tx`'s receivers, until
/// `tx` is gone. Returns once the first subscription holds (or failed:
/// the task keeps trying), so that nothing published after this returns
/// is missed while Redis answers.
pub(crate) async fn listen(redis: Redis, channel: String, tx: &broadcast::Sender<Heard>) {
    let weak = tx.downgrade();
    let (ready, subscribed) = oneshot::channel();
    tokio::spawn(run(redis, channel, weak, ready));
    let _ = subscribed.await;
}

async fn run(
    redis: Redis,
    channel: String,
    tx: broadcast::WeakSender<Heard>,
    ready: oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    let mut backoff = Duration::from_millis(50);
    let mut first = true;
    loop {
        if tx.upgrade().is_none() {
            return;
        }
        let deadline = redis.options().call_deadline();
        let connected = async {
            let mut pubsub = redis.pubsub().await?;
            crate::conn::with_deadline(deadline, pubsub.subscribe(&channel)).await?;
            Ok::<_, crate::RedisError>(pubsub)
        }
        .await;
        let pubsub = match connected {
            Ok(p) => p,
            Err(e) => {
                if let Some(r) = ready.take() {
                    let _ = r.send(());
                }
                tracing::warn!(error = %e, %channel, "cannot listen on a Redis channel; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        backoff = Duration::from_millis(50);
        if let Some(r) = ready.take() {
            let _ = r.send(());
        }
        if !first {
            tracing::info!(%channel, "listening on the Redis channel again");
            match tx.upgrade() {
                Some(tx) => {
                    let _ = tx.send(Heard::Reconnected);
                }
                None => return,
            }
        }
        first = false;
        let (mut sink, mut stream) = pubsub.split();
        let mut tick = tokio::time::interval(PING_EVERY);
        tick.reset();
        loop {
            tokio::select! {
                msg = stream.next() => {
                    let Some(msg) = msg else { break };
                    let Some(tx) = tx.upgrade() else { return };
                    let _ = tx.send(Heard::Message(Bytes::copy_from_slice(msg.get_payload_bytes())));
                }
                _ = tick.tick() => {
                    if tx.upgrade().is_none() {
                        return;
                    }
                    let pong = crate::conn::with_deadline(deadline, sink.ping::<String>()).await;
                    if let Err(e) = pong {
                        tracing::warn!(error = %e, %channel, "the Redis channel stopped answering; reconnecting");
                        break;
                    }
                }
            }
        }
    }
}
