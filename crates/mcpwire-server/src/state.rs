//! The state of one session as its connection holds it: the negotiated
//! revision, the client's identity and capabilities, its log level and
//! subscriptions. Read on the hot path from plain memory; every change is
//! written through to the server's [`SessionStore`](crate::SessionStore).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use mcpwire_types::{
    ClientCapabilities, Era, Implementation, LoggingLevel, Meta, ProtocolVersion, meta,
};

use super::session_store::{SessionRecord, SessionStore};

/// The most resources one session may subscribe to at a time
/// (`resources/subscribe`); a subscription past it is refused with
/// `-32602`.
pub const MAX_SUBSCRIPTIONS_PER_SESSION: usize = 1024;

/// What one connection negotiated.
#[derive(Default)]
pub(crate) struct SessionState {
    version: OnceLock<ProtocolVersion>,
    client_info: OnceLock<Implementation>,
    client_caps: OnceLock<ClientCapabilities>,
    /// Lowest level sent, as `LoggingLevel as u8`; `u8::MAX` until set.
    log_level: AtomicU8,
    initialized: AtomicBool,
    subscriptions: Mutex<BTreeSet<String>>,
    /// Who opened the session, as its transport authenticated them.
    principal: OnceLock<String>,
    /// Whether server events (list changes, resource updates) are sent to
    /// this connection: always, unless the transport says another process
    /// holds the stream they would travel on.
    takes_events: AtomicBool,
    /// The session's id: who its tasks belong to (2025-11-25), and its key
    /// in the session store.
    pub(crate) task_scope: super::tasks::SessionScope,
}

impl SessionState {
    pub(crate) fn new() -> Self {
        SessionState {
            log_level: AtomicU8::new(u8::MAX),
            takes_events: AtomicBool::new(true),
            ..Default::default()
        }
    }

    /// The session's id, drawn when first asked for.
    pub(crate) fn id(&self) -> &str {
        self.task_scope.id()
    }

    /// The id, if one was drawn.
    pub(crate) fn id_if_drawn(&self) -> Option<&str> {
        self.task_scope.get()
    }

    pub(crate) fn version(&self) -> ProtocolVersion {
        self.version
            .get()
            .copied()
            .unwrap_or(ProtocolVersion::LATEST_LEGACY)
    }

    /// The negotiated revision, once `initialize` has been answered.
    pub(crate) fn negotiated(&self) -> Option<ProtocolVersion> {
        self.version.get().copied()
    }

    /// Records the handshake; `false` when the session was already
    /// initialized (and nothing changes).
    pub(crate) fn open(
        &self,
        version: ProtocolVersion,
        client_info: Implementation,
        caps: ClientCapabilities,
    ) -> bool {
        if self.version.set(version).is_err() {
            return false;
        }
        let _ = self.client_info.set(client_info);
        let _ = self.client_caps.set(caps);
        true
    }

    /// Marks the session initialized (`notifications/initialized`).
    pub(crate) fn mark_initialized(&self) {
        self.initialized.store(true, Ordering::Relaxed);
    }

    /// Whether the session takes server events: it is initialized, or at
    /// least answered `initialize`.
    pub(crate) fn is_open(&self) -> bool {
        self.initialized.load(Ordering::Relaxed) || self.version.get().is_some()
    }

    pub(crate) fn client_info(&self) -> Option<Implementation> {
        self.client_info.get().cloned()
    }

    pub(crate) fn client_capabilities(&self) -> ClientCapabilities {
        self.client_caps.get().cloned().unwrap_or_default()
    }

    /// Whether the client declared MCP Apps at `initialize`.
    pub(crate) fn client_supports_apps(&self) -> bool {
        self.client_caps.get().is_some_and(|c| c.supports_apps())
    }

    pub(crate) fn set_log_level(&self, level: LoggingLevel) {
        self.log_level.store(level as u8, Ordering::Relaxed);
    }

    fn subscriptions(&self) -> MutexGuard<'_, BTreeSet<String>> {
        self.subscriptions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Subscribes to `uri`; `false` when the session already holds
    /// [`MAX_SUBSCRIPTIONS_PER_SESSION`] other subscriptions.
    pub(crate) fn subscribe(&self, uri: String) -> bool {
        let mut subs = self.subscriptions();
        if subs.len() >= MAX_SUBSCRIPTIONS_PER_SESSION && !subs.contains(&uri) {
            return false;
        }
        subs.insert(uri);
        true
    }

    pub(crate) fn unsubscribe(&self, uri: &str) {
        self.subscriptions().remove(uri);
    }

    pub(crate) fn is_subscribed(&self, uri: &str) -> bool {
        self.subscriptions().contains(uri)
    }

    /// The session as the store keeps it.
    pub(crate) fn record(&self) -> SessionRecord {
        let level = self.log_level.load(Ordering::Relaxed);
        SessionRecord {
            protocol_version: self.negotiated(),
            client_info: self.client_info.get().cloned(),
            client_capabilities: self.client_caps.get().cloned(),
            log_level: LoggingLevel::ALL.into_iter().find(|l| *l as u8 == level),
            subscriptions: self.subscriptions().clone(),
            principal: self.principal.get().cloned(),
        }
    }

    /// Names the session and its principal, before it serves anything.
    pub(crate) fn name(&self, id: String, principal: Option<String>) {
        self.task_scope.set(id);
        if let Some(p) = principal {
            let _ = self.principal.set(p);
        }
    }

    /// Takes on what `record` holds: the handshake (once), the log level
    /// and the subscriptions. The session is then open, as it was where
    /// the record was written.
    pub(crate) fn apply(&self, record: &SessionRecord) {
        if let Some(v) = record.protocol_version {
            let info = record
                .client_info
                .clone()
                .unwrap_or_else(|| Implementation::new("unknown", ""));
            let caps = record.client_capabilities.clone().unwrap_or_default();
            if self.open(v, info, caps) {
                self.mark_initialized();
            }
        }
        let level = record.log_level.map_or(u8::MAX, |l| l as u8);
        self.log_level.store(level, Ordering::Relaxed);
        let mut subs = self.subscriptions();
        if *subs != record.subscriptions {
            subs.clone_from(&record.subscriptions);
        }
    }

    /// Whether server events go to this connection.
    pub(crate) fn takes_events(&self) -> bool {
        self.takes_events.load(Ordering::Relaxed)
    }

    pub(crate) fn set_takes_events(&self, on: bool) {
        self.takes_events.store(on, Ordering::Relaxed);
    }

    /// Whether a log message at `level` may go out for a request.
    pub(crate) fn logs_enabled(
        &self,
        level: LoggingLevel,
        req_meta: Option<&Meta>,
        era: Era,
    ) -> bool {
        match era {
            Era::Stateless => req_meta
                .and_then(|m| m.get(meta::LOG_LEVEL))
                .and_then(|v| serde_json::from_value::<LoggingLevel>(v.clone()).ok())
                .is_some_and(|min| level >= min),
            Era::Session => match self.log_level.load(Ordering::Relaxed) {
                u8::MAX => true,
                min => level as u8 >= min,
            },
        }
    }
}

impl SessionState {
    /// Writes the session through to `store`. A store that fails is
    /// logged: the session goes on, served from this process's memory.
    pub(crate) async fn save(&self, store: &dyn SessionStore) {
        if let Err(e) = store.save(self.id(), self.record()).await {
            tracing::warn!(error = %e, "could not save a session's state");
        }
    }
}
