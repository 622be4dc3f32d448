//! Roots (`roots/list`): the directories and files a client exposes to servers.
//!
//! ```
//! use mcpwire_types::{ListRootsResult, Root};
//! let r = ListRootsResult::new(vec![Root::new("file:///home/me/project", "project")]);
//! assert_eq!(
//!     serde_json::to_string(&r).unwrap(),
//!     r#"{"roots":[{"uri":"file:///home/me/project","name":"project"}]}"#
//! );
//! ```

use serde::{Deserialize, Serialize};

use crate::meta::Meta;

/// A root the server may operate in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Root {
    /// The URI of the root; `file://` in current revisions.
    pub uri: String,
    /// A human-readable name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl Root {
    /// A root with a URI and a name.
    pub fn new(uri: impl Into<String>, name: impl Into<String>) -> Self {
        Root {
            uri: uri.into(),
            name: Some(name.into()),
            meta: None,
        }
    }
}

/// The params of `roots/list`: only `_meta`.
pub type ListRootsRequestParams = crate::base::RequestParams;

/// The result of `roots/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListRootsResult {
    /// The roots.
    pub roots: Vec<Root>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ListRootsResult {
    /// A result with these roots.
    pub fn new(roots: Vec<Root>) -> Self {
        ListRootsResult { roots, meta: None }
    }
}
