//! Sampling (`sampling/createMessage`): messages, model preferences, tool use in sampling (2025-11-25) and the result.
//!
//! ```
//! use mcpwire_types::{CreateMessageRequestParams, CreateMessageResult, SamplingMessage};
//! let ask = CreateMessageRequestParams::new(vec![SamplingMessage::user_text("Name a colour.")], 50);
//! assert_eq!(serde_json::to_value(&ask).unwrap()["maxTokens"], 50);
//! let answer = CreateMessageResult::assistant_text("some-model", "Teal.");
//! assert_eq!(
//!     serde_json::to_string(&answer).unwrap(),
//!     r#"{"role":"assistant","content":{"type":"text","text":"Teal."},"model":"some-model"}"#
//! );
//! ```

use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::content::{
    Annotations, AudioContent, BlockKind, ContentBlock, ImageContent, Role, TextContent, missing,
};
use crate::meta::Meta;
use crate::num::compact_opt_f64;
use crate::tasks::TaskMetadata;
use crate::tools::Tool;

/// The params of `sampling/createMessage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessageRequestParams {
    /// The conversation to continue.
    pub messages: Vec<SamplingMessage>,
    /// Which model the server would prefer.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub model_preferences: Option<ModelPreferences>,
    /// A system prompt the client may use.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub system_prompt: Option<String>,
    /// Which MCP servers' context to include (soft-deprecated in 2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub include_context: Option<IncludeContext>,
    /// The sampling temperature.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        serialize_with = "compact_opt_f64"
    )]
    pub temperature: Option<f64>,
    /// The most tokens to sample.
    pub max_tokens: u64,
    /// Sequences that stop sampling.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stop_sequences: Option<Vec<String>>,
    /// Provider-specific metadata passed through to the model.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub metadata: Option<Map<String, Value>>,
    /// Tools the model may use (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tools: Option<Vec<Tool>>,
    /// How the model may use the tools (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tool_choice: Option<ToolChoice>,
    /// Run the request as a task (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub task: Option<TaskMetadata>,
    /// Request metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl CreateMessageRequestParams {
    /// Params sampling at most `max_tokens` after `messages`.
    pub fn new(messages: Vec<SamplingMessage>, max_tokens: u64) -> Self {
        CreateMessageRequestParams {
            messages,
            model_preferences: None,
            system_prompt: None,
            include_context: None,
            temperature: None,
            max_tokens,
            stop_sequences: None,
            metadata: None,
            tools: None,
            tool_choice: None,
            task: None,
            meta: None,
        }
    }
}

/// Which MCP servers' context the client should include in sampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IncludeContext {
    /// No context.
    None,
    /// Context of the requesting server.
    ThisServer,
    /// Context of every connected server.
    AllServers,
}

/// How the model may use the tools of a sampling request (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolChoice {
    /// The mode; `auto` when absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mode: Option<ToolChoiceMode>,
}

/// Tool use modes of sampling (2025-11-25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolChoiceMode {
    /// The model decides.
    Auto,
    /// The model must use at least one tool.
    Required,
    /// The model must not use tools.
    None,
}

/// The server's preferences for model selection. Priorities run from 0 to 1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelPreferences {
    /// Model name hints, in order of preference.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hints: Option<Vec<ModelHint>>,
    /// How much cost matters.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        serialize_with = "compact_opt_f64"
    )]
    pub cost_priority: Option<f64>,
    /// How much speed matters.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        serialize_with = "compact_opt_f64"
    )]
    pub speed_priority: Option<f64>,
    /// How much capability matters.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        serialize_with = "compact_opt_f64"
    )]
    pub intelligence_priority: Option<f64>,
}

/// A hint for model selection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelHint {
    /// A full or partial model name, such as `claude-3-5-sonnet` or `sonnet`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
}

/// One message of a sampling conversation.
///
/// ```
/// use mcpwire_types::{SamplingMessage, Role};
/// let m = SamplingMessage::user_text("What is the capital of France?");
/// assert_eq!(m.role, Role::User);
/// let back: SamplingMessage = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
/// assert_eq!(back, m);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplingMessage {
    /// Who speaks.
    pub role: Role,
    /// One block or, from 2025-11-25, several.
    pub content: SamplingContent,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl SamplingMessage {
    /// A user message of text.
    pub fn user_text(text: impl Into<String>) -> Self {
        SamplingMessage {
            role: Role::User,
            content: SamplingContent::Single(SamplingMessageContentBlock::Text(TextContent::new(
                text,
            ))),
            meta: None,
        }
    }
}

/// The content of a sampling message or result: one block or an array of blocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SamplingContent {
    /// A single block, as every revision allows.
    Single(SamplingMessageContentBlock),
    /// An array of blocks (2025-11-25).
    Multiple(Vec<SamplingMessageContentBlock>),
}

impl SamplingContent {
    /// The blocks, one or many.
    pub fn blocks(&self) -> &[SamplingMessageContentBlock] {
        match self {
            SamplingContent::Single(b) => std::slice::from_ref(b),
            SamplingContent::Multiple(v) => v,
        }
    }
}

impl<'de> Deserialize<'de> for SamplingContent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SamplingContent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a content block or an array of content blocks")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SamplingContent, A::Error> {
                SamplingMessageContentBlock::deserialize(MapAccessDeserializer::new(map))
                    .map(SamplingContent::Single)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<SamplingContent, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq)).map(SamplingContent::Multiple)
            }
        }
        d.deserialize_any(V)
    }
}

