//! MCP Apps, served: [`AppResource`], the `ui://` page a tool names with
//! [`ToolRoute::ui`](crate::ToolRoute::ui), and the extension's constants.
//!
//! A host that declared the `io.modelcontextprotocol/ui` extension reads
//! the page, renders it in a sandboxed frame, and passes it the tool's
//! input and result over `postMessage`; the page may call the server's
//! tools back through the host. Clients without the extension see the
//! tool without its `_meta.ui` and get what the handler returns when
//! [`Context::supports_apps`](crate::Context::supports_apps) is false.
//! While some tool names an app, the server declares the extension
//! (`capabilities.extensions["io.modelcontextprotocol/ui"]`, an empty
//! object) at `initialize` and in `server/discover`.
//!
//! ```
//! use mcpwire_server::apps::AppResource;
//! use mcpwire_server::{Context, Server, ToolRoute};
//!
//! const PAGE: &str = "<!doctype html><title>Clock</title><p id=now></p>";
//! let server = Server::builder("clock", "1.0.0")
//!     .tool(
//!         ToolRoute::typed("now", |cx: Context, (): ()| async move {
//!             if cx.supports_apps() { "12:00 (on the clock face)" } else { "12:00" }
//!         })
//!         .ui("ui://clock/face"),
//!     )
//!     .resource(AppResource::new("ui://clock/face", "clock_face", PAGE).prefers_border(true))
//!     .build()?;
//! # let _ = server;
//! # Ok::<(), mcpwire_server::BuildError>(())
//! ```

use std::sync::Arc;

use mcpwire_types::apps::{UiCsp, UiPermission, UiPermissions, UiResourceMeta};
use mcpwire_types::{ReadResourceResult, ResourceContents, TextResourceContents};

use super::ResourceRoute;

pub use mcpwire_types::apps::{
    EXTENSION_ID, LEGACY_RESOURCE_URI_KEY, MIME_TYPE, ToolUi, URI_SCHEME, UiVisibility,
};

/// An MCP App's page: one HTML document served at a `ui://` URI with the
/// MIME type [`MIME_TYPE`] and its `_meta.ui` (the origins it may reach,
/// the browser capabilities it asks for, its sandbox origin, its border),
/// both in `resources/list` and in what `resources/read` returns.
///
/// It becomes a [`ResourceRoute`] through `From`, so it goes wherever one
/// does (`ServerBuilder::resource`, `Server::add_resource`).
///
/// ```
/// use mcpwire_server::ResourceRoute;
/// use mcpwire_server::apps::{AppResource, MIME_TYPE};
/// use mcpwire_types::apps::UiPermission;
/// let page = AppResource::new("ui://desk/board", "ticket_board", "<!doctype html>...")
///     .title("Ticket board")
///     .connect_domain("https://api.example.com")
///     .permission(UiPermission::ClipboardWrite)
///     .prefers_border(true);
/// assert_eq!(page.meta().csp.as_ref().unwrap().connect_domains, ["https://api.example.com"]);
/// let route = ResourceRoute::from(page);
/// assert_eq!(route.definition().mime_type.as_deref(), Some(MIME_TYPE));
/// assert_eq!(route.definition().meta.as_ref().unwrap()["ui"]["prefersBorder"], true);
/// ```
#[derive(Debug, Clone)]
pub struct AppResource {
    uri: String,
    name: String,
    title: Option<String>,
    description: Option<String>,
    html: Arc<str>,
    meta: UiResourceMeta,
}

impl AppResource {
    /// The page `html` at `uri` (a `ui://` URI), listed as `name`.
    pub fn new(uri: impl Into<String>, name: impl Into<String>, html: impl Into<Arc<str>>) -> Self {
        AppResource {
            uri: uri.into(),
            name: name.into(),
            title: None,
            description: None,
            html: html.into(),
            meta: UiResourceMeta::default(),
        }
    }

    /// Sets the human-readable title of the listing.
    ///
    /// ```
    /// use mcpwire_server::{ResourceRoute, apps::AppResource};
    /// let r = ResourceRoute::from(AppResource::new("ui://a/v", "v", "<p>").title("View"));
    /// assert_eq!(r.definition().title.as_deref(), Some("View"));
    /// ```
    pub fn title(mut self, text: impl Into<String>) -> Self {
        self.title = Some(text.into());
        self
    }

    /// Sets the description of the listing.
    ///
    /// ```
    /// use mcpwire_server::{ResourceRoute, apps::AppResource};
    /// let r = ResourceRoute::from(AppResource::new("ui://a/v", "v", "<p>").description("A view"));
    /// assert_eq!(r.definition().description.as_deref(), Some("A view"));
    /// ```
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Lets the page fetch from, or open a socket to, `origin`
    /// (`csp.connectDomains`).
    ///
    /// ```
    /// use mcpwire_server::apps::AppResource;
    /// let page = AppResource::new("ui://a/v", "v", "<p>").connect_domain("wss://live.example");
    /// assert_eq!(page.meta().csp.as_ref().unwrap().connect_domains, ["wss://live.example"]);
    /// ```
    pub fn connect_domain(mut self, origin: impl Into<String>) -> Self {
        self.csp_mut().connect_domains.push(origin.into());
        self
    }

