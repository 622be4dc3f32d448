//! Pagination: the opaque cursor and the params of the `*/list` requests.
//!
//! ```
//! use mcpwire_types::{ListToolsResult, PaginatedRequestParams};
//! let first = PaginatedRequestParams::default();
//! assert_eq!(serde_json::to_string(&first).unwrap(), "{}");
//! let page: ListToolsResult = serde_json::from_str(r#"{"tools":[],"nextCursor":"p2"}"#).unwrap();
//! let next = PaginatedRequestParams::after(page.next_cursor.unwrap());
//! assert_eq!(serde_json::to_string(&next).unwrap(), r#"{"cursor":"p2"}"#);
//! ```

use serde::{Deserialize, Serialize};

use crate::meta::Meta;

/// An opaque token that marks a position in a paginated list.
pub type Cursor = String;

/// The params of `tools/list`, `prompts/list`, `resources/list`,
/// `resources/templates/list` and `tasks/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PaginatedRequestParams {
    /// The cursor from the previous page; absent for the first page.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cursor: Option<Cursor>,
    /// Request metadata; required on 2026-07-28.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl PaginatedRequestParams {
    /// Params asking for the page after `cursor`.
    pub fn after(cursor: impl Into<Cursor>) -> Self {
        PaginatedRequestParams {
            cursor: Some(cursor.into()),
            meta: None,
        }
    }
}
