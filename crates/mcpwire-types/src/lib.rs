//! Wire types of the Model Context Protocol.
//!
//! Every type here is plain data with `serde` impls: the JSON-RPC envelope
//! ([`jsonrpc`]), the protocol revisions ([`version`]) and the MCP messages of
//! every published revision. Fields that later revisions added are optional,
//! so one set of types reads and writes every revision.
//!
//! ```
//! use mcpwire_types::{CallToolRequestParams, CallToolResult, ContentBlock};
//! let params: CallToolRequestParams =
//!     serde_json::from_str(r#"{"name":"echo","arguments":{"text":"hi"}}"#).unwrap();
//! let text = params.arguments.as_ref().and_then(|a| a["text"].as_str()).unwrap_or_default();
//! let result = CallToolResult::text(text);
//! assert_eq!(result.content, vec![ContentBlock::text("hi")]);
//! ```

pub mod jsonrpc;
pub mod version;

pub mod apps;
pub mod base;
pub mod cache;
pub mod capabilities;
pub mod completion;
pub mod content;
pub mod discover;
pub mod elicitation;
pub mod era;
pub mod errors;
pub mod fields;
pub mod lifecycle;
pub mod logging;
pub mod meta;
pub mod methods;
pub mod mrtr;
pub mod notifications;
pub mod pagination;
pub mod prompts;
pub mod request;
pub mod resources;
pub mod roots;
pub mod sampling;
pub mod skill_format;
pub mod skills;
pub mod subscriptions;
pub mod tasks;
pub mod tasks_extension;
pub mod token;
pub mod tools;

mod num;

pub use jsonrpc::{
    ErrorCode, ErrorObject, Incoming, JSONRPC_VERSION, MAX_NESTING, Message, Notification,
    Rejection, Request, RequestId, Response,
};
pub use version::{ProtocolVersion, UnknownVersion};

pub use base::{EmptyResult, NotificationParams, RequestParams};
pub use cache::{CacheHint, CacheScope};
pub use capabilities::{
    ClientCapabilities, ClientTaskRequests, ClientTasksCapability, ElicitationCapability,
    ElicitationTaskRequests, JsonObject, PromptsCapability, ResourcesCapability, RootsCapability,
    SamplingCapability, SamplingTaskRequests, ServerCapabilities, ServerTaskRequests,
    ServerTasksCapability, ToolsCapability, ToolsTaskRequests,
};
pub use completion::{
    CompleteArgument, CompleteContext, CompleteReference, CompleteRequestParams, CompleteResult,
    Completion, PromptReference, ResourceReference, ResourceTemplateReference,
};
pub use content::{
    Annotations, AudioContent, ContentBlock, EmbeddedResource, Icon, IconTheme, ImageContent,
    ResourceLink, Role, TextContent,
};
pub use discover::{DiscoverRequestParams, DiscoverResult};
pub use elicitation::{
    BooleanSchema, ElicitAction, ElicitRequestFormParams, ElicitRequestParams,
    ElicitRequestURLParams, ElicitResult, ElicitationCompleteNotificationParams, EnumOption,
    FormMode, LegacyTitledEnumSchema, NumberSchema, NumberType, PrimitiveSchemaDefinition,
    StringFormat, StringSchema, TitledEnumItems, TitledMultiSelectEnumSchema,
    TitledSingleSelectEnumSchema, UntitledEnumItems, UntitledMultiSelectEnumSchema,
    UntitledSingleSelectEnumSchema,
};
pub use era::{Era, EraError};
pub use errors::{
    MissingRequiredClientCapabilityData, UnsupportedProtocolVersionData, UrlElicitationRequiredData,
};
pub use lifecycle::{Implementation, InitializeRequestParams, InitializeResult};
pub use logging::{
    LoggingLevel, LoggingMessageNotificationParams, SetLevelRequestParams, UnknownLevel,
};
pub use meta::{Meta, MetaExt, ProgressToken};
pub use mrtr::{
    InputRequest, InputRequests, InputRequiredResult, InputResponse, InputResponseRequestParams,
    InputResponses, MaybeInputRequired, PendingInput, ResultType,
};
pub use notifications::{
    CancelledNotificationParams, ProgressNotificationParams, ResourceUpdatedNotificationParams,
};
pub use pagination::{Cursor, PaginatedRequestParams};
pub use prompts::{
    GetPromptRequestParams, GetPromptResult, ListPromptsResult, Prompt, PromptArgument,
    PromptMessage,
};
pub use resources::{
    BlobResourceContents, ListResourceTemplatesResult, ListResourcesResult,
    ReadResourceRequestParams, ReadResourceResult, Resource, ResourceContents, ResourceTemplate,
    SubscribeRequestParams, TextResourceContents, UnsubscribeRequestParams,
};
pub use roots::{ListRootsRequestParams, ListRootsResult, Root};
pub use sampling::{
    CreateMessageRequestParams, CreateMessageResult, IncludeContext, ModelHint, ModelPreferences,
    SamplingContent, SamplingMessage, SamplingMessageContentBlock, ToolChoice, ToolChoiceMode,
    ToolResultContent, ToolUseContent,
};
pub use subscriptions::{
    SubscriptionFilter, SubscriptionsAcknowledgedNotificationParams,
    SubscriptionsListenRequestParams, SubscriptionsListenResult,
};
pub use tasks::{
    CancelTaskRequestParams, CancelTaskResult, CreateTaskResult, GetTaskPayloadRequestParams,
    GetTaskPayloadResult, GetTaskRequestParams, GetTaskResult, ListTasksResult,
    RelatedTaskMetadata, Task, TaskIdParams, TaskMetadata, TaskResult, TaskStatus,
    TaskStatusNotificationParams,
};
pub use tasks_extension::{DetailedTask, UpdateTaskRequestParams};
pub use token::VerifiedToken;
pub use tools::{
    CallToolRequestParams, CallToolResult, ListToolsResult, TaskSupport, Tool, ToolAnnotations,
    ToolExecution,
};
