//! The server API: register tools, resources and prompts, then serve them
//! over any transport.
//!
//! ```no_run
//! use mcpwire_server::{Server, ToolRoute};
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Echo { text: String }
//! # async fn run() -> Result<(), mcpwire_rpc::Error> {
//! Server::builder("echo", "1.0.0")
//!     .tool(ToolRoute::typed("echo", |_cx, a: Echo| async move { a.text }))
//!     .build()
//!     .serve_stdio()
//!     .await
//! # }
//! ```

mod bus;
mod completion;
mod context;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzz_api;
mod prompt;
mod request_state;
mod resource;
mod schema;
mod session;
mod skill_catalog;
mod skills;
mod stateless;
mod subscriptions;
mod tasks;
mod tool;
mod uri_limit;
mod uri_template;

use std::sync::{Arc, RwLock};

pub use bus::{EventStream, InProcessBus, NotificationBus, ServerEvent};
pub use completion::{Completer, MAX_COMPLETION_VALUES};
pub use context::Context;
use indexmap::IndexMap;
use mcpwire_types::Implementation;
pub use mcpwire_types::{Era, PendingInput};
pub use prompt::{
    IntoPromptResult, PromptHandler, PromptRoute, arguments_for, parse_prompt_arguments,
};
pub use resource::{IntoReadResult, ResourceHandler, ResourceRoute, TemplateRoute};
pub use schema::{object_schema, schema_for};
pub use skills::{MAX_DESCRIPTION_CHARS, Skill, SkillBuildError};
pub use tasks::{
    DEFAULT_MAX_TASKS, DEFAULT_POLL_INTERVAL, DEFAULT_TASK_TTL, InMemoryTaskStore, MAX_TASK_TTL,
    TaskChange, TaskOutcome, TaskPage, TaskRecord, TaskStore, TaskStoreError,
};
pub use tool::{
    BoxFuture, IntoToolResult, Json, ToolHandler, ToolRoute, input_schema_for, parse_arguments,
};
pub use uri_limit::{DEFAULT_MAX_URI_LENGTH, QUOTED_URI_CHARS};
pub use uri_template::{TemplateError, UriTemplate};

use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{self, EngineConfig};
use mcpwire_rpc::transport::{self, Transport};

pub(crate) struct ServerInner {
    pub(crate) info: Implementation,
    /// `info` as the JSON every stateless result carries in its `_meta`.
    pub(crate) info_json: serde_json::Value,
    /// The `_meta` of a stateless result that has none of its own: the
    /// server's info alone (cloning it costs less than building it).
    pub(crate) info_meta: serde_json::Value,
    /// `info_meta` serialized, for results written without a `Value`.
    pub(crate) info_meta_json: Vec<u8>,
    pub(crate) instructions: Option<String>,
    pub(crate) tools: RwLock<IndexMap<String, ToolRoute>>,
    pub(crate) resources: RwLock<IndexMap<String, ResourceRoute>>,
    pub(crate) templates: RwLock<Vec<TemplateRoute>>,
    pub(crate) prompts: RwLock<IndexMap<String, PromptRoute>>,
    /// Where changes are published, and read back by sessions and
    /// subscriptions.
    pub(crate) bus: Arc<dyn NotificationBus>,
    pub(crate) links: Links,
    /// Set once the task that feeds `links` from the bus is running.
    fan_out: std::sync::Once,
    pub(crate) page_size: Option<usize>,
    /// The longest URI a request may name, in bytes.
    pub(crate) max_uri_length: usize,
    pub(crate) engine: EngineConfig,
    pub(crate) cache_hint: mcpwire_types::CacheHint,
    /// Hints of their own for some cacheable methods.
    pub(crate) cache_hints: Vec<(&'static str, mcpwire_types::CacheHint)>,
    pub(crate) request_state: request_state::RequestStateKeys,
    pub(crate) skills: skill_catalog::SkillCatalog,
    pub(crate) tasks: Arc<tasks::TaskRuntime>,
}

/// An MCP server: its identity and its tools, resources and prompts.
///
/// Cheap to clone; clones share the registries, so a tool added through one
/// clone (for example from inside a handler, via [`Context::server`]) is
/// listed by all, and connected clients are told with `list_changed`.
#[derive(Clone)]
pub struct Server {
    pub(crate) inner: Arc<ServerInner>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("info", &self.inner.info)
            .finish()
    }
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

/// The sessions that get server events, held weakly: a session that ends
/// drops out on its own.
#[derive(Default)]
pub(crate) struct Links {
    list: std::sync::Mutex<(Vec<std::sync::Weak<session::EventLink>>, usize)>,
}

impl Links {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<std::sync::Weak<session::EventLink>>, usize)> {
        self.list.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn register(&self, link: &Arc<session::EventLink>) {
        let mut guard = self.lock();
        let (list, prune_at) = &mut *guard;
        // Ended sessions are swept when the list doubles, which keeps
        // registration amortized O(1).
        if list.len() >= *prune_at {
            list.retain(|w| w.strong_count() > 0);
            *prune_at = (list.len() * 2).max(64);
        }
        list.push(Arc::downgrade(link));
    }

