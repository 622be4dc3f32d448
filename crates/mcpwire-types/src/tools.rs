//! Tools: definitions, annotations and the `tools/list` and `tools/call` params and results.
//!
//! [`CallToolRequestParams`] and [`CallToolResult`] are on the hot path of
//! every server, so they are plain structs with no flattened members.
//!
//! ```
//! use mcpwire_types::{CallToolRequestParams, CallToolResult, ListToolsResult, Tool};
//! use serde_json::json;
//! // A server lists its tools...
//! let tool = Tool::new("add", json!({
//!     "type": "object",
//!     "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
//! }))
//! .with_description("Adds two numbers");
//! let list = ListToolsResult { tools: vec![tool], ..Default::default() };
//! assert_eq!(serde_json::to_value(&list).unwrap()["tools"][0]["name"], "add");
//! // ...and answers a call of one.
//! let call = CallToolRequestParams::new("add").with_arguments(json!({"a": 1, "b": 2}));
//! let args = call.arguments.as_ref().unwrap();
//! let sum = args["a"].as_f64().unwrap() + args["b"].as_f64().unwrap();
//! let result = CallToolResult::structured(json!({"sum": sum}));
//! assert_eq!(result.content[0].as_text(), Some(r#"{"sum":3.0}"#));
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::cache::CacheScope;
use crate::content::{ContentBlock, Icon};
use crate::meta::Meta;
use crate::mrtr::{InputResponses, ResultType};
use crate::pagination::Cursor;
use crate::tasks::TaskMetadata;

/// A tool the client can call.
///
/// ```
/// use mcpwire_types::Tool;
/// let t: Tool = serde_json::from_str(r#"{
///     "name": "get_weather",
///     "description": "Get the weather",
///     "inputSchema": {"type": "object", "properties": {"city": {"type": "string"}}},
///     "annotations": {"readOnlyHint": true}
/// }"#).unwrap();
/// assert_eq!(t.name, "get_weather");
/// assert_eq!(t.annotations.unwrap().read_only_hint, Some(true));
/// assert_eq!(t.input_schema["properties"]["city"]["type"], "string");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    /// The programmatic name of the tool.
    pub name: String,
    /// A human-readable title (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// What the tool does; a hint to the model.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The JSON Schema of the arguments; its root has `"type": "object"`.
    pub input_schema: Map<String, Value>,
    /// The JSON Schema of `structuredContent` in the results (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub output_schema: Option<Map<String, Value>>,
    /// Hints about the tool's behaviour (2025-03-26).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub annotations: Option<ToolAnnotations>,
    /// Execution properties (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub execution: Option<ToolExecution>,
    /// Icons for display (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub icons: Option<Vec<Icon>>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl Tool {
    /// A tool with a name and an input schema. A `serde_json::Value` that is
    /// not an object becomes `{"type": "object"}`.
    ///
    /// ```
    /// use mcpwire_types::Tool;
    /// let t = Tool::new("add", serde_json::json!({"type": "object"})).with_description("Adds");
    /// assert_eq!(serde_json::to_string(&t).unwrap(),
    ///     r#"{"name":"add","description":"Adds","inputSchema":{"type":"object"}}"#);
    /// ```
    pub fn new(name: impl Into<String>, input_schema: impl Into<Value>) -> Self {
        let input_schema = match input_schema.into() {
            Value::Object(m) => m,
            _ => {
                let mut m = Map::new();
                m.insert("type".to_owned(), Value::from("object"));
                m
            }
        };
        Tool {
            name: name.into(),
            title: None,
            description: None,
            input_schema,
            output_schema: None,
            annotations: None,
            execution: None,
            icons: None,
            meta: None,
        }
    }

    /// Sets the description, which tells the model what the tool does.
    ///
    /// ```
    /// use mcpwire_types::Tool;
    /// let t = Tool::new("add", serde_json::json!({"type": "object"})).with_description("Adds two numbers");
    /// assert_eq!(t.description.as_deref(), Some("Adds two numbers"));
    /// ```
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the title, a name for people to read.
    ///
    /// ```
    /// use mcpwire_types::Tool;
    /// let t = Tool::new("add", serde_json::json!({"type": "object"})).with_title("Add");
    /// assert_eq!(serde_json::to_value(&t).unwrap()["title"], "Add");
    /// ```
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the output schema; a value that is not an object is ignored.
    ///
    /// ```
    /// use mcpwire_types::Tool;
    /// use serde_json::json;
    /// let schema = json!({"type": "object", "properties": {"sum": {"type": "number"}}});
    /// let t = Tool::new("add", json!({"type": "object"})).with_output_schema(schema.clone());
    /// assert_eq!(serde_json::to_value(&t).unwrap()["outputSchema"], schema);
    /// // Not an object: ignored.
    /// let t = Tool::new("add", json!({"type": "object"})).with_output_schema(json!(true));
    /// assert!(t.output_schema.is_none());
    /// ```
    pub fn with_output_schema(mut self, schema: impl Into<Value>) -> Self {
        if let Value::Object(m) = schema.into() {
            self.output_schema = Some(m);
        }
        self
    }

    /// Sets the annotations, hints about the tool's behaviour.
    ///
    /// ```
    /// use mcpwire_types::{Tool, ToolAnnotations};
    /// let hints = ToolAnnotations { read_only_hint: Some(true), ..Default::default() };
    /// let t = Tool::new("search", serde_json::json!({"type": "object"})).with_annotations(hints);
    /// assert_eq!(
    ///     serde_json::to_value(&t).unwrap()["annotations"],
    ///     serde_json::json!({"readOnlyHint": true})
    /// );
    /// ```
    pub fn with_annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.annotations = Some(annotations);
        self
    }
}

