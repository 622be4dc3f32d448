//! Params of the general notifications: progress, cancellation and resource updates.
//!
//! The `*/list_changed` notifications and `notifications/initialized` take
//! [`NotificationParams`](crate::NotificationParams); logging, elicitation,
//! task and subscription notifications live with their features.
//!
//! ```
//! use mcpwire_types::{ProgressNotificationParams, ProgressToken, ResourceUpdatedNotificationParams};
//! let p = ProgressNotificationParams::new(ProgressToken::from(7), 2.0)
//!     .with_total(10.0)
//!     .with_message("2 of 10 files");
//! assert_eq!(
//!     serde_json::to_string(&p).unwrap(),
//!     r#"{"progressToken":7,"progress":2,"total":10,"message":"2 of 10 files"}"#
//! );
//! let u = ResourceUpdatedNotificationParams::new("file:///log");
//! assert_eq!(serde_json::to_string(&u).unwrap(), r#"{"uri":"file:///log"}"#);
//! ```

use serde::{Deserialize, Serialize};

use crate::jsonrpc::RequestId;
use crate::meta::{Meta, ProgressToken};
use crate::num::{compact_f64, compact_opt_f64};

/// The params of `notifications/progress`.
///
/// ```
/// use mcpwire_types::{ProgressNotificationParams, ProgressToken};
/// let p = ProgressNotificationParams::new(ProgressToken::from("t"), 50.0).with_total(100.0);
/// assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"progressToken":"t","progress":50,"total":100}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressNotificationParams {
    /// The token from the request's `_meta`.
    pub progress_token: ProgressToken,
    /// Progress so far; increases with each notification.
    #[serde(serialize_with = "compact_f64")]
    pub progress: f64,
    /// The total, if known.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        serialize_with = "compact_opt_f64"
    )]
    pub total: Option<f64>,
    /// A human-readable description of the progress (2025-03-26).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<String>,
    /// Notification metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ProgressNotificationParams {
    /// Progress for `token`.
    pub fn new(progress_token: ProgressToken, progress: f64) -> Self {
        ProgressNotificationParams {
            progress_token,
            progress,
            total: None,
            message: None,
            meta: None,
        }
    }

    /// Sets the total, so the client can show a fraction.
    ///
    /// ```
    /// use mcpwire_types::ProgressNotificationParams;
    /// let p = ProgressNotificationParams::new(7.into(), 3.0).with_total(4.0);
    /// assert_eq!(p.total, Some(4.0));
    /// ```
    pub fn with_total(mut self, total: f64) -> Self {
        self.total = Some(total);
        self
    }

    /// Sets the message (2025-03-26).
    ///
    /// ```
    /// use mcpwire_types::ProgressNotificationParams;
    /// let p = ProgressNotificationParams::new("job-1".into(), 1.0).with_message("indexing");
    /// assert_eq!(
    ///     serde_json::to_string(&p).unwrap(),
    ///     r#"{"progressToken":"job-1","progress":1,"message":"indexing"}"#
    /// );
    /// ```
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

/// The params of `notifications/cancelled`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelledNotificationParams {
    /// The request to cancel (optional on 2025-11-25, where tasks are
    /// cancelled with `tasks/cancel`; required elsewhere).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_id: Option<RequestId>,
    /// Why the request was cancelled.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// Notification metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl CancelledNotificationParams {
    /// Cancels `request_id`.
    pub fn new(request_id: RequestId) -> Self {
        CancelledNotificationParams {
            request_id: Some(request_id),
            reason: None,
            meta: None,
        }
    }

    /// Sets the reason.
    ///
    /// ```
    /// use mcpwire_types::{CancelledNotificationParams, RequestId};
    /// let p = CancelledNotificationParams::new(RequestId::from(4)).with_reason("user pressed stop");
    /// assert_eq!(
    ///     serde_json::to_string(&p).unwrap(),
    ///     r#"{"requestId":4,"reason":"user pressed stop"}"#
    /// );
    /// ```
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// The params of `notifications/resources/updated`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceUpdatedNotificationParams {
    /// The URI of the resource that changed; may be a sub-resource of the
    /// one subscribed to.
    pub uri: String,
    /// Notification metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ResourceUpdatedNotificationParams {
    /// An update of `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        ResourceUpdatedNotificationParams {
            uri: uri.into(),
            meta: None,
        }
    }
}
