//! [`RequestOptions`]: how one outgoing request is sent (its deadline,
//! progress callback, cancellation, and what the transport may repeat
//! outside the body).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mcpwire_types::{ProtocolVersion, RequestId};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::TotalDeadline;

/// A callback that receives the params of each `notifications/progress`
/// sent for one request.
pub type ProgressCallback = Arc<dyn Fn(Value) + Send + Sync>;

/// Told an outgoing request's id before it is sent.
pub(crate) type SentCallback = Arc<dyn Fn(&RequestId) + Send + Sync>;

/// Options of one outgoing request.
///
/// ```
/// use std::time::Duration;
/// use mcpwire_rpc::engine::{RequestOptions, TotalDeadline};
/// let opts = RequestOptions::new()
///     .timeout(Duration::from_secs(5))
///     .max_total(Duration::from_secs(60))
///     .on_progress(|p| eprintln!("progress: {p}"));
/// let endless = RequestOptions::new()
///     .total_deadline(TotalDeadline::Unlimited)
///     .on_progress(|p| eprintln!("progress: {p}"));
/// // What a transport may repeat outside the body (Streamable HTTP's
/// // `Mcp-Name` and `MCP-Protocol-Version`).
/// let call = RequestOptions::new()
///     .target("get_weather")
///     .revision(mcpwire_types::ProtocolVersion::V2026_07_28);
/// # let _ = (opts, endless, call);
/// ```
#[derive(Clone, Default)]
pub struct RequestOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) total: Option<TotalDeadline>,
    pub(crate) reset_on_progress: Option<bool>,
    pub(crate) progress: Option<ProgressCallback>,
    pub(crate) cancel: Option<CancellationToken>,
    pub(crate) related: Option<RequestId>,
    /// Told the request's id before it is sent (the proxy maps it back; a
    /// subscription routes its notifications by it).
    pub(crate) on_sent: Option<SentCallback>,
    /// What the request acts on, for the transport.
    pub(crate) target: Option<Arc<str>>,
    /// The revision the request is sent under, for the transport.
    pub(crate) revision: Option<ProtocolVersion>,
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("total", &self.total)
            .field("progress", &self.progress.is_some())
            .field("target", &self.target)
            .field("revision", &self.revision)
            .finish()
    }
}

impl RequestOptions {
    /// Options with the engine's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long to wait without a response or progress (default: the
    /// engine's [`EngineConfig::request_timeout`](super::EngineConfig::request_timeout)).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Duration;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, RequestOptions, Service};
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
    /// # // A peer that never answers.
    /// # let (a, _silent) = memory::duplex();
    /// # let (peer, driver) = engine::connect(Arc::new(Nothing), a, EngineConfig::default());
    /// # tokio::spawn(driver);
    /// let opts = RequestOptions::new().timeout(Duration::from_millis(50));
    /// let err = peer.request_with("tools/list", None, opts).await.unwrap_err();
    /// assert!(matches!(err, Error::Timeout { ref method, .. } if method == "tools/list"));
    /// # }
    /// ```
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// A cap on the whole wait, which progress does not extend; short for
    /// `total_deadline(TotalDeadline::After(d))`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Duration;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, RequestOptions, Service};
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
    /// # // A peer that never answers.
    /// # let (a, _silent) = memory::duplex();
    /// # let (peer, driver) = engine::connect(Arc::new(Nothing), a, EngineConfig::default());
    /// # tokio::spawn(driver);
    /// let opts = RequestOptions::new()
    ///     .timeout(Duration::from_secs(30))
    ///     .max_total(Duration::from_millis(50));
    /// let started = std::time::Instant::now();
    /// let err = peer.request_with("tools/call", None, opts).await.unwrap_err();
    /// assert!(matches!(err, Error::Timeout { .. }));
    /// assert!(started.elapsed() < Duration::from_secs(30));
    /// # }
    /// ```
    pub fn max_total(mut self, d: Duration) -> Self {
        self.total = Some(TotalDeadline::After(d));
        self
    }

