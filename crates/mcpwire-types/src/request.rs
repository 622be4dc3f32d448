//! Typed requests: each MCP request method bound to its params and result
//! types, and to the capability the answering side must have advertised.
//!
//! A server routes by these bindings, and a client calls any of them with
//! one generic method. The marker types in [`requests`] name the methods
//! of every revision.
//!
//! ```
//! use mcpwire_types::request::{requests::CallTool, Capability, Request};
//! assert_eq!(CallTool::METHOD, "tools/call");
//! assert_eq!(CallTool::CAPABILITY, Some(Capability::Tools));
//! let params: <CallTool as Request>::Params =
//!     serde_json::from_value(serde_json::json!({"name": "echo"})).unwrap();
//! assert_eq!(params.name, "echo");
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ProtocolVersion;
use crate::pagination::Cursor;

/// A capability one side declares during the handshake (or in
/// `server/discover`). A method of a capability the answering side did not
/// declare is answered `-32601 Method not found`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// The server's `tools`.
    Tools,
    /// The server's `prompts`.
    Prompts,
    /// The server's `resources`.
    Resources,
    /// The server's `resources.subscribe`.
    ResourceSubscriptions,
    /// The server's `logging`.
    Logging,
    /// The server's `completions`.
    Completions,
    /// The `tasks` capability of whichever side answers.
    Tasks,
    /// The client's `sampling`.
    Sampling,
    /// The client's `elicitation`.
    Elicitation,
    /// The client's `roots`.
    Roots,
    /// An extension, by its id in `capabilities.extensions` (e.g.
    /// `io.modelcontextprotocol/skills`).
    Extension(&'static str),
}

/// One request method: its name, and the types of its params and result.
pub trait Request {
    /// The method name on the wire.
    const METHOD: &'static str;
    /// The capability the answering side must have declared, if any.
    const CAPABILITY: Option<Capability>;
    /// The `params` of the request.
    type Params: Serialize + DeserializeOwned + Send + 'static;
    /// The `result` of a successful answer.
    type Result: Serialize + DeserializeOwned + Send + 'static;
    /// The member of `params` that names what the request acts on (the
    /// tool, prompt, resource or task), which Streamable HTTP repeats in
    /// the `Mcp-Name` header; `None` for a request that targets nothing.
    const TARGET: Option<&'static str> = None;

    /// What the request acts on: the value of its [`Request::TARGET`]
    /// member.
    ///
    /// ```
    /// use mcpwire_types::request::{requests::{CallTool, ListTools}, Request};
    /// use mcpwire_types::{CallToolRequestParams, PaginatedRequestParams};
    /// assert_eq!(CallTool::target(&CallToolRequestParams::new("echo")), Some("echo"));
    /// assert_eq!(ListTools::target(&PaginatedRequestParams::default()), None);
    /// ```
    fn target(params: &Self::Params) -> Option<&str> {
        let _ = params;
        None
    }
}

/// The bound methods that target something, with the member of their
/// params that names it: read from the bindings, so that raw requests
/// ([`target`]) follow the same rule as typed ones ([`Request::target`]).
const TARGETED: [(&str, &str); 6] = [
    targeted::<requests::CallTool>(),
    targeted::<requests::GetPrompt>(),
    targeted::<requests::ReadResource>(),
    targeted::<requests::GetTask>(),
    targeted::<requests::UpdateTask>(),
    targeted::<requests::CancelTask>(),
];

/// `R`'s method and target member; a binding without one fails the build.
const fn targeted<R: Request>() -> (&'static str, &'static str) {
    match R::TARGET {
        Some(member) => (R::METHOD, member),
        None => panic!("a binding listed in TARGETED has no TARGET"),
    }
}

/// The member of a `method` request's params that names what it acts on
/// (see [`Request::TARGET`]).
///
/// ```
/// use mcpwire_types::request::target_member;
/// assert_eq!(target_member("resources/read"), Some("uri"));
/// assert_eq!(target_member("tools/list"), None);
/// ```
pub fn target_member(method: &str) -> Option<&'static str> {
    TARGETED
        .iter()
        .find(|(m, _)| *m == method)
        .map(|(_, member)| *member)
}

