//! What answers an HTTP session's requests: a [`Server`], or any other
//! [`SessionBackend`] (a forwarder to another MCP server, for one).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use mcpwire_rpc::engine::{Inline, Peer};
use mcpwire_rpc::transport::Transport;
use mcpwire_server::{Server, SessionHandle, SessionSeed, SessionStore};
use serde_json::{Map, Value};

use super::session::{SessionReader, SessionWriter};

/// A session engine's reading loop.
pub type Driver = Pin<Box<dyn Future<Output = Result<(), mcpwire_rpc::Error>> + Send>>;

/// The transport of one HTTP session, as a [`SessionBackend`] gets it:
/// frames the HTTP side delivers, and routed writes back to the requests'
/// streams.
pub struct SessionTransport {
    reader: SessionReader,
    writer: SessionWriter,
}

impl SessionTransport {
    pub(crate) fn new(reader: SessionReader, writer: SessionWriter) -> Self {
        SessionTransport { reader, writer }
    }
}

impl Transport for SessionTransport {
    type Reader = SessionReader;
    type Writer = SessionWriter;
    fn split(self) -> (SessionReader, SessionWriter) {
        (self.reader, self.writer)
    }
}

/// Something other than an in-process [`Server`] that answers the sessions
/// of a [`StreamableHttp`](super::StreamableHttp), such as a forwarder to
/// an MCP server in another process.
///
/// When it accepts an `initialize`, the backend reports the revision agreed
/// on with [`Peer::set_negotiated`] on the session's peer (the
/// `RequestContext`'s), before it answers: the endpoint keeps a session
/// only once its revision is known.
pub trait SessionBackend: Send + Sync + 'static {
    /// Starts one session's engine over `transport`, returning its peer,
    /// its reading loop (the HTTP side starts it on the first message) and
    /// a caller that runs requests in the HTTP handler's own task.
    fn connect(&self, transport: SessionTransport) -> (Peer, Driver, Inline);

    /// Whether an engine that served a stateless request and kept nothing
    /// may serve the next one. A backend whose engine stands for something
    /// with state of its own (a child session) answers `false`.
    fn reuses_engines(&self) -> bool {
        false
    }
}

/// The service behind every session of a [`super::StreamableHttp`].
#[derive(Clone)]
pub(crate) enum Backend {
    /// An in-process server.
    Server(Server),
    /// Anything else.
    Custom(Arc<dyn SessionBackend>),
}

impl Backend {
    /// Starts one session's engine over `transport`.
    pub(crate) fn connect_inline(&self, transport: SessionTransport) -> (Peer, Driver, Inline) {
        match self {
            Backend::Server(s) => {
                let (peer, driver, inline) = s.connect_inline(transport);
                (peer, Box::pin(driver), inline)
            }
            Backend::Custom(b) => b.connect(transport),
        }
    }

    /// Whether spare engines of this backend may serve later requests.
    /// Connects a session the transport names, picked up from `seed`'s
    /// record when it has one. A custom backend keeps no shared state, and
    /// gives no handle.
    pub(crate) fn connect_named(
        &self,
        transport: SessionTransport,
        seed: SessionSeed,
    ) -> (Peer, Driver, Inline, Option<SessionHandle>) {
        match self {
            Backend::Server(s) => {
                let (peer, driver, inline, handle) = s.connect_session(transport, seed);
                (peer, Box::pin(driver), inline, Some(handle))
            }
            Backend::Custom(b) => {
                let (peer, driver, inline) = b.connect(transport);
                (peer, driver, inline, None)
            }
        }
    }

    /// The session store, when other processes share it: sessions this
    /// process does not know may then exist, and are picked up from it.
    pub(crate) fn shared_sessions(&self) -> Option<Arc<dyn SessionStore>> {
        match self {
            Backend::Server(s) => s.session_store().filter(|st| st.is_shared()).cloned(),
            Backend::Custom(_) => None,
        }
    }

    pub(crate) fn reuses_engines(&self) -> bool {
        match self {
            Backend::Server(_) => true,
            Backend::Custom(b) => b.reuses_engines(),
        }
    }

    /// Runs `f` on the input schema of tool `name`, when the backend knows
    /// its tools (a custom backend does not: what is behind it checks) and
    /// `mirrors` says the schema mirrors arguments into headers.
    pub(crate) fn with_tool_schema<R>(
        &self,
        name: &str,
        mirrors: fn(&Map<String, Value>) -> bool,
        f: impl FnOnce(&Map<String, Value>) -> R,
    ) -> Option<R> {
        match self {
            Backend::Server(s) => s.with_tool_schema(name, mirrors, f),
            Backend::Custom(_) => None,
        }
    }
}
