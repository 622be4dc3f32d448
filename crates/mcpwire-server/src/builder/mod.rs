//! Building a [`Server`]: its identity, routes, limits, the state stores
//! it writes through, and the extensions it serves (tasks and skills are
//! configured here too).

use std::collections::HashSet;
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use mcpwire_rpc::engine::EngineConfig;
use mcpwire_types::Implementation;

mod routes;

pub use routes::{IntoRoutes, Routes, SharedRoutes};

use super::build_error::{BuildError, check_unique};
use super::extract::StateMap;
use super::registry::Registry;
use super::session_store::SessionStore;
use super::skill_catalog::{SkillCatalog, SkillsExtension};
use super::subscriptions::Subscriptions;
use super::tasks::{TaskRuntime, TaskSettings, TaskStore, TasksExtension};
use super::{
    DEFAULT_MAX_URI_LENGTH, InProcessBus, NotificationBus, PromptRoute, ResourceRoute, Server,
    ServerExtension, ServerInner, Skill, TemplateRoute, ToolRoute, events, request_state,
};

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
    request_state_ring: Option<crate::KeyRing>,
    request_state_ttl: Duration,
    skills: Option<Vec<Skill>>,
    tasks: TaskSettings,
    bus: Custom<dyn NotificationBus>,
    sessions: Custom<dyn SessionStore>,
    extensions: Extensions,
    state: StateMap,
}

/// A store or bus given to the builder; shown in `Debug` output only as
/// present.
struct Custom<T: ?Sized>(Option<Arc<T>>);

impl<T: ?Sized> Default for Custom<T> {
    fn default() -> Self {
        Custom(None)
    }
}

impl<T: ?Sized> std::fmt::Debug for Custom<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "custom"
        } else {
            "in-process"
        })
    }
}

