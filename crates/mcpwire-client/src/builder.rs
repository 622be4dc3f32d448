//! [`ClientBuilder`] and [`ClientMode`]: how a client is set up and how it
//! chooses its protocol era.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpwire_types::{ClientCapabilities, Implementation, LoggingLevel, Meta, ProtocolVersion};
use tokio::sync::broadcast;

use super::handshake::{self, Opening, Plan, ServerView};
use super::{Client, ClientHandlers, handler};
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{self, EngineConfig, TotalDeadline};
use mcpwire_rpc::transport::Transport;
use mcpwire_types::Era;

/// How long [`ClientMode::Auto`] waits for the answer to its
/// `server/discover` probe before it takes the server for a legacy one.
pub const DEFAULT_PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// How many `input_required` answers one call follows by default before it
/// gives up (see [`ClientBuilder::max_input_rounds`]).
pub const DEFAULT_MAX_INPUT_ROUNDS: usize = 8;

/// How a client chooses the protocol era when it connects.
///
/// ```
/// use mcpwire_client::{Client, ClientMode};
/// use mcpwire_types::ProtocolVersion;
/// let auto = Client::builder("host", "1").mode(ClientMode::Auto);
/// let modern = Client::builder("host", "1").mode(ClientMode::Pinned(ProtocolVersion::V2026_07_28));
/// assert_eq!(ClientMode::default(), ClientMode::Auto);
/// # let _ = (auto, modern);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientMode {
    /// Probe with `server/discover` carrying the 2026-07-28 `_meta`; the
    /// default. A
    /// discover result listing 2026-07-28 selects the stateless era. A
    /// recognized modern error (`-32020` to `-32022`) is the server's final
    /// word: an unsupported-version error that lists a legacy revision this
    /// client speaks leads to `initialize` with it, any other is returned.
    /// A server that cannot be reached, or that demands authorization the
    /// client cannot obtain, fails the connection at once. Any other
    /// error, a malformed result, or no answer within the probe
    /// timeout ([`ClientBuilder::probe_timeout`]) marks a legacy server: the
    /// client falls back to `initialize`, asking for
    /// [`ClientBuilder::protocol_version`].
    ///
    /// Against a server that only speaks sessions the probe costs one
    /// round trip (one HTTP request): such a server answers an unknown
    /// method at once. Choose [`ClientMode::Legacy`] to skip it.
    #[default]
    Auto,
    /// Open a session with `initialize`, asking for
    /// [`ClientBuilder::protocol_version`] and accepting whichever legacy
    /// revision the server picks.
    Legacy,
    /// Speak exactly this revision: 2026-07-28 is stateless from the first
    /// request, with no probe; a legacy revision opens a session with
    /// `initialize` and fails if the server picks another revision.
    Pinned(ProtocolVersion),
}

/// Builds a [`Client`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    info: Implementation,
    pub(crate) handlers: ClientHandlers,
    capabilities: Option<ClientCapabilities>,
    /// Extensions declared on top of the capabilities, by identifier.
    extensions: serde_json::Map<String, serde_json::Value>,
    version: ProtocolVersion,
    engine: EngineConfig,
    mode: ClientMode,
    probe_timeout: Duration,
    max_input_rounds: usize,
    log_level: Option<LoggingLevel>,
    total_deadline: Option<TotalDeadline>,
}

impl ClientBuilder {
    pub(super) fn new(info: Implementation) -> Self {
        ClientBuilder {
            info,
            handlers: ClientHandlers::default(),
            capabilities: None,
            extensions: serde_json::Map::new(),
            version: ProtocolVersion::LATEST_LEGACY,
            engine: EngineConfig::default(),
            mode: ClientMode::default(),
            probe_timeout: DEFAULT_PROBE_TIMEOUT,
            max_input_rounds: DEFAULT_MAX_INPUT_ROUNDS,
            log_level: None,
            total_deadline: None,
        }
    }