/// What a raw `method` request with `params` acts on, by the rule of
/// [`Request::target`]: for senders that hold params as JSON (a proxy, a
/// raw call). `None` when the method targets nothing or the member is not
/// a string.
///
/// ```
/// use mcpwire_types::request::target;
/// let params = serde_json::json!({"name": "echo", "arguments": {"name": "inner"}});
/// assert_eq!(target("tools/call", &params), Some("echo"));
/// assert_eq!(target("tools/list", &params), None);
/// ```
pub fn target<'a>(method: &str, params: &'a Value) -> Option<&'a str> {
    params.get(target_member(method)?)?.as_str()
}

/// The revision a self-describing (2026-07-28) request names in
/// `_meta["io.modelcontextprotocol/protocolVersion"]`, if it names one
/// this crate knows.
///
/// ```
/// use mcpwire_types::{request::named_revision, ProtocolVersion};
/// let params = serde_json::json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}});
/// assert_eq!(named_revision(&params), Some(ProtocolVersion::V2026_07_28));
/// assert_eq!(named_revision(&serde_json::json!({})), None);
/// ```
pub fn named_revision(params: &Value) -> Option<ProtocolVersion> {
    crate::Era::named_version(Some(params))?
        .as_str()?
        .parse()
        .ok()
}

/// A result that is one page of a list, with the cursor of the next page.
pub trait Page {
    /// What the list holds.
    type Item;
    /// The cursor of the next page, if there is one.
    fn next_cursor(&self) -> Option<&Cursor>;
    /// The items of this page.
    fn into_items(self) -> Vec<Self::Item>;
}

/// A request whose result is a [`Page`] and whose params carry the cursor
/// of the page asked for.
pub trait PaginatedRequest: Request<Result: Page> {
    /// The params that ask for the page after `cursor` (the first page
    /// when `None`).
    fn page_params(cursor: Option<Cursor>) -> Self::Params;
}

macro_rules! page {
    ($result:ty, $field:ident, $item:ty) => {
        impl Page for $result {
            type Item = $item;
            fn next_cursor(&self) -> Option<&Cursor> {
                self.next_cursor.as_ref()
            }
            fn into_items(self) -> Vec<$item> {
                self.$field
            }
        }
    };
}

page!(crate::ListToolsResult, tools, crate::Tool);
page!(crate::ListPromptsResult, prompts, crate::Prompt);
page!(crate::ListResourcesResult, resources, crate::Resource);
page!(
    crate::ListResourceTemplatesResult,
    resource_templates,
    crate::ResourceTemplate
);
page!(crate::ListTasksResult, tasks, crate::tasks::Task);

pub mod requests {
    //! One marker type per request method, each implementing
    //! [`Request`].
    //!
    //! ```
    //! use mcpwire_types::request::{requests::ReadResource, Capability, Request};
    //! use mcpwire_types::ReadResourceRequestParams;
    //! assert_eq!(ReadResource::METHOD, "resources/read");
    //! assert_eq!(ReadResource::CAPABILITY, Some(Capability::Resources));
    //! let params = ReadResourceRequestParams::new("file:///a.txt");
    //! assert_eq!(ReadResource::target(&params), Some("file:///a.txt"));
    //! ```
    use super::{Capability, PaginatedRequest, Request};
    use crate::pagination::{Cursor, PaginatedRequestParams};
    use crate::{methods, tasks};

