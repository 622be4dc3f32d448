//! Resources and resource templates: definitions, read handlers, and how
//! handler return values become `ReadResourceResult`s.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use mcpwire_types::{
    ReadResourceResult, Resource, ResourceContents, ResourceTemplate, TextResourceContents,
};

use super::completion::Completer;
use super::tool::BoxFuture;
use super::{Context, UriTemplate};
use mcpwire_rpc::Error;

/// Reads one resource. `vars` holds the template variables matched from the
/// URI (empty for fixed resources).
pub trait ResourceHandler: Send + Sync + 'static {
    /// Reads the resource at `uri`.
    fn read(
        &self,
        cx: Context,
        uri: String,
        vars: HashMap<String, String>,
    ) -> BoxFuture<Result<ReadResourceResult, Error>>;
}

impl<F, Fut, R> ResourceHandler for F
where
    F: Fn(Context, String, HashMap<String, String>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoReadResult,
{
    fn read(
        &self,
        cx: Context,
        uri: String,
        vars: HashMap<String, String>,
    ) -> BoxFuture<Result<ReadResourceResult, Error>> {
        let fut = self(cx, uri.clone(), vars);
        Box::pin(async move { fut.await.into_read_result(&uri) })
    }
}

/// Turns a read handler's return value into a `ReadResourceResult`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a resource reader",
    note = "a resource reader may return String, ResourceContents, Vec<ResourceContents>, ReadResourceResult, or a Result of one of these whose error converts into mcpwire::Error"
)]
pub trait IntoReadResult {
    /// Converts the value; `uri` is the URI that was read.
    fn into_read_result(self, uri: &str) -> Result<ReadResourceResult, Error>;
}

impl IntoReadResult for ReadResourceResult {
    fn into_read_result(self, _uri: &str) -> Result<ReadResourceResult, Error> {
        Ok(self)
    }
}

impl IntoReadResult for String {
    fn into_read_result(self, uri: &str) -> Result<ReadResourceResult, Error> {
        Ok(ReadResourceResult::new(vec![ResourceContents::Text(
            TextResourceContents::new(uri, self),
        )]))
    }
}

impl IntoReadResult for ResourceContents {
    fn into_read_result(self, _uri: &str) -> Result<ReadResourceResult, Error> {
        Ok(ReadResourceResult::new(vec![self]))
    }
}

impl IntoReadResult for Vec<ResourceContents> {
    fn into_read_result(self, _uri: &str) -> Result<ReadResourceResult, Error> {
        Ok(ReadResourceResult::new(self))
    }
}

impl<T: IntoReadResult, E: Into<Error>> IntoReadResult for Result<T, E> {
    fn into_read_result(self, uri: &str) -> Result<ReadResourceResult, Error> {
        self.map_err(Into::into)
            .and_then(|v| v.into_read_result(uri))
    }
}

/// A fixed resource: its listing and its reader.
///
/// ```
/// use mcpwire_server::ResourceRoute;
/// let r = ResourceRoute::new("memo://readme", "readme", |_cx, _uri, _vars| async {
///     "Read me first".to_string()
/// })
/// .mime_type("text/plain");
/// assert_eq!(r.definition().uri, "memo://readme");
/// ```
#[derive(Clone)]
pub struct ResourceRoute {
    pub(crate) def: Resource,
    pub(crate) handler: Arc<dyn ResourceHandler>,
    /// The cache hint of its `resources/read` results, if it has its own.
    pub(crate) cache: Option<mcpwire_types::CacheHint>,
}

impl std::fmt::Debug for ResourceRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceRoute")
            .field("def", &self.def)
            .finish()
    }
}

impl ResourceRoute {
    /// A resource at `uri` named `name`.
    pub fn new(
        uri: impl Into<String>,
        name: impl Into<String>,
        handler: impl ResourceHandler,
    ) -> Self {
        ResourceRoute {
            def: Resource::new(uri, name),
            handler: Arc::new(handler),
            cache: None,
        }
    }

    /// The listing.
    pub fn definition(&self) -> &Resource {
        &self.def
    }