    /// The cap on the whole wait, which progress does not extend (default:
    /// the engine's [`EngineConfig::total_deadline`](super::EngineConfig::total_deadline), 10 times the
    /// timeout). [`TotalDeadline::Unlimited`] turns it off.
    ///
    /// ```
    /// # use mcpwire_rpc::engine::TotalDeadline;
    /// # use std::sync::Arc;
    /// # use std::time::Duration;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, RequestOptions, Service};
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
    /// # // A peer that never answers.
    /// # let (a, _silent) = memory::duplex();
    /// # let (peer, driver) = engine::connect(Arc::new(Nothing), a, EngineConfig::default());
    /// # tokio::spawn(driver);
    /// // A fixed cap, measured from the moment the request is sent.
    /// let capped = RequestOptions::new()
    ///     .timeout(Duration::from_secs(30))
    ///     .total_deadline(TotalDeadline::After(Duration::from_millis(50)));
    /// assert!(matches!(peer.request_with("tools/call", None, capped).await, Err(Error::Timeout { .. })));
    /// // No cap: a peer that keeps reporting progress may take as long as it needs.
    /// let _endless = RequestOptions::new().total_deadline(TotalDeadline::Unlimited);
    /// # }
    /// ```
    pub fn total_deadline(mut self, d: TotalDeadline) -> Self {
        self.total = Some(d);
        self
    }

    /// Whether progress notifications restart the timeout (default: yes).
    ///
    /// ```
    /// # use mcpwire_rpc::transport::{FrameReader, FrameWriter, ReadEvent};
    /// # use std::sync::Arc;
    /// # use std::time::Duration;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, RequestOptions, Service};
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
    /// # let (a, (mut their_reader, mut their_writer)) = memory::duplex();
    /// # let (peer, driver) = engine::connect(Arc::new(Nothing), a, EngineConfig::default());
    /// # tokio::spawn(driver);
    /// // The other side reports progress every 20 ms and never answers.
    /// tokio::spawn(async move {
    ///     let token = match their_reader.next_frame().await.unwrap() {
    ///         ReadEvent::Frame(f) => serde_json::from_slice::<serde_json::Value>(f).unwrap()
    ///             ["params"]["_meta"]["progressToken"].clone(),
    ///         _ => return,
    ///     };
    ///     for n in 1.. {
    ///         let note = serde_json::json!({"jsonrpc": "2.0", "method": "notifications/progress",
    ///             "params": {"progressToken": token, "progress": n}});
    ///         their_writer.write_frame(note.to_string().as_bytes());
    ///         if their_writer.flush().await.is_err() { return; }
    ///         tokio::time::sleep(Duration::from_millis(20)).await;
    ///     }
    /// });
    /// let opts = RequestOptions::new()
    ///     .timeout(Duration::from_millis(100))
    ///     .reset_timeout_on_progress(false)
    ///     .on_progress(|_| {});
    /// let started = std::time::Instant::now();
    /// let err = peer.request_with("tools/call", None, opts).await.unwrap_err();
    /// assert!(matches!(err, Error::Timeout { .. }));
    /// assert!(started.elapsed() < Duration::from_secs(1));
    /// # }
    /// ```
    pub fn reset_timeout_on_progress(mut self, yes: bool) -> Self {
        self.reset_on_progress = Some(yes);
        self
    }

