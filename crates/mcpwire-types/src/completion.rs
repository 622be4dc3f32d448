//! Argument completion (`completion/complete`): references, the argument being completed and the suggestions.
//!
//! ```
//! use mcpwire_types::{CompleteReference, CompleteRequestParams, CompleteResult};
//! let ask: CompleteRequestParams = serde_json::from_str(r#"{
//!     "ref": {"type": "ref/prompt", "name": "code_review"},
//!     "argument": {"name": "language", "value": "py"}
//! }"#).unwrap();
//! assert!(matches!(&ask.reference, CompleteReference::Prompt(p) if p.name == "code_review"));
//! let values = ["python", "pytorch", "rust"]
//!     .into_iter()
//!     .filter(|v| v.starts_with(ask.argument.value.as_str()))
//!     .map(String::from)
//!     .collect();
//! let answer = CompleteResult::new(values);
//! assert_eq!(answer.completion.values, ["python", "pytorch"]);
//! ```

use std::collections::BTreeMap;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::meta::Meta;
use crate::mrtr::ResultType;

/// A reference to a prompt, for completing its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "ref/prompt")]
pub struct PromptReference {
    /// The prompt name.
    pub name: String,
    /// A human-readable title (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
}

/// A reference to a resource template, for completing its URI variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "ref/resource")]
pub struct ResourceTemplateReference {
    /// The URI or URI template.
    pub uri: String,
}

/// The name of [`ResourceTemplateReference`] before 2025-06-18.
pub type ResourceReference = ResourceTemplateReference;

/// What is being completed: a prompt or a resource template. Tagged on `"type"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum CompleteReference {
    /// `"type": "ref/prompt"`.
    Prompt(PromptReference),
    /// `"type": "ref/resource"`.
    Resource(ResourceTemplateReference),
}

impl<'de> Deserialize<'de> for CompleteReference {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = Map::<String, Value>::deserialize(d)?;
        let r = match m.get("type").and_then(Value::as_str) {
            Some("ref/prompt") => {
                PromptReference::deserialize(Value::Object(m)).map(CompleteReference::Prompt)
            }
            Some("ref/resource") => ResourceTemplateReference::deserialize(Value::Object(m))
                .map(CompleteReference::Resource),
            _ => {
                return Err(de::Error::custom(
                    "completion reference type must be \"ref/prompt\" or \"ref/resource\"",
                ));
            }
        };
        r.map_err(de::Error::custom)
    }
}

/// The argument being completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteArgument {
    /// The argument name.
    pub name: String,
    /// The value typed so far.
    pub value: String,
}

/// Context for completion (2025-06-18).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteContext {
    /// Values of arguments already resolved.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arguments: Option<BTreeMap<String, String>>,
}

/// The params of `completion/complete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompleteRequestParams {
    /// What is being completed.
    #[serde(rename = "ref")]
    pub reference: CompleteReference,
    /// The argument being completed.
    pub argument: CompleteArgument,
    /// Arguments already resolved (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub context: Option<CompleteContext>,
    /// Request metadata; required on 2026-07-28.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The suggestions of a completion.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    /// At most 100 suggested values.
    pub values: Vec<String>,
    /// How many values there are in all, if known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub total: Option<u64>,
    /// Whether there are more values than these.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub has_more: Option<bool>,
}

/// The result of `completion/complete`.
///
/// ```
/// use mcpwire_types::CompleteResult;
/// let r = CompleteResult::new(vec!["python".into(), "pytorch".into()]);
/// assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"completion":{"values":["python","pytorch"]}}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteResult {
    /// Whether the result is complete (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The suggestions.
    pub completion: Completion,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl CompleteResult {
    /// A result suggesting `values`.
    pub fn new(values: Vec<String>) -> Self {
        CompleteResult {
            completion: Completion {
                values,
                total: None,
                has_more: None,
            },
            ..Default::default()
        }
    }
}
