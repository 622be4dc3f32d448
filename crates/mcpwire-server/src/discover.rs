//! `server/discover`: what a 2026-07-28 client learns of the server
//! before its first request.

use mcpwire_types::{DiscoverResult, Era, ProtocolVersion};

use super::session::Connection;

impl Connection {
    /// The answer to `server/discover`: the revisions, capabilities and
    /// instructions of this server.
    pub(crate) fn discover(&self) -> DiscoverResult {
        let versions = ProtocolVersion::ALL
            .iter()
            .rev()
            .map(|v| v.as_str().to_owned())
            .collect();
        let caps = self.server.capabilities(Era::Stateless);
        let mut r = DiscoverResult::new(versions, caps);
        r.instructions = self.server.inner.instructions.clone();
        r
    }
}