    /// Sets the description.
    ///
    /// ```
    /// use mcpwire_server::ResourceRoute;
    /// let r = ResourceRoute::new("memo://readme", "readme", |_cx, _uri, _vars| async { "…".to_string() })
    ///     .description("Start here");
    /// assert_eq!(r.definition().description.as_deref(), Some("Start here"));
    /// ```
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.def.description = Some(text.into());
        self
    }

    /// Sets the MIME type.
    ///
    /// ```
    /// use mcpwire_server::ResourceRoute;
    /// let r = ResourceRoute::new("app://config", "config", |_cx, _uri, _vars| async { "{}".to_string() })
    ///     .mime_type("application/json");
    /// assert_eq!(r.definition().mime_type.as_deref(), Some("application/json"));
    /// ```
    pub fn mime_type(mut self, mime: impl Into<String>) -> Self {
        self.def.mime_type = Some(mime.into());
        self
    }

    /// Sets the `ttlMs` and `cacheScope` of this resource's stateless
    /// `resources/read` results, instead of the server's
    /// ([`ServerBuilder::cache_hint_for`](super::ServerBuilder::cache_hint_for)).
    /// A handler that sets them on its result has the last word.
    ///
    /// ```
    /// use mcpwire_server::ResourceRoute;
    /// use mcpwire_types::{CacheHint, CacheScope};
    /// let logo = ResourceRoute::new("app://logo", "logo", |_cx, _uri, _vars| async { "…".to_string() })
    ///     .cache_hint(CacheHint::new(86_400_000, CacheScope::Public));
    /// # let _ = logo;
    /// ```
    pub fn cache_hint(mut self, hint: mcpwire_types::CacheHint) -> Self {
        self.cache = Some(hint);
        self
    }

    /// Sets the title.
    ///
    /// ```
    /// use mcpwire_server::ResourceRoute;
    /// let r = ResourceRoute::new("memo://readme", "readme", |_cx, _uri, _vars| async { "…".to_string() })
    ///     .title("Read me");
    /// assert_eq!(r.definition().title.as_deref(), Some("Read me"));
    /// ```
    pub fn title(mut self, text: impl Into<String>) -> Self {
        self.def.title = Some(text.into());
        self
    }

    /// Edits the listing in place.
    ///
    /// ```
    /// use mcpwire_server::ResourceRoute;
    /// let r = ResourceRoute::new("file:///log.txt", "log", |_cx, _uri, _vars| async { "…".to_string() })
    ///     .with_definition(|def| def.size = Some(2048));
    /// assert_eq!(r.definition().size, Some(2048));
    /// ```
    pub fn with_definition(mut self, edit: impl FnOnce(&mut Resource)) -> Self {
        edit(&mut self.def);
        self
    }
}

/// A resource template: URIs matching an RFC 6570 template, one reader, and
/// optional completion of its variables.
///
/// ```
/// use mcpwire_server::TemplateRoute;
/// let t = TemplateRoute::new("ticket://{id}", "ticket", |_cx, _uri, vars| async move {
///     format!("ticket {}", vars["id"])
/// })
/// .unwrap()
/// .complete("id", |prefix: String| async move {
///     ["42", "43"].iter().filter(|v| v.starts_with(&prefix)).map(|v| v.to_string()).collect()
/// });
/// assert_eq!(t.definition().uri_template, "ticket://{id}");
/// ```
#[derive(Clone)]
pub struct TemplateRoute {
    pub(crate) def: ResourceTemplate,
    pub(crate) template: UriTemplate,
    pub(crate) handler: Arc<dyn ResourceHandler>,
    pub(crate) completers: HashMap<String, Completer>,
    /// The cache hint of its `resources/read` results, if it has its own.
    pub(crate) cache: Option<mcpwire_types::CacheHint>,
}

impl std::fmt::Debug for TemplateRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateRoute")
            .field("def", &self.def)
            .finish()
    }
}

impl TemplateRoute {
    /// A template named `name`, read by `handler(cx, uri, vars)`; fails
    /// when the template does not parse.
    pub fn new<F, Fut, R>(
        uri_template: impl Into<String>,
        name: impl Into<String>,
        handler: F,
    ) -> Result<Self, super::uri_template::TemplateError>
    where
        F: Fn(Context, String, HashMap<String, String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoReadResult,
    {
        Self::from_handler(uri_template, name, handler)
    }

    /// A template from any [`ResourceHandler`].
    pub fn from_handler(
        uri_template: impl Into<String>,
        name: impl Into<String>,
        handler: impl ResourceHandler,
    ) -> Result<Self, super::uri_template::TemplateError> {
        let source = uri_template.into();
        let template = UriTemplate::parse(&source)?;
        Ok(TemplateRoute {
            def: ResourceTemplate::new(source, name),
            template,
            handler: Arc::new(handler),
            completers: HashMap::new(),
            cache: None,
        })
    }

    /// The listing.
    pub fn definition(&self) -> &ResourceTemplate {
        &self.def
    }

    /// Sets the description.
    ///
    /// ```
    /// use mcpwire_server::TemplateRoute;
    /// let t = TemplateRoute::new("ticket://{id}", "ticket", |_cx, _uri, vars| async move {
    ///     format!("ticket {}", vars["id"])
    /// })
    /// .expect("a valid URI template")
    /// .description("A support ticket by id");
    /// assert_eq!(t.definition().description.as_deref(), Some("A support ticket by id"));
    /// ```
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.def.description = Some(text.into());
        self
    }

    /// Sets the MIME type of the resources.
    ///
    /// ```
    /// use mcpwire_server::TemplateRoute;
    /// let t = TemplateRoute::new("ticket://{id}", "ticket", |_cx, _uri, vars| async move {
    ///     format!("{{\"id\": {:?}}}", vars["id"])
    /// })
    /// .expect("a valid URI template")
    /// .mime_type("application/json");
    /// assert_eq!(t.definition().mime_type.as_deref(), Some("application/json"));
    /// ```
    pub fn mime_type(mut self, mime: impl Into<String>) -> Self {
        self.def.mime_type = Some(mime.into());
        self
    }

