//! Params and results shared by many methods: params holding only `_meta`, and the empty result.
//!
//! ```
//! use mcpwire_types::{EmptyResult, RequestParams};
//! // `ping` carries at most `_meta`, and is answered with `{}`.
//! let p: RequestParams = serde_json::from_str(r#"{"_meta":{"progressToken":1}}"#).unwrap();
//! assert!(p.meta.is_some());
//! assert_eq!(serde_json::to_string(&EmptyResult::default()).unwrap(), "{}");
//! ```

use serde::{Deserialize, Serialize};

use crate::meta::Meta;
use crate::mrtr::ResultType;

/// Params that carry only `_meta`: `ping`, `server/discover`, `roots/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestParams {
    /// Request metadata; required on 2026-07-28.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// Params of notifications that carry only `_meta`: `notifications/initialized`
/// and the `*/list_changed` notifications.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NotificationParams {
    /// Notification metadata (on 2026-07-28, the subscription id).
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// A result with no content, as `ping` and `logging/setLevel` return.
///
/// ```
/// use mcpwire_types::{EmptyResult, ResultType};
/// assert_eq!(serde_json::to_string(&EmptyResult::default()).unwrap(), "{}");
/// let r = EmptyResult { result_type: Some(ResultType::Complete), meta: None };
/// assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"resultType":"complete"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmptyResult {
    /// Whether the result is complete (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}
