//! Settings of the JSON-RPC engine.

use std::time::Duration;

/// Settings of one connection's engine. The defaults suit most servers and
/// clients.
///
/// ```
/// use std::time::Duration;
/// use mcpwire::engine::EngineConfig;
/// let config = EngineConfig::default()
///     .max_concurrency(64)
///     .request_timeout(Duration::from_secs(30));
/// assert_eq!(config.max_concurrency, 64);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EngineConfig {
    /// How many incoming requests run at once; further requests wait to be
    /// read until one finishes.
    pub max_concurrency: usize,
    /// How long an outgoing request waits for its response, reset by each
    /// progress notification.
    pub request_timeout: Duration,
    /// After the peer closes its side, how long running handlers may take
    /// to finish and have their responses written.
    pub shutdown_grace: Duration,
    /// The largest incoming message accepted, in bytes, on transports the
    /// engine's owner builds (such as stdio); larger ones are answered with
    /// `-32600` and dropped, and the connection keeps serving.
    pub max_message_size: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            max_concurrency: 512,
            request_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(10),
            max_message_size: crate::transport::DEFAULT_MAX_FRAME,
        }
    }
}

impl EngineConfig {
    /// Sets [`EngineConfig::max_concurrency`] (at least 1).
    pub fn max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = n.max(1);
        self
    }

    /// Sets [`EngineConfig::request_timeout`].
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    /// Sets [`EngineConfig::max_message_size`] in bytes.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Sets [`EngineConfig::shutdown_grace`].
    pub fn shutdown_grace(mut self, d: Duration) -> Self {
        self.shutdown_grace = d;
        self
    }
}