/// The extensions given to the builder, shown in `Debug` output by number.
#[derive(Default)]
struct Extensions(Vec<Arc<dyn ServerExtension>>);

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} extension(s)]", self.0.len())
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
    pub(crate) fn new(info: Implementation) -> Self {
        ServerBuilder {
            info,
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
            request_state_ring: None,
            request_state_ttl: request_state::DEFAULT_TTL,
            skills: None,
            tasks: TaskSettings::default(),
            bus: Custom::default(),
            sessions: Custom::default(),
            extensions: Extensions::default(),
            state: StateMap::default(),
        }
    }

    /// Shares `value` with every handler, which takes it as a
    /// [`State<T>`](crate::State) parameter (or with
    /// `State::<T>::from_context`). The server keeps one value per type: a
    /// second value of the same type replaces the first. Give it something
    /// cheap to share, such as a pool or an `Arc`'d cache; handlers get it
    /// by reference count, never by copy.
    ///
    /// ```
    /// use mcpwire_server::{Context, FromContext, Server, State, ToolRoute};
    ///
    /// struct Config { greeting: String }
    ///
    /// let server = Server::builder("greeter", "1.0.0")
    ///     .state(Config { greeting: "Hello".into() })
    ///     .tool(ToolRoute::typed("greet", |cx: Context, _: ()| async move {
    ///         let config = State::<Config>::from_context(&cx)?;
    ///         Ok::<_, mcpwire_rpc::Error>(config.greeting.clone())
    ///     }))
    ///     .build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// The secret keys that seal the `requestState` of multi round-trip
    /// requests (2026-07-28) with HMAC-SHA256. States are sealed with the
    /// first key and accepted when sealed with any of them, so keys can be
    /// rotated: put the new key first and keep the old ones until the states
    /// they sealed have expired. Servers behind a load balancer must share
    /// their keys.
    ///
    /// Default (and with an empty list): one random 32-byte key made at
    /// [`build`](Self::build), so states do not survive a restart.
    ///
    /// ```
    /// use mcpwire_server::Server;
    /// // Rotation: seal with the new key, still open states the old one sealed.
    /// // (Read real keys from your secret store, and give every replica the same.)
    /// let (new_key, old_key) = (vec![7u8; 32], vec![3u8; 32]);
    /// let server = Server::builder("shop", "1.0.0")
    ///     .request_state_keys(vec![new_key, old_key])
    ///     .build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn request_state_keys(mut self, keys: Vec<Vec<u8>>) -> Self {
        self.request_state_keys = RequestStateKeySet(keys);
        self
    }

    /// Seals `requestState` with the keys of `ring`, read at each use, so
    /// that they can rotate while the server runs and every replica that
    /// shares the ring opens what any of them sealed. Keys given to
    /// [`request_state_keys`](Self::request_state_keys) win over a ring.
    ///
    /// ```
    /// use mcpwire_server::{KeyRing, Server};
    /// let ring = KeyRing::new(vec![vec![7u8; 32]]);
    /// let server = Server::builder("shop", "1.0.0").request_state_key_ring(ring.clone()).build()?;
    /// ring.set(vec![vec![8u8; 32], vec![7u8; 32]]); // later, to rotate
    /// # let _ = server; Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn request_state_key_ring(mut self, ring: crate::KeyRing) -> Self {
        self.request_state_ring = Some(ring);
        self
    }

    /// How long a sealed `requestState` stays valid, in whole seconds
    /// (default: 10 minutes). A retry with an older state is refused with
    /// `-32602`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_server::Server;
    /// // Users get two minutes to answer a question before the call must start over.
    /// let server = Server::builder("shop", "1.0.0")
    ///     .request_state_ttl(Duration::from_secs(120))
    ///     .build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn request_state_ttl(mut self, ttl: Duration) -> Self {
        self.request_state_ttl = ttl;
        self
    }

    /// The cache hint (`ttlMs`, `cacheScope`) that stateless list and read
    /// results carry unless a handler sets its own (default: stale at once,
    /// private). A read handler may set its own on its result.
    ///
    /// ```
    /// use mcpwire_server::Server;
    /// use mcpwire_types::{CacheHint, CacheScope};
    /// // Lists and reads may be reused for 30 seconds, by this user only.
    /// let server = Server::builder("catalog", "1.0.0")
    ///     .cache_hint(CacheHint::new(30_000, CacheScope::Private))
    ///     .build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn cache_hint(mut self, hint: mcpwire_types::CacheHint) -> Self {
        self.cache_hint = hint;
        self
    }

    /// The cache hint of one cacheable method's stateless results, instead
    /// of [`cache_hint`](Self::cache_hint): `server/discover`, `tools/list`,
    /// `resources/list`, `resources/templates/list`, `prompts/list`,
    /// `resources/read` (which [`ResourceRoute::cache_hint`] refines per
    /// resource), or an extension's cacheable method (`skills/list`,
    /// `skills/get`). Other methods carry no hint.
    ///
    /// ```
    /// use mcpwire_server::Server;
    /// use mcpwire_types::{CacheHint, CacheScope, methods};
    /// let server = Server::builder("catalog", "1.0.0")
    ///     .cache_hint_for(methods::TOOLS_LIST, CacheHint::new(60_000, CacheScope::Public))
    ///     .build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn cache_hint_for(mut self, method: &'static str, hint: mcpwire_types::CacheHint) -> Self {
        self.cache_hints.retain(|(m, _)| *m != method);
        self.cache_hints.push((method, hint));
        self
    }

    /// Sets the instructions sent to clients on initialization.
    ///
    /// ```
    /// use mcpwire_server::Server;
    /// let server = Server::builder("notes", "1.0.0")
    ///     .instructions("Search before you create a note.")
    ///     .build()?;
    /// # use std::sync::Arc;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
    /// # struct Raw;
    /// # impl Service for Raw {
    /// #     async fn handle_request(&self, r: mcpwire_types::Request, _: RequestContext) -> Result<Reply, mcpwire_rpc::Error> {
    /// #         Err(mcpwire_rpc::Error::method_not_found(&r.method))
    /// #     }
    /// #     async fn handle_notification(&self, _: mcpwire_types::Notification, _: &Peer) {}
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let (a, b) = mcpwire_rpc::transport::memory::duplex();
    /// # let (_server, serving) = server.connect(a);
    /// # tokio::spawn(serving);
    /// # let (client, driver) = engine::connect(Arc::new(Raw), b, EngineConfig::default());
    /// # tokio::spawn(driver);
    /// # let hello = serde_json::json!({
    /// #     "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"},
    /// # });
    /// let init = client.request("initialize", Some(hello)).await?;
    /// assert_eq!(init["instructions"], "Search before you create a note.");
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn instructions(mut self, text: impl Into<String>) -> Self {
        self.instructions = Some(text.into());
        self
    }

    /// Sets the server's human-readable title.
    ///
    /// ```
    /// use mcpwire_server::Server;
    /// let server = Server::builder("weather", "1.0.0").title("Weather").build()?;
    /// assert_eq!(server.info().title.as_deref(), Some("Weather"));
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn title(mut self, text: impl Into<String>) -> Self {
        self.info.title = Some(text.into());
        self
    }

    /// Edits the server's identity (website, icons, description).
    ///
    /// ```
    /// use mcpwire_server::Server;
    /// let server = Server::builder("weather", "1.0.0")
    ///     .with_info(|info| {
    ///         info.description = Some("Forecasts for any city".into());
    ///         info.website_url = Some("https://example.com/weather".into());
    ///     })
    ///     .build()?;
    /// assert_eq!(server.info().website_url.as_deref(), Some("https://example.com/weather"));
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn with_info(mut self, edit: impl FnOnce(&mut Implementation)) -> Self {
        edit(&mut self.info);
        self
    }

    /// Splits list results into pages of at most `n` items (default: one
    /// page). Cursors are opaque to clients.
    ///
    /// ```
    /// use mcpwire_server::{Server, ToolRoute};
    /// let tool = |name: &str| ToolRoute::typed(name, |_cx, (): ()| async { "ok" });
    /// let server = Server::builder("many", "1.0.0")
    ///     .tools([tool("a"), tool("b"), tool("c")])
    ///     .page_size(2)
    ///     .build()?;
    /// # use std::sync::Arc;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
    /// # struct Raw;
    /// # impl Service for Raw {
    /// #     async fn handle_request(&self, r: mcpwire_types::Request, _: RequestContext) -> Result<Reply, mcpwire_rpc::Error> {
    /// #         Err(mcpwire_rpc::Error::method_not_found(&r.method))
    /// #     }
    /// #     async fn handle_notification(&self, _: mcpwire_types::Notification, _: &Peer) {}
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let (a, b) = mcpwire_rpc::transport::memory::duplex();
    /// # let (_server, serving) = server.connect(a);
    /// # tokio::spawn(serving);
    /// # let (client, driver) = engine::connect(Arc::new(Raw), b, EngineConfig::default());
    /// # tokio::spawn(driver);
    /// # let hello = serde_json::json!({
    /// #     "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"},
    /// # });
    /// client.request("initialize", Some(hello)).await?;
    /// let first = client.request("tools/list", None).await?;
    /// assert_eq!(first["tools"].as_array().map(Vec::len), Some(2));
    /// let cursor = first["nextCursor"].clone();
    /// let rest = client.request("tools/list", Some(serde_json::json!({ "cursor": cursor }))).await?;
    /// assert_eq!(rest["tools"][0]["name"], "c");
    /// assert!(rest.get("nextCursor").is_none());
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = Some(n.max(1));
        self
    }

    /// The longest URI, in bytes, that `resources/read`,
    /// `resources/subscribe`, `resources/unsubscribe`, `subscriptions/listen`
    /// and a `completion/complete` reference may name (default:
    /// [`DEFAULT_MAX_URI_LENGTH`], 64 KiB). A longer one is refused with
    /// `-32602`, and the error quotes only its first
    /// [`QUOTED_URI_CHARS`](crate::QUOTED_URI_CHARS) characters.
    ///
    /// ```
    /// use mcpwire_server::Server;
    /// let server = Server::builder("files", "1.0.0").max_uri_length(4096).build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn max_uri_length(mut self, bytes: usize) -> Self {
        self.max_uri_length = bytes;
        self
    }

    /// Publishes the server's changes on `bus` and reads them back from
    /// it, instead of on a bus of its own ([`InProcessBus`]). Give every
    /// replica of a server the same shared bus and each tells its clients
    /// about changes made on any of them.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use mcpwire_server::{InProcessBus, NotificationBus, Server};
    /// // One bus shared by two servers: a tool added to one is announced to the
    /// // clients of both. Across processes, share a bus backed by a broker.
    /// let bus: Arc<dyn NotificationBus> = Arc::new(InProcessBus::with_capacity(1024));
    /// let a = Server::builder("replica", "1.0.0").notification_bus(bus.clone()).build()?;
    /// let b = Server::builder("replica", "1.0.0").notification_bus(bus).build()?;
    /// # let _ = (a, b);
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn notification_bus(mut self, bus: Arc<dyn NotificationBus>) -> Self {
        self.bus = Custom(Some(bus));
        self
    }

    /// Writes what each session negotiated through to `store`. Without a
    /// store, a session's state lives in its connection's memory only,
    /// which costs nothing extra; an [`InMemorySessionStore`](crate::InMemorySessionStore) keeps a
    /// readable copy in this process, and a shared store lets other
    /// processes read it. See [`SessionStore`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use mcpwire_server::{InMemorySessionStore, Server};
    /// let store = Arc::new(InMemorySessionStore::new(10_000));
    /// let server = Server::builder("api", "1.0.0").session_store(store).build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn session_store(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.sessions = Custom(Some(store));
        self
    }

    /// Sets the engine settings (concurrency, timeouts, shutdown grace).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_rpc::engine::EngineConfig;
    /// use mcpwire_server::Server;
    /// let server = Server::builder("api", "1.0.0")
    ///     .engine(EngineConfig::default().max_concurrency(16).request_timeout(Duration::from_secs(30)))
    ///     .build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn engine(mut self, config: EngineConfig) -> Self {
        self.engine = config;
        self
    }

    /// Serves an extension: its methods, its declaration in `initialize`
    /// and `server/discover`, and its cacheable results. Extensions
    /// declare in the order they were added, after the built-in ones
    /// (skills, tasks, subscriptions); a method two extensions name goes to
    /// the first.
    ///
    /// See [`ServerExtension`] for an example.
    ///
    /// ```
    /// # use mcpwire_server::{BoxFuture, Eras, ExtensionRequest, ExtensionRoute, ServerExtension};
    /// # use mcpwire_types::{Era, ServerCapabilities};
    /// # use serde_json::{Value, json};
    /// # struct Clock;
    /// # impl ServerExtension for Clock {
    /// #     fn declare(&self, _: &mcpwire_server::Server, _: Era, caps: &mut ServerCapabilities) {
    /// #         caps.extensions.get_or_insert_with(Default::default).insert("com.example/time".into(), json!({}));
    /// #     }
    /// #     fn routes(&self) -> &[ExtensionRoute] {
    /// #         const ROUTES: &[ExtensionRoute] = &[ExtensionRoute::new("time/now", Eras::BOTH)];
    /// #         ROUTES
    /// #     }
    /// #     fn handle(&self, _: ExtensionRequest) -> BoxFuture<Result<Value, mcpwire_rpc::Error>> {
    /// #         Box::pin(async { Ok(json!({ "now": "12:00" })) })
    /// #     }
    /// # }
    /// use mcpwire_server::Server;
    /// // `Clock` serves `time/now` and declares `com.example/time`.
    /// let server = Server::builder("clock", "1.0.0").extension(Clock).build()?;
    /// # use std::sync::Arc;
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
    /// # struct Raw;
    /// # impl Service for Raw {
    /// #     async fn handle_request(&self, r: mcpwire_types::Request, _: RequestContext) -> Result<Reply, mcpwire_rpc::Error> {
    /// #         Err(mcpwire_rpc::Error::method_not_found(&r.method))
    /// #     }
    /// #     async fn handle_notification(&self, _: mcpwire_types::Notification, _: &Peer) {}
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let (a, b) = mcpwire_rpc::transport::memory::duplex();
    /// # let (_server, serving) = server.connect(a);
    /// # tokio::spawn(serving);
    /// # let (client, driver) = engine::connect(Arc::new(Raw), b, EngineConfig::default());
    /// # tokio::spawn(driver);
    /// # let hello = serde_json::json!({
    /// #     "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"},
    /// # });
    /// let init = client.request("initialize", Some(hello)).await?;
    /// assert!(init["capabilities"]["extensions"]["com.example/time"].is_object());
    /// assert_eq!(client.request("time/now", None).await?["now"], "12:00");
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn extension(mut self, extension: impl ServerExtension) -> Self {
        self.extensions.0.push(Arc::new(extension));
        self
    }

    /// Publishes a skill (the skills extension, SEP-2640): the server
    /// declares `io.modelcontextprotocol/skills` with `directoryRead`,
    /// serves every file of the skill as a resource, and answers
    /// `skills/list`, `skills/get` and `resources/directory/read`. A skill
    /// at the same URI as an earlier one replaces it.
    ///
    /// ```
    /// use mcpwire_server::{Server, Skill};
    /// let skill = Skill::from_files([(
    ///     "SKILL.md",
    ///     "---\nname: refunds\ndescription: Process refunds per policy\n---\n",
    /// )])
    /// .unwrap()
    /// .under("acme/billing")
    /// .unwrap();
    /// let server = Server::builder("billing", "1.0.0").skill(skill).build()?;
    /// assert_eq!(server.skills().len(), 1);
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn skill(self, skill: Skill) -> Self {
        self.skills([skill])
    }

    /// Publishes several skills. With none, the server still declares the
    /// extension and answers `skills/list` with an empty listing.
    ///
    /// ```
    /// use mcpwire_server::{Server, Skill};
    /// let skill = |name: &str| {
    ///     let front = format!("---\nname: {name}\ndescription: How to handle {name}\n---\n");
    ///     Skill::from_files([("SKILL.md", front)]).expect("a valid skill")
    /// };
    /// let server = Server::builder("support", "1.0.0")
    ///     .skills([skill("refunds"), skill("returns")])
    ///     .build()?;
    /// assert_eq!(server.skills().len(), 2);
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn skills(mut self, skills: impl IntoIterator<Item = Skill>) -> Self {
        let list = self.skills.get_or_insert_with(Vec::new);
        for skill in skills {
            if let Some(i) = list.iter().position(|s| s.uri() == skill.uri()) {
                let old = list.remove(i);
                let stale: HashSet<&str> = old.file_uris().collect();
                self.resources
                    .retain(|r| !stale.contains(r.def.uri.as_str()));
            }
            self.resources.extend(skill.resource_routes());
            list.push(skill);
        }
        self
    }

    /// Where task state is kept (default: an
    /// [`InMemoryTaskStore`](crate::InMemoryTaskStore) of
    /// [`DEFAULT_MAX_TASKS`](crate::DEFAULT_MAX_TASKS) tasks).
    ///
    /// ```
    /// use mcpwire_server::{InMemoryTaskStore, Server};
    /// // Keep at most 500 tasks in this process.
    /// let server = Server::builder("jobs", "1.0.0").task_store(InMemoryTaskStore::new(500)).build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn task_store(mut self, store: impl TaskStore) -> Self {
        self.tasks.store = Arc::new(store);
        self
    }

    /// How long a task is kept after it was created, unless a 2025-11-25
    /// client asks for another time (default
    /// [`DEFAULT_TASK_TTL`](crate::DEFAULT_TASK_TTL); never more than
    /// [`max_task_ttl`](Self::max_task_ttl)). A task still running when its
    /// time runs out is cancelled.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_server::Server;
    /// // Results stay an hour, unless a client asks for less (or, up to a day, more).
    /// let server = Server::builder("jobs", "1.0.0")
    ///     .max_task_ttl(Duration::from_secs(24 * 3600))
    ///     .task_ttl(Duration::from_secs(3600))
    ///     .build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn task_ttl(mut self, ttl: Duration) -> Self {
        self.tasks.default_ttl = ttl.min(self.tasks.max_ttl);
        self
    }

    /// The longest time to live a client may ask for (default
    /// [`MAX_TASK_TTL`](crate::MAX_TASK_TTL)).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_server::Server;
    /// // No client may keep a task longer than six hours; a longer ask is cut to it.
    /// let server = Server::builder("jobs", "1.0.0").max_task_ttl(Duration::from_secs(6 * 3600)).build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn max_task_ttl(mut self, max: Duration) -> Self {
        self.tasks.max_ttl = max;
        self.tasks.default_ttl = self.tasks.default_ttl.min(max);
        self
    }

    /// How often clients are asked to poll a task (default
    /// [`DEFAULT_POLL_INTERVAL`](crate::DEFAULT_POLL_INTERVAL)).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcpwire_server::Server;
    /// // Long jobs: ask clients to poll every five seconds.
    /// let server = Server::builder("jobs", "1.0.0").task_poll_interval(Duration::from_secs(5)).build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn task_poll_interval(mut self, every: Duration) -> Self {
        self.tasks.poll_interval = every;
        self
    }

    /// Builds the server; refuses two tools or two prompts of the same
    /// name, two resources at the same URI, or two templates with the same
    /// URI template, naming the duplicate.
    ///
    /// ```
    /// use mcpwire_server::{BuildError, PromptRoute, Server};
    /// let hi = || PromptRoute::typed("hi", |_cx, _a: ()| async { "Say hi".to_owned() });
    /// let e = Server::builder("s", "1").prompt(hi()).prompt(hi()).build();
    /// assert_eq!(e.unwrap_err(), BuildError::DuplicatePrompt("hi".into()));
    /// ```
    pub fn build(self) -> Result<Server, BuildError> {
        check_unique(&self.tools, &self.resources, &self.templates, &self.prompts)?;
        // An `Implementation` always serializes; the fallbacks are never used.
        let null = || serde_json::value::RawValue::NULL.to_owned();
        let info_json = serde_json::value::to_raw_value(&self.info).unwrap_or_else(|_| null());
        let info_meta = serde_json::value::to_raw_value(
            &[(mcpwire_types::meta::SERVER_INFO, &self.info)]
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .unwrap_or_else(|_| null());
        let mut registry = Registry::default();
        for t in self.tools {
            registry.insert_tool(t);
        }
        for r in self.resources {
            registry.insert_resource(r);
        }
        for t in self.templates {
            registry.insert_template(t);
        }
        for p in self.prompts {
            registry.insert_prompt(p);
        }
        let skills = Arc::new(SkillCatalog::new(self.skills));
        let tasks = Arc::new(TaskRuntime::new(self.tasks));
        let mut extensions: Vec<Arc<dyn ServerExtension>> = vec![
            Arc::new(SkillsExtension(skills.clone())),
            Arc::new(TasksExtension(tasks.clone())),
            Arc::new(Subscriptions),
        ];
        extensions.extend(self.extensions.0);
        let bus = self
            .bus
            .0
            .unwrap_or_else(|| Arc::new(InProcessBus::default()));
        Ok(Server {
            inner: Arc::new(ServerInner {
                info_json,
                info_meta,
                info: self.info,
                instructions: self.instructions,
                offered: AtomicU32::new(registry.offered()),
                registry: RwLock::new(registry),
                announcer: crate::announce::Announcer::new(bus.clone()),
                bus,
                links: events::Links::default(),
                fan_out: std::sync::Once::new(),
                page_size: self.page_size,
                max_uri_length: self.max_uri_length,
                engine: self.engine,
                cache_hint: self.cache_hint,
                cache_hints: self.cache_hints,
                request_state: match self.request_state_ring {
                    Some(ring) if self.request_state_keys.0.is_empty() => {
                        request_state::RequestStateKeys::with_ring(ring, self.request_state_ttl)
                    }
                    _ => request_state::RequestStateKeys::new(
                        self.request_state_keys.0,
                        self.request_state_ttl,
                    ),
                },
                skills,
                tasks,
                extensions,
                sessions: self.sessions.0,
                state: self.state,
            }),
        })
    }
}
