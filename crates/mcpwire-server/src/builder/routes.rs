//! The routes a server is built with: the [`Routes`] bundle `#[routes]`
//! generates, how a value becomes one ([`IntoRoutes`], [`SharedRoutes`]),
//! and the builder methods that add tools, resources and prompts.

use std::sync::Arc;

use super::ServerBuilder;
use crate::{AnyResourceRoute, PromptRoute, ResourceRoute, TemplateRoute, ToolRoute};

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

/// What [`ServerBuilder::routes`] takes: a [`Routes`] bundle, or the state
/// of a `#[mcpwire::routes]` impl block, by value or already in an `Arc`.
/// `#[routes]` implements it (and [`SharedRoutes`]) for its type.
///
/// ```
/// use std::sync::Arc;
/// use mcpwire_server::{Routes, Server, SharedRoutes};
///
/// struct Desk;
/// // What `#[mcpwire::routes] impl Desk { ... }` implements.
/// impl SharedRoutes for Desk {
///     fn shared_routes(self: Arc<Self>) -> Routes {
///         Routes::default()
///     }
/// }
///
/// let by_value = Server::builder("desk", "1.0").routes(Desk).build();
/// let shared = Server::builder("desk", "1.0").routes(Arc::new(Desk)).build();
/// # let _ = (by_value, shared);
/// ```
pub trait IntoRoutes {
    /// The routes.
    fn into_routes(self) -> Routes;
}

impl IntoRoutes for Routes {
    fn into_routes(self) -> Routes {
        self
    }
}

/// State whose methods are routes that share it: what `#[mcpwire::routes]`
/// implements for the type of its impl block.
pub trait SharedRoutes: Send + Sync + 'static {
    /// The routes, each holding a clone of the `Arc`.
    fn shared_routes(self: Arc<Self>) -> Routes;
}

impl<T: SharedRoutes> IntoRoutes for T {
    fn into_routes(self) -> Routes {
        Arc::new(self).shared_routes()
    }
}

impl<T: SharedRoutes> IntoRoutes for Arc<T> {
    fn into_routes(self) -> Routes {
        self.shared_routes()
    }
}

impl ServerBuilder {
    /// Adds a tool.
    ///
    /// ```
    /// use mcpwire_server::{Server, ToolRoute};
    /// let server = Server::builder("clock", "1.0.0")
    ///     .tool(ToolRoute::typed("now", |_cx, (): ()| async { "12:00" }).description("The time"))
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
    /// let listed = client.request("tools/list", None).await?;
    /// assert_eq!(listed["tools"][0]["name"], "now");
    /// assert_eq!(listed["tools"][0]["description"], "The time");
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn tool(mut self, tool: ToolRoute) -> Self {
        self.tools.push(tool);
        self
    }

    /// Adds several tools.
    ///
    /// ```
    /// use mcpwire_server::{BuildError, Server, ToolRoute};
    /// let echo = |name: &str| ToolRoute::typed(name, |_cx, text: String| async move { text });
    /// let server = Server::builder("echo", "1.0.0").tools([echo("echo"), echo("say")]).build();
    /// assert!(server.is_ok());
    /// // Names must be unique; build() names the one given twice.
    /// let twice = Server::builder("echo", "1.0.0").tools([echo("echo"), echo("echo")]).build();
    /// assert_eq!(twice.unwrap_err(), BuildError::DuplicateTool("echo".into()));
    /// ```
    pub fn tools(mut self, tools: impl IntoIterator<Item = ToolRoute>) -> Self {
        self.tools.extend(tools);
        self
    }

