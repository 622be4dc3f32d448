//! MCP Apps (the `io.modelcontextprotocol/ui` extension): the constants,
//! a tool's `_meta.ui`, a UI resource's `_meta.ui`, and the client's
//! declaration of support.
//!
//! A tool names an HTML page (a `ui://` resource) in its `_meta.ui`; a
//! host that declared the extension reads the page, renders it in a
//! sandboxed frame and talks to it over `postMessage`.
//!
//! ```
//! use mcpwire_types::apps::{self, ToolUi, UiResourceMeta, UiCsp};
//! use mcpwire_types::Tool;
//! use serde_json::json;
//! let tool = Tool::new("board", json!({"type": "object"}))
//!     .with_ui(ToolUi::new("ui://desk/board"));
//! let wire = serde_json::to_value(&tool).unwrap();
//! assert_eq!(wire["_meta"]["ui"]["resourceUri"], "ui://desk/board");
//! assert_eq!(tool.ui().unwrap().resource_uri.as_deref(), Some("ui://desk/board"));
//!
//! let page = UiResourceMeta {
//!     csp: Some(UiCsp { connect_domains: vec!["https://api.example.com".into()], ..Default::default() }),
//!     prefers_border: Some(true),
//!     ..Default::default()
//! };
//! assert_eq!(
//!     serde_json::to_value(&page).unwrap(),
//!     json!({"csp": {"connectDomains": ["https://api.example.com"]}, "prefersBorder": true})
//! );
//! assert_eq!(apps::MIME_TYPE, "text/html;profile=mcp-app");
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::capabilities::{ClientCapabilities, JsonObject};
use crate::tools::Tool;

/// The extension's identifier, as `capabilities.extensions` names it.
pub const EXTENSION_ID: &str = "io.modelcontextprotocol/ui";

/// The MIME type of an MCP App's HTML page.
pub const MIME_TYPE: &str = "text/html;profile=mcp-app";

/// The URI scheme of UI resources, with its separator.
pub const URI_SCHEME: &str = "ui://";

/// The key of a tool's `_meta` that holds its [`ToolUi`].
pub const META_KEY: &str = "ui";

/// The flat `_meta` key older hosts read a tool's UI resource from.
pub const LEGACY_RESOURCE_URI_KEY: &str = "ui/resourceUri";

/// Who may call a tool that has a UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UiVisibility {
    /// The model sees and calls the tool.
    Model,
    /// The app (the tool's page) may call the tool through the host.
    App,
}

/// A tool's `_meta.ui`: the page that shows its results, and who may call
/// it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolUi {
    /// The `ui://` resource the host renders for the tool.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub resource_uri: Option<String>,
    /// Who may call the tool; absent means both the model and the app.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub visibility: Option<Vec<UiVisibility>>,
}

impl ToolUi {
    /// The UI of a tool shown by the page at `resource_uri`.
    pub fn new(resource_uri: impl Into<String>) -> Self {
        ToolUi {
            resource_uri: Some(resource_uri.into()),
            visibility: None,
        }
    }
}

/// The origins a UI page may reach, which the host turns into its
/// Content-Security-Policy. Empty lists are left out; an empty policy
/// lets the page load nothing from the network.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UiCsp {
    /// Origins for fetch, XHR and WebSocket (`connect-src`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub connect_domains: Vec<String>,
    /// Origins for images, scripts, styles, fonts and media.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub resource_domains: Vec<String>,
    /// Origins for nested frames (`frame-src`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub frame_domains: Vec<String>,
    /// Allowed base URIs of the document (`base-uri`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub base_uri_domains: Vec<String>,
}

impl UiCsp {
    /// Whether the policy names no origin at all.
    pub fn is_empty(&self) -> bool {
        self.connect_domains.is_empty()
            && self.resource_domains.is_empty()
            && self.frame_domains.is_empty()
            && self.base_uri_domains.is_empty()
    }
}

/// A browser capability a UI page asks the host for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UiPermission {
    /// The camera.
    Camera,
    /// The microphone.
    Microphone,
    /// The location.
    Geolocation,
    /// Writing to the clipboard.
    ClipboardWrite,
}

/// The browser capabilities a UI page asks for; each present member (an
/// empty object) is one request. Hosts may refuse any of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UiPermissions {
    /// Asks for the camera.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub camera: Option<JsonObject>,
    /// Asks for the microphone.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub microphone: Option<JsonObject>,
    /// Asks for the location.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub geolocation: Option<JsonObject>,
    /// Asks to write to the clipboard.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub clipboard_write: Option<JsonObject>,
}

impl UiPermissions {
    /// Asks for `permission` too.
    ///
    /// ```
    /// use mcpwire_types::apps::{UiPermission, UiPermissions};
    /// let p = UiPermissions::default().with(UiPermission::ClipboardWrite);
    /// assert_eq!(serde_json::to_value(&p).unwrap(), serde_json::json!({"clipboardWrite": {}}));
    /// assert!(p.asks(UiPermission::ClipboardWrite) && !p.asks(UiPermission::Camera));
    /// ```
    pub fn with(mut self, permission: UiPermission) -> Self {
        *self.slot(permission) = Some(JsonObject::new());
        self
    }