    macro_rules! request {
        (
            $(#[$doc:meta])* $name:ident, $method:expr, $cap:expr, $params:ty, $result:ty
            $(, target: $field:ident as $member:literal)?
        ) => {
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum $name {}

            impl Request for $name {
                const METHOD: &'static str = $method;
                const CAPABILITY: Option<Capability> = $cap;
                type Params = $params;
                type Result = $result;
                $(
                    const TARGET: Option<&'static str> = Some($member);
                    fn target(params: &$params) -> Option<&str> {
                        Some(&params.$field)
                    }
                )?
            }
        };
    }

    macro_rules! paginated {
        ($($name:ident),*) => {$(
            impl PaginatedRequest for $name {
                fn page_params(cursor: Option<Cursor>) -> PaginatedRequestParams {
                    PaginatedRequestParams { cursor, ..Default::default() }
                }
            }
        )*};
    }

    request!(
        /// `initialize`: opens a session (before 2026-07-28).
        Initialize, methods::INITIALIZE, None,
        crate::InitializeRequestParams, crate::InitializeResult
    );
    request!(
        /// `ping`.
        Ping, methods::PING, None,
        Option<crate::RequestParams>, crate::EmptyResult
    );
    request!(
        /// `server/discover`: what a stateless server offers (2026-07-28).
        Discover, methods::SERVER_DISCOVER, None,
        crate::DiscoverRequestParams, crate::DiscoverResult
    );
    request!(
        /// `tools/list`.
        ListTools, methods::TOOLS_LIST, Some(Capability::Tools),
        PaginatedRequestParams, crate::ListToolsResult
    );
    request!(
        /// `tools/call`.
        CallTool, methods::TOOLS_CALL, Some(Capability::Tools),
        crate::CallToolRequestParams, crate::CallToolResult,
        target: name as "name"
    );
    request!(
        /// `prompts/list`.
        ListPrompts, methods::PROMPTS_LIST, Some(Capability::Prompts),
        PaginatedRequestParams, crate::ListPromptsResult
    );
    request!(
        /// `prompts/get`.
        GetPrompt, methods::PROMPTS_GET, Some(Capability::Prompts),
        crate::GetPromptRequestParams, crate::GetPromptResult,
        target: name as "name"
    );
    request!(
        /// `resources/list`.
        ListResources, methods::RESOURCES_LIST, Some(Capability::Resources),
        PaginatedRequestParams, crate::ListResourcesResult
    );
    request!(
        /// `resources/templates/list`.
        ListResourceTemplates, methods::RESOURCES_TEMPLATES_LIST, Some(Capability::Resources),
        PaginatedRequestParams, crate::ListResourceTemplatesResult
    );
    request!(
        /// `resources/read`.
        ReadResource, methods::RESOURCES_READ, Some(Capability::Resources),
        crate::ReadResourceRequestParams, crate::ReadResourceResult,
        target: uri as "uri"
    );
    request!(
        /// `resources/subscribe` (before 2026-07-28).
        Subscribe, methods::RESOURCES_SUBSCRIBE, Some(Capability::ResourceSubscriptions),
        crate::SubscribeRequestParams, crate::EmptyResult
    );
    request!(
        /// `resources/unsubscribe` (before 2026-07-28).
        Unsubscribe, methods::RESOURCES_UNSUBSCRIBE, Some(Capability::ResourceSubscriptions),
        crate::UnsubscribeRequestParams, crate::EmptyResult
    );
    request!(
        /// `logging/setLevel` (before 2026-07-28).
        SetLevel, methods::LOGGING_SET_LEVEL, Some(Capability::Logging),
        crate::SetLevelRequestParams, crate::EmptyResult
    );
    request!(
        /// `completion/complete`.
        Complete, methods::COMPLETION_COMPLETE, Some(Capability::Completions),
        crate::CompleteRequestParams, crate::CompleteResult
    );
    request!(
        /// `sampling/createMessage`, sent to the client.
        CreateMessage, methods::SAMPLING_CREATE_MESSAGE, Some(Capability::Sampling),
        crate::CreateMessageRequestParams, crate::CreateMessageResult
    );
    request!(
        /// `elicitation/create`, sent to the client.
        Elicit, methods::ELICITATION_CREATE, Some(Capability::Elicitation),
        crate::ElicitRequestParams, crate::ElicitResult
    );
    request!(
        /// `roots/list`, sent to the client.
        ListRoots, methods::ROOTS_LIST, Some(Capability::Roots),
        crate::ListRootsRequestParams, crate::ListRootsResult
    );
    request!(
        /// `tasks/get` (2025-11-25).
        GetTask, methods::TASKS_GET, Some(Capability::Tasks),
        tasks::TaskIdParams, tasks::TaskResult,
        target: task_id as "taskId"
    );
    request!(
        /// `tasks/list` (2025-11-25).
        ListTasks, methods::TASKS_LIST, Some(Capability::Tasks),
        PaginatedRequestParams, crate::ListTasksResult
    );
    request!(
        /// `tasks/cancel` (2025-11-25).
        CancelTask, methods::TASKS_CANCEL, Some(Capability::Tasks),
        tasks::TaskIdParams, tasks::TaskResult,
        target: task_id as "taskId"
    );

    request!(
        /// `tasks/result` (2025-11-25): the result of the task's request,
        /// once it has finished.
        GetTaskResult, methods::TASKS_RESULT, Some(Capability::Tasks),
        tasks::TaskIdParams, crate::CallToolResult
    );
    request!(
        /// `tasks/update` (the tasks extension, 2026-07-28): answers to a
        /// task's input requests.
        UpdateTask, crate::tasks_extension::TASKS_UPDATE,
        Some(Capability::Extension(crate::tasks_extension::EXTENSION_ID)),
        crate::tasks_extension::UpdateTaskRequestParams, crate::EmptyResult,
        target: task_id as "taskId"
    );
    request!(
        /// `subscriptions/listen` (2026-07-28): a stream of the change
        /// notifications asked for.
        Listen, methods::SUBSCRIPTIONS_LISTEN, None,
        crate::SubscriptionsListenRequestParams, crate::SubscriptionsListenResult
    );
    request!(
        /// `skills/list` (the skills extension).
        ListSkills, crate::skills::SKILLS_LIST,
        Some(Capability::Extension(crate::skills::EXTENSION_ID)),
        PaginatedRequestParams, crate::skills::ListSkillsResult
    );
    request!(
        /// `skills/get` (the skills extension).
        GetSkill, crate::skills::SKILLS_GET,
        Some(Capability::Extension(crate::skills::EXTENSION_ID)),
        crate::skills::GetSkillRequestParams, crate::skills::GetSkillResult
    );
    request!(
        /// `resources/directory/read` (the skills extension).
        ReadResourceDirectory, crate::skills::RESOURCES_DIRECTORY_READ,
        Some(Capability::Extension(crate::skills::EXTENSION_ID)),
        crate::skills::ReadResourceDirectoryRequestParams,
        crate::skills::ReadResourceDirectoryResult
    );

    paginated!(
        ListTools,
        ListPrompts,
        ListResources,
        ListResourceTemplates,
        ListTasks
    );
}

#[cfg(test)]
mod tests {
    use super::requests::*;
    use super::*;
    use crate::methods;

