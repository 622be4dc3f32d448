//! This process's copies of the session records it read, so that most
//! requests of a session skip Redis.
//!
//! A copy is trusted for [`SESSION_COPY_FRESH`] after Redis last confirmed
//! it (which also restarted the record's TTL), and only while nothing may
//! have changed it meanwhile:
//!
//! - every change or removal of a record is announced on
//!   [`Keys::session_changes`] in the same script that makes it; each
//!   instance drops its copy when it hears the announcement, then answers
//!   that it did;
//! - the instance that made the change waits (at most
//!   [`CHANGE_ACK_WAIT`]) for an answer from every instance that keeps
//!   copies (those registered in [`Keys::session_readers`] by a
//!   heartbeat) before its request is answered, so a client that saw its
//!   `DELETE` or `logging/setLevel` answered never meets a stale copy on
//!   another instance;
//! - copies are trusted only while this process listens on the channel and
//!   its registration is recent; a subscription that broke clears them
//!   all, and any announcement heard while a read was in flight keeps that
//!   read from being trusted.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once, OnceLock, Weak};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use crate::pubsub::{Hearer, Listener};
use crate::{Keys, Redis};

/// How long a copy of a session record is trusted after Redis last
/// confirmed it: a session's requests cost one round trip to Redis at
/// most once in this long on each instance (which also keeps the record
/// alive), and the rest none.
pub const SESSION_COPY_FRESH: Duration = Duration::from_secs(1);

/// How long a change to a session record waits for the other instances to
/// drop their copies of it.
pub const CHANGE_ACK_WAIT: Duration = Duration::from_millis(500);

/// How many session copies one process keeps at once.
pub const MAX_SESSION_COPIES: usize = 65_536;

/// How many answers to announcements may wait to be sent.
const ACK_QUEUE: usize = 1024;
/// How many answers one change may have waiting to be read.
const ACKS_PER_CHANGE: usize = 256;
/// How often a process that keeps copies renews its registration.
const BEAT: Duration = Duration::from_secs(1);
/// How often an unregistered process looks whether its subscription is in
/// place, to register at once when it is.
const SUBSCRIBED_POLL: Duration = Duration::from_millis(10);
/// How long a registration counts without being renewed.
const REGISTERED_FOR: Duration = Duration::from_secs(4);
/// How long this process trusts its own registration: less than
/// [`REGISTERED_FOR`], so that whoever counts readers counts it for as
/// long as it trusts copies.
const TRUST_REGISTRATION_FOR: Duration = Duration::from_secs(3);

/// Registers (`ARGV[2]` = 1) or withdraws `ARGV[1]` in the readers set
/// `KEYS[1]`, scored by the server's clock, and drops long-dead members.
const REGISTER: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[2] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
redis.call('PEXPIRE', KEYS[1], 60000)
return 1
";

/// How many readers registered within the last `ARGV[1]` ms.
const COUNT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[1]), '+inf')
";

/// One copy: the record's version, and when Redis last confirmed it.
#[derive(Debug, Clone, Copy)]
struct Copy {
    version: u64,
    confirmed: Instant,
}