/// Content of sampling messages: text, image, audio, tool use or tool result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SamplingMessageContentBlock {
    /// `"type": "text"`.
    Text(TextContent),
    /// `"type": "image"`.
    Image(ImageContent),
    /// `"type": "audio"`.
    Audio(AudioContent),
    /// `"type": "tool_use"` (2025-11-25).
    ToolUse(ToolUseContent),
    /// `"type": "tool_result"` (2025-11-25).
    ToolResult(ToolResultContent),
}

/// A model's request to call a tool, in sampling (2025-11-25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "tool_use")]
pub struct ToolUseContent {
    /// The id of this tool use, matched by the result's `toolUseId`.
    pub id: String,
    /// The tool to call.
    pub name: String,
    /// The arguments.
    pub input: Map<String, Value>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The result of a tool use, in sampling (2025-11-25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "tool_result", rename_all = "camelCase")]
pub struct ToolResultContent {
    /// The `id` of the tool use this answers.
    pub tool_use_id: String,
    /// The unstructured result.
    pub content: Vec<ContentBlock>,
    /// The structured result.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub structured_content: Option<Value>,
    /// Whether the tool call failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub is_error: Option<bool>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSamplingBlock {
    #[serde(rename = "type")]
    kind: BlockKind,
    text: Option<String>,
    data: Option<String>,
    mime_type: Option<String>,
    id: Option<String>,
    name: Option<String>,
    input: Option<Map<String, Value>>,
    tool_use_id: Option<String>,
    content: Option<Vec<ContentBlock>>,
    structured_content: Option<Value>,
    is_error: Option<bool>,
    annotations: Option<Annotations>,
    #[serde(rename = "_meta")]
    meta: Option<Meta>,
}

impl<'de> Deserialize<'de> for SamplingMessageContentBlock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = RawSamplingBlock::deserialize(d)?;
        Ok(match r.kind {
            BlockKind::Text => SamplingMessageContentBlock::Text(TextContent {
                text: r.text.ok_or_else(|| missing("text", "text"))?,
                annotations: r.annotations,
                meta: r.meta,
            }),
            BlockKind::Image => SamplingMessageContentBlock::Image(ImageContent {
                data: r.data.ok_or_else(|| missing("data", "image"))?,
                mime_type: r.mime_type.ok_or_else(|| missing("mimeType", "image"))?,
                annotations: r.annotations,
                meta: r.meta,
            }),
            BlockKind::Audio => SamplingMessageContentBlock::Audio(AudioContent {
                data: r.data.ok_or_else(|| missing("data", "audio"))?,
                mime_type: r.mime_type.ok_or_else(|| missing("mimeType", "audio"))?,
                annotations: r.annotations,
                meta: r.meta,
            }),
            BlockKind::ToolUse => SamplingMessageContentBlock::ToolUse(ToolUseContent {
                id: r.id.ok_or_else(|| missing("id", "tool_use"))?,
                name: r.name.ok_or_else(|| missing("name", "tool_use"))?,
                input: r.input.ok_or_else(|| missing("input", "tool_use"))?,
                meta: r.meta,
            }),
            BlockKind::ToolResult => SamplingMessageContentBlock::ToolResult(ToolResultContent {
                tool_use_id: r
                    .tool_use_id
                    .ok_or_else(|| missing("toolUseId", "tool_result"))?,
                content: r.content.ok_or_else(|| missing("content", "tool_result"))?,
                structured_content: r.structured_content,
                is_error: r.is_error,
                meta: r.meta,
            }),
            BlockKind::ResourceLink | BlockKind::Resource | BlockKind::Unknown => {
                return Err(de::Error::custom(
                    "unknown sampling content type: expected text, image, audio, tool_use or tool_result",
                ));
            }
        })
    }
}

/// The result of `sampling/createMessage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessageResult {
    /// Who produced the message; `assistant` in practice.
    pub role: Role,
    /// The sampled content.
    pub content: SamplingContent,
    /// The model that produced it.
    pub model: String,
    /// Why sampling stopped: `endTurn`, `stopSequence`, `maxTokens`,
    /// `toolUse` (2025-11-25) or another value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stop_reason: Option<String>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl CreateMessageResult {
    /// An assistant text message from `model`.
    pub fn assistant_text(model: impl Into<String>, text: impl Into<String>) -> Self {
        CreateMessageResult {
            role: Role::Assistant,
            content: SamplingContent::Single(SamplingMessageContentBlock::Text(TextContent::new(
                text,
            ))),
            model: model.into(),
            stop_reason: None,
            meta: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn content_is_one_block_or_many() {
        let one: SamplingContent =
            serde_json::from_value(json!({"type": "text", "text": "a"})).unwrap();
        assert!(matches!(one, SamplingContent::Single(_)));
        let many = json!([
            {"type": "tool_use", "id": "1", "name": "n", "input": {}},
            {"type": "tool_result", "toolUseId": "1", "content": [], "isError": false, "structuredContent": [1]}
        ]);
        let v: SamplingContent = serde_json::from_value(many.clone()).unwrap();
        assert_eq!(v.blocks().len(), 2);
        assert_eq!(serde_json::to_value(&v).unwrap(), many);
        assert!(serde_json::from_value::<SamplingContent>(json!("text")).is_err());
        assert!(
            serde_json::from_value::<SamplingContent>(
                json!({"type": "resource_link", "uri": "u", "name": "n"})
            )
            .is_err()
        );
    }
}
