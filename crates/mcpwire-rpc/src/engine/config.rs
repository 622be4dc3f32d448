//! Settings of the JSON-RPC engine.

use std::time::Duration;

/// Settings of one connection's engine. The defaults suit most servers and
/// clients.
///
/// ```
/// use std::time::Duration;
/// use mcpwire_rpc::engine::EngineConfig;
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
    /// The cap on an outgoing request's whole wait, which progress
    /// notifications do not extend (default: 10 times the request's
    /// timeout, so 10 minutes with the default timeout).
    pub total_deadline: TotalDeadline,
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
            total_deadline: TotalDeadline::default(),
            shutdown_grace: Duration::from_secs(10),
            max_message_size: crate::transport::DEFAULT_MAX_FRAME,
        }
    }
}

impl EngineConfig {
    /// Sets [`EngineConfig::max_concurrency`] (at least 1).
    ///
    /// ```
    /// use mcpwire_rpc::engine::EngineConfig;
    /// assert_eq!(EngineConfig::default().max_concurrency(8).max_concurrency, 8);
    /// // Zero would stop the connection serving anything: it is raised to 1.
    /// assert_eq!(EngineConfig::default().max_concurrency(0).max_concurrency, 1);
    /// ```
    pub fn max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = n.max(1);
        self
    }

    /// Sets [`EngineConfig::request_timeout`], the default of every outgoing
    /// request that sets no [`RequestOptions::timeout`](crate::engine::RequestOptions::timeout).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use mcpwire_rpc::engine::{self, Peer, Reply, RequestContext, Service};
    /// # use mcpwire_rpc::{Error, transport::memory};
    /// # use mcpwire_types::{Notification, Request};
    /// # struct Nothing;
    /// # impl Service for Nothing {
    /// #     async fn handle_request(&self, r: Request, _: RequestContext) -> Result<Reply, Error> {
    /// #         Err(Error::method_not_found(&r.method))
    /// #     }
    /// #     async fn handle_notification(&self, _: Notification, _: &Peer) {}
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use mcpwire_rpc::engine::EngineConfig;
    /// let config = EngineConfig::default().request_timeout(Duration::from_millis(50));
    /// // The other end never answers.
    /// let (a, _silent) = memory::duplex();
    /// let (peer, driver) = engine::connect(Arc::new(Nothing), a, config);
    /// tokio::spawn(driver);
    /// let err = peer.request("ping", None).await.unwrap_err();
    /// assert!(matches!(err, Error::Timeout { after, .. } if after >= Duration::from_millis(50)));
    /// # }
    /// ```
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    /// Sets [`EngineConfig::total_deadline`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_rpc::engine::{EngineConfig, TotalDeadline};
    /// let capped = EngineConfig::default().total_deadline(TotalDeadline::After(Duration::from_secs(300)));
    /// let endless = EngineConfig::default().total_deadline(TotalDeadline::Unlimited);
    /// # let _ = (capped, endless);
    /// ```
    pub fn total_deadline(mut self, d: TotalDeadline) -> Self {
        self.total_deadline = d;
        self
    }

    /// Sets [`EngineConfig::max_message_size`] in bytes.
    ///
    /// ```
    /// use mcpwire_rpc::engine::EngineConfig;
    /// let config = EngineConfig::default().max_message_size(1024 * 1024);
    /// assert_eq!(config.max_message_size, 1_048_576);
    /// // The transport the engine's owner builds takes the same limit.
    /// let _pair = mcpwire_rpc::transport::memory::duplex_with_limit(config.max_message_size);
    /// ```
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Sets [`EngineConfig::shutdown_grace`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_rpc::engine::EngineConfig;
    /// let config = EngineConfig::default().shutdown_grace(Duration::from_secs(2));
    /// assert_eq!(config.shutdown_grace, Duration::from_secs(2));
    /// ```
    pub fn shutdown_grace(mut self, d: Duration) -> Self {
        self.shutdown_grace = d;
        self
    }
}

/// How many times its timeout an outgoing request may wait in all, by
/// default ([`TotalDeadline::default`]).
pub const DEFAULT_TOTAL_DEADLINE_FACTOR: u32 = 10;

/// How long an outgoing request may wait in all, however much progress its
/// peer reports.
///
/// Each progress notification restarts a request's timeout, so a peer that
/// reports progress forever would hold the call forever; the total deadline
/// ends it: the call fails with [`Error::Timeout`](crate::Error::Timeout)
/// and the peer is sent `notifications/cancelled`. Requests without
/// progress end at their timeout, which is shorter.
///
/// ```
/// use std::time::Duration;
/// use mcpwire_rpc::engine::TotalDeadline;
/// let timeout = Duration::from_secs(60);
/// assert_eq!(TotalDeadline::default().resolve(timeout), Some(Duration::from_secs(600)));
/// assert_eq!(TotalDeadline::After(Duration::from_secs(90)).resolve(timeout), Some(Duration::from_secs(90)));
/// assert_eq!(TotalDeadline::Unlimited.resolve(timeout), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TotalDeadline {
    /// This many times the request's timeout. The default is
    /// [`DEFAULT_TOTAL_DEADLINE_FACTOR`] (10): long enough for work that
    /// keeps reporting progress, and it follows a timeout set per request.
    TimesTimeout(u32),
    /// A fixed duration from the moment the request is sent.
    After(Duration),
    /// No cap: a request whose peer keeps reporting progress may wait
    /// forever. Only for work known to run without end, under a
    /// cancellation token of the caller's.
    Unlimited,
}

impl Default for TotalDeadline {
    fn default() -> Self {
        TotalDeadline::TimesTimeout(DEFAULT_TOTAL_DEADLINE_FACTOR)
    }
}

impl TotalDeadline {
    /// The cap for a request whose timeout is `timeout`, or `None` for no
    /// cap.
    pub fn resolve(self, timeout: Duration) -> Option<Duration> {
        match self {
            TotalDeadline::TimesTimeout(n) => Some(timeout.saturating_mul(n)),
            TotalDeadline::After(d) => Some(d),
            TotalDeadline::Unlimited => None,
        }
    }
}
