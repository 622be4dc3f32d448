//! The `requestState` key ring kept in Redis: created once by whichever
//! instance comes first, rotated on a schedule by whichever instance sees
//! it due, and read by every instance, so that a state one instance sealed
//! is opened by any.
//!
//! A new key is announced before it seals anything: every instance learns
//! it (and so can open what it seals) before any instance seals with it.
//! A retired key stays until every state it sealed has expired.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcpwire_server::KeyRing;
use serde::Deserialize;

use crate::{Keys, Redis, RedisError};

/// When keys rotate, and how often each instance reads the ring.
///
/// ```
/// use std::time::Duration;
/// use mcpwire_redis::KeyRingOptions;
/// let o = KeyRingOptions::default().rotate_every(Duration::from_secs(3600));
/// # let _ = o;
/// ```
#[derive(Debug, Clone)]
pub struct KeyRingOptions {
    rotate_every: Duration,
    refresh_every: Duration,
    state_ttl: Duration,
}

impl Default for KeyRingOptions {
    fn default() -> Self {
        KeyRingOptions {
            rotate_every: Duration::from_secs(24 * 60 * 60),
            refresh_every: Duration::from_secs(30),
            state_ttl: Duration::from_secs(10 * 60),
        }
    }
}

impl KeyRingOptions {
    /// How long a key seals before a new one takes over (a day).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let o = mcpwire_redis::KeyRingOptions::default().rotate_every(Duration::from_secs(6 * 3600));
    /// # let _ = o;
    /// ```
    pub fn rotate_every(mut self, every: Duration) -> Self {
        self.rotate_every = every.max(Duration::from_secs(1));
        self
    }

    /// How often each instance reads the ring (30 s). A new key seals
    /// only after two of these, so every instance knows it first.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let o = mcpwire_redis::KeyRingOptions::default().refresh_every(Duration::from_secs(10));
    /// # let _ = o;
    /// ```
    pub fn refresh_every(mut self, every: Duration) -> Self {
        self.refresh_every = every.max(Duration::from_millis(10));
        self
    }

    /// How long a sealed state stays valid (the server's
    /// `request_state_ttl`, 10 minutes): a retired key is kept that long
    /// after it stopped sealing.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let o = mcpwire_redis::KeyRingOptions::default().state_ttl(Duration::from_secs(120));
    /// # let _ = o;
    /// ```
    pub fn state_ttl(mut self, ttl: Duration) -> Self {
        self.state_ttl = ttl;
        self
    }

    fn activate_after(&self) -> Duration {
        self.refresh_every * 2
    }
}

/// Adds a key when the newest is due for rotation (or when there is none),
/// drops keys retired longer than a state lives, and returns the ring.
/// `at` is when a key was added, in milliseconds; the first key of a ring
/// is dated back so that it seals at once.
const ROTATE: &str = r#"
local raw = redis.call('GET', KEYS[1])
local ring = {}
if raw then ring = cjson.decode(raw) end
local now = tonumber(ARGV[1])
local rotate = tonumber(ARGV[2])
local activate = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
if #ring == 0 then
  ring = {{k = ARGV[5], at = now - activate}}
elseif now - ring[1].at >= rotate then
  table.insert(ring, 1, {k = ARGV[5], at = now})
end
local kept = {ring[1]}
for i = 2, #ring do
  if now - (ring[i - 1].at + activate) < ttl + activate then
    table.insert(kept, ring[i])
  end
end
local out = cjson.encode(kept)
redis.call('SET', KEYS[1], out)
return out
"#;