/// Hints about a tool's behaviour. Clients must not rely on them for safety
/// when the server is not trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolAnnotations {
    /// A human-readable title.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// The tool does not modify its environment (default false).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub read_only_hint: Option<bool>,
    /// The tool may perform destructive updates (default true).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub destructive_hint: Option<bool>,
    /// Calling again with the same arguments has no further effect (default false).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub idempotent_hint: Option<bool>,
    /// The tool talks to an open world of external entities (default true).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub open_world_hint: Option<bool>,
}

/// Whether a tool may run as a task (2025-11-25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskSupport {
    /// The tool never runs as a task (the default).
    Forbidden,
    /// The tool may run as a task.
    Optional,
    /// The tool must run as a task.
    Required,
}

/// Execution properties of a tool (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolExecution {
    /// Whether the tool supports task-augmented calls.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub task_support: Option<TaskSupport>,
}

/// The result of `tools/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListToolsResult {
    /// Whether the result is complete (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The tools on this page.
    pub tools: Vec<Tool>,
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

impl ListToolsResult {
    /// A single page holding `tools`.
    pub fn new(tools: Vec<Tool>) -> Self {
        ListToolsResult {
            tools,
            ..Default::default()
        }
    }
}

/// The params of `tools/call`.
///
/// ```
/// use mcpwire_types::CallToolRequestParams;
/// let p: CallToolRequestParams = serde_json::from_str(
///     r#"{"name":"add","arguments":{"a":1,"b":2},"_meta":{"progressToken":7}}"#).unwrap();
/// assert_eq!(p.name, "add");
/// assert_eq!(p.arguments.as_ref().unwrap()["a"], 1);
/// assert_eq!(p.progress_token(), Some(7.into()));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToolRequestParams {
    /// The tool to call.
    pub name: String,
    /// The arguments, an object matching the tool's input schema.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arguments: Option<Map<String, Value>>,
    /// Run the call as a task (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub task: Option<TaskMetadata>,
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

impl CallToolRequestParams {
    /// A call of `name` with no arguments.
    pub fn new(name: impl Into<String>) -> Self {
        CallToolRequestParams {
            name: name.into(),
            arguments: None,
            task: None,
            input_responses: None,
            request_state: None,
            meta: None,
        }
    }