    /// Whether it asks for `permission`.
    pub fn asks(&self, permission: UiPermission) -> bool {
        match permission {
            UiPermission::Camera => self.camera.is_some(),
            UiPermission::Microphone => self.microphone.is_some(),
            UiPermission::Geolocation => self.geolocation.is_some(),
            UiPermission::ClipboardWrite => self.clipboard_write.is_some(),
        }
    }

    fn slot(&mut self, permission: UiPermission) -> &mut Option<JsonObject> {
        match permission {
            UiPermission::Camera => &mut self.camera,
            UiPermission::Microphone => &mut self.microphone,
            UiPermission::Geolocation => &mut self.geolocation,
            UiPermission::ClipboardWrite => &mut self.clipboard_write,
        }
    }
}

/// A UI resource's `_meta.ui`: how the host should sandbox and frame the
/// page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UiResourceMeta {
    /// The origins the page may reach.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub csp: Option<UiCsp>,
    /// The browser capabilities the page asks for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub permissions: Option<UiPermissions>,
    /// A dedicated origin for the page's sandbox, in the host's format.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub domain: Option<String>,
    /// Whether the page wants a visible border and background.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prefers_border: Option<bool>,
}

impl UiResourceMeta {
    /// The `_meta` object that carries it: `{"ui": {...}}`.
    ///
    /// ```
    /// use mcpwire_types::apps::UiResourceMeta;
    /// let meta = UiResourceMeta { prefers_border: Some(false), ..Default::default() }.to_meta();
    /// assert_eq!(serde_json::Value::Object(meta), serde_json::json!({"ui": {"prefersBorder": false}}));
    /// ```
    pub fn to_meta(&self) -> Map<String, Value> {
        let mut meta = Map::new();
        if let Ok(v) = serde_json::to_value(self) {
            meta.insert(META_KEY.to_owned(), v);
        }
        meta
    }

    /// The `_meta.ui` of a resource's contents or listing, if it has a
    /// readable one.
    pub fn of(meta: Option<&Map<String, Value>>) -> Option<UiResourceMeta> {
        serde_json::from_value(meta?.get(META_KEY)?.clone()).ok()
    }
}

impl Tool {
    /// Sets `_meta.ui`, keeping the rest of `_meta`.
    ///
    /// ```
    /// use mcpwire_types::Tool;
    /// use mcpwire_types::apps::{ToolUi, UiVisibility};
    /// let ui = ToolUi { visibility: Some(vec![UiVisibility::App]), ..ToolUi::new("ui://a/v") };
    /// let t = Tool::new("refresh", serde_json::json!({})).with_ui(ui.clone());
    /// assert_eq!(t.ui(), Some(ui));
    /// ```
    pub fn with_ui(mut self, ui: ToolUi) -> Self {
        self.set_ui(ui);
        self
    }

    /// Sets `_meta.ui` in place, keeping the rest of `_meta`.
    pub fn set_ui(&mut self, ui: ToolUi) {
        if let Ok(v) = serde_json::to_value(&ui) {
            self.meta
                .get_or_insert_with(Map::new)
                .insert(META_KEY.to_owned(), v);
        }
    }

    /// The tool's `_meta.ui`, if it has a readable one; a tool that names
    /// its page only under the flat [`LEGACY_RESOURCE_URI_KEY`] gets a
    /// [`ToolUi`] with that URI.
    pub fn ui(&self) -> Option<ToolUi> {
        let meta = self.meta.as_ref()?;
        if let Some(ui) = meta.get(META_KEY) {
            return serde_json::from_value(ui.clone()).ok();
        }
        let legacy = meta.get(LEGACY_RESOURCE_URI_KEY)?.as_str()?;
        Some(ToolUi::new(legacy))
    }

    /// Whether `_meta` names a UI, under either key.
    pub fn has_ui(&self) -> bool {
        self.meta
            .as_ref()
            .is_some_and(|m| m.contains_key(META_KEY) || m.contains_key(LEGACY_RESOURCE_URI_KEY))
    }

    /// The definition without its UI, for clients that cannot show one:
    /// `_meta.ui` and the flat `_meta["ui/resourceUri"]` removed, and
    /// `_meta` dropped when nothing else is left in it.
    ///
    /// ```
    /// use mcpwire_types::Tool;
    /// use mcpwire_types::apps::ToolUi;
    /// let t = Tool::new("board", serde_json::json!({})).with_ui(ToolUi::new("ui://desk/board"));
    /// assert!(t.has_ui());
    /// let plain = t.without_ui();
    /// assert!(!plain.has_ui() && plain.meta.is_none());
    /// ```
    pub fn without_ui(&self) -> Tool {
        let mut t = self.clone();
        if let Some(meta) = &mut t.meta {
            meta.remove(META_KEY);
            meta.remove(LEGACY_RESOURCE_URI_KEY);
            if meta.is_empty() {
                t.meta = None;
            }
        }
        t
    }
}

