//! The client API: connect to a server over any transport and call it with
//! typed methods.
//!
//! ```no_run
//! use mcpwire::client::Client;
//! use mcpwire::transport::ChildProcess;
//! # async fn run() -> Result<(), mcpwire::Error> {
//! let client = Client::builder("my-host", "1.0.0")
//!     .connect(ChildProcess::new("my-mcp-server").spawn()?)
//!     .await?;
//! for tool in client.list_all_tools().await? {
//!     println!("{}", tool.name);
//! }
//! let result = client.call_tool("echo", serde_json::json!({"text": "hi"})).await?;
//! println!("{:?}", result.content);
//! client.close().await;
//! # Ok(()) }
//! ```

mod handler;
mod notification;

use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};

use mcpwire_types::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, CompleteArgument, CompleteReference,
    CompleteRequestParams, CompleteResult, CreateMessageRequestParams, CreateMessageResult,
    ElicitRequestParams, ElicitResult, GetPromptRequestParams, GetPromptResult, Implementation,
    InitializeRequestParams, InitializeResult, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, LoggingLevel, Prompt, ProtocolVersion,
    ReadResourceRequestParams, ReadResourceResult, Resource, ResourceTemplate, Root,
    ServerCapabilities, Tool, methods,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

pub use handler::ClientHandlers;
pub use notification::ServerNotification;

use crate::Error;
use crate::engine::{self, EngineConfig, Peer, RequestOptions};
use crate::transport::Transport;

/// Most pages an auto-paginating call follows before it gives up on a
/// server whose cursors never end.
const MAX_PAGES: usize = 10_000;

/// Builds a [`Client`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    info: Implementation,
    handlers: ClientHandlers,
    capabilities: Option<ClientCapabilities>,
    version: ProtocolVersion,
    engine: EngineConfig,
}

impl ClientBuilder {
    /// Answers `sampling/createMessage` with `f` and declares sampling.
    pub fn on_sampling<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(CreateMessageRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CreateMessageResult, Error>> + Send + 'static,
    {
        self.handlers.set_sampling(f);
        self
    }

    /// Answers form-mode `elicitation/create` with `f` and declares it.
    pub fn on_elicitation<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(ElicitRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ElicitResult, Error>> + Send + 'static,
    {
        self.handlers.set_elicitation(f, false);
        self
    }

    /// Answers form- and URL-mode `elicitation/create` with `f`.
    pub fn on_elicitation_with_urls<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(ElicitRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ElicitResult, Error>> + Send + 'static,
    {
        self.handlers.set_elicitation(f, true);
        self
    }

    /// Offers `roots` to the server and declares the roots capability.
    pub fn roots(mut self, roots: Vec<Root>) -> Self {
        self.handlers.roots = Some(Arc::new(RwLock::new(roots)));
        self
    }

    /// Replaces the capabilities the handlers imply.
    pub fn capabilities(mut self, caps: ClientCapabilities) -> Self {
        self.capabilities = Some(caps);
        self
    }

    /// The protocol revision to ask for (default: the newest with a session).
    pub fn protocol_version(mut self, v: ProtocolVersion) -> Self {
        self.version = v;
        self
    }

    /// Sets the engine settings (default request timeout, concurrency).
    pub fn engine(mut self, config: EngineConfig) -> Self {
        self.engine = config;
        self
    }

    /// Connects over `transport` and performs the `initialize` handshake.
    pub async fn connect<T: Transport>(self, transport: T) -> Result<Client, Error> {
        let (notes, _) = broadcast::channel(1024);
        let caps = self
            .capabilities
            .unwrap_or_else(|| self.handlers.capabilities());
        let roots = self.handlers.roots.clone();
        let service = Arc::new(handler::ClientService {
            handlers: self.handlers,
            notifications: notes.clone(),
        });
        let (peer, driver) = engine::connect(service, transport, self.engine);
        let task = tokio::spawn(driver);
        let params = InitializeRequestParams::new(self.version.as_str(), caps, self.info);
        let init = peer
            .request(methods::INITIALIZE, Some(serde_json::to_value(&params)?))
            .await;
        let init: InitializeResult = match init {
            Ok(v) => serde_json::from_value(v)
                .map_err(|e| Error::Protocol(format!("malformed initialize result: {e}")))?,
            Err(e) => {
                peer.close();
                return Err(e);
            }
        };
        let version = match init.protocol_version.parse::<ProtocolVersion>() {
            Ok(v) if v.is_legacy() => v,
            _ => {
                peer.close();
                return Err(Error::Protocol(format!(
                    "the server chose protocol version {:?}, which this client does not speak",
                    init.protocol_version
                )));
            }
        };
        peer.notify(methods::NOTIFICATIONS_INITIALIZED, None)?;
        Ok(Client {
            peer,
            init,
            version,
            notes,
            roots,
            task: Mutex::new(Some(task)),
        })
    }
}

/// A connected MCP client. Calls may run concurrently from clones of
/// `&Client` (it is `Sync`).
#[derive(Debug)]
pub struct Client {
    peer: Peer,
    init: InitializeResult,
    version: ProtocolVersion,
    notes: broadcast::Sender<ServerNotification>,
    roots: Option<Arc<RwLock<Vec<Root>>>>,
    task: Mutex<Option<JoinHandle<Result<(), Error>>>>,
}

impl Client {
    /// Starts building a client that calls itself `name` at `version`.
    pub fn builder(name: impl Into<String>, version: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            info: Implementation::new(name, version),
            handlers: ClientHandlers::default(),
            capabilities: None,
            version: ProtocolVersion::LATEST_LEGACY,
            engine: EngineConfig::default(),
        }
    }

    /// The server's `initialize` answer.
    pub fn initialize_result(&self) -> &InitializeResult {
        &self.init
    }

    /// The server's identity.
    pub fn server_info(&self) -> &Implementation {
        &self.init.server_info
    }

    /// The server's capabilities.
    pub fn server_capabilities(&self) -> &ServerCapabilities {
        &self.init.capabilities
    }

    /// The server's instructions, if any.
    pub fn instructions(&self) -> Option<&str> {
        self.init.instructions.as_deref()
    }

    /// The negotiated protocol revision.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.version
    }

    /// The underlying peer, for raw requests.
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// Notifications from the server from now on: progress, logs, list
    /// changes, resource updates. A slow receiver loses the oldest.
    pub fn notifications(&self) -> broadcast::Receiver<ServerNotification> {
        self.notes.subscribe()
    }

    /// Sends a raw request and decodes its result.
    pub async fn request<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: &P,
        opts: RequestOptions,
    ) -> Result<R, Error> {
        let params = match serde_json::to_value(params)? {
            Value::Null => None,
            v => Some(v),
        };
        let v = self.peer.request_with(method, params, opts).await?;
        serde_json::from_value(v)
            .map_err(|e| Error::Protocol(format!("malformed {method} result: {e}")))
    }

