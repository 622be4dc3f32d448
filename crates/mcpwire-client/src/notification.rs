//! Notifications a client receives from a server, typed.

use mcpwire_types::{
    CancelledNotificationParams, LoggingMessageNotificationParams, Notification,
    ProgressNotificationParams, TaskStatusNotificationParams, methods,
};
use serde_json::Value;

/// A notification from the server.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerNotification {
    /// `notifications/progress`.
    Progress(ProgressNotificationParams),
    /// `notifications/message`: a log message.
    Log(LoggingMessageNotificationParams),
    /// `notifications/tools/list_changed`.
    ToolsListChanged,
    /// `notifications/resources/list_changed`.
    ResourcesListChanged,
    /// `notifications/prompts/list_changed`.
    PromptsListChanged,
    /// `notifications/resources/updated`, with the resource's URI.
    ResourceUpdated {
        /// The URI that changed.
        uri: String,
    },
    /// `notifications/cancelled`: the server gave up on a request of ours.
    Cancelled(CancelledNotificationParams),
    /// `notifications/tasks/status` (2025-11-25): a task's new state.
    TaskStatus(TaskStatusNotificationParams),
    /// Anything else, or a known notification with malformed params.
    Other(Notification),
}

impl ServerNotification {
    /// Types a raw notification.
    pub fn from_notification(n: Notification) -> Self {
        fn parse<T: serde::de::DeserializeOwned>(p: &Option<Value>) -> Option<T> {
            p.as_ref().and_then(|v| T::deserialize(v).ok())
        }
        let typed = match n.method.as_str() {
            methods::NOTIFICATIONS_PROGRESS => parse(&n.params).map(ServerNotification::Progress),
            methods::NOTIFICATIONS_MESSAGE => parse(&n.params).map(ServerNotification::Log),
            methods::NOTIFICATIONS_TOOLS_LIST_CHANGED => Some(ServerNotification::ToolsListChanged),
            methods::NOTIFICATIONS_RESOURCES_LIST_CHANGED => {
                Some(ServerNotification::ResourcesListChanged)
            }
            methods::NOTIFICATIONS_PROMPTS_LIST_CHANGED => {
                Some(ServerNotification::PromptsListChanged)
            }
            methods::NOTIFICATIONS_RESOURCES_UPDATED => n
                .params
                .as_ref()
                .and_then(|p| p.get("uri"))
                .and_then(Value::as_str)
                .map(|uri| ServerNotification::ResourceUpdated {
                    uri: uri.to_owned(),
                }),
            methods::NOTIFICATIONS_CANCELLED => parse(&n.params).map(ServerNotification::Cancelled),
            methods::NOTIFICATIONS_TASKS_STATUS => {
                parse(&n.params).map(ServerNotification::TaskStatus)
            }
            _ => None,
        };
        typed.unwrap_or(ServerNotification::Other(n))
    }
}