    fn live(&self) -> Vec<Arc<session::EventLink>> {
        self.lock()
            .0
            .iter()
            .filter_map(std::sync::Weak::upgrade)
            .collect()
    }
}

impl Server {
    /// Tells every session, and every subscription, about a change: it
    /// goes on the bus, which is the only way events travel.
    fn announce(&self, ev: ServerEvent) {
        self.inner.bus.publish(ev);
    }

    /// Registers a session for server events, starting the one task per
    /// server that hands the bus's events to its sessions.
    pub(crate) fn register_session(&self, link: &Arc<session::EventLink>) {
        self.inner.fan_out.call_once(|| {
            let mut events = self.inner.bus.subscribe();
            let inner = Arc::downgrade(&self.inner);
            tokio::spawn(async move {
                use futures_util::StreamExt;
                while let Some(ev) = events.next().await {
                    // Sessions hold the server, so none is left once it is gone.
                    let Some(inner) = inner.upgrade() else { break };
                    for link in inner.links.live() {
                        link.deliver(&ev);
                    }
                }
            });
        });
        self.inner.links.register(link);
    }

    /// Starts building a server that calls itself `name` at `version`.
    pub fn builder(name: impl Into<String>, version: impl Into<String>) -> ServerBuilder {
        ServerBuilder {
            info: Implementation::new(name, version),
            instructions: None,
            tools: Vec::new(),
            resources: Vec::new(),
            templates: Vec::new(),
            prompts: Vec::new(),
            page_size: None,
            max_uri_length: DEFAULT_MAX_URI_LENGTH,
            engine: EngineConfig::default(),
            cache_hint: mcpwire_types::CacheHint::new(0, mcpwire_types::CacheScope::Private),
            cache_hints: Vec::new(),
            request_state_keys: RequestStateKeySet(Vec::new()),
            request_state_ttl: request_state::DEFAULT_TTL,
            skills: None,
            tasks: tasks::TaskSettings::default(),
            bus: CustomBus::default(),
        }
    }

    /// The server's identity.
    pub fn info(&self) -> &Implementation {
        &self.inner.info
    }

    /// Adds or replaces a tool; connected clients get `tools/list_changed`.
    pub fn add_tool(&self, tool: ToolRoute) {
        write(&self.inner.tools).insert(tool.def.name.clone(), tool);
        self.announce(ServerEvent::ToolsChanged);
    }

    /// The cache hint of `method`'s stateless results.
    pub(crate) fn cache_hint_of(&self, method: &str) -> mcpwire_types::CacheHint {
        self.inner
            .cache_hints
            .iter()
            .find(|(m, _)| *m == method)
            .map_or(self.inner.cache_hint, |(_, h)| *h)
    }

    /// Runs `f` on the input schema of the tool `name`, if there is one
    /// and `mirrors` says that schema mirrors arguments into headers (asked
    /// once per tool).
    pub fn with_tool_schema<R>(
        &self,
        name: &str,
        mirrors: fn(&serde_json::Map<String, serde_json::Value>) -> bool,
        f: impl FnOnce(&serde_json::Map<String, serde_json::Value>) -> R,
    ) -> Option<R> {
        let tools = read(&self.inner.tools);
        let t = tools.get(name)?;
        let schema = &t.def.input_schema;
        (*t.mirrors_headers.get_or_init(|| mirrors(schema))).then(|| f(schema))
    }

