//! Where what each session negotiated is kept: the [`SessionStore`] trait,
//! the serializable [`SessionRecord`] it keeps, and the bounded
//! [`InMemorySessionStore`] every server uses unless told otherwise.
//!
//! A session is served from its own process's memory; the store is written
//! through whenever the session's state changes (the handshake,
//! `logging/setLevel`, resource subscriptions) and told when the session
//! ends. A store shared by several processes (a database, a key-value
//! store) holds every session's record, so that another process can pick a
//! session up.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use mcpwire_types::{ClientCapabilities, Implementation, LoggingLevel, ProtocolVersion};
use serde::{Deserialize, Serialize};

use crate::BoxFuture;

/// What one session negotiated, as a [`SessionStore`] keeps it.
///
/// ```
/// use mcpwire_server::SessionRecord;
/// use mcpwire_types::{LoggingLevel, ProtocolVersion};
/// let mut record = SessionRecord::default();
/// record.protocol_version = Some(ProtocolVersion::V2025_11_25);
/// record.log_level = Some(LoggingLevel::Warning);
/// let json = serde_json::to_value(&record).unwrap();
/// assert_eq!(json["protocolVersion"], "2025-11-25");
/// assert_eq!(serde_json::from_value::<SessionRecord>(json).unwrap(), record);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SessionRecord {
    /// The revision agreed at `initialize`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<ProtocolVersion>,
    /// Who the client said it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_info: Option<Implementation>,
    /// What the client declared it can do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_capabilities: Option<ClientCapabilities>,
    /// The lowest level of log messages the client asked for, if it asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_level: Option<LoggingLevel>,
    /// The resources the client subscribed to.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub subscriptions: BTreeSet<String>,
    /// Who opened the session, when the transport authenticates its
    /// callers: only requests of the same principal may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
}

/// What [`SessionStore::touch_versioned`] found.
///
/// ```
/// use mcpwire_server::{SessionRecord, Touched};
/// let t = Touched::Changed(Box::new(SessionRecord::default()), 7);
/// assert!(matches!(t, Touched::Changed(_, 7)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Touched {
    /// The session is gone: ended, or expired.
    Gone,
    /// The record is the one of the version the caller knows.
    Unchanged,
    /// The record, and its version (0 when the store keeps none).
    Changed(Box<SessionRecord>, u64),
}

/// Why a store could not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionStoreError {
    /// The store holds as many sessions as it may.
    #[error("the session store is full ({0} sessions); raise its limit or end idle sessions")]
    Full(usize),
    /// The principal holds as many sessions as its quota allows (the
    /// count): the caller, not the server, is full.
    #[error(
        "the principal holds {0} sessions, the most its quota allows; end one or let one expire"
    )]
    PrincipalFull(usize),
    /// The storage behind the store failed.
    #[error("session storage failed: {0}")]
    Backend(String),
}

