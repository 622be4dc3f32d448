//! Method names of every request and notification of every revision, and which revisions have each.
//!
//! ```
//! use mcpwire_types::{methods, ProtocolVersion};
//! assert_eq!(methods::TOOLS_CALL, "tools/call");
//! assert!(methods::is_available(methods::SERVER_DISCOVER, ProtocolVersion::V2026_07_28));
//! assert!(!methods::is_available(methods::INITIALIZE, ProtocolVersion::V2026_07_28));
//! ```

use crate::version::ProtocolVersion;

/// `initialize` (before 2026-07-28).
pub const INITIALIZE: &str = "initialize";
/// `ping` (before 2026-07-28).
pub const PING: &str = "ping";
/// `server/discover` (2026-07-28).
pub const SERVER_DISCOVER: &str = "server/discover";
/// `tools/list`.
pub const TOOLS_LIST: &str = "tools/list";
/// `tools/call`.
pub const TOOLS_CALL: &str = "tools/call";
/// `prompts/list`.
pub const PROMPTS_LIST: &str = "prompts/list";
/// `prompts/get`.
pub const PROMPTS_GET: &str = "prompts/get";
/// `resources/list`.
pub const RESOURCES_LIST: &str = "resources/list";
/// `resources/templates/list`.
pub const RESOURCES_TEMPLATES_LIST: &str = "resources/templates/list";
/// `resources/read`.
pub const RESOURCES_READ: &str = "resources/read";
/// `resources/subscribe` (before 2026-07-28).
pub const RESOURCES_SUBSCRIBE: &str = "resources/subscribe";
/// `resources/unsubscribe` (before 2026-07-28).
pub const RESOURCES_UNSUBSCRIBE: &str = "resources/unsubscribe";
/// `subscriptions/listen` (2026-07-28).
pub const SUBSCRIPTIONS_LISTEN: &str = "subscriptions/listen";
/// `logging/setLevel` (before 2026-07-28).
pub const LOGGING_SET_LEVEL: &str = "logging/setLevel";
/// `completion/complete`.
pub const COMPLETION_COMPLETE: &str = "completion/complete";
/// `sampling/createMessage`.
pub const SAMPLING_CREATE_MESSAGE: &str = "sampling/createMessage";
/// `elicitation/create` (2025-06-18).
pub const ELICITATION_CREATE: &str = "elicitation/create";
/// `roots/list`.
pub const ROOTS_LIST: &str = "roots/list";
/// `tasks/get` (2025-11-25).
pub const TASKS_GET: &str = "tasks/get";
/// `tasks/result` (2025-11-25).
pub const TASKS_RESULT: &str = "tasks/result";
/// `tasks/list` (2025-11-25).
pub const TASKS_LIST: &str = "tasks/list";
/// `tasks/cancel` (2025-11-25).
pub const TASKS_CANCEL: &str = "tasks/cancel";

/// `notifications/initialized` (before 2026-07-28).
pub const NOTIFICATIONS_INITIALIZED: &str = "notifications/initialized";
/// `notifications/cancelled`.
pub const NOTIFICATIONS_CANCELLED: &str = "notifications/cancelled";
/// `notifications/progress`.
pub const NOTIFICATIONS_PROGRESS: &str = "notifications/progress";
/// `notifications/message`: a log message.
pub const NOTIFICATIONS_MESSAGE: &str = "notifications/message";
/// `notifications/tools/list_changed`.
pub const NOTIFICATIONS_TOOLS_LIST_CHANGED: &str = "notifications/tools/list_changed";
/// `notifications/prompts/list_changed`.
pub const NOTIFICATIONS_PROMPTS_LIST_CHANGED: &str = "notifications/prompts/list_changed";
/// `notifications/resources/list_changed`.
pub const NOTIFICATIONS_RESOURCES_LIST_CHANGED: &str = "notifications/resources/list_changed";
/// `notifications/resources/updated`.
pub const NOTIFICATIONS_RESOURCES_UPDATED: &str = "notifications/resources/updated";
/// `notifications/roots/list_changed` (before 2026-07-28).
pub const NOTIFICATIONS_ROOTS_LIST_CHANGED: &str = "notifications/roots/list_changed";
/// `notifications/elicitation/complete` (2025-11-25).
pub const NOTIFICATIONS_ELICITATION_COMPLETE: &str = "notifications/elicitation/complete";
/// `notifications/tasks/status` (2025-11-25).
pub const NOTIFICATIONS_TASKS_STATUS: &str = "notifications/tasks/status";
/// `notifications/subscriptions/acknowledged` (2026-07-28).
pub const NOTIFICATIONS_SUBSCRIPTIONS_ACKNOWLEDGED: &str =
    "notifications/subscriptions/acknowledged";