    /// Removes a tool; returns whether it existed.
    pub fn remove_tool(&self, name: &str) -> bool {
        let removed = write(&self.inner.tools).shift_remove(name).is_some();
        if removed {
            self.announce(ServerEvent::ToolsChanged);
        }
        removed
    }

    /// Adds or replaces a resource; clients get `resources/list_changed`.
    pub fn add_resource(&self, resource: ResourceRoute) {
        write(&self.inner.resources).insert(resource.def.uri.clone(), resource);
        self.announce(ServerEvent::ResourcesChanged);
    }

    /// Removes a resource; returns whether it existed.
    pub fn remove_resource(&self, uri: &str) -> bool {
        let removed = write(&self.inner.resources).shift_remove(uri).is_some();
        if removed {
            self.announce(ServerEvent::ResourcesChanged);
        }
        removed
    }

    /// Adds a resource template; clients get `resources/list_changed`.
    pub fn add_template(&self, template: TemplateRoute) {
        write(&self.inner.templates).push(template);
        self.announce(ServerEvent::ResourcesChanged);
    }

    /// Adds or replaces a prompt; clients get `prompts/list_changed`.
    pub fn add_prompt(&self, prompt: PromptRoute) {
        write(&self.inner.prompts).insert(prompt.def.name.clone(), prompt);
        self.announce(ServerEvent::PromptsChanged);
    }

    /// Removes a prompt; returns whether it existed.
    pub fn remove_prompt(&self, name: &str) -> bool {
        let removed = write(&self.inner.prompts).shift_remove(name).is_some();
        if removed {
            self.announce(ServerEvent::PromptsChanged);
        }
        removed
    }

    /// Tells clients subscribed to `uri` that it changed
    /// (`notifications/resources/updated`).
    pub fn resource_updated(&self, uri: impl Into<String>) {
        self.announce(ServerEvent::ResourceUpdated(uri.into()));
    }

    /// Serves one connection over `transport` until the client goes away.
    pub async fn serve<T: Transport>(&self, transport: T) -> Result<(), Error> {
        let (_peer, driver) = self.connect(transport);
        driver.await
    }

    /// Starts serving one connection, returning the peer handle and the
    /// future that drives it.
    pub fn connect<T: Transport>(
        &self,
        transport: T,
    ) -> (
        engine::Peer,
        impl std::future::Future<Output = Result<(), Error>> + Send + 'static,
    ) {
        let conn = Arc::new(session::Connection::new(self.clone()));
        let (peer, driver) = engine::connect(conn.clone(), transport, self.inner.engine.clone());
        conn.attach(peer.clone());
        (peer, driver)
    }

    /// Like [`Server::connect`], with a caller that runs requests in the
    /// caller's own task.
    pub fn connect_inline<T: Transport>(
        &self,
        transport: T,
    ) -> (
        engine::Peer,
        impl std::future::Future<Output = Result<(), Error>> + Send + 'static,
        engine::Inline,
    ) {
        let conn = Arc::new(session::Connection::new(self.clone()));
        let (peer, driver, inline) =
            engine::connect_inline(conn.clone(), transport, self.inner.engine.clone());
        conn.attach(peer.clone());
        (peer, driver, inline)
    }