    /// Asks for progress: sets `_meta.progressToken` and calls `f` with the
    /// params of each progress notification.
    ///
    /// ```
    /// # use mcpwire_rpc::transport::{FrameReader, FrameWriter, ReadEvent};
    /// # use std::sync::Arc;
    /// # use std::time::Duration;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, RequestOptions, Service};
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
    /// # let (a, (mut their_reader, mut their_writer)) = memory::duplex();
    /// # let (peer, driver) = engine::connect(Arc::new(Nothing), a, EngineConfig::default());
    /// # tokio::spawn(driver);
    /// // The other side reports progress once, then answers.
    /// tokio::spawn(async move {
    ///     let ReadEvent::Frame(f) = their_reader.next_frame().await.unwrap() else { return };
    ///     let req: serde_json::Value = serde_json::from_slice(f).unwrap();
    ///     let token = &req["params"]["_meta"]["progressToken"];
    ///     let note = serde_json::json!({"jsonrpc": "2.0", "method": "notifications/progress",
    ///         "params": {"progressToken": token, "progress": 1, "total": 2}});
    ///     let answer = serde_json::json!({"jsonrpc": "2.0", "id": req["id"], "result": {}});
    ///     their_writer.write_frame(note.to_string().as_bytes());
    ///     their_writer.write_frame(answer.to_string().as_bytes());
    ///     their_writer.flush().await.unwrap();
    /// });
    /// let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    /// let sink = seen.clone();
    /// let opts = RequestOptions::new().on_progress(move |p| sink.lock().unwrap().push(p["progress"].clone()));
    /// peer.request_with("tools/call", Some(serde_json::json!({"name": "slow"})), opts).await.unwrap();
    /// assert_eq!(*seen.lock().unwrap(), [serde_json::json!(1)]);
    /// # }
    /// ```
    pub fn on_progress(mut self, f: impl Fn(Value) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Marks the request as sent while serving the incoming request
    /// `id`, so transports that separate requests (HTTP) deliver it on that
    /// request's stream. A handler passes its own [`RequestContext::id`](crate::engine::RequestContext::id).
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use std::time::Duration;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, RequestOptions, Service};
    /// # use mcpwire_rpc::transport::{memory, FrameInfo, FrameWriter};
    /// # use mcpwire_rpc::Error;
    /// # use mcpwire_types::{Notification, ProtocolVersion, Request, RequestId};
    /// # struct Nothing;
    /// # impl Service for Nothing {
    /// #     async fn handle_request(&self, r: Request, _: RequestContext) -> Result<Reply, Error> {
    /// #         Err(Error::method_not_found(&r.method))
    /// #     }
    /// #     async fn handle_notification(&self, _: Notification, _: &Peer) {}
    /// # }
    /// # /// What the transport was told of each frame: method, target, related, revision.
    /// # type Info = (Option<String>, Option<String>, Option<RequestId>, Option<ProtocolVersion>);
    /// # #[derive(Clone, Default)]
    /// # struct Recorder(Arc<Mutex<Vec<Info>>>);
    /// # impl FrameWriter for Recorder {
    /// #     fn write(&mut self, _frame: &[u8], info: &FrameInfo<'_>) {
    /// #         self.0.lock().unwrap().push((
    /// #             info.method().map(String::from),
    /// #             info.target().map(String::from),
    /// #             info.related().cloned(),
    /// #             info.revision(),
    /// #         ));
    /// #     }
    /// #     async fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let ((reader, _), _other) = memory::duplex();
    /// # let seen = Recorder::default();
    /// # let (peer, driver) = engine::connect(Arc::new(Nothing), (reader, seen.clone()), EngineConfig::default());
    /// # tokio::spawn(driver);
    /// # let quick = || RequestOptions::new().timeout(Duration::from_millis(20));
    /// let serving = RequestId::from(41);
    /// let opts = quick().related_to(serving.clone());
    /// let _ = peer.request_with("roots/list", None, opts).await;
    /// let first = seen.0.lock().unwrap()[0].clone();
    /// assert_eq!(first.0.as_deref(), Some("roots/list"));
    /// assert_eq!(first.2, Some(serving));
    /// # }
    /// ```
    pub fn related_to(mut self, id: RequestId) -> Self {
        self.related = Some(id);
        self
    }

