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
//!     .build()?
//!     .serve_stdio()
//!     .await
//! # }
//! ```
//!
//! # How a request is served
//!
//! A connection reads the era of each request, asks the router which
//! route serves its method (`-32601` when none
//! does in that era, or when the server does not declare the capability
//! the method belongs to), and runs it: a core method (tools, resources,
//! prompts, completion, the handshake), or a method of a
//! [`ServerExtension`] (tasks, skills, subscriptions, or one of your own).

#[doc(hidden)]
#[path = "macro_support.rs"]
pub mod __private;
mod announce;
pub mod apps;
mod arguments;
mod build_error;
mod builder;
mod bus;
mod calls;
mod capabilities;
mod completion;
mod context;
mod discover;
mod envelope;
mod events;
mod extension;
mod extract;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzz_api;
mod input;
mod key_ring;
mod lifecycle;
mod listen;
mod lists;
mod params;
mod portable;
mod prompt;
mod registry;
mod request_state;
mod resource;
mod router;
mod schema;
mod seed;
mod session;
mod session_store;
mod skill_catalog;
mod skills;
mod state;
mod subscriptions;
mod tasks;
mod tcp;
mod tool;
mod tool_error;
#[cfg(unix)]
mod unix_socket;
mod uri_limit;
mod uri_template;

use std::sync::atomic::AtomicU32;
use std::sync::{Arc, RwLock};

pub use announce::{MAX_UNPUBLISHED_EVENTS, PUBLISH_TIMEOUT};
pub use build_error::BuildError;
pub use builder::{IntoRoutes, Routes, ServerBuilder, SharedRoutes};
pub use bus::{BusError, EventStream, InProcessBus, NotificationBus, ServerEvent};
pub use completion::{CompleteFn, Completer, GivenArguments, MAX_COMPLETION_VALUES};
pub use context::Context;
pub use extension::{Eras, ExtensionRequest, ExtensionRoute, ServerExtension};
pub use extract::{Cancel, Extension, FromContext, RequestMeta, State};
pub use key_ring::{KeyRing, WeakKeyRing};
pub use listen::{DEFAULT_MAX_CONNECTIONS, ListenError, SocketConfig};
use mcpwire_types::Implementation;
pub use mcpwire_types::{Era, PendingInput};
pub use portable::{SchemaIssue, check_portable};
pub use prompt::{
    IntoPromptResult, PromptHandler, PromptRoute, arguments_for, parse_prompt_arguments,
};
pub use resource::{
    AnyResourceRoute, IntoReadResult, ResourceHandler, ResourceRoute, TemplateRoute,
};
pub use schema::{object_schema, schema_for};
pub use seed::{SessionHandle, SessionSeed};
pub use session_store::{
    DEFAULT_MAX_SESSIONS, InMemorySessionStore, SessionRecord, SessionStore, SessionStoreError,
    Touched,
};
pub use skills::{MAX_DESCRIPTION_CHARS, Skill, SkillBuildError};
pub use state::MAX_SUBSCRIPTIONS_PER_SESSION;
pub use tasks::{
    DEFAULT_MAX_TASKS, DEFAULT_POLL_INTERVAL, DEFAULT_TASK_TTL, InMemoryTaskStore, MAX_TASK_TTL,
    TaskChange, TaskOutcome, TaskPage, TaskRecord, TaskStore, TaskStoreError,
};
pub use tool::{
    BoxFuture, IntoToolResult, Json, ToolHandler, ToolRoute, input_schema_for, output_schema_for,
    parse_arguments,
};
pub use tool_error::ToolError;
#[cfg(unix)]
pub use unix_socket::UnixSocketListener;
pub use uri_limit::{DEFAULT_MAX_URI_LENGTH, QUOTED_URI_CHARS};
pub use uri_template::{TemplateError, UriTemplate};

use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{self, EngineConfig};
use mcpwire_rpc::transport::{self, Transport};

pub(crate) struct ServerInner {
    pub(crate) info: Implementation,
    /// `info` as the JSON every stateless result carries in its `_meta`,
    /// serialized once: it is copied into each result as it is.
    pub(crate) info_json: Box<serde_json::value::RawValue>,
    /// The `_meta` of a stateless result that has none of its own, the
    /// server's info alone, serialized once.
    pub(crate) info_meta: Box<serde_json::value::RawValue>,
    pub(crate) instructions: Option<String>,
    /// The tools, resources, templates and prompts, and their list pages.
    pub(crate) registry: RwLock<registry::Registry>,
    /// What the registry offers, as [`capabilities::Offered`] bits: read on
    /// every request, written under the registry's lock.
    pub(crate) offered: AtomicU32,
    /// Where changes are published, and read back by sessions and
    /// subscriptions.
    pub(crate) bus: Arc<dyn NotificationBus>,
    /// Publishes on `bus`, in order, from the server's synchronous methods.
    pub(crate) announcer: Arc<announce::Announcer>,
    pub(crate) links: events::Links,
    /// Set once the task that feeds `links` from the bus is running.
    pub(crate) fan_out: std::sync::Once,
    pub(crate) page_size: Option<usize>,
    /// The longest URI a request may name, in bytes.
    pub(crate) max_uri_length: usize,
    pub(crate) engine: EngineConfig,
    pub(crate) cache_hint: mcpwire_types::CacheHint,
    /// Hints of their own for some cacheable methods.
    pub(crate) cache_hints: Vec<(&'static str, mcpwire_types::CacheHint)>,
    pub(crate) request_state: request_state::RequestStateKeys,
    pub(crate) skills: Arc<skill_catalog::SkillCatalog>,
    pub(crate) tasks: Arc<tasks::TaskRuntime>,
    /// Every extension, the built-in ones (skills, tasks, subscriptions)
    /// first, in the order their declarations are made.
    pub(crate) extensions: Vec<Arc<dyn ServerExtension>>,
    /// Where what each session negotiated is written through, when the
    /// server was given a store; without one, the connections' own memory
    /// is the only copy.
    pub(crate) sessions: Option<Arc<dyn SessionStore>>,
    /// The shared state given to [`ServerBuilder::state`], by type.
    pub(crate) state: extract::StateMap,
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

pub(crate) fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

impl Server {
    /// Starts building a server that calls itself `name` at `version`.
    pub fn builder(name: impl Into<String>, version: impl Into<String>) -> ServerBuilder {
        ServerBuilder::new(Implementation::new(name, version))
    }

    /// The server's identity.
    pub fn info(&self) -> &Implementation {
        &self.inner.info
    }

    /// Where sessions are saved, if the builder was given a store
    /// ([`ServerBuilder::session_store`]). A transport serving this server
    /// from several processes picks sessions up from it.
    ///
    /// ```
    /// # fn main() -> Result<(), mcpwire_server::BuildError> {
    /// let server = mcpwire_server::Server::builder("api", "1.0.0").build()?;
    /// assert!(server.session_store().is_none());
    /// # Ok(()) }
    /// ```
    pub fn session_store(&self) -> Option<&Arc<dyn SessionStore>> {
        self.inner.sessions.as_ref()
    }

    /// The cache hint of `method`'s stateless results.
    pub(crate) fn cache_hint_of(&self, method: &str) -> mcpwire_types::CacheHint {
        self.inner
            .cache_hints
            .iter()
            .find(|(m, _)| *m == method)
            .map_or(self.inner.cache_hint, |(_, h)| *h)
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