    /// Serves over stdin and stdout until stdin closes. Log to stderr only.
    pub async fn serve_stdio(&self) -> Result<(), Error> {
        let limit = self.inner.engine.max_message_size;
        self.serve(transport::stdio::stdio_with_limit(limit)).await
    }
}

/// A bundle of routes, as the `#[mcpwire::routes]` macro generates for an
/// `impl` block; add it with [`ServerBuilder::routes`].
#[derive(Debug, Clone, Default)]
pub struct Routes {
    /// Tools.
    pub tools: Vec<ToolRoute>,
    /// Fixed resources.
    pub resources: Vec<ResourceRoute>,
    /// Resource templates.
    pub templates: Vec<TemplateRoute>,
    /// Prompts.
    pub prompts: Vec<PromptRoute>,
}

/// Builds a [`Server`].
#[derive(Debug)]
#[must_use]
pub struct ServerBuilder {
    info: Implementation,
    instructions: Option<String>,
    tools: Vec<ToolRoute>,
    resources: Vec<ResourceRoute>,
    templates: Vec<TemplateRoute>,
    prompts: Vec<PromptRoute>,
    page_size: Option<usize>,
    max_uri_length: usize,
    engine: EngineConfig,
    cache_hint: mcpwire_types::CacheHint,
    cache_hints: Vec<(&'static str, mcpwire_types::CacheHint)>,
    request_state_keys: RequestStateKeySet,
    request_state_ttl: std::time::Duration,
    skills: Option<Vec<Skill>>,
    tasks: tasks::TaskSettings,
    bus: CustomBus,
}

/// A bus given to the builder; shown in `Debug` output only as present.
#[derive(Default)]
struct CustomBus(Option<Arc<dyn NotificationBus>>);

impl std::fmt::Debug for CustomBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "custom"
        } else {
            "in-process"
        })
    }
}

/// Secret keys, kept out of `Debug` output.
struct RequestStateKeySet(Vec<Vec<u8>>);

impl std::fmt::Debug for RequestStateKeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} key(s)]", self.0.len())
    }
}

impl ServerBuilder {
    /// The secret keys that seal the `requestState` of multi round-trip
    /// requests (2026-07-28) with HMAC-SHA256. States are sealed with the
    /// first key and accepted when sealed with any of them, so keys can be
    /// rotated: put the new key first and keep the old ones until the states
    /// they sealed have expired. Servers behind a load balancer must share
    /// their keys.
    ///
    /// Default (and with an empty list): one random 32-byte key made at
    /// [`build`](Self::build), so states do not survive a restart.
    pub fn request_state_keys(mut self, keys: Vec<Vec<u8>>) -> Self {
        self.request_state_keys = RequestStateKeySet(keys);
        self
    }

    /// How long a sealed `requestState` stays valid, in whole seconds
    /// (default: 10 minutes). A retry with an older state is refused with
    /// `-32602`.
    pub fn request_state_ttl(mut self, ttl: std::time::Duration) -> Self {
        self.request_state_ttl = ttl;
        self
    }

    /// The cache hint (`ttlMs`, `cacheScope`) that stateless list and read
    /// results carry unless a handler sets its own (default: stale at once,
    /// private). A read handler may set its own on its result.
    pub fn cache_hint(mut self, hint: mcpwire_types::CacheHint) -> Self {
        self.cache_hint = hint;
        self
    }

    /// The cache hint of one cacheable method's stateless results, instead
    /// of [`cache_hint`](Self::cache_hint): `server/discover`, `tools/list`,
    /// `resources/list`, `resources/templates/list`, `prompts/list` or
    /// `resources/read` (which [`ResourceRoute::cache_hint`] refines per
    /// resource). Other methods carry no hint.
    ///
    /// ```
    /// use mcpwire_server::Server;
    /// use mcpwire_types::{CacheHint, CacheScope, methods};
    /// let server = Server::builder("catalog", "1.0.0")
    ///     .cache_hint_for(methods::TOOLS_LIST, CacheHint::new(60_000, CacheScope::Public))
    ///     .build();
    /// # let _ = server;
    /// ```
    pub fn cache_hint_for(mut self, method: &'static str, hint: mcpwire_types::CacheHint) -> Self {
        self.cache_hints.retain(|(m, _)| *m != method);
        self.cache_hints.push((method, hint));
        self
    }

    /// Sets the instructions sent to clients on initialization.
    pub fn instructions(mut self, text: impl Into<String>) -> Self {
        self.instructions = Some(text.into());
        self
    }

    /// Sets the server's human-readable title.
    pub fn title(mut self, text: impl Into<String>) -> Self {
        self.info.title = Some(text.into());
        self
    }

    /// Edits the server's identity (website, icons, description).
    pub fn with_info(mut self, edit: impl FnOnce(&mut Implementation)) -> Self {
        edit(&mut self.info);
        self
    }