    /// Replaces the capabilities the handlers imply.
    ///
    /// ```
    /// use mcpwire_client::Client;
    /// use mcpwire_types::ClientCapabilities;
    /// # use std::sync::{Arc, Mutex};
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
    /// # use serde_json::{Value, json};
    /// # // A raw server: answers `initialize`, and keeps what the client sent.
    /// # #[derive(Default)]
    /// # struct Raw(Mutex<Value>);
    /// # impl Service for Raw {
    /// #     async fn handle_request(&self, r: mcpwire_types::Request, _: RequestContext) -> Result<Reply, mcpwire_rpc::Error> {
    /// #         if r.method != "initialize" {
    /// #             return Err(mcpwire_rpc::Error::method_not_found(&r.method));
    /// #         }
    /// #         let params = r.params.unwrap_or_default();
    /// #         let version = params["protocolVersion"].clone();
    /// #         *self.0.lock().unwrap() = params;
    /// #         Ok(json!({
    /// #             "protocolVersion": version, "capabilities": {},
    /// #             "serverInfo": { "name": "raw", "version": "1" },
    /// #         }).into())
    /// #     }
    /// #     async fn handle_notification(&self, _: mcpwire_types::Notification, _: &Peer) {}
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let raw = Arc::new(Raw::default());
    /// # let (transport, theirs) = mcpwire_rpc::transport::memory::duplex();
    /// # let (server, serving) = engine::connect(raw.clone(), theirs, EngineConfig::default());
    /// # tokio::spawn(serving);
    /// # let sent = || raw.0.lock().unwrap().clone();
    /// // Declare nothing, whatever handlers are set.
    /// let client = Client::builder("host", "1.0.0")
    ///     .capabilities(ClientCapabilities::default())
    ///     .connect(transport)
    ///     .await?;
    /// assert_eq!(sent()["capabilities"], json!({}));
    /// # let _ = client;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn capabilities(mut self, caps: ClientCapabilities) -> Self {
        self.capabilities = Some(caps);
        self
    }

    /// Declares the extension `id` with `settings`, on top of the
    /// capabilities the handlers imply (or those given to
    /// [`capabilities`](Self::capabilities)): at `initialize` in a session,
    /// in every request's `_meta` without one.
    ///
    /// ```
    /// use mcpwire_client::Client;
    /// let builder = Client::builder("host", "1.0.0")
    ///     .extension("com.example/audit", serde_json::Map::new());
    /// # let _ = builder;
    /// ```
    pub fn extension(
        mut self,
        id: impl Into<String>,
        settings: serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        self.extensions
            .insert(id.into(), serde_json::Value::Object(settings));
        self
    }

    /// Declares MCP Apps (the `io.modelcontextprotocol/ui` extension, with
    /// `text/html;profile=mcp-app` in its `mimeTypes`; see
    /// [`mcpwire_types::apps`]): servers then list their tools' UIs and
    /// answer their tools as for a host that renders them.
    ///
    /// ```
    /// use mcpwire_client::Client;
    /// let host = Client::builder("host", "1.0.0").apps();
    /// # let _ = host;
    /// ```
    pub fn apps(self) -> Self {
        let declared = ClientCapabilities::default().with_apps();
        let settings = declared
            .extensions
            .and_then(|mut e| e.remove(mcpwire_types::apps::EXTENSION_ID))
            .and_then(|v| match v {
                serde_json::Value::Object(m) => Some(m),
                _ => None,
            })
            .unwrap_or_default();
        self.extension(mcpwire_types::apps::EXTENSION_ID, settings)
    }

    /// The legacy revision `initialize` asks for (default: 2025-11-25, the
    /// newest with a session). [`ClientMode::Pinned`] overrides it.
    ///
    /// ```
    /// use mcpwire_client::{Client, ClientMode};
    /// use mcpwire_types::ProtocolVersion;
    /// # use std::sync::{Arc, Mutex};
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
    /// # use serde_json::{Value, json};
    /// # // A raw server: answers `initialize`, and keeps what the client sent.
    /// # #[derive(Default)]
    /// # struct Raw(Mutex<Value>);
    /// # impl Service for Raw {
    /// #     async fn handle_request(&self, r: mcpwire_types::Request, _: RequestContext) -> Result<Reply, mcpwire_rpc::Error> {
    /// #         if r.method != "initialize" {
    /// #             return Err(mcpwire_rpc::Error::method_not_found(&r.method));
    /// #         }
    /// #         let params = r.params.unwrap_or_default();
    /// #         let version = params["protocolVersion"].clone();
    /// #         *self.0.lock().unwrap() = params;
    /// #         Ok(json!({
    /// #             "protocolVersion": version, "capabilities": {},
    /// #             "serverInfo": { "name": "raw", "version": "1" },
    /// #         }).into())
    /// #     }
    /// #     async fn handle_notification(&self, _: mcpwire_types::Notification, _: &Peer) {}
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let raw = Arc::new(Raw::default());
    /// # let (transport, theirs) = mcpwire_rpc::transport::memory::duplex();
    /// # let (server, serving) = engine::connect(raw.clone(), theirs, EngineConfig::default());
    /// # tokio::spawn(serving);
    /// # let sent = || raw.0.lock().unwrap().clone();
    /// let client = Client::builder("host", "1.0.0")
    ///     .mode(ClientMode::Legacy)
    ///     .protocol_version(ProtocolVersion::V2025_06_18)
    ///     .connect(transport)
    ///     .await?;
    /// assert_eq!(sent()["protocolVersion"], "2025-06-18");
    /// assert_eq!(client.protocol_version(), ProtocolVersion::V2025_06_18);
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn protocol_version(mut self, v: ProtocolVersion) -> Self {
        self.version = v;
        self
    }

    /// How the client chooses its protocol era (default:
    /// [`ClientMode::Auto`]).
    ///
    /// ```
    /// use mcpwire_client::{Client, ClientMode};
    /// use mcpwire_types::{Era, ProtocolVersion};
    /// # use std::sync::{Arc, Mutex};
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
    /// # use serde_json::{Value, json};
    /// # // A raw server: answers `initialize`, and keeps what the client sent.
    /// # #[derive(Default)]
    /// # struct Raw(Mutex<Value>);
    /// # impl Service for Raw {
    /// #     async fn handle_request(&self, r: mcpwire_types::Request, _: RequestContext) -> Result<Reply, mcpwire_rpc::Error> {
    /// #         if r.method != "initialize" {
    /// #             return Err(mcpwire_rpc::Error::method_not_found(&r.method));
    /// #         }
    /// #         let params = r.params.unwrap_or_default();
    /// #         let version = params["protocolVersion"].clone();
    /// #         *self.0.lock().unwrap() = params;
    /// #         Ok(json!({
    /// #             "protocolVersion": version, "capabilities": {},
    /// #             "serverInfo": { "name": "raw", "version": "1" },
    /// #         }).into())
    /// #     }
    /// #     async fn handle_notification(&self, _: mcpwire_types::Notification, _: &Peer) {}
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let raw = Arc::new(Raw::default());
    /// # let (transport, theirs) = mcpwire_rpc::transport::memory::duplex();
    /// # let (server, serving) = engine::connect(raw.clone(), theirs, EngineConfig::default());
    /// # tokio::spawn(serving);
    /// # let sent = || raw.0.lock().unwrap().clone();
    /// // A server known to speak sessions only: skip the `server/discover` probe.
    /// let client = Client::builder("host", "1.0.0")
    ///     .mode(ClientMode::Legacy)
    ///     .connect(transport)
    ///     .await?;
    /// assert_eq!(client.era(), Era::Session);
    /// assert_eq!(client.protocol_version(), ProtocolVersion::V2025_11_25);
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn mode(mut self, mode: ClientMode) -> Self {
        self.mode = mode;
        self
    }

    /// How long [`ClientMode::Auto`] waits for its `server/discover` probe
    /// before it falls back to `initialize` (default: 10 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_client::Client;
    /// // A slow link: give the server 30 s to answer `server/discover`.
    /// let builder = Client::builder("host", "1.0.0").probe_timeout(Duration::from_secs(30));
    /// # let _ = builder;
    /// ```
    pub fn probe_timeout(mut self, d: Duration) -> Self {
        self.probe_timeout = d;
        self
    }

    /// How many `input_required` answers one stateless `tools/call`,
    /// `prompts/get` or `resources/read` follows before it fails (default:
    /// 8). `0` makes every `input_required` answer an error.
    ///
    /// ```
    /// use mcpwire_client::Client;
    /// // Follow at most three rounds of questions per call.
    /// let builder = Client::builder("host", "1.0.0").max_input_rounds(3);
    /// # let _ = builder;
    /// ```
    pub fn max_input_rounds(mut self, rounds: usize) -> Self {
        self.max_input_rounds = rounds;
        self
    }

    /// The least severe log level the client wants from the server.
    ///
    /// In the stateless era every request carries it in `_meta`
    /// (`io.modelcontextprotocol/logLevel`); without it a 2026-07-28 server
    /// sends no log messages. In a session the client sends
    /// `logging/setLevel` right after the handshake when the server declares
    /// logging.
    ///
    /// ```
    /// use mcpwire_client::{Client, ClientMode};
    /// use mcpwire_types::LoggingLevel;
    /// let builder = Client::builder("host", "1")
    ///     .mode(ClientMode::Auto)
    ///     .log_level(LoggingLevel::Warning);
    /// # let _ = builder;
    /// ```
    pub fn log_level(mut self, level: LoggingLevel) -> Self {
        self.log_level = Some(level);
        self
    }

    /// Sets the engine settings (default request timeout, concurrency).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_client::Client;
    /// use mcpwire_rpc::engine::EngineConfig;
    /// // Every call fails after 15 s without an answer (unless it sets its own).
    /// let builder = Client::builder("host", "1.0.0")
    ///     .engine(EngineConfig::default().request_timeout(Duration::from_secs(15)));
    /// # let _ = builder;
    /// ```
    pub fn engine(mut self, config: EngineConfig) -> Self {
        self.engine = config;
        self
    }

    /// How long a call may wait in all while the server keeps reporting
    /// progress (each progress notification restarts the call's timeout).
    /// The default, [`TotalDeadline::default`], is 10 times the call's
    /// timeout: 10 minutes with the default 60 s. A call past it fails with
    /// [`Error::Timeout`] and the server is sent `notifications/cancelled`.
    /// [`TotalDeadline::Unlimited`] turns the cap off; one call can choose
    /// its own with [`RequestOptions::total_deadline`]. Takes precedence
    /// over the [`EngineConfig::total_deadline`] of [`Self::engine`].
    ///
    /// [`RequestOptions::total_deadline`]: mcpwire_rpc::engine::RequestOptions::total_deadline
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_client::Client;
    /// use mcpwire_rpc::engine::TotalDeadline;
    /// let builder = Client::builder("host", "1")
    ///     .total_deadline(TotalDeadline::After(Duration::from_secs(30 * 60)));
    /// # let _ = builder;
    /// ```
    pub fn total_deadline(mut self, d: TotalDeadline) -> Self {
        self.total_deadline = Some(d);
        self
    }

    /// Connects over `transport` and chooses the protocol era as
    /// [`ClientMode`] says: a `server/discover` probe, an `initialize`
    /// handshake, or neither.
    pub async fn connect<T: Transport>(self, transport: T) -> Result<Client, Error> {
        let (notes, _) = broadcast::channel(1024);
        let routes = Arc::new(super::listen::Routes::default());
        let mut caps = self
            .capabilities
            .unwrap_or_else(|| self.handlers.capabilities());
        if !self.extensions.is_empty() {
            caps.extensions
                .get_or_insert_with(Default::default)
                .extend(self.extensions);
        }
        let handlers = self.handlers.clone();
        let service = Arc::new(handler::ClientService {
            handlers: self.handlers,
            notifications: notes.clone(),
            routes: routes.clone(),
        });
        let mut config = self.engine;
        if let Some(d) = self.total_deadline {
            config.total_deadline = d;
        }
        let (peer, driver) = engine::connect(service, transport, config);
        let task = tokio::spawn(driver);
        let plan = Plan {
            mode: self.mode,
            version: self.version,
            caps: &caps,
            info: &self.info,
            probe_timeout: self.probe_timeout,
            log_level: self.log_level,
        };
        let opened = match handshake::open(&peer, &plan).await {
            Ok(o) => o,
            Err(e) => {
                peer.close();
                return Err(e);
            }
        };
        let (version, era, server, meta) = match opened {
            Opening::Session { init, version } => (
                version,
                Era::Session,
                ServerView::session(init),
                Meta::new(),
            ),
            Opening::Stateless {
                version,
                discovered,
            } => (
                version,
                Era::Stateless,
                ServerView::stateless(discovered),
                handshake::request_meta(version, &caps, &self.info, self.log_level),
            ),
        };
        Ok(Client {
            peer,
            version,
            era,
            server,
            meta,
            handlers,
            max_input_rounds: self.max_input_rounds,
            notes,
            routes,
            task: Mutex::new(Some(task)),
        })
    }
}