/// The copies, and what keeps them honest.
#[derive(Debug)]
pub(crate) struct Copies {
    instance: String,
    redis: Redis,
    channel: String,
    readers: String,
    entries: Mutex<HashMap<Box<str>, Copy>>,
    /// Bumped by every announcement heard (and every lost subscription):
    /// a read that saw it change may be older than the announcement.
    generation: AtomicU64,
    listening: Arc<AtomicBool>,
    /// When the last registration was sent, in ms since `epoch` (0: not
    /// registered).
    registered_at: AtomicU64,
    epoch: Instant,
    started: Once,
    /// Changes of this process waiting for answers, by number.
    waiters: Mutex<HashMap<u64, mpsc::Sender<()>>>,
    next_change: AtomicU64,
    acks: OnceLock<mpsc::Sender<String>>,
    register: redis::Script,
    count: redis::Script,
    /// Dropped with the copies, which ends their tasks.
    alive: watch::Sender<()>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Copies {
    pub(crate) fn new(redis: Redis, keys: &Keys) -> Arc<Copies> {
        Arc::new(Copies {
            instance: crate::keys::random_hex(12),
            redis,
            channel: keys.session_changes(),
            readers: keys.session_readers(),
            entries: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            listening: Arc::new(AtomicBool::new(false)),
            registered_at: AtomicU64::new(0),
            epoch: Instant::now(),
            started: Once::new(),
            waiters: Mutex::new(HashMap::new()),
            next_change: AtomicU64::new(1),
            acks: OnceLock::new(),
            register: redis::Script::new(REGISTER),
            count: redis::Script::new(COUNT),
            alive: watch::channel(()).0,
        })
    }

    /// The channel announcements go on.
    pub(crate) fn channel(&self) -> &str {
        &self.channel
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// Whether copies may be trusted now.
    fn trusted(&self) -> bool {
        if !self.listening.load(Ordering::SeqCst) {
            return false;
        }
        let at = self.registered_at.load(Ordering::SeqCst);
        at != 0 && self.now_ms().saturating_sub(at) < TRUST_REGISTRATION_FOR.as_millis() as u64
    }

    /// Whether session `id` is known at `version`, confirmed recently
    /// enough to answer without Redis.
    pub(crate) fn fresh(self: &Arc<Self>, id: &str, version: u64) -> bool {
        self.start();
        if !self.trusted() {
            return false;
        }
        lock(&self.entries)
            .get(id)
            .is_some_and(|c| c.version == version && c.confirmed.elapsed() < SESSION_COPY_FRESH)
    }

    /// Taken before a read of a record: the read may be kept as a copy
    /// only if nothing was announced meanwhile.
    pub(crate) fn ticket(&self) -> Option<u64> {
        self.trusted()
            .then(|| self.generation.load(Ordering::SeqCst))
    }

    /// Keeps what a read found: `Some(version)`, or `None` for a record
    /// that is gone.
    pub(crate) fn keep(&self, id: &str, version: Option<u64>, ticket: Option<u64>) {
        let mut entries = lock(&self.entries);
        let Some(version) = version else {
            entries.remove(id);
            return;
        };
        if ticket.is_none() || ticket != self.ticket() {
            entries.remove(id);
            return;
        }
        if entries.len() >= MAX_SESSION_COPIES && !entries.contains_key(id) {
            entries.retain(|_, c| c.confirmed.elapsed() < SESSION_COPY_FRESH);
            if entries.len() >= MAX_SESSION_COPIES {
                return;
            }
        }
        entries.insert(
            id.into(),
            Copy {
                version,
                confirmed: Instant::now(),
            },
        );
    }

    fn forget(&self, id: &str) {
        lock(&self.entries).remove(id);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// What announces a change of session `id`, and what waits for the
    /// answers (none when this process does not hear them).
    pub(crate) fn change(self: &Arc<Self>, id: &str) -> (String, Option<Change>) {
        self.start();
        if !self.listening.load(Ordering::SeqCst) {
            return (format!("x {} 0 {id}", self.instance), None);
        }
        let n = self.next_change.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(ACKS_PER_CHANGE);
        lock(&self.waiters).insert(n, tx);
        let note = format!("x {} {n} {id}", self.instance);
        let change = Change {
            copies: self.clone(),
            n,
            rx,
        };
        (note, Some(change))
    }

    /// What one announcement or answer says.
    fn heard(&self, payload: &[u8]) {
        let Ok(text) = std::str::from_utf8(payload) else {
            return;
        };
        let mut parts = text.splitn(4, ' ');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("x"), Some(from), Some(n), Some(id)) => {
                self.forget(id);
                if n != "0"
                    && let Some(q) = self.acks.get()
                {
                    // A full queue only makes the change wait longer.
                    let _ = q.try_send(format!("a {from} {n} {}", self.instance));
                }
            }
            (Some("a"), Some(to), Some(n), Some(_)) if to == self.instance => {
                if let Ok(n) = n.parse::<u64>()
                    && let Some(tx) = lock(&self.waiters).get(&n)
                {
                    let _ = tx.try_send(());
                }
            }
            _ => {}
        }
    }

    /// Whatever was announced while the subscription was away is unknown:
    /// no copy can be trusted.
    fn lost_track(&self) {
        lock(&self.entries).clear();
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Starts listening, registering and answering, once, on the current
    /// runtime (none: copies stay untrusted).
    fn start(self: &Arc<Self>) {
        self.started.call_once(|| {
            let Ok(rt) = tokio::runtime::Handle::try_current() else {
                return;
            };
            let (tx, rx) = mpsc::channel(ACK_QUEUE);
            let _ = self.acks.set(tx);
            let listener = Listener {
                redis: self.redis.clone(),
                channel: self.channel.clone(),
                hearer: CopiesHearer {
                    copies: Arc::downgrade(self),
                    alive: self.alive.subscribe(),
                },
                listening: self.listening.clone(),
            };
            rt.spawn(listener.run(None));
            rt.spawn(answer(self.redis.clone(), self.channel.clone(), rx));
            rt.spawn(register(Arc::downgrade(self)));
        });
    }

    /// How many processes keep copies now.
    async fn readers(&self) -> Option<u64> {
        let mut call = self.count.key(&self.readers);
        call.arg(REGISTERED_FOR.as_millis() as u64);
        self.redis.script::<u64>(&call).await.ok()
    }
}

/// One change of this process, waiting for the answers.
#[derive(Debug)]
pub(crate) struct Change {
    copies: Arc<Copies>,
    n: u64,
    rx: mpsc::Receiver<()>,
}

impl Change {
    /// Waits until every process that keeps copies answered, or
    /// [`CHANGE_ACK_WAIT`] passed.
    pub(crate) async fn settled(mut self) {
        let Some(expected) = self.copies.readers().await else {
            return;
        };
        let waited = tokio::time::timeout(CHANGE_ACK_WAIT, async {
            let mut got = 0;
            while got < expected {
                if self.rx.recv().await.is_none() {
                    return;
                }
                got += 1;
            }
        })
        .await;
        if waited.is_err() {
            tracing::debug!(
                expected,
                "not every instance confirmed a session change in time; their copies expire by themselves"
            );
        }
    }
}

impl Drop for Change {
    fn drop(&mut self) {
        lock(&self.copies.waiters).remove(&self.n);
    }
}

struct CopiesHearer {
    copies: Weak<Copies>,
    alive: watch::Receiver<()>,
}

impl Hearer for CopiesHearer {
    fn heard(&self, payload: &[u8]) {
        if let Some(c) = self.copies.upgrade() {
            c.heard(payload);
        }
    }

    fn reconnected(&self) {
        if let Some(c) = self.copies.upgrade() {
            c.lost_track();
        }
    }

    async fn gone(&self) {
        let mut alive = self.alive.clone();
        while alive.changed().await.is_ok() {}
    }
}

/// Sends the answers to announcements, in order, until the copies go.
async fn answer(redis: Redis, channel: String, mut rx: mpsc::Receiver<String>) {
    while let Some(ack) = rx.recv().await {
        let sent = redis
            .query::<i64>(redis::cmd("PUBLISH").arg(&channel).arg(ack))
            .await;
        if let Err(e) = sent {
            tracing::debug!(error = %e, "answering a session change failed");
        }
    }
}

/// Keeps this process registered as a reader while it listens, and
/// withdrawn while it does not, until the copies go. While it is not
/// registered, it looks every [`SUBSCRIBED_POLL`] for the subscription to
/// be in place, so that a new instance trusts its copies within
/// milliseconds rather than a beat.
async fn register(copies: Weak<Copies>) {
    let mut tick = tokio::time::interval(BEAT);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let Some(c) = copies.upgrade() else { return };
        let listening = c.listening.load(Ordering::SeqCst);
        if !listening && c.registered_at.load(Ordering::SeqCst) == 0 {
            drop(c);
            tokio::time::sleep(SUBSCRIBED_POLL).await;
            continue;
        }
        let sent_at = c.now_ms();
        let mut call = c.register.key(&c.readers);
        call.arg(&c.instance).arg(if listening { "1" } else { "0" });
        match c.redis.script::<i64>(&call).await {
            Ok(_) if listening => c.registered_at.store(sent_at, Ordering::SeqCst),
            Ok(_) => c.registered_at.store(0, Ordering::SeqCst),
            Err(e) => {
                tracing::debug!(error = %e, "registering as a session reader failed; retrying");
            }
        }
        drop(c);
        tick.tick().await;
    }
}