/// Whether client capabilities, as JSON (a 2026-07-28 request's
/// `_meta["io.modelcontextprotocol/clientCapabilities"]`), declare MCP
/// Apps, as [`ClientCapabilities::supports_apps`] judges; read in place,
/// without parsing the rest.
///
/// ```
/// use serde_json::json;
/// let caps = json!({"extensions": {"io.modelcontextprotocol/ui": {"mimeTypes": ["text/html;profile=mcp-app"]}}});
/// assert!(mcpwire_types::apps::declared_in(&caps));
/// assert!(!mcpwire_types::apps::declared_in(&json!({"sampling": {}})));
/// ```
pub fn declared_in(capabilities: &Value) -> bool {
    capabilities
        .get("extensions")
        .and_then(|e| e.get(EXTENSION_ID))
        .is_some_and(settings_support_apps)
}

/// Whether the extension's settings object admits MCP App pages.
fn settings_support_apps(settings: &Value) -> bool {
    match settings.get("mimeTypes") {
        None => settings.is_object(),
        Some(Value::Array(types)) => types.iter().any(|t| t.as_str() == Some(MIME_TYPE)),
        Some(_) => false,
    }
}

impl ClientCapabilities {
    /// Whether the client declared MCP Apps: the `io.modelcontextprotocol/ui`
    /// extension, whose `mimeTypes`, when it lists any, include
    /// [`MIME_TYPE`].
    ///
    /// ```
    /// use mcpwire_types::ClientCapabilities;
    /// let caps = |v: serde_json::Value| -> ClientCapabilities { serde_json::from_value(v).unwrap() };
    /// let host = caps(serde_json::json!({"extensions": {"io.modelcontextprotocol/ui":
    ///     {"mimeTypes": ["text/html;profile=mcp-app"]}}}));
    /// assert!(host.supports_apps());
    /// assert!(!ClientCapabilities::default().supports_apps());
    /// let other = caps(serde_json::json!({"extensions": {"io.modelcontextprotocol/ui":
    ///     {"mimeTypes": ["text/x-other"]}}}));
    /// assert!(!other.supports_apps());
    /// ```
    pub fn supports_apps(&self) -> bool {
        self.extensions
            .as_ref()
            .and_then(|e| e.get(EXTENSION_ID))
            .is_some_and(settings_support_apps)
    }

    /// Declares MCP Apps: the `io.modelcontextprotocol/ui` extension with
    /// [`MIME_TYPE`] in its `mimeTypes`.
    ///
    /// ```
    /// use mcpwire_types::ClientCapabilities;
    /// assert!(ClientCapabilities::default().with_apps().supports_apps());
    /// ```
    pub fn with_apps(mut self) -> Self {
        let mut settings = Map::new();
        settings.insert("mimeTypes".to_owned(), Value::from(vec![MIME_TYPE]));
        self.extensions
            .get_or_insert_with(Map::new)
            .insert(EXTENSION_ID.to_owned(), Value::Object(settings));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_legacy_flat_key_still_names_the_page_and_is_stripped() {
        let mut t = Tool::new("t", json!({}));
        t.meta = Some(
            json!({"ui/resourceUri": "ui://a/b", "keep": 1})
                .as_object()
                .cloned()
                .unwrap(),
        );
        assert_eq!(t.ui().unwrap().resource_uri.as_deref(), Some("ui://a/b"));
        let plain = t.without_ui();
        assert_eq!(plain.meta, json!({"keep": 1}).as_object().cloned());
    }

    #[test]
    fn visibility_and_permissions_use_the_wire_names() {
        let ui = ToolUi {
            visibility: Some(vec![UiVisibility::App]),
            ..ToolUi::new("ui://x/y")
        };
        assert_eq!(
            serde_json::to_value(&ui).unwrap(),
            json!({"resourceUri": "ui://x/y", "visibility": ["app"]})
        );
        let all = [
            UiPermission::Camera,
            UiPermission::Microphone,
            UiPermission::Geolocation,
            UiPermission::ClipboardWrite,
        ];
        let p = all.iter().fold(UiPermissions::default(), |p, &x| p.with(x));
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"camera": {}, "microphone": {}, "geolocation": {}, "clipboardWrite": {}})
        );
    }

    #[test]
    fn a_declaration_that_is_not_an_object_is_no_support() {
        let c: ClientCapabilities =
            serde_json::from_value(json!({"extensions": {EXTENSION_ID: true}})).unwrap();
        assert!(!c.supports_apps());
        let c: ClientCapabilities =
            serde_json::from_value(json!({"extensions": {EXTENSION_ID: {"mimeTypes": "x"}}}))
                .unwrap();
        assert!(!c.supports_apps());
        let c: ClientCapabilities =
            serde_json::from_value(json!({"extensions": {EXTENSION_ID: {}}})).unwrap();
        assert!(c.supports_apps());
    }
}