    /// Every bound method is one the method table knows, as a request.
    #[test]
    fn every_binding_names_a_known_request_method() {
        fn known<R: Request>() {
            let info = methods::ALL
                .iter()
                .find(|m| m.name == R::METHOD)
                .unwrap_or_else(|| panic!("{} is not in methods::ALL", R::METHOD));
            assert!(!info.notification, "{} is a notification", R::METHOD);
        }
        known::<Initialize>();
        known::<Ping>();
        known::<Discover>();
        known::<ListTools>();
        known::<CallTool>();
        known::<ListPrompts>();
        known::<GetPrompt>();
        known::<ListResources>();
        known::<ListResourceTemplates>();
        known::<ReadResource>();
        known::<Subscribe>();
        known::<Unsubscribe>();
        known::<SetLevel>();
        known::<Complete>();
        known::<CreateMessage>();
        known::<Elicit>();
        known::<ListRoots>();
        known::<GetTask>();
        known::<ListTasks>();
        known::<CancelTask>();
        known::<GetTaskResult>();
        known::<Listen>();
    }

    /// Every binding's target member is the one raw requests are read by.
    #[test]
    fn raw_and_typed_requests_share_the_target_rule() {
        fn same<R: Request>() {
            assert_eq!(target_member(R::METHOD), R::TARGET, "{}", R::METHOD);
        }
        same::<Initialize>();
        same::<Ping>();
        same::<Discover>();
        same::<ListTools>();
        same::<CallTool>();
        same::<ListPrompts>();
        same::<GetPrompt>();
        same::<ListResources>();
        same::<ListResourceTemplates>();
        same::<ReadResource>();
        same::<Subscribe>();
        same::<Unsubscribe>();
        same::<SetLevel>();
        same::<Complete>();
        same::<CreateMessage>();
        same::<Elicit>();
        same::<ListRoots>();
        same::<GetTask>();
        same::<ListTasks>();
        same::<CancelTask>();
        same::<GetTaskResult>();
        same::<UpdateTask>();
        same::<Listen>();
        same::<ListSkills>();
        same::<GetSkill>();
        same::<ReadResourceDirectory>();

        fn agree<R: Request>(params: serde_json::Value, expected: Option<&str>) {
            let typed: R::Params = serde_json::from_value(params.clone()).unwrap();
            assert_eq!(R::target(&typed), expected, "{}", R::METHOD);
            assert_eq!(target(R::METHOD, &params), expected, "{}", R::METHOD);
        }
        use serde_json::json;
        agree::<CallTool>(
            json!({"name": "echo", "arguments": {"name": "inner", "uri": "x"}}),
            Some("echo"),
        );
        agree::<GetPrompt>(json!({"name": "greet"}), Some("greet"));
        agree::<ReadResource>(json!({"uri": "file:///a", "name": "n"}), Some("file:///a"));
        agree::<GetTask>(json!({"taskId": "t-1"}), Some("t-1"));
        agree::<CancelTask>(json!({"taskId": "t-2"}), Some("t-2"));
        agree::<UpdateTask>(json!({"taskId": "t-4", "inputResponses": {}}), Some("t-4"));
        agree::<GetTaskResult>(json!({"taskId": "t-3"}), None);
        agree::<ListTools>(json!({"cursor": "c"}), None);
        // A member of the wrong type names nothing.
        assert_eq!(target("tools/call", &json!({"name": 5})), None);
        assert_eq!(target("tools/call", &json!([1, 2])), None);
    }