    /// A token that cancels the request: the peer is sent
    /// `notifications/cancelled` and the call returns [`Error::Cancelled`](crate::Error::Cancelled).
    ///
    /// ```
    /// # use tokio_util::sync::CancellationToken;
    /// # use std::sync::{Arc, Mutex};
    /// # use std::time::Duration;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, RequestOptions, Service};
    /// # use mcpwire_rpc::transport::{memory, FrameInfo, FrameWriter};
    /// # use mcpwire_rpc::Error;
    /// # use mcpwire_types::{Notification, ProtocolVersion, Request, RequestId};
    /// # struct Nothing;
    /// # impl Service for Nothing {
    /// #     async fn handle_request(&self, r: Request, _: RequestContext) -> Result<Reply, Error> {
    /// #         Err(Error::method_not_found(&r.method))
    /// #     }
    /// #     async fn handle_notification(&self, _: Notification, _: &Peer) {}
    /// # }
    /// # /// What the transport was told of each frame: method, target, related, revision.
    /// # type Info = (Option<String>, Option<String>, Option<RequestId>, Option<ProtocolVersion>);
    /// # #[derive(Clone, Default)]
    /// # struct Recorder(Arc<Mutex<Vec<Info>>>, Arc<tokio::sync::Notify>);
    /// # impl FrameWriter for Recorder {
    /// #     fn write(&mut self, _frame: &[u8], info: &FrameInfo<'_>) {
    /// #         self.0.lock().unwrap().push((
    /// #             info.method().map(String::from),
    /// #             info.target().map(String::from),
    /// #             info.related().cloned(),
    /// #             info.revision(),
    /// #         ));
    /// #         self.1.notify_one();
    /// #     }
    /// #     async fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let ((reader, _), _other) = memory::duplex();
    /// # let seen = Recorder::default();
    /// # let (peer, driver) = engine::connect(Arc::new(Nothing), (reader, seen.clone()), EngineConfig::default());
    /// # tokio::spawn(driver);
    /// # let quick = || RequestOptions::new().timeout(Duration::from_millis(20));
    /// let stop = CancellationToken::new();
    /// let call = peer.request_with("tools/call", None, RequestOptions::new().cancel_token(stop.clone()));
    /// let (result, ()) = tokio::join!(call, async { stop.cancel() });
    /// assert!(matches!(result, Err(Error::Cancelled)));
    /// # // The cancellation is written after the call returns: wait for it.
    /// # tokio::time::timeout(Duration::from_secs(5), async {
    /// #     while seen.0.lock().unwrap().len() < 2 { seen.1.notified().await }
    /// # }).await.unwrap();
    /// let methods: Vec<_> = seen.0.lock().unwrap().iter().map(|i| i.0.clone().unwrap()).collect();
    /// assert_eq!(methods, ["tools/call", "notifications/cancelled"]);
    /// # }
    /// ```
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Calls `f` with the request's id just before the request is sent,
    /// so that whatever routes its answer or its notifications exists
    /// before they can arrive.
    ///
    /// ```
    /// use mcpwire_rpc::engine::RequestOptions;
    /// let opts = RequestOptions::new().on_sent(|id| eprintln!("sent as {id:?}"));
    /// # let _ = opts;
    /// ```
    pub fn on_sent(mut self, f: impl Fn(&RequestId) + Send + Sync + 'static) -> Self {
        self.on_sent = Some(Arc::new(f));
        self
    }