    /// Adds every route of a bundle: a [`Routes`], or the state of a
    /// `#[mcpwire::routes]` impl block, by value or in an `Arc` (see
    /// [`IntoRoutes`]).
    ///
    /// ```
    /// use mcpwire_server::{PromptRoute, Routes, Server, ToolRoute};
    /// // A bundle made by hand; `#[mcpwire::routes]` makes one from an impl block.
    /// fn clock_routes() -> Routes {
    ///     Routes {
    ///         tools: vec![ToolRoute::typed("now", |_cx, (): ()| async { "12:00" })],
    ///         prompts: vec![PromptRoute::typed("wake", |_cx, (): ()| async { "Wake me at 7".to_owned() })],
    ///         ..Routes::default()
    ///     }
    /// }
    /// let server = Server::builder("clock", "1.0.0").routes(clock_routes()).build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn routes(mut self, routes: impl IntoRoutes) -> Self {
        let routes = routes.into_routes();
        self.tools.extend(routes.tools);
        self.resources.extend(routes.resources);
        self.templates.extend(routes.templates);
        self.prompts.extend(routes.prompts);
        self
    }

    /// Adds a resource or a resource template: a [`ResourceRoute`], a
    /// [`TemplateRoute`], or what `#[resource]` made of either.
    ///
    /// ```
    /// use mcpwire_server::{ResourceRoute, Server, TemplateRoute};
    /// let readme = ResourceRoute::new("memo://readme", "readme", |_cx, _uri, _vars| async {
    ///     "Read me first".to_string()
    /// });
    /// let note = TemplateRoute::new("note://{id}", "note", |_cx, _uri, vars| async move {
    ///     format!("note {}", vars["id"])
    /// })
    /// .expect("a valid URI template");
    /// let server = Server::builder("memo", "1.0.0").resource(readme).resource(note).build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn resource(mut self, resource: impl Into<AnyResourceRoute>) -> Self {
        match resource.into() {
            AnyResourceRoute::Fixed(r) => self.resources.push(r),
            AnyResourceRoute::Template(t) => self.templates.push(t),
        }
        self
    }

    /// Adds several resources or templates.
    ///
    /// ```
    /// use mcpwire_server::{BuildError, ResourceRoute, Server};
    /// let file = |uri: &str| ResourceRoute::new(uri, "file", |_cx, uri, _vars| async move { uri });
    /// let server = Server::builder("files", "1.0.0")
    ///     .resources([file("file:///a.txt"), file("file:///b.txt")])
    ///     .build();
    /// assert!(server.is_ok());
    /// // One URI, one resource; build() names the URI given twice.
    /// let twice = Server::builder("files", "1.0.0")
    ///     .resources([file("file:///a.txt"), file("file:///a.txt")])
    ///     .build();
    /// assert_eq!(twice.unwrap_err(), BuildError::DuplicateResource("file:///a.txt".into()));
    /// ```
    pub fn resources<R: Into<AnyResourceRoute>>(
        mut self,
        resources: impl IntoIterator<Item = R>,
    ) -> Self {
        for r in resources {
            self = self.resource(r);
        }
        self
    }

    /// Adds a resource template; [`resource`](Self::resource) takes
    /// templates too.
    ///
    /// ```
    /// use mcpwire_server::{Server, TemplateRoute};
    /// let user = TemplateRoute::new("users://{id}/profile", "profile", |_cx, _uri, vars| async move {
    ///     format!("profile of user {}", vars["id"])
    /// })
    /// .expect("a valid URI template");
    /// let server = Server::builder("directory", "1.0.0").template(user).build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn template(self, template: TemplateRoute) -> Self {
        self.resource(template)
    }

    /// Adds a prompt.
    ///
    /// ```
    /// use mcpwire_server::{PromptRoute, Server};
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Review { code: String }
    /// let review = PromptRoute::typed("review", |_cx, a: Review| async move {
    ///     format!("Review this code:\n{}", a.code)
    /// })
    /// .description("Asks for a code review");
    /// let server = Server::builder("reviewer", "1.0.0").prompt(review).build()?;
    /// # let _ = server;
    /// # Ok::<(), mcpwire_server::BuildError>(())
    /// ```
    pub fn prompt(mut self, prompt: PromptRoute) -> Self {
        self.prompts.push(prompt);
        self
    }
}