    /// Sets the arguments; a value that is not an object is ignored.
    ///
    /// ```
    /// use mcpwire_types::CallToolRequestParams;
    /// use serde_json::json;
    /// let p = CallToolRequestParams::new("add").with_arguments(json!({"a": 1, "b": 2}));
    /// assert_eq!(serde_json::to_value(&p).unwrap(), json!({"name": "add", "arguments": {"a": 1, "b": 2}}));
    /// assert!(CallToolRequestParams::new("add").with_arguments(json!([1, 2])).arguments.is_none());
    /// ```
    pub fn with_arguments(mut self, arguments: impl Into<Value>) -> Self {
        if let Value::Object(m) = arguments.into() {
            self.arguments = Some(m);
        }
        self
    }

    /// The progress token in `_meta`, if any.
    pub fn progress_token(&self) -> Option<crate::ProgressToken> {
        crate::meta::progress_token_of(self.meta.as_ref())
    }
}

/// The result of `tools/call`.
///
/// Tool errors are results with `isError: true`, so the model can see them;
/// protocol errors are JSON-RPC errors.
///
/// ```
/// use mcpwire_types::CallToolResult;
/// let ok = CallToolResult::text("72°F");
/// assert_eq!(serde_json::to_string(&ok).unwrap(), r#"{"content":[{"type":"text","text":"72°F"}]}"#);
/// let err = CallToolResult::error_text("no such city");
/// assert_eq!(err.is_error, Some(true));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToolResult {
    /// Whether the result is complete (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The unstructured result.
    #[serde(default)]
    pub content: Vec<ContentBlock>,
    /// The structured result, matching the tool's output schema (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub structured_content: Option<Value>,
    /// Whether the call failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub is_error: Option<bool>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl CallToolResult {
    /// A successful result with these content blocks.
    pub fn new(content: Vec<ContentBlock>) -> Self {
        CallToolResult {
            content,
            ..Default::default()
        }
    }

    /// A successful result with one text block.
    pub fn text(text: impl Into<String>) -> Self {
        CallToolResult::new(vec![ContentBlock::text(text)])
    }

    /// A failed result (`isError: true`) with one text block.
    pub fn error_text(text: impl Into<String>) -> Self {
        CallToolResult {
            is_error: Some(true),
            ..CallToolResult::text(text)
        }
    }

    /// A successful result with structured content and its JSON text as the
    /// unstructured content, as the spec recommends for compatibility.
    ///
    /// ```
    /// use mcpwire_types::CallToolResult;
    /// let r = CallToolResult::structured(serde_json::json!({"t": 22.5}));
    /// assert_eq!(r.content[0].as_text(), Some(r#"{"t":22.5}"#));
    /// ```
    pub fn structured(value: Value) -> Self {
        CallToolResult {
            content: vec![ContentBlock::text(value.to_string())],
            structured_content: Some(value),
            ..Default::default()
        }
    }

    /// Sets `resultType` (2026-07-28).
    ///
    /// ```
    /// use mcpwire_types::{CallToolResult, ResultType};
    /// let r = CallToolResult::text("ok").with_result_type(ResultType::Complete);
    /// assert_eq!(serde_json::to_value(&r).unwrap()["resultType"], "complete");
    /// ```
    pub fn with_result_type(mut self, result_type: ResultType) -> Self {
        self.result_type = Some(result_type);
        self
    }

    /// Whether the result reports a failure.
    pub fn is_error(&self) -> bool {
        self.is_error == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn call_params_round_trip_every_member() {
        let v = json!({
            "name": "n",
            "arguments": {"x": [1, {"y": null}]},
            "task": {"ttl": 60000},
            "requestState": "s",
            "inputResponses": {"k": {"action": "cancel"}},
            "_meta": {"progressToken": "p"}
        });
        let p: CallToolRequestParams = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(&p).unwrap(), v);
    }

    #[test]
    fn tool_keeps_unknown_schema_keywords() {
        let v = json!({
            "name": "t",
            "inputSchema": {"type": "object", "x-mcp-header": "X", "$defs": {"a": {}}},
            "outputSchema": {"type": "array", "items": {}},
            "execution": {"taskSupport": "optional"}
        });
        let t: Tool = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(
            t.execution.as_ref().unwrap().task_support,
            Some(TaskSupport::Optional)
        );
        assert_eq!(serde_json::to_value(&t).unwrap(), v);
    }
}