    /// Names what the request acts on (a tool, prompt, resource or task:
    /// see `mcpwire_types::request::Request::target`), which the transport
    /// receives in the request's [`FrameInfo`](crate::transport::FrameInfo)
    /// (Streamable HTTP sends it as `Mcp-Name`). The engine does not look
    /// into params for it.
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use std::time::Duration;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, RequestOptions, Service};
    /// # use mcpwire_rpc::transport::{memory, FrameInfo, FrameWriter};
    /// # use mcpwire_rpc::Error;
    /// # use mcpwire_types::{Notification, ProtocolVersion, Request, RequestId};
    /// # struct Nothing;
    /// # impl Service for Nothing {
    /// #     async fn handle_request(&self, r: Request, _: RequestContext) -> Result<Reply, Error> {
    /// #         Err(Error::method_not_found(&r.method))
    /// #     }
    /// #     async fn handle_notification(&self, _: Notification, _: &Peer) {}
    /// # }
    /// # /// What the transport was told of each frame: method, target, related, revision.
    /// # type Info = (Option<String>, Option<String>, Option<RequestId>, Option<ProtocolVersion>);
    /// # #[derive(Clone, Default)]
    /// # struct Recorder(Arc<Mutex<Vec<Info>>>);
    /// # impl FrameWriter for Recorder {
    /// #     fn write(&mut self, _frame: &[u8], info: &FrameInfo<'_>) {
    /// #         self.0.lock().unwrap().push((
    /// #             info.method().map(String::from),
    /// #             info.target().map(String::from),
    /// #             info.related().cloned(),
    /// #             info.revision(),
    /// #         ));
    /// #     }
    /// #     async fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let ((reader, _), _other) = memory::duplex();
    /// # let seen = Recorder::default();
    /// # let (peer, driver) = engine::connect(Arc::new(Nothing), (reader, seen.clone()), EngineConfig::default());
    /// # tokio::spawn(driver);
    /// # let quick = || RequestOptions::new().timeout(Duration::from_millis(20));
    /// let params = serde_json::json!({"name": "get_weather"});
    /// let _ = peer.request_with("tools/call", Some(params), quick().target("get_weather")).await;
    /// assert_eq!(seen.0.lock().unwrap()[0].1.as_deref(), Some("get_weather"));
    /// # }
    /// ```
    pub fn target(mut self, name: impl Into<Arc<str>>) -> Self {
        self.target = Some(name.into());
        self
    }

    /// The protocol revision the request is sent under, when it is not the
    /// one the connection negotiated ([`Peer::negotiated`](super::Peer::negotiated), the default):
    /// a self-describing 2026-07-28 request names its own. The transport
    /// receives it in the request's [`FrameInfo`](crate::transport::FrameInfo).
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use std::time::Duration;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, RequestOptions, Service};
    /// # use mcpwire_rpc::transport::{memory, FrameInfo, FrameWriter};
    /// # use mcpwire_rpc::Error;
    /// # use mcpwire_types::{Notification, ProtocolVersion, Request, RequestId};
    /// # struct Nothing;
    /// # impl Service for Nothing {
    /// #     async fn handle_request(&self, r: Request, _: RequestContext) -> Result<Reply, Error> {
    /// #         Err(Error::method_not_found(&r.method))
    /// #     }
    /// #     async fn handle_notification(&self, _: Notification, _: &Peer) {}
    /// # }
    /// # /// What the transport was told of each frame: method, target, related, revision.
    /// # type Info = (Option<String>, Option<String>, Option<RequestId>, Option<ProtocolVersion>);
    /// # #[derive(Clone, Default)]
    /// # struct Recorder(Arc<Mutex<Vec<Info>>>);
    /// # impl FrameWriter for Recorder {
    /// #     fn write(&mut self, _frame: &[u8], info: &FrameInfo<'_>) {
    /// #         self.0.lock().unwrap().push((
    /// #             info.method().map(String::from),
    /// #             info.target().map(String::from),
    /// #             info.related().cloned(),
    /// #             info.revision(),
    /// #         ));
    /// #     }
    /// #     async fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let ((reader, _), _other) = memory::duplex();
    /// # let seen = Recorder::default();
    /// # let (peer, driver) = engine::connect(Arc::new(Nothing), (reader, seen.clone()), EngineConfig::default());
    /// # tokio::spawn(driver);
    /// # let quick = || RequestOptions::new().timeout(Duration::from_millis(20));
    /// peer.set_negotiated(ProtocolVersion::V2025_11_25);
    /// let _ = peer.request_with("tools/list", None, quick()).await;
    /// let _ = peer.request_with("tools/list", None, quick().revision(ProtocolVersion::V2026_07_28)).await;
    /// let revisions: Vec<_> = seen.0.lock().unwrap().iter()
    ///     .filter(|i| i.0.as_deref() == Some("tools/list"))
    ///     .map(|i| i.3)
    ///     .collect();
    /// assert_eq!(revisions, [Some(ProtocolVersion::V2025_11_25), Some(ProtocolVersion::V2026_07_28)]);
    /// # }
    /// ```
    pub fn revision(mut self, revision: ProtocolVersion) -> Self {
        self.revision = Some(revision);
        self
    }
}
