//! The `initialize` handshake of revisions before 2026-07-28, and the implementation info both sides send.
//!
//! ```
//! use mcpwire_types::{
//!     ClientCapabilities, Implementation, InitializeRequestParams, InitializeResult,
//!     ProtocolVersion, ServerCapabilities,
//! };
//! let hello: InitializeRequestParams = serde_json::from_str(r#"{
//!     "protocolVersion": "2025-11-25",
//!     "capabilities": {"roots": {}},
//!     "clientInfo": {"name": "my-client", "version": "0.3.0"}
//! }"#).unwrap();
//! assert!(hello.capabilities.roots.is_some());
//! // The server answers with the revision it chose, which it can parse.
//! let chosen: ProtocolVersion = hello.protocol_version.parse().unwrap();
//! let answer = InitializeResult::new(
//!     chosen.as_str(),
//!     ServerCapabilities::default().with_tools(false),
//!     Implementation::new("my-server", "1.0.0"),
//! );
//! assert_eq!(serde_json::to_value(&answer).unwrap()["protocolVersion"], "2025-11-25");
//! # let _ = InitializeRequestParams::new("2025-11-25", ClientCapabilities::default(), Implementation::new("c", "1"));
//! ```

use serde::{Deserialize, Serialize};

use crate::capabilities::{ClientCapabilities, ServerCapabilities};
use crate::content::Icon;
use crate::meta::Meta;
use crate::mrtr::ResultType;

/// The name and version of an MCP client or server.
///
/// ```
/// use mcpwire_types::Implementation;
/// let i = Implementation::new("my-server", "1.2.0");
/// assert_eq!(serde_json::to_string(&i).unwrap(), r#"{"name":"my-server","version":"1.2.0"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Implementation {
    /// The programmatic name.
    pub name: String,
    /// A human-readable title (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// The version.
    pub version: String,
    /// What the implementation is (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// Icons for display (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub icons: Option<Vec<Icon>>,
    /// The implementation's website (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub website_url: Option<String>,
}

impl Implementation {
    /// An implementation with a name and a version.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Implementation {
            name: name.into(),
            title: None,
            version: version.into(),
            description: None,
            icons: None,
            website_url: None,
        }
    }

    /// Sets the title, a name for people to read.
    ///
    /// ```
    /// use mcpwire_types::Implementation;
    /// let i = Implementation::new("weather", "1.0.0").with_title("Weather");
    /// assert_eq!(
    ///     serde_json::to_string(&i).unwrap(),
    ///     r#"{"name":"weather","title":"Weather","version":"1.0.0"}"#
    /// );
    /// ```
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// The params of `initialize` (before 2026-07-28).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeRequestParams {
    /// The newest revision the client supports. Kept as a string: an unknown
    /// revision must be read to be negotiated down.
    pub protocol_version: String,
    /// What the client supports.
    pub capabilities: ClientCapabilities,
    /// The client's name and version.
    pub client_info: Implementation,
    /// Request metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl InitializeRequestParams {
    /// Params for a client speaking `protocol_version`.
    pub fn new(
        protocol_version: impl Into<String>,
        capabilities: ClientCapabilities,
        client_info: Implementation,
    ) -> Self {
        InitializeRequestParams {
            protocol_version: protocol_version.into(),
            capabilities,
            client_info,
            meta: None,
        }
    }
}

/// The result of `initialize` (before 2026-07-28).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeResult {
    /// The revision the server chose.
    pub protocol_version: String,
    /// What the server supports.
    pub capabilities: ServerCapabilities,
    /// The server's name and version.
    pub server_info: Implementation,
    /// How to use the server; may be added to the model's system prompt.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub instructions: Option<String>,
    /// Not sent by the revisions that have `initialize`; kept for symmetry.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl InitializeResult {
    /// A result for a server speaking `protocol_version`.
    pub fn new(
        protocol_version: impl Into<String>,
        capabilities: ServerCapabilities,
        server_info: Implementation,
    ) -> Self {
        InitializeResult {
            protocol_version: protocol_version.into(),
            capabilities,
            server_info,
            instructions: None,
            result_type: None,
            meta: None,
        }
    }

    /// Sets the instructions.
    ///
    /// ```
    /// use mcpwire_types::{Implementation, InitializeResult, ServerCapabilities};
    /// let r = InitializeResult::new(
    ///     "2025-11-25",
    ///     ServerCapabilities::default().with_tools(false),
    ///     Implementation::new("weather", "1.0.0"),
    /// )
    /// .with_instructions("Call `forecast` before answering questions about the weather.");
    /// assert_eq!(
    ///     serde_json::to_value(&r).unwrap()["instructions"],
    ///     "Call `forecast` before answering questions about the weather."
    /// );
    /// ```
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }
}
