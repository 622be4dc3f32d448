//! Client and server capabilities, of every revision, including `extensions` (2026-07-28) and tasks (2025-11-25).
//!
//! A capability is declared by the presence of its object; an empty object
//! (`{}`) declares support with no options. Objects whose contents the spec
//! leaves open are kept as JSON objects.
//!
//! ```
//! use mcpwire_types::{ClientCapabilities, ServerCapabilities};
//! let server = ServerCapabilities::default().with_tools(true).with_logging();
//! assert_eq!(
//!     serde_json::to_string(&server).unwrap(),
//!     r#"{"logging":{},"tools":{"listChanged":true}}"#
//! );
//! let client: ClientCapabilities = serde_json::from_str(r#"{"roots": {}, "sampling": {}}"#).unwrap();
//! assert!(client.supports_roots());
//! assert!(client.elicitation.is_none());
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An open JSON object: the settings of a capability or extension.
pub type JsonObject = Map<String, Value>;

/// What a client supports.
///
/// ```
/// use mcpwire_types::ClientCapabilities;
/// let c: ClientCapabilities = serde_json::from_str(r#"{"elicitation":{}}"#).unwrap();
/// assert!(c.supports_form_elicitation());
/// assert!(!c.supports_url_elicitation());
/// assert!(!c.supports_sampling());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientCapabilities {
    /// Experimental, non-standard capabilities.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub experimental: Option<Map<String, Value>>,
    /// Present if the client can list roots.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub roots: Option<RootsCapability>,
    /// Present if the client can sample from a model.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sampling: Option<SamplingCapability>,
    /// Present if the client supports elicitation (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub elicitation: Option<ElicitationCapability>,
    /// Present if the client supports task-augmented requests (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tasks: Option<ClientTasksCapability>,
    /// MCP extensions the client supports, by identifier (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub extensions: Option<Map<String, Value>>,
}

impl ClientCapabilities {
    /// Whether the client declared sampling.
    pub fn supports_sampling(&self) -> bool {
        self.sampling.is_some()
    }

    /// Whether the client declared tool use in sampling (2025-11-25).
    pub fn supports_sampling_tools(&self) -> bool {
        self.sampling.as_ref().is_some_and(|s| s.tools.is_some())
    }

    /// Whether the client declared form elicitation; an empty `elicitation`
    /// object means form only.
    pub fn supports_form_elicitation(&self) -> bool {
        self.elicitation
            .as_ref()
            .is_some_and(|e| e.form.is_some() || e.url.is_none())
    }

    /// Whether the client declared URL elicitation (2025-11-25).
    pub fn supports_url_elicitation(&self) -> bool {
        self.elicitation.as_ref().is_some_and(|e| e.url.is_some())
    }

    /// Whether the client declared roots.
    pub fn supports_roots(&self) -> bool {
        self.roots.is_some()
    }

    /// Whether the client declared the extension `id` (2026-07-28).
    pub fn supports_extension(&self, id: &str) -> bool {
        self.extensions.as_ref().is_some_and(|e| e.contains_key(id))
    }
}

/// The client's roots capability.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RootsCapability {
    /// Whether the client notifies when roots change (before 2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub list_changed: Option<bool>,
}

/// The client's sampling capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SamplingCapability {
    /// Present if the client honours `includeContext` (2025-11-25; soft-deprecated).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub context: Option<JsonObject>,
    /// Present if the client supports `tools` and `toolChoice` (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tools: Option<JsonObject>,
}

/// The client's elicitation capability. Empty means form mode only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ElicitationCapability {
    /// Present if the client supports form mode (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub form: Option<JsonObject>,
    /// Present if the client supports URL mode (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<JsonObject>,
}

/// The client's tasks capability (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientTasksCapability {
    /// Present if the client supports `tasks/list`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub list: Option<JsonObject>,
    /// Present if the client supports `tasks/cancel`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cancel: Option<JsonObject>,
    /// Which server-to-client requests may run as tasks.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub requests: Option<ClientTaskRequests>,
}

/// Server-to-client requests that may run as tasks (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientTaskRequests {
    /// Sampling requests.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sampling: Option<SamplingTaskRequests>,
    /// Elicitation requests.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub elicitation: Option<ElicitationTaskRequests>,
}

/// Task support for sampling requests (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SamplingTaskRequests {
    /// Present if `sampling/createMessage` may run as a task.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub create_message: Option<JsonObject>,
}

/// Task support for elicitation requests (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ElicitationTaskRequests {
    /// Present if `elicitation/create` may run as a task.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub create: Option<JsonObject>,
}

/// What a server supports.
///
/// ```
/// use mcpwire_types::ServerCapabilities;
/// let c = ServerCapabilities::default().with_tools(true).with_logging();
/// assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"logging":{},"tools":{"listChanged":true}}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerCapabilities {
    /// Experimental, non-standard capabilities.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub experimental: Option<Map<String, Value>>,
    /// Present if the server sends log messages.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub logging: Option<JsonObject>,
    /// Present if the server offers argument completion (2025-03-26).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub completions: Option<JsonObject>,
    /// Present if the server offers prompts.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prompts: Option<PromptsCapability>,
    /// Present if the server offers resources.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub resources: Option<ResourcesCapability>,
    /// Present if the server offers tools.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tools: Option<ToolsCapability>,
    /// Present if the server supports task-augmented requests (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tasks: Option<ServerTasksCapability>,
    /// MCP extensions the server supports, by identifier (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub extensions: Option<Map<String, Value>>,
}