    /// Sets the `ttlMs` and `cacheScope` of stateless `resources/read`
    /// results for the resources of this template, as
    /// [`ResourceRoute::cache_hint`] does for one resource.
    ///
    /// ```
    /// use mcpwire_server::TemplateRoute;
    /// use mcpwire_types::{CacheHint, CacheScope};
    /// // Released versions never change: anyone may keep them for a day.
    /// let release = TemplateRoute::new("pkg://{name}/{version}", "release", |_cx, uri, _vars| async move {
    ///     format!("manifest of {uri}")
    /// })
    /// .expect("a valid URI template")
    /// .cache_hint(CacheHint::new(86_400_000, CacheScope::Public));
    /// # let _ = release;
    /// ```
    pub fn cache_hint(mut self, hint: mcpwire_types::CacheHint) -> Self {
        self.cache = Some(hint);
        self
    }

    /// Sets the title.
    ///
    /// ```
    /// use mcpwire_server::TemplateRoute;
    /// let t = TemplateRoute::new("ticket://{id}", "ticket", |_cx, _uri, vars| async move {
    ///     format!("ticket {}", vars["id"])
    /// })
    /// .expect("a valid URI template")
    /// .title("Support ticket");
    /// assert_eq!(t.definition().title.as_deref(), Some("Support ticket"));
    /// ```
    pub fn title(mut self, text: impl Into<String>) -> Self {
        self.def.title = Some(text.into());
        self
    }

    /// Completes values of the variable `var` from what the user typed.
    ///
    /// ```
    /// use mcpwire_server::TemplateRoute;
    /// // `completion/complete` for `{city}` with "Ber" answers `["Berlin", "Bern"]`.
    /// let weather = TemplateRoute::new("weather://{city}", "weather", |_cx, _uri, vars| async move {
    ///     format!("sunny in {}", vars["city"])
    /// })
    /// .expect("a valid URI template")
    /// .complete("city", |typed: String| async move {
    ///     ["Berlin", "Bern", "Oslo"]
    ///         .into_iter()
    ///         .filter(|c| c.starts_with(&typed))
    ///         .map(String::from)
    ///         .collect()
    /// });
    /// # let _ = weather;
    /// ```
    pub fn complete<F, Fut>(mut self, var: impl Into<String>, f: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<String>> + Send + 'static,
    {
        self.completers.insert(var.into(), Completer::new(f));
        self
    }

    /// Completes values of the variable `var` with a ready [`Completer`].
    ///
    /// ```
    /// use mcpwire_server::{Completer, GivenArguments, TemplateRoute};
    /// // Repositories complete within the owner the client already gave.
    /// let repos = Completer::with_arguments(|typed: String, given: GivenArguments| async move {
    ///     let owner = given.get("owner").cloned().unwrap_or_default();
    ///     vec![format!("{owner}-{typed}")]
    /// });
    /// let readme = TemplateRoute::new("repo://{owner}/{repo}/readme", "readme", |_cx, uri, _vars| async move {
    ///     format!("README of {uri}")
    /// })
    /// .expect("a valid URI template")
    /// .completer("repo", repos);
    /// # let _ = readme;
    /// ```
    pub fn completer(mut self, var: impl Into<String>, completer: Completer) -> Self {
        self.completers.insert(var.into(), completer);
        self
    }
}

/// A fixed resource or a resource template: what
/// [`ServerBuilder::resource`](super::ServerBuilder::resource) and
/// [`Server::add_resource`](super::Server::add_resource) take, so that both are
/// added the same way, whichever `#[resource]` made.
///
/// ```
/// use mcpwire_server::{ResourceRoute, Server, TemplateRoute};
/// let readme = ResourceRoute::new("memo://readme", "readme", |_cx, _uri, _vars| async {
///     "Read me first".to_string()
/// });
/// let note = TemplateRoute::new("note://{id}", "note", |_cx, _uri, vars| async move {
///     format!("note {}", vars["id"])
/// })
/// .unwrap();
/// let server = Server::builder("notes", "1.0").resource(readme).resource(note).build();
/// # let _ = server;
/// ```
#[derive(Debug, Clone)]
pub enum AnyResourceRoute {
    /// A resource at one URI.
    Fixed(ResourceRoute),
    /// A resource template.
    Template(TemplateRoute),
}

impl From<ResourceRoute> for AnyResourceRoute {
    fn from(r: ResourceRoute) -> Self {
        AnyResourceRoute::Fixed(r)
    }
}

impl From<TemplateRoute> for AnyResourceRoute {
    fn from(t: TemplateRoute) -> Self {
        AnyResourceRoute::Template(t)
    }
}