/// Keeps the [`SessionRecord`] of every live session, by session id.
///
/// A server given a store ([`ServerBuilder::session_store`](crate::ServerBuilder::session_store))
/// saves a session's whole record each time it changes, and removes it when
/// the session ends. A store that fails is logged and the session carries
/// on, served from the memory of its own process. Stores should bound how
/// much they keep. A server without a store keeps each session's state in
/// its connection only, and writes no records.
///
/// # Example
///
/// A store that counts the saves, around the in-memory one:
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use mcpwire_server::{
///     BoxFuture, InMemorySessionStore, Server, SessionRecord, SessionStore, SessionStoreError,
/// };
///
/// #[derive(Default)]
/// struct Counted {
///     inner: InMemorySessionStore,
///     saves: AtomicUsize,
/// }
///
/// impl SessionStore for Counted {
///     fn save(&self, id: &str, r: SessionRecord) -> BoxFuture<Result<(), SessionStoreError>> {
///         self.saves.fetch_add(1, Ordering::Relaxed);
///         self.inner.save(id, r)
///     }
///     fn load(&self, id: &str) -> BoxFuture<Result<Option<SessionRecord>, SessionStoreError>> {
///         self.inner.load(id)
///     }
///     fn remove(&self, id: &str) -> BoxFuture<Result<(), SessionStoreError>> {
///         self.inner.remove(id)
///     }
/// }
///
/// let server = Server::builder("demo", "1.0.0")
///     .session_store(Arc::new(Counted::default()))
///     .build()?;
/// # let _ = server;
/// # Ok::<(), mcpwire_server::BuildError>(())
/// ```
pub trait SessionStore: Send + Sync + 'static {
    /// Stores `record` as the state of session `id`, replacing what was
    /// there. Fails with [`SessionStoreError::Full`] when a new session
    /// does not fit.
    fn save(&self, id: &str, record: SessionRecord) -> BoxFuture<Result<(), SessionStoreError>>;

    /// The record of session `id`, or `None` when there is none.
    fn load(&self, id: &str) -> BoxFuture<Result<Option<SessionRecord>, SessionStoreError>>;

    /// Forgets session `id`; forgetting an unknown session is not an error.
    fn remove(&self, id: &str) -> BoxFuture<Result<(), SessionStoreError>>;

    /// The record of `id`, keeping the session alive: a store that
    /// expires idle sessions starts its clock again. Several processes
    /// sharing the store call it on every request of a session, which
    /// tells them whether the session still exists (another process may
    /// have ended it) and what it holds now (another may have changed its
    /// log level or subscriptions). The default only loads the record.
    fn touch(&self, id: &str) -> BoxFuture<Result<Option<SessionRecord>, SessionStoreError>> {
        self.load(id)
    }

    /// Like [`touch`](SessionStore::touch), for a caller that already
    /// holds the record it saw last, by the version this method gave with
    /// it: a store that can tell the record did not change since answers
    /// [`Touched::Unchanged`] and spares the caller reading it again. The
    /// default touches, and gives every record as changed.
    fn touch_versioned(
        &self,
        id: &str,
        known: Option<u64>,
    ) -> BoxFuture<Result<Touched, SessionStoreError>> {
        let _ = known;
        let touch = self.touch(id);
        Box::pin(async move {
            Ok(match touch.await? {
                Some(record) => Touched::Changed(Box::new(record), 0),
                None => Touched::Gone,
            })
        })
    }

    /// Whether other processes share this store, so that a session this
    /// process does not know may still exist. `false` by default.
    fn is_shared(&self) -> bool {
        false
    }

    /// Whether the store tells every process, through the transport's
    /// relay between them, of each change it saves and each session it
    /// removes (as the Redis store does). A process told of them serves
    /// its copy of a session without asking the store on every request.
    /// `false` by default.
    fn announces_changes(&self) -> bool {
        false
    }

    /// Counts a new session `id` of `principal` among the sessions open in
    /// every process sharing the store, before its `initialize` runs:
    /// refused with [`SessionStoreError::Full`] at `max_sessions`, or
    /// [`SessionStoreError::PrincipalFull`] when the principal holds
    /// `per_principal`. A session stops counting once removed or expired.
    /// The default counts nothing (a store used by one process leaves the
    /// caps to the transport, which counts its own sessions).
    fn admit(
        &self,
        id: &str,
        principal: Option<&str>,
        max_sessions: usize,
        per_principal: usize,
    ) -> BoxFuture<Result<(), SessionStoreError>> {
        let _ = (id, principal, max_sessions, per_principal);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// How many sessions an [`InMemorySessionStore`] keeps by default.
pub const DEFAULT_MAX_SESSIONS: usize = 100_000;

/// A [`SessionStore`] in this process's memory, holding at most
/// `max_sessions` records. Its work is done when a method is called, so
/// dropping the returned future loses nothing.
///
/// ```
/// use mcpwire_server::{InMemorySessionStore, SessionRecord, SessionStore};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = InMemorySessionStore::new(10);
/// store.save("s1", SessionRecord::default()).await.unwrap();
/// assert_eq!(store.len(), 1);
/// store.remove("s1").await.unwrap();
/// assert!(store.load("s1").await.unwrap().is_none());
/// # });
/// ```
#[derive(Debug)]
pub struct InMemorySessionStore {
    max_sessions: usize,
    records: Mutex<HashMap<String, SessionRecord>>,
}

impl Default for InMemorySessionStore {
    fn default() -> Self {
        InMemorySessionStore::new(DEFAULT_MAX_SESSIONS)
    }
}

impl InMemorySessionStore {
    /// A store that holds at most `max_sessions` (at least one) records.
    pub fn new(max_sessions: usize) -> Self {
        InMemorySessionStore {
            max_sessions: max_sessions.max(1),
            records: Mutex::new(HashMap::new()),
        }
    }

    /// How many sessions the store holds.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the store holds no session.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SessionRecord>> {
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn ready<T: Send + 'static>(v: T) -> BoxFuture<T> {
    Box::pin(std::future::ready(v))
}

impl SessionStore for InMemorySessionStore {
    fn save(&self, id: &str, record: SessionRecord) -> BoxFuture<Result<(), SessionStoreError>> {
        let mut records = self.lock();
        if let Some(slot) = records.get_mut(id) {
            *slot = record;
            return ready(Ok(()));
        }
        if records.len() >= self.max_sessions {
            return ready(Err(SessionStoreError::Full(self.max_sessions)));
        }
        records.insert(id.to_owned(), record);
        ready(Ok(()))
    }

    fn load(&self, id: &str) -> BoxFuture<Result<Option<SessionRecord>, SessionStoreError>> {
        ready(Ok(self.lock().get(id).cloned()))
    }

    fn remove(&self, id: &str) -> BoxFuture<Result<(), SessionStoreError>> {
        self.lock().remove(id);
        ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_and_replacing() {
        let store = InMemorySessionStore::new(2);
        let mut r = SessionRecord::default();
        store.save("a", r.clone()).await.unwrap();
        store.save("b", r.clone()).await.unwrap();
        assert_eq!(
            store.save("c", r.clone()).await,
            Err(SessionStoreError::Full(2))
        );
        // A full store still updates the sessions it holds.
        r.log_level = Some(LoggingLevel::Error);
        store.save("a", r.clone()).await.unwrap();
        assert_eq!(store.load("a").await.unwrap(), Some(r.clone()));
        assert_eq!(store.load("c").await.unwrap(), None);
        // Room again once a session is gone.
        store.remove("b").await.unwrap();
        store.save("c", r).await.unwrap();
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn a_record_round_trips_through_json() {
        let mut r = SessionRecord {
            protocol_version: Some(ProtocolVersion::V2025_06_18),
            client_info: Some(Implementation::new("c", "1")),
            ..Default::default()
        };
        r.subscriptions.insert("file:///a".into());
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<SessionRecord>(&json).unwrap(), r);
        // An empty record is an empty object, and reads back.
        assert_eq!(
            serde_json::to_value(SessionRecord::default()).unwrap(),
            serde_json::json!({})
        );
    }
}
