//! Prompts: templates, their arguments and messages, and the `prompts/list` and `prompts/get` params and results.
//!
//! ```
//! use mcpwire_types::{GetPromptRequestParams, GetPromptResult, Prompt, PromptMessage};
//! let listed = Prompt::new("summarize");
//! let ask = GetPromptRequestParams::new(listed.name.as_str());
//! let answer = GetPromptResult::new(vec![
//!     PromptMessage::user_text("Summarize the following text."),
//! ]);
//! assert_eq!(ask.name, "summarize");
//! assert_eq!(
//!     serde_json::to_value(&answer).unwrap()["messages"][0],
//!     serde_json::json!({"role": "user", "content": {"type": "text", "text": "Summarize the following text."}})
//! );
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cache::CacheScope;
use crate::content::{ContentBlock, Icon, Role};
use crate::meta::Meta;
use crate::mrtr::{InputResponses, ResultType};
use crate::pagination::Cursor;

/// A prompt or prompt template the server offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prompt {
    /// The programmatic name of the prompt.
    pub name: String,
    /// A human-readable title (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// What the prompt provides.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The arguments the template takes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arguments: Option<Vec<PromptArgument>>,
    /// Icons for display (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub icons: Option<Vec<Icon>>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl Prompt {
    /// A prompt with a name and no arguments.
    pub fn new(name: impl Into<String>) -> Self {
        Prompt {
            name: name.into(),
            title: None,
            description: None,
            arguments: None,
            icons: None,
            meta: None,
        }
    }
}

/// An argument a prompt template takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptArgument {
    /// The argument name.
    pub name: String,
    /// A human-readable title (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// What the argument is.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// Whether the argument must be given.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub required: Option<bool>,
}

impl PromptArgument {
    /// An argument with a name.
    pub fn new(name: impl Into<String>) -> Self {
        PromptArgument {
            name: name.into(),
            title: None,
            description: None,
            required: None,
        }
    }
}

/// One message of a prompt.
///
/// ```
/// use mcpwire_types::{PromptMessage, Role};
/// let m = PromptMessage::user_text("Review this code");
/// assert_eq!(m.role, Role::User);
/// assert_eq!(serde_json::to_string(&m).unwrap(),
///     r#"{"role":"user","content":{"type":"text","text":"Review this code"}}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptMessage {
    /// Who speaks.
    pub role: Role,
    /// What is said.
    pub content: ContentBlock,
}

impl PromptMessage {
    /// A message with a role and a content block.
    pub fn new(role: Role, content: impl Into<ContentBlock>) -> Self {
        PromptMessage {
            role,
            content: content.into(),
        }
    }

    /// A user message of text.
    pub fn user_text(text: impl Into<String>) -> Self {
        PromptMessage::new(Role::User, ContentBlock::text(text))
    }

    /// An assistant message of text.
    pub fn assistant_text(text: impl Into<String>) -> Self {
        PromptMessage::new(Role::Assistant, ContentBlock::text(text))
    }
}

/// The result of `prompts/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPromptsResult {
    /// Whether the result is complete (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The prompts on this page.
    pub prompts: Vec<Prompt>,
    /// The cursor of the next page, if there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_cursor: Option<Cursor>,
    /// How long the client may cache the result, in milliseconds (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ttl_ms: Option<u64>,
    /// Who may share a cached copy (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cache_scope: Option<CacheScope>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The params of `prompts/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPromptRequestParams {
    /// The prompt to get.
    pub name: String,
    /// Values of the template's arguments.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arguments: Option<BTreeMap<String, String>>,
    /// Answers to the input requests of an earlier attempt (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub input_responses: Option<InputResponses>,
    /// The opaque state an earlier attempt returned (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_state: Option<String>,
    /// Request metadata; required on 2026-07-28.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl GetPromptRequestParams {
    /// Params getting `name` with no arguments.
    pub fn new(name: impl Into<String>) -> Self {
        GetPromptRequestParams {
            name: name.into(),
            arguments: None,
            input_responses: None,
            request_state: None,
            meta: None,
        }
    }
}

/// The result of `prompts/get`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPromptResult {
    /// Whether the result is complete (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// What the prompt is.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The messages of the prompt.
    pub messages: Vec<PromptMessage>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl GetPromptResult {
    /// A result with these messages.
    pub fn new(messages: Vec<PromptMessage>) -> Self {
        GetPromptResult {
            messages,
            ..Default::default()
        }
    }

    /// Sets the description.
    ///
    /// ```
    /// use mcpwire_types::{GetPromptResult, PromptMessage};
    /// let r = GetPromptResult::new(vec![PromptMessage::user_text("Review this diff")])
    ///     .with_description("Code review");
    /// assert_eq!(serde_json::to_value(&r).unwrap()["description"], "Code review");
    /// ```
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}