#[derive(Deserialize)]
struct Entry {
    /// The key, hex.
    k: String,
    /// When it was added, in milliseconds since the epoch.
    at: u64,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Orders the ring's keys for sealing: the newest key that every instance
/// has had time to learn first, then every other key (all of them open).
fn order(entries: &[Entry], now: u64, activate: Duration) -> Result<Vec<Vec<u8>>, RedisError> {
    let activate = activate.as_millis() as u64;
    let keys: Vec<Vec<u8>> = entries
        .iter()
        .map(|e| unhex(&e.k).ok_or_else(|| RedisError::Corrupt("a key ring key is not hex".into())))
        .collect::<Result<_, _>>()?;
    let sealing = entries
        .iter()
        .position(|e| now >= e.at + activate)
        .unwrap_or(entries.len().saturating_sub(1));
    let mut ordered = Vec::with_capacity(keys.len());
    if let Some(k) = keys.get(sealing) {
        ordered.push(k.clone());
    }
    ordered.extend(
        keys.iter()
            .enumerate()
            .filter(|(i, _)| *i != sealing)
            .map(|(_, k)| k.clone()),
    );
    Ok(ordered)
}

/// Reads the ring (rotating it when due) and orders its keys.
async fn refresh(
    redis: &Redis,
    key: &str,
    options: &KeyRingOptions,
) -> Result<Vec<Vec<u8>>, RedisError> {
    let now = now_ms();
    let script = redis::Script::new(ROTATE);
    let mut call = script.key(key);
    call.arg(now)
        .arg(options.rotate_every.as_millis() as u64)
        .arg(options.activate_after().as_millis() as u64)
        .arg(options.state_ttl.as_millis() as u64)
        .arg(crate::keys::random_hex(32));
    let raw: String = redis.script(&call).await?;
    let entries: Vec<Entry> = serde_json::from_str(&raw)?;
    order(&entries, now, options.activate_after())
}

/// Loads the shared `requestState` key ring from Redis (creating it if no
/// instance has yet) and keeps it current in the background: every
/// instance that calls this seals and opens with the same keys, and keys
/// rotate on schedule without a restart.
///
/// Give the ring to
/// [`ServerBuilder::request_state_key_ring`](mcpwire_server::ServerBuilder::request_state_key_ring).
/// The background task ends when the ring is dropped. A failed refresh is
/// logged and retried; the keys already loaded stay in use.
///
/// ```no_run
/// # async fn run(redis: mcpwire_redis::Redis) -> Result<(), Box<dyn std::error::Error>> {
/// use mcpwire_redis::{KeyRingOptions, shared_key_ring};
/// let ring = shared_key_ring(&redis, KeyRingOptions::default()).await?;
/// let server = mcpwire_server::Server::builder("api", "1.0.0")
///     .request_state_key_ring(ring)
///     .build()?;
/// # let _ = server; Ok(()) }
/// ```
pub async fn shared_key_ring(
    redis: &Redis,
    options: KeyRingOptions,
) -> Result<KeyRing, RedisError> {
    let key = Keys::new(redis.options().key_prefix()).key_ring();
    let ring = KeyRing::new(refresh(redis, &key, &options).await?);
    let weak = ring.downgrade();
    let redis = redis.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(options.refresh_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            // Read the ring only while someone uses it.
            if weak.upgrade().is_none() {
                return;
            }
            match refresh(&redis, &key, &options).await {
                Ok(keys) => match weak.upgrade() {
                    Some(ring) => ring.set(keys),
                    None => return,
                },
                Err(e) => {
                    tracing::warn!(error = %e, "could not refresh the requestState key ring; keeping the keys already loaded");
                }
            }
        }
    });
    Ok(ring)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sealing_key_is_the_newest_every_instance_knows() {
        let a = "aa".repeat(2);
        let b = "bb".repeat(2);
        let entries = vec![
            Entry {
                k: b.clone(),
                at: 10_000,
            },
            Entry {
                k: a.clone(),
                at: 0,
            },
        ];
        let activate = Duration::from_millis(1000);
        // Just added: the older key still seals; both open.
        let keys = order(&entries, 10_500, activate).unwrap();
        assert_eq!(keys, vec![unhex(&a).unwrap(), unhex(&b).unwrap()]);
        // Once announced long enough, the new key seals.
        let keys = order(&entries, 11_000, activate).unwrap();
        assert_eq!(keys, vec![unhex(&b).unwrap(), unhex(&a).unwrap()]);
    }
}