/// A method and the revisions that define it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodInfo {
    /// The method name.
    pub name: &'static str,
    /// Whether it is a notification (no response).
    pub notification: bool,
    /// The first revision that has it.
    pub since: ProtocolVersion,
    /// The last revision that has it, or `None` if the newest still does.
    pub until: Option<ProtocolVersion>,
}

impl MethodInfo {
    /// Whether revision `v` defines the method.
    pub fn available_in(&self, v: ProtocolVersion) -> bool {
        v >= self.since && self.until.is_none_or(|u| v <= u)
    }
}

const fn m(
    name: &'static str,
    notification: bool,
    since: ProtocolVersion,
    until: Option<ProtocolVersion>,
) -> MethodInfo {
    MethodInfo {
        name,
        notification,
        since,
        until,
    }
}

use ProtocolVersion::{V2024_11_05 as R1, V2025_06_18 as R3, V2025_11_25 as R4, V2026_07_28 as R5};

/// Every method and notification of every revision.
pub const ALL: &[MethodInfo] = &[
    m(INITIALIZE, false, R1, Some(R4)),
    m(PING, false, R1, Some(R4)),
    m(SERVER_DISCOVER, false, R5, None),
    m(TOOLS_LIST, false, R1, None),
    m(TOOLS_CALL, false, R1, None),
    m(PROMPTS_LIST, false, R1, None),
    m(PROMPTS_GET, false, R1, None),
    m(RESOURCES_LIST, false, R1, None),
    m(RESOURCES_TEMPLATES_LIST, false, R1, None),
    m(RESOURCES_READ, false, R1, None),
    m(RESOURCES_SUBSCRIBE, false, R1, Some(R4)),
    m(RESOURCES_UNSUBSCRIBE, false, R1, Some(R4)),
    m(SUBSCRIPTIONS_LISTEN, false, R5, None),
    m(LOGGING_SET_LEVEL, false, R1, Some(R4)),
    m(COMPLETION_COMPLETE, false, R1, None),
    m(SAMPLING_CREATE_MESSAGE, false, R1, None),
    m(ELICITATION_CREATE, false, R3, None),
    m(ROOTS_LIST, false, R1, None),
    m(TASKS_GET, false, R4, Some(R4)),
    m(TASKS_RESULT, false, R4, Some(R4)),
    m(TASKS_LIST, false, R4, Some(R4)),
    m(TASKS_CANCEL, false, R4, Some(R4)),
    m(NOTIFICATIONS_INITIALIZED, true, R1, Some(R4)),
    m(NOTIFICATIONS_CANCELLED, true, R1, None),
    m(NOTIFICATIONS_PROGRESS, true, R1, None),
    m(NOTIFICATIONS_MESSAGE, true, R1, None),
    m(NOTIFICATIONS_TOOLS_LIST_CHANGED, true, R1, None),
    m(NOTIFICATIONS_PROMPTS_LIST_CHANGED, true, R1, None),
    m(NOTIFICATIONS_RESOURCES_LIST_CHANGED, true, R1, None),
    m(NOTIFICATIONS_RESOURCES_UPDATED, true, R1, None),
    m(NOTIFICATIONS_ROOTS_LIST_CHANGED, true, R1, Some(R4)),
    m(NOTIFICATIONS_ELICITATION_COMPLETE, true, R4, Some(R4)),
    m(NOTIFICATIONS_TASKS_STATUS, true, R4, Some(R4)),
    m(NOTIFICATIONS_SUBSCRIPTIONS_ACKNOWLEDGED, true, R5, None),
];

/// What is known about the method `name`, if it is an MCP method.
pub fn info(name: &str) -> Option<&'static MethodInfo> {
    ALL.iter().find(|i| i.name == name)
}

/// Whether revision `v` defines the method `name`.
pub fn is_available(name: &str, v: ProtocolVersion) -> bool {
    info(name).is_some_and(|i| i.available_in(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_shaped() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(ALL[i + 1..].iter().all(|b| b.name != a.name), "{}", a.name);
            assert_eq!(
                a.notification,
                a.name.starts_with("notifications/"),
                "{}",
                a.name
            );
        }
    }
}