    #[test]
    fn only_known_revisions_are_named() {
        let p = |v: &str| serde_json::json!({"_meta": {crate::meta::PROTOCOL_VERSION: v}});
        assert_eq!(
            named_revision(&p("2026-07-28")),
            Some(ProtocolVersion::V2026_07_28)
        );
        assert_eq!(
            named_revision(&p("2025-11-25")),
            Some(ProtocolVersion::V2025_11_25)
        );
        assert_eq!(named_revision(&p("2099-01-01")), None);
        assert_eq!(named_revision(&serde_json::json!({"_meta": 1})), None);
    }

    #[test]
    fn extension_methods_name_their_extension() {
        use crate::{skills, tasks_extension};
        assert_eq!(
            UpdateTask::CAPABILITY,
            Some(Capability::Extension(tasks_extension::EXTENSION_ID))
        );
        for cap in [
            ListSkills::CAPABILITY,
            GetSkill::CAPABILITY,
            ReadResourceDirectory::CAPABILITY,
        ] {
            assert_eq!(cap, Some(Capability::Extension(skills::EXTENSION_ID)));
        }
    }

    #[test]
    fn a_page_gives_its_items_and_the_next_cursor() {
        let page: <ListTools as Request>::Result = serde_json::from_value(serde_json::json!({
            "tools": [{"name": "a", "inputSchema": {"type": "object"}}],
            "nextCursor": "2"
        }))
        .unwrap();
        assert_eq!(page.next_cursor().map(String::as_str), Some("2"));
        let items = page.into_items();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].name, "a");
        let params = ListTools::page_params(Some("2".into()));
        assert_eq!(serde_json::to_value(params).unwrap()["cursor"], "2");
    }
}
