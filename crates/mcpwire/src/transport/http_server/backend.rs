//! What answers an HTTP session's requests: a [`Server`], or (with the
//! `proxy` feature) a forwarder to a stdio server process.

use std::future::Future;
use std::pin::Pin;

use crate::engine::{Inline, Peer};
use crate::server::Server;
use crate::transport::Transport;

/// A session engine's reading loop.
pub(crate) type Driver = Pin<Box<dyn Future<Output = Result<(), crate::Error>> + Send>>;

/// The service behind every session of a [`super::StreamableHttp`].
#[derive(Clone)]
pub(crate) enum Backend {
    /// An in-process server.
    Server(Server),
    /// Forwards every message to a stdio MCP server process.
    #[cfg(feature = "proxy")]
    Proxy(crate::proxy::Forwarder),
}

impl Backend {
    /// Starts one session's engine over `transport`.
    pub(crate) fn connect_inline<T: Transport>(&self, transport: T) -> (Peer, Driver, Inline) {
        match self {
            Backend::Server(s) => {
                let (peer, driver, inline) = s.connect_inline(transport);
                (peer, Box::pin(driver), inline)
            }
            #[cfg(feature = "proxy")]
            Backend::Proxy(p) => {
                let (peer, driver, inline) = p.connect_inline(transport);
                (peer, Box::pin(driver), inline)
            }
        }
    }

    /// Runs `f` on the input schema of tool `name`, when the backend knows
    /// its tools (a proxy does not: the process behind it checks) and
    /// `mirrors` says the schema mirrors arguments into headers.
    pub(crate) fn with_tool_schema<R>(
        &self,
        name: &str,
        mirrors: fn(&serde_json::Map<String, serde_json::Value>) -> bool,
        f: impl FnOnce(&serde_json::Map<String, serde_json::Value>) -> R,
    ) -> Option<R> {
        match self {
            Backend::Server(s) => s.with_tool_schema(name, mirrors, f),
            #[cfg(feature = "proxy")]
            Backend::Proxy(_) => {
                let _ = (name, mirrors, f);
                None
            }
        }
    }
}