    /// `ping`.
    pub async fn ping(&self) -> Result<(), Error> {
        self.peer.request(methods::PING, None).await.map(|_| ())
    }

    /// One page of `tools/list`.
    pub async fn list_tools(&self, cursor: Option<String>) -> Result<ListToolsResult, Error> {
        self.request(
            methods::TOOLS_LIST,
            &cursor_params(cursor),
            RequestOptions::new(),
        )
        .await
    }

    /// Every tool, following all pages.
    pub async fn list_all_tools(&self) -> Result<Vec<Tool>, Error> {
        paginate(|c| async move {
            let r = self.list_tools(c).await?;
            Ok((r.tools, r.next_cursor))
        })
        .await
    }

    /// Calls a tool with a JSON object of arguments.
    pub async fn call_tool(&self, name: &str, arguments: Value) -> Result<CallToolResult, Error> {
        self.call_tool_with(name, arguments, RequestOptions::new())
            .await
    }

    /// Calls a tool with options: timeout, progress, cancellation.
    pub async fn call_tool_with(
        &self,
        name: &str,
        arguments: Value,
        opts: RequestOptions,
    ) -> Result<CallToolResult, Error> {
        let mut p = CallToolRequestParams::new(name);
        p.arguments = match arguments {
            Value::Object(m) => Some(m),
            Value::Null => None,
            other => {
                return Err(Error::invalid_params(format!(
                    "tool arguments must be a JSON object, not {other}"
                )));
            }
        };
        self.request(methods::TOOLS_CALL, &p, opts).await
    }

    /// One page of `resources/list`.
    pub async fn list_resources(
        &self,
        cursor: Option<String>,
    ) -> Result<ListResourcesResult, Error> {
        self.request(
            methods::RESOURCES_LIST,
            &cursor_params(cursor),
            RequestOptions::new(),
        )
        .await
    }

    /// Every resource, following all pages.
    pub async fn list_all_resources(&self) -> Result<Vec<Resource>, Error> {
        paginate(|c| async move {
            let r = self.list_resources(c).await?;
            Ok((r.resources, r.next_cursor))
        })
        .await
    }

    /// One page of `resources/templates/list`.
    pub async fn list_resource_templates(
        &self,
        cursor: Option<String>,
    ) -> Result<ListResourceTemplatesResult, Error> {
        self.request(
            methods::RESOURCES_TEMPLATES_LIST,
            &cursor_params(cursor),
            RequestOptions::new(),
        )
        .await
    }

