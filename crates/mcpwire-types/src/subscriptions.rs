//! `subscriptions/listen` (2026-07-28): one long-lived request through which a client receives notifications.
//!
//! ```
//! use mcpwire_types::SubscriptionsListenRequestParams;
//! let listen: SubscriptionsListenRequestParams = serde_json::from_str(r#"{
//!     "notifications": {"toolsListChanged": true, "resourceSubscriptions": ["file:///log"]}
//! }"#).unwrap();
//! assert_eq!(listen.notifications.tools_list_changed, Some(true));
//! assert_eq!(listen.notifications.prompts_list_changed, None);
//! assert_eq!(listen.notifications.resource_subscriptions.as_deref(), Some(&["file:///log".to_string()][..]));
//! ```

use serde::{Deserialize, Serialize};

use crate::meta::Meta;
use crate::mrtr::ResultType;

/// Which notifications a listen stream carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionFilter {
    /// `notifications/tools/list_changed`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tools_list_changed: Option<bool>,
    /// `notifications/prompts/list_changed`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prompts_list_changed: Option<bool>,
    /// `notifications/resources/list_changed`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub resources_list_changed: Option<bool>,
    /// URIs whose `notifications/resources/updated` the client wants.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub resource_subscriptions: Option<Vec<String>>,
}

/// The params of `subscriptions/listen`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionsListenRequestParams {
    /// What to listen to.
    pub notifications: SubscriptionFilter,
    /// Request metadata; required on 2026-07-28.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The result of `subscriptions/listen`, sent only when the server ends the
/// stream gracefully. `_meta` carries the subscription id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsListenResult {
    /// Whether the result is complete.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// Metadata, with the subscription id.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The params of `notifications/subscriptions/acknowledged`: the
/// notifications the server agreed to send on the stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionsAcknowledgedNotificationParams {
    /// What the stream carries.
    pub notifications: SubscriptionFilter,
    /// Notification metadata, with the subscription id.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}