impl ServerCapabilities {
    /// Declares tools, with or without list-changed notifications.
    ///
    /// ```
    /// use mcpwire_types::ServerCapabilities;
    /// let caps = ServerCapabilities::default().with_tools(true);
    /// assert_eq!(serde_json::to_string(&caps).unwrap(), r#"{"tools":{"listChanged":true}}"#);
    /// let caps = ServerCapabilities::default().with_tools(false);
    /// assert_eq!(serde_json::to_string(&caps).unwrap(), r#"{"tools":{}}"#);
    /// ```
    pub fn with_tools(mut self, list_changed: bool) -> Self {
        self.tools = Some(ToolsCapability {
            list_changed: list_changed.then_some(true),
        });
        self
    }

    /// Declares prompts, with or without list-changed notifications.
    ///
    /// ```
    /// use mcpwire_types::ServerCapabilities;
    /// let caps = ServerCapabilities::default().with_prompts(true);
    /// assert_eq!(serde_json::to_string(&caps).unwrap(), r#"{"prompts":{"listChanged":true}}"#);
    /// ```
    pub fn with_prompts(mut self, list_changed: bool) -> Self {
        self.prompts = Some(PromptsCapability {
            list_changed: list_changed.then_some(true),
        });
        self
    }

    /// Declares resources, with or without subscriptions and list-changed notifications.
    ///
    /// ```
    /// use mcpwire_types::ServerCapabilities;
    /// let caps = ServerCapabilities::default().with_resources(true, false);
    /// assert_eq!(serde_json::to_string(&caps).unwrap(), r#"{"resources":{"subscribe":true}}"#);
    /// ```
    pub fn with_resources(mut self, subscribe: bool, list_changed: bool) -> Self {
        self.resources = Some(ResourcesCapability {
            subscribe: subscribe.then_some(true),
            list_changed: list_changed.then_some(true),
        });
        self
    }

    /// Declares logging (`logging/setLevel` and `notifications/message`).
    ///
    /// ```
    /// use mcpwire_types::ServerCapabilities;
    /// let caps = ServerCapabilities::default().with_logging();
    /// assert_eq!(serde_json::to_string(&caps).unwrap(), r#"{"logging":{}}"#);
    /// ```
    pub fn with_logging(mut self) -> Self {
        self.logging = Some(JsonObject::new());
        self
    }

    /// Declares argument completion (`completion/complete`).
    ///
    /// ```
    /// use mcpwire_types::ServerCapabilities;
    /// let caps = ServerCapabilities::default().with_completions();
    /// assert_eq!(serde_json::to_string(&caps).unwrap(), r#"{"completions":{}}"#);
    /// ```
    pub fn with_completions(mut self) -> Self {
        self.completions = Some(JsonObject::new());
        self
    }

    /// Declares the extension `id` with its settings (2026-07-28).
    ///
    /// ```
    /// use mcpwire_types::{JsonObject, ServerCapabilities};
    /// let caps = ServerCapabilities::default()
    ///     .with_extension("com.example/audit", JsonObject::new());
    /// assert_eq!(
    ///     serde_json::to_string(&caps).unwrap(),
    ///     r#"{"extensions":{"com.example/audit":{}}}"#
    /// );
    /// ```
    pub fn with_extension(mut self, id: impl Into<String>, settings: JsonObject) -> Self {
        self.extensions
            .get_or_insert_with(Map::new)
            .insert(id.into(), Value::Object(settings));
        self
    }
}

/// The server's prompts capability.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptsCapability {
    /// Whether the server notifies when the prompt list changes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub list_changed: Option<bool>,
}

/// The server's resources capability.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourcesCapability {
    /// Whether clients may subscribe to resource updates.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subscribe: Option<bool>,
    /// Whether the server notifies when the resource list changes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub list_changed: Option<bool>,
}

/// The server's tools capability.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolsCapability {
    /// Whether the server notifies when the tool list changes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub list_changed: Option<bool>,
}

/// The server's tasks capability (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerTasksCapability {
    /// Present if the server supports `tasks/list`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub list: Option<JsonObject>,
    /// Present if the server supports `tasks/cancel`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cancel: Option<JsonObject>,
    /// Which client-to-server requests may run as tasks.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub requests: Option<ServerTaskRequests>,
}

/// Client-to-server requests that may run as tasks (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerTaskRequests {
    /// Tool requests.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tools: Option<ToolsTaskRequests>,
}

/// Task support for tool requests (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolsTaskRequests {
    /// Present if `tools/call` may run as a task.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub call: Option<JsonObject>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn elicitation_modes() {
        let both: ClientCapabilities =
            serde_json::from_value(json!({"elicitation": {"form": {}, "url": {}}})).unwrap();
        assert!(both.supports_form_elicitation() && both.supports_url_elicitation());
        let url: ClientCapabilities =
            serde_json::from_value(json!({"elicitation": {"url": {}}})).unwrap();
        assert!(!url.supports_form_elicitation() && url.supports_url_elicitation());
        assert!(!ClientCapabilities::default().supports_form_elicitation());
    }

    #[test]
    fn tasks_capabilities_round_trip() {
        let c = json!({"tasks": {"list": {}, "cancel": {}, "requests": {
            "sampling": {"createMessage": {}}, "elicitation": {"create": {}}}}});
        let v: ClientCapabilities = serde_json::from_value(c.clone()).unwrap();
        assert_eq!(serde_json::to_value(&v).unwrap(), c);
        let s = json!({"tasks": {"list": {}, "requests": {"tools": {"call": {}}}}});
        let v: ServerCapabilities = serde_json::from_value(s.clone()).unwrap();
        assert_eq!(serde_json::to_value(&v).unwrap(), s);
    }
}