    /// Every resource template, following all pages.
    pub async fn list_all_resource_templates(&self) -> Result<Vec<ResourceTemplate>, Error> {
        paginate(|c| async move {
            let r = self.list_resource_templates(c).await?;
            Ok((r.resource_templates, r.next_cursor))
        })
        .await
    }

    /// `resources/read`.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, Error> {
        self.request(
            methods::RESOURCES_READ,
            &ReadResourceRequestParams::new(uri),
            RequestOptions::new(),
        )
        .await
    }

    /// `resources/subscribe`: updates arrive as
    /// [`ServerNotification::ResourceUpdated`].
    pub async fn subscribe(&self, uri: &str) -> Result<(), Error> {
        self.peer
            .request(methods::RESOURCES_SUBSCRIBE, Some(json!({ "uri": uri })))
            .await
            .map(|_| ())
    }

    /// `resources/unsubscribe`.
    pub async fn unsubscribe(&self, uri: &str) -> Result<(), Error> {
        self.peer
            .request(methods::RESOURCES_UNSUBSCRIBE, Some(json!({ "uri": uri })))
            .await
            .map(|_| ())
    }

    /// One page of `prompts/list`.
    pub async fn list_prompts(&self, cursor: Option<String>) -> Result<ListPromptsResult, Error> {
        self.request(
            methods::PROMPTS_LIST,
            &cursor_params(cursor),
            RequestOptions::new(),
        )
        .await
    }

    /// Every prompt, following all pages.
    pub async fn list_all_prompts(&self) -> Result<Vec<Prompt>, Error> {
        paginate(|c| async move {
            let r = self.list_prompts(c).await?;
            Ok((r.prompts, r.next_cursor))
        })
        .await
    }

    /// `prompts/get` with string arguments.
    pub async fn get_prompt<I, K, V>(
        &self,
        name: &str,
        arguments: I,
    ) -> Result<GetPromptResult, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut p = GetPromptRequestParams::new(name);
        let args: std::collections::BTreeMap<String, String> = arguments
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        if !args.is_empty() {
            p.arguments = Some(args.into_iter().collect());
        }
        self.request(methods::PROMPTS_GET, &p, RequestOptions::new())
            .await
    }

    /// `completion/complete` for one argument of a prompt or template.
    pub async fn complete(
        &self,
        reference: CompleteReference,
        argument: &str,
        value: &str,
    ) -> Result<CompleteResult, Error> {
        let p = CompleteRequestParams {
            reference,
            argument: CompleteArgument {
                name: argument.to_owned(),
                value: value.to_owned(),
            },
            context: None,
            meta: None,
        };
        self.request(methods::COMPLETION_COMPLETE, &p, RequestOptions::new())
            .await
    }

    /// `logging/setLevel`.
    pub async fn set_log_level(&self, level: LoggingLevel) -> Result<(), Error> {
        self.peer
            .request(methods::LOGGING_SET_LEVEL, Some(json!({ "level": level })))
            .await
            .map(|_| ())
    }

    /// Replaces the roots offered to the server and tells it they changed.
    pub fn set_roots(&self, roots: Vec<Root>) -> Result<(), Error> {
        let Some(cell) = &self.roots else {
            return Err(Error::Protocol(
                "this client did not declare roots; set them on the builder first".into(),
            ));
        };
        *cell.write().unwrap_or_else(|p| p.into_inner()) = roots;
        self.peer
            .notify(methods::NOTIFICATIONS_ROOTS_LIST_CHANGED, None)
    }

    /// Whether the connection has closed.
    pub fn is_closed(&self) -> bool {
        self.peer.is_closed()
    }

    /// Closes the connection. For a child process this closes its stdin,
    /// waits, then sends SIGTERM and finally SIGKILL.
    pub async fn close(&self) {
        self.peer.close();
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

fn cursor_params(cursor: Option<String>) -> Value {
    match cursor {
        Some(c) => json!({ "cursor": c }),
        None => Value::Null,
    }
}

async fn paginate<T, F, Fut>(mut page: F) -> Result<Vec<T>, Error>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), Error>>,
{
    let mut all = Vec::new();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let (items, next) = page(cursor.clone()).await?;
        all.extend(items);
        match next {
            Some(n) if Some(&n) == cursor.as_ref() => {
                return Err(Error::Protocol(format!(
                    "the server returned the same cursor {n:?} twice"
                )));
            }
            Some(n) => cursor = Some(n),
            None => return Ok(all),
        }
    }
    Err(Error::Protocol(format!(
        "gave up after {MAX_PAGES} pages: the server's cursors never end"
    )))
}
