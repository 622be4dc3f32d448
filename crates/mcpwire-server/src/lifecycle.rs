//! The session's life (before 2026-07-28): the `initialize` handshake,
//! and `logging/setLevel`.

use std::sync::Arc;

use mcpwire_types::{
    Era, InitializeRequestParams, InitializeResult, ProtocolVersion, SetLevelRequestParams,
};
use serde_json::{Value, json};

use super::events::EventLink;
use super::params::to_value;
use super::session::Connection;
use mcpwire_rpc::Error;

impl Connection {
    /// Opens the session and answers `initialize`; the caller then saves
    /// the session ([`SessionState::save`](super::state::SessionState::save)).
    /// Not `async`, so that every request's future does not carry the
    /// handshake's params.
    pub(crate) fn initialize(&self, p: InitializeRequestParams) -> Result<Value, Error> {
        let requested = p.protocol_version.parse::<ProtocolVersion>().ok();
        let version = match requested {
            Some(v) if v.is_legacy() => v,
            _ => ProtocolVersion::LATEST_LEGACY,
        };
        if !self.state.open(version, p.client_info, p.capabilities) {
            return Err(Error::invalid_request(
                "Invalid Request: the session is already initialized",
            ));
        }
        // The transport learns the revision from the connection.
        if let Some(peer) = self.peer.get() {
            peer.set_negotiated(version);
        }
        self.start_events();
        let caps = self.server.capabilities(Era::Session);
        let mut result =
            InitializeResult::new(version.as_str(), caps, self.server.inner.info.clone());
        result.instructions = self.server.inner.instructions.clone();
        to_value(&result)
    }

    /// Picks up a session another process opened, from its record: the
    /// transport learns the revision, and the session takes server events
    /// as one opened here would.
    pub(crate) fn resume(&self, record: &crate::SessionRecord) {
        self.state.apply(record);
        if let (Some(v), Some(peer)) = (self.state.negotiated(), self.peer.get()) {
            peer.set_negotiated(v);
            self.start_events();
        }
    }

    /// Registers this session for server events (list changes, resource
    /// updates); the server delivers them without a task per session.
    fn start_events(&self) {
        let Some(peer) = self.peer.get().cloned() else {
            return;
        };
        let link = Arc::new(EventLink {
            peer,
            state: self.state.clone(),
        });
        self.server.register_session(&link);
        let _ = self.link.set(link);
    }

    pub(crate) async fn set_level(&self, p: SetLevelRequestParams) -> Result<Value, Error> {
        self.state.set_log_level(p.level);
        if let Some(store) = &self.server.inner.sessions {
            self.state.save(&**store).await;
        }
        Ok(json!({}))
    }
}