    /// Lets the page load images, scripts, styles, fonts and media from
    /// `origin` (`csp.resourceDomains`).
    ///
    /// ```
    /// use mcpwire_server::apps::AppResource;
    /// let page = AppResource::new("ui://a/v", "v", "<p>").resource_domain("https://cdn.example");
    /// assert_eq!(page.meta().csp.as_ref().unwrap().resource_domains, ["https://cdn.example"]);
    /// ```
    pub fn resource_domain(mut self, origin: impl Into<String>) -> Self {
        self.csp_mut().resource_domains.push(origin.into());
        self
    }

    /// Lets the page embed frames from `origin` (`csp.frameDomains`).
    ///
    /// ```
    /// use mcpwire_server::apps::AppResource;
    /// let page = AppResource::new("ui://a/v", "v", "<p>").frame_domain("https://player.example");
    /// assert_eq!(page.meta().csp.as_ref().unwrap().frame_domains, ["https://player.example"]);
    /// ```
    pub fn frame_domain(mut self, origin: impl Into<String>) -> Self {
        self.csp_mut().frame_domains.push(origin.into());
        self
    }

    /// Allows `origin` as the page's base URI (`csp.baseUriDomains`).
    ///
    /// ```
    /// use mcpwire_server::apps::AppResource;
    /// let page = AppResource::new("ui://a/v", "v", "<p>").base_uri_domain("https://cdn.example");
    /// assert_eq!(page.meta().csp.as_ref().unwrap().base_uri_domains, ["https://cdn.example"]);
    /// ```
    pub fn base_uri_domain(mut self, origin: impl Into<String>) -> Self {
        self.csp_mut().base_uri_domains.push(origin.into());
        self
    }

    /// Replaces the whole content security policy.
    ///
    /// ```
    /// use mcpwire_server::apps::AppResource;
    /// use mcpwire_types::apps::UiCsp;
    /// let csp = UiCsp { frame_domains: vec!["https://player.example".into()], ..Default::default() };
    /// let page = AppResource::new("ui://v/player", "player", "<p>").csp(csp.clone());
    /// assert_eq!(page.meta().csp, Some(csp));
    /// ```
    pub fn csp(mut self, csp: UiCsp) -> Self {
        self.meta.csp = (!csp.is_empty()).then_some(csp);
        self
    }

    /// Asks the host for a browser capability; hosts may refuse it.
    ///
    /// ```
    /// use mcpwire_server::apps::AppResource;
    /// use mcpwire_types::apps::UiPermission;
    /// let page = AppResource::new("ui://a/v", "v", "<p>").permission(UiPermission::Microphone);
    /// assert!(page.permissions().unwrap().asks(UiPermission::Microphone));
    /// ```
    pub fn permission(mut self, permission: UiPermission) -> Self {
        let asked = self.meta.permissions.take().unwrap_or_default();
        self.meta.permissions = Some(asked.with(permission));
        self
    }

    /// Asks for a dedicated sandbox origin, in the format the host
    /// documents.
    ///
    /// ```
    /// use mcpwire_server::apps::AppResource;
    /// let page = AppResource::new("ui://a/v", "v", "<p>").domain("v.sandbox.example");
    /// assert_eq!(page.meta().domain.as_deref(), Some("v.sandbox.example"));
    /// ```
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.meta.domain = Some(domain.into());
        self
    }

    /// Asks for a visible border and background (`true`) or none
    /// (`false`); unset, the host decides.
    ///
    /// ```
    /// use mcpwire_server::apps::AppResource;
    /// let page = AppResource::new("ui://a/v", "v", "<p>");
    /// assert_eq!(page.meta().prefers_border, None);
    /// assert_eq!(page.prefers_border(true).meta().prefers_border, Some(true));
    /// ```
    pub fn prefers_border(mut self, border: bool) -> Self {
        self.meta.prefers_border = Some(border);
        self
    }

    /// The page's URI.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The page itself.
    pub fn html(&self) -> &str {
        &self.html
    }

    /// Its `_meta.ui`, as listed and read.
    pub fn meta(&self) -> &UiResourceMeta {
        &self.meta
    }

    /// The permissions asked for so far, if any.
    pub fn permissions(&self) -> Option<&UiPermissions> {
        self.meta.permissions.as_ref()
    }

    /// The policy the adders (`connect_domain`, ...) extend.
    fn csp_mut(&mut self) -> &mut UiCsp {
        self.meta.csp.get_or_insert_with(UiCsp::default)
    }
}

impl From<AppResource> for ResourceRoute {
    fn from(app: AppResource) -> ResourceRoute {
        let meta = app.meta.to_meta();
        let contents = TextResourceContents {
            uri: app.uri.clone(),
            mime_type: Some(MIME_TYPE.to_owned()),
            text: String::new(),
            meta: Some(meta.clone()),
        };
        let html = app.html;
        let route = ResourceRoute::new(app.uri, app.name, move |_cx, _uri, _vars| {
            let mut contents = contents.clone();
            contents.text = html.to_string();
            async move { ReadResourceResult::new(vec![ResourceContents::Text(contents)]) }
        })
        .mime_type(MIME_TYPE)
        .with_definition(|def| def.meta = Some(meta));
        let route = match app.title {
            Some(t) => route.title(t),
            None => route,
        };
        match app.description {
            Some(d) => route.description(d),
            None => route,
        }
    }
}

impl From<AppResource> for super::AnyResourceRoute {
    fn from(app: AppResource) -> super::AnyResourceRoute {
        super::AnyResourceRoute::Fixed(app.into())
    }
}
