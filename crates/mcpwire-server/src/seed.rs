//! Sessions a transport names itself, and may pick up in another process:
//! the [`SessionSeed`] a connection starts from and the [`SessionHandle`]
//! through which the transport keeps it in step with the shared
//! [`SessionStore`](crate::SessionStore).

use std::sync::Arc;

use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{self, Peer};
use mcpwire_rpc::transport::Transport;

use super::Server;
use super::session::Connection;
use super::session_store::SessionRecord;
use super::state::SessionState;

/// What a session starts from: its id (the transport's, such as the
/// HTTP `Mcp-Session-Id`), who opened it, and, for a session opened in
/// another process, the record that process saved.
///
/// ```
/// use mcpwire_server::{SessionRecord, SessionSeed};
/// let fresh = SessionSeed::new("5f1c").principal(Some("alice"));
/// let picked_up = SessionSeed::new("5f1c").resume(SessionRecord::default());
/// # let _ = (fresh, picked_up);
/// ```
#[derive(Debug, Clone)]
pub struct SessionSeed {
    id: String,
    principal: Option<String>,
    record: Option<SessionRecord>,
}

impl SessionSeed {
    /// A new session named `id`.
    ///
    /// ```
    /// let seed = mcpwire_server::SessionSeed::new("a1");
    /// # let _ = seed;
    /// ```
    pub fn new(id: impl Into<String>) -> SessionSeed {
        SessionSeed {
            id: id.into(),
            principal: None,
            record: None,
        }
    }

    /// Who opened it (`None` without authentication).
    ///
    /// ```
    /// let seed = mcpwire_server::SessionSeed::new("a1").principal(Some("alice"));
    /// # let _ = seed;
    /// ```
    pub fn principal(mut self, principal: Option<&str>) -> SessionSeed {
        self.principal = principal.map(str::to_owned);
        self
    }

    /// Picks up a session another process opened, from the record it saved:
    /// the handshake, log level and subscriptions are as they were there,
    /// and the connection serves requests without a new `initialize`.
    ///
    /// ```
    /// use mcpwire_server::{SessionRecord, SessionSeed};
    /// let seed = SessionSeed::new("a1").resume(SessionRecord::default());
    /// # let _ = seed;
    /// ```
    pub fn resume(mut self, record: SessionRecord) -> SessionSeed {
        self.record = Some(record);
        self
    }
}

/// The transport's hold on a connected session's state. Cheap to clone.
///
/// ```no_run
/// # fn run(handle: mcpwire_server::SessionHandle, changed: mcpwire_server::SessionRecord) {
/// // Another process changed the session's log level: follow it here.
/// handle.apply(&changed);
/// assert_eq!(handle.record().log_level, changed.log_level);
/// # }
/// ```
#[derive(Clone)]
pub struct SessionHandle {
    state: Arc<SessionState>,
}

impl std::fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionHandle")
            .field("id", &self.state.id_if_drawn())
            .finish_non_exhaustive()
    }
}

impl SessionHandle {
    /// The session as a store keeps it.
    ///
    /// ```no_run
    /// # fn run(handle: mcpwire_server::SessionHandle) {
    /// println!("{:?}", handle.record().protocol_version);
    /// # }
    /// ```
    pub fn record(&self) -> SessionRecord {
        self.state.record()
    }

    /// Takes on what another process saved: the handshake if this
    /// connection has none yet, the log level and the subscriptions.
    ///
    /// ```no_run
    /// # fn run(handle: mcpwire_server::SessionHandle) {
    /// handle.apply(&mcpwire_server::SessionRecord::default());
    /// # }
    /// ```
    pub fn apply(&self, record: &SessionRecord) {
        self.state.apply(record);
    }

    /// Whether server events (list changes, resource updates) are sent on
    /// this connection. On by default; a transport whose session is served
    /// by several processes turns it on only where the stream that carries
    /// them is, so that each event reaches the client once.
    ///
    /// ```no_run
    /// # fn run(handle: mcpwire_server::SessionHandle) {
    /// handle.take_events(false);
    /// # }
    /// ```
    pub fn take_events(&self, on: bool) {
        self.state.set_takes_events(on);
    }
}

impl Server {
    /// Like [`Server::connect_inline`], for a session the transport names
    /// (and may have opened in another process): see [`SessionSeed`]. The
    /// returned [`SessionHandle`] keeps the session in step with what
    /// other processes change.
    ///
    /// ```no_run
    /// # fn run(server: mcpwire_server::Server, transport: mcpwire_rpc::transport::memory::MemoryTransport) {
    /// use mcpwire_server::SessionSeed;
    /// let (peer, driver, inline, handle) =
    ///     server.connect_session(transport, SessionSeed::new("a1"));
    /// # let _ = (peer, driver, inline, handle);
    /// # }
    /// ```
    pub fn connect_session<T: Transport>(
        &self,
        transport: T,
        seed: SessionSeed,
    ) -> (
        Peer,
        impl std::future::Future<Output = Result<(), Error>> + Send + 'static,
        engine::Inline,
        SessionHandle,
    ) {
        let conn = Arc::new(Connection::new(self.clone()));
        conn.state.name(seed.id, seed.principal);
        let (peer, driver, inline) =
            engine::connect_inline(conn.clone(), transport, self.inner.engine.clone());
        conn.attach(peer.clone());
        if let Some(record) = &seed.record {
            conn.resume(record);
        }
        let handle = SessionHandle {
            state: conn.state.clone(),
        };
        (peer, driver, inline, handle)
    }
}