    /// Adds a tool.
    pub fn tool(mut self, tool: ToolRoute) -> Self {
        self.tools.push(tool);
        self
    }

    /// Adds several tools.
    pub fn tools(mut self, tools: impl IntoIterator<Item = ToolRoute>) -> Self {
        self.tools.extend(tools);
        self
    }

    /// Adds every route of a bundle.
    pub fn routes(mut self, routes: Routes) -> Self {
        self.tools.extend(routes.tools);
        self.resources.extend(routes.resources);
        self.templates.extend(routes.templates);
        self.prompts.extend(routes.prompts);
        self
    }

    /// Adds a resource.
    pub fn resource(mut self, resource: ResourceRoute) -> Self {
        self.resources.push(resource);
        self
    }

    /// Adds a resource template.
    pub fn template(mut self, template: TemplateRoute) -> Self {
        self.templates.push(template);
        self
    }

    /// Adds a prompt.
    pub fn prompt(mut self, prompt: PromptRoute) -> Self {
        self.prompts.push(prompt);
        self
    }

    /// Splits list results into pages of at most `n` items (default: one
    /// page). Cursors are opaque to clients.
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = Some(n.max(1));
        self
    }

    /// The longest URI, in bytes, that `resources/read`,
    /// `resources/subscribe`, `resources/unsubscribe`, `subscriptions/listen`
    /// and a `completion/complete` reference may name (default:
    /// [`DEFAULT_MAX_URI_LENGTH`], 64 KiB). A longer one is refused with
    /// `-32602`, and the error quotes only its first
    /// [`QUOTED_URI_CHARS`] characters.
    ///
    /// ```
    /// use mcpwire_server::Server;
    /// let server = Server::builder("files", "1.0.0").max_uri_length(4096).build();
    /// # let _ = server;
    /// ```
    pub fn max_uri_length(mut self, bytes: usize) -> Self {
        self.max_uri_length = bytes;
        self
    }

    /// Publishes the server's changes on `bus` and reads them back from
    /// it, instead of on a bus of its own ([`InProcessBus`]). Give every
    /// replica of a server the same shared bus and each tells its clients
    /// about changes made on any of them.
    pub fn notification_bus(mut self, bus: Arc<dyn NotificationBus>) -> Self {
        self.bus = CustomBus(Some(bus));
        self
    }

    /// Sets the engine settings (concurrency, timeouts, shutdown grace).
    pub fn engine(mut self, config: EngineConfig) -> Self {
        self.engine = config;
        self
    }

    /// Builds the server.
    pub fn build(self) -> Server {
        let info_json = serde_json::to_value(&self.info).unwrap_or_default();
        let info_meta = serde_json::json!({ mcpwire_types::meta::SERVER_INFO: info_json.clone() });
        Server {
            inner: Arc::new(ServerInner {
                info_meta_json: serde_json::to_vec(&info_meta).unwrap_or_default(),
                info_json,
                info_meta,
                info: self.info,
                instructions: self.instructions,
                tools: RwLock::new(
                    self.tools
                        .into_iter()
                        .map(|t| (t.def.name.clone(), t))
                        .collect(),
                ),
                resources: RwLock::new(
                    self.resources
                        .into_iter()
                        .map(|r| (r.def.uri.clone(), r))
                        .collect(),
                ),
                templates: RwLock::new(self.templates),
                prompts: RwLock::new(
                    self.prompts
                        .into_iter()
                        .map(|p| (p.def.name.clone(), p))
                        .collect(),
                ),
                bus: self
                    .bus
                    .0
                    .unwrap_or_else(|| Arc::new(InProcessBus::default())),
                links: Links::default(),
                fan_out: std::sync::Once::new(),
                page_size: self.page_size,
                max_uri_length: self.max_uri_length,
                engine: self.engine,
                cache_hint: self.cache_hint,
                cache_hints: self.cache_hints,
                request_state: request_state::RequestStateKeys::new(
                    self.request_state_keys.0,
                    self.request_state_ttl,
                ),
                skills: skill_catalog::SkillCatalog::new(self.skills),
                tasks: tasks::runtime(self.tasks),
            }),
        }
    }
}
