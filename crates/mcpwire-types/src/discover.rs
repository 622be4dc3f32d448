//! `server/discover` (2026-07-28): the stateless replacement of `initialize`.
//!
//! Its params are [`RequestParams`](crate::RequestParams): only `_meta`, which
//! carries the client's protocol version, capabilities and info.
//!
//! ```
//! use mcpwire_types::{CacheHint, CacheScope, DiscoverResult, Implementation, MetaExt, ProtocolVersion, ServerCapabilities};
//! let mut result = DiscoverResult::new(
//!     vec![ProtocolVersion::V2026_07_28.as_str().into()],
//!     ServerCapabilities::default().with_tools(false),
//! )
//! .with_cache(CacheHint::new(60_000, CacheScope::Public));
//! result.meta.get_or_insert_with(Default::default).set_server_info(&Implementation::new("srv", "1.0.0"));
//! let wire = serde_json::to_value(&result).unwrap();
//! assert_eq!(wire["supportedVersions"][0], "2026-07-28");
//! assert_eq!(wire["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "srv");
//! ```

use serde::{Deserialize, Serialize};

use crate::cache::CacheScope;
use crate::capabilities::ServerCapabilities;
use crate::meta::Meta;
use crate::mrtr::ResultType;

/// The params of `server/discover`.
pub type DiscoverRequestParams = crate::base::RequestParams;

/// The result of `server/discover`. The server's info travels in `_meta`
/// under [`SERVER_INFO`](crate::meta::SERVER_INFO).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoverResult {
    /// Whether the result is complete; required on 2026-07-28.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The protocol revisions the server supports.
    pub supported_versions: Vec<String>,
    /// What the server supports.
    pub capabilities: ServerCapabilities,
    /// How to use the server; may be added to the model's system prompt.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub instructions: Option<String>,
    /// How long the client may cache the result, in milliseconds; required on 2026-07-28.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ttl_ms: Option<u64>,
    /// Who may share a cached copy; required on 2026-07-28.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cache_scope: Option<CacheScope>,
    /// Metadata, with the server info.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl DiscoverResult {
    /// A result listing `supported_versions` and `capabilities`.
    pub fn new(supported_versions: Vec<String>, capabilities: ServerCapabilities) -> Self {
        DiscoverResult {
            supported_versions,
            capabilities,
            ..Default::default()
        }
    }
}
