//! Elicitation (`elicitation/create`, 2025-06-18): form and URL requests, the result, and the form field schemas.
//!
//! The `requestedSchema` of a form is kept as a JSON object so nothing in it
//! is lost; the [`PrimitiveSchemaDefinition`] types build and read its fields.
//!
//! ```
//! use mcpwire_types::{ElicitAction, ElicitRequestParams, ElicitResult};
//! // No `mode` means a form; `"mode": "url"` a URL elicitation.
//! let ask: ElicitRequestParams = serde_json::from_str(r#"{
//!     "message": "Which region?",
//!     "requestedSchema": {"type": "object", "properties": {"region": {"type": "string"}}}
//! }"#).unwrap();
//! assert!(matches!(ask, ElicitRequestParams::Form(_)));
//! let mut content = serde_json::Map::new();
//! content.insert("region".into(), "eu-west".into());
//! let answer = ElicitResult::accept(content);
//! assert_eq!(answer.action, ElicitAction::Accept);
//! assert_eq!(
//!     serde_json::to_string(&answer).unwrap(),
//!     r#"{"action":"accept","content":{"region":"eu-west"}}"#
//! );
//! ```

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::meta::Meta;
use crate::num::compact_opt_f64;
use crate::tasks::TaskMetadata;

/// The params of `elicitation/create`: a form or (2025-11-25) a URL.
/// Told apart by `mode`; no `mode` means a form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ElicitRequestParams {
    /// Ask the user to fill in a form in the client.
    Form(ElicitRequestFormParams),
    /// Send the user to a URL, for data that must not pass through the client.
    Url(ElicitRequestURLParams),
}

impl<'de> Deserialize<'de> for ElicitRequestParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = Map::<String, Value>::deserialize(d)?;
        let url = m.get("mode").and_then(Value::as_str) == Some("url");
        let r = if url {
            ElicitRequestURLParams::deserialize(Value::Object(m)).map(ElicitRequestParams::Url)
        } else {
            ElicitRequestFormParams::deserialize(Value::Object(m)).map(ElicitRequestParams::Form)
        };
        r.map_err(de::Error::custom)
    }
}

/// The `mode` of a form elicitation: always `"form"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FormMode {
    /// `"form"`.
    Form,
}

/// A form elicitation.
///
/// ```
/// use mcpwire_types::ElicitRequestFormParams;
/// let p = ElicitRequestFormParams::new("Your name?", serde_json::json!({
///     "type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]
/// }));
/// assert_eq!(serde_json::to_value(&p).unwrap()["mode"], "form");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitRequestFormParams {
    /// `"form"`; may be absent (2025-06-18 has no modes).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mode: Option<FormMode>,
    /// What to ask the user.
    pub message: String,
    /// A flat JSON Schema object: `type: "object"` with primitive `properties`.
    pub requested_schema: Map<String, Value>,
    /// Run the request as a task (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub task: Option<TaskMetadata>,
    /// Request metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ElicitRequestFormParams {
    /// A form asking `message`, with `mode: "form"`. A schema that is not an
    /// object becomes `{"type": "object", "properties": {}}`.
    pub fn new(message: impl Into<String>, requested_schema: impl Into<Value>) -> Self {
        let requested_schema = match requested_schema.into() {
            Value::Object(m) => m,
            _ => {
                let mut m = Map::new();
                m.insert("type".to_owned(), Value::from("object"));
                m.insert("properties".to_owned(), Value::Object(Map::new()));
                m
            }
        };
        ElicitRequestFormParams {
            mode: Some(FormMode::Form),
            message: message.into(),
            requested_schema,
            task: None,
            meta: None,
        }
    }
}

/// A URL elicitation (2025-11-25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename = "url", rename_all = "camelCase")]
pub struct ElicitRequestURLParams {
    /// Why the user should open the URL.
    pub message: String,
    /// The URL to open.
    pub url: String,
    /// The id of the elicitation, for `notifications/elicitation/complete`
    /// (required on 2025-11-25; absent on 2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub elicitation_id: Option<String>,
    /// Run the request as a task (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub task: Option<TaskMetadata>,
    /// Request metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ElicitRequestURLParams {
    /// A URL elicitation.
    pub fn new(message: impl Into<String>, url: impl Into<String>) -> Self {
        ElicitRequestURLParams {
            message: message.into(),
            url: url.into(),
            elicitation_id: None,
            task: None,
            meta: None,
        }
    }
}

/// What the user did with an elicitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElicitAction {
    /// The user submitted the form or confirmed.
    Accept,
    /// The user explicitly declined.
    Decline,
    /// The user dismissed without choosing.
    Cancel,
}

/// The result of `elicitation/create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElicitResult {
    /// What the user did.
    pub action: ElicitAction,
    /// The submitted form data: strings, integers, booleans or (2025-11-25)
    /// arrays of strings. Only on `accept` of a form.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub content: Option<Map<String, Value>>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ElicitResult {
    /// A result with this action and no content.
    pub fn new(action: ElicitAction) -> Self {
        ElicitResult {
            action,
            content: None,
            meta: None,
        }
    }

    /// An `accept` with form content.
    pub fn accept(content: Map<String, Value>) -> Self {
        ElicitResult {
            action: ElicitAction::Accept,
            content: Some(content),
            meta: None,
        }
    }
}

/// The params of `notifications/elicitation/complete` (2025-11-25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitationCompleteNotificationParams {
    /// The id of the URL elicitation that completed.
    pub elicitation_id: String,
}

/// The schema of one form field: a string, number, boolean or enum.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PrimitiveSchemaDefinition {
    /// A string field.
    String(StringSchema),
    /// A number or integer field.
    Number(NumberSchema),
    /// A boolean field.
    Boolean(BooleanSchema),
    /// One of some strings (2025-11-25).
    UntitledSingleSelectEnum(UntitledSingleSelectEnumSchema),
    /// One of some strings, each with a title (2025-11-25).
    TitledSingleSelectEnum(TitledSingleSelectEnumSchema),
    /// Several of some strings (2025-11-25).
    UntitledMultiSelectEnum(UntitledMultiSelectEnumSchema),
    /// Several of some strings, each with a title (2025-11-25).
    TitledMultiSelectEnum(TitledMultiSelectEnumSchema),
    /// One of some strings with `enumNames` (2025-06-18; deprecated).
    LegacyTitledEnum(LegacyTitledEnumSchema),
}

impl<'de> Deserialize<'de> for PrimitiveSchemaDefinition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use PrimitiveSchemaDefinition as P;
        #[derive(Clone, Copy)]
        enum K {
            Str,
            Num,
            Bool,
            Untitled,
            Titled,
            UntitledMulti,
            TitledMulti,
            Legacy,
        }
        let m = Map::<String, Value>::deserialize(d)?;
        let items_have = |k: &str| m.get("items").is_some_and(|i| i.get(k).is_some());
        let kind = match m.get("type").and_then(Value::as_str).unwrap_or_default() {
            "boolean" => K::Bool,
            "number" | "integer" => K::Num,
            "array" if items_have("anyOf") => K::TitledMulti,
            "array" => K::UntitledMulti,
            "string" if m.contains_key("oneOf") => K::Titled,
            "string" if m.contains_key("enumNames") => K::Legacy,
            "string" if m.contains_key("enum") => K::Untitled,
            "string" => K::Str,
            other => {
                return Err(de::Error::custom(format_args!(
                    "unsupported form field type {other:?}"
                )));
            }
        };
        let v = Value::Object(m);
        let r = match kind {
            K::Bool => BooleanSchema::deserialize(v).map(P::Boolean),
            K::Num => NumberSchema::deserialize(v).map(P::Number),
            K::TitledMulti => {
                TitledMultiSelectEnumSchema::deserialize(v).map(P::TitledMultiSelectEnum)
            }
            K::UntitledMulti => {
                UntitledMultiSelectEnumSchema::deserialize(v).map(P::UntitledMultiSelectEnum)
            }
            K::Titled => {
                TitledSingleSelectEnumSchema::deserialize(v).map(P::TitledSingleSelectEnum)
            }
            K::Legacy => LegacyTitledEnumSchema::deserialize(v).map(P::LegacyTitledEnum),
            K::Untitled => {
                UntitledSingleSelectEnumSchema::deserialize(v).map(P::UntitledSingleSelectEnum)
            }
            K::Str => StringSchema::deserialize(v).map(P::String),
        };
        r.map_err(de::Error::custom)
    }
}

/// The formats a string field may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StringFormat {
    /// An email address.
    Email,
    /// A URI.
    Uri,
    /// A date.
    Date,
    /// A date and time.
    DateTime,
}

/// A string form field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "string", rename_all = "camelCase")]
pub struct StringSchema {
    /// The field's label.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// The field's help text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The shortest allowed length.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min_length: Option<u64>,
    /// The longest allowed length.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_length: Option<u64>,
    /// The expected format.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub format: Option<StringFormat>,
    /// The default value (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub default: Option<String>,
}

/// Whether a number field takes any number or only integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberType {
    /// Any number.
    Number,
    /// Integers only.
    Integer,
}

/// A number form field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberSchema {
    /// `"number"` or `"integer"`.
    #[serde(rename = "type")]
    pub kind: NumberType,
    /// The field's label.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// The field's help text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The smallest allowed value.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        serialize_with = "compact_opt_f64"
    )]
    pub minimum: Option<f64>,
    /// The largest allowed value.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        serialize_with = "compact_opt_f64"
    )]
    pub maximum: Option<f64>,
    /// The default value (2025-11-25).
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        serialize_with = "compact_opt_f64"
    )]
    pub default: Option<f64>,
}

/// A boolean form field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "boolean")]
pub struct BooleanSchema {
    /// The field's label.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// The field's help text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The default value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub default: Option<bool>,
}

/// One option of a titled enum: a value and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumOption {
    /// The value.
    #[serde(rename = "const")]
    pub value: String,
    /// The label.
    pub title: String,
}

/// A single-select field of plain strings (2025-11-25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "string")]
pub struct UntitledSingleSelectEnumSchema {
    /// The field's label.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// The field's help text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// The default value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub default: Option<String>,
}

/// A single-select field of titled options (2025-11-25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "string", rename_all = "camelCase")]
pub struct TitledSingleSelectEnumSchema {
    /// The field's label.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// The field's help text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The options.
    pub one_of: Vec<EnumOption>,
    /// The default value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub default: Option<String>,
}

/// The `items` of an untitled multi-select field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "string")]
pub struct UntitledEnumItems {
    /// The allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
}

/// A multi-select field of plain strings (2025-11-25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "array", rename_all = "camelCase")]
pub struct UntitledMultiSelectEnumSchema {
    /// The field's label.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// The field's help text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The fewest values to select.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min_items: Option<u64>,
    /// The most values to select.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_items: Option<u64>,
    /// The allowed values.
    pub items: UntitledEnumItems,
    /// The values selected by default.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub default: Option<Vec<String>>,
}

/// The `items` of a titled multi-select field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TitledEnumItems {
    /// The options.
    pub any_of: Vec<EnumOption>,
}

/// A multi-select field of titled options (2025-11-25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "array", rename_all = "camelCase")]
pub struct TitledMultiSelectEnumSchema {
    /// The field's label.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// The field's help text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The fewest values to select.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min_items: Option<u64>,
    /// The most values to select.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_items: Option<u64>,
    /// The options.
    pub items: TitledEnumItems,
    /// The values selected by default.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub default: Option<Vec<String>>,
}

/// A single-select field with `enumNames` labels (2025-06-18; deprecated in 2025-11-25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "string", rename_all = "camelCase")]
pub struct LegacyTitledEnumSchema {
    /// The field's label.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// The field's help text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// Labels of the values, in the same order.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub enum_names: Option<Vec<String>>,
    /// The default value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub default: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_dispatch_on_mode() {
        let form: ElicitRequestParams = serde_json::from_value(
            json!({"message": "m", "requestedSchema": {"type": "object", "properties": {}}}),
        )
        .unwrap();
        let ElicitRequestParams::Form(f) = &form else {
            panic!()
        };
        assert_eq!(f.mode, None);
        let url: ElicitRequestParams = serde_json::from_value(
            json!({"mode": "url", "message": "m", "url": "https://x", "elicitationId": "e1"}),
        )
        .unwrap();
        let ElicitRequestParams::Url(u) = &url else {
            panic!()
        };
        assert_eq!(u.elicitation_id.as_deref(), Some("e1"));
        assert_eq!(serde_json::to_value(&url).unwrap()["mode"], "url");
        assert!(
            serde_json::from_value::<ElicitRequestParams>(json!({"mode": "url", "message": "m"}))
                .is_err()
        );
    }

    #[test]
    fn field_schemas_dispatch_on_shape() {
        let cases = [
            (json!({"type": "string", "format": "date-time"}), "String"),
            (json!({"type": "integer", "minimum": 1}), "Number"),
            (json!({"type": "boolean"}), "Boolean"),
            (
                json!({"type": "string", "enum": ["a"]}),
                "UntitledSingleSelectEnum",
            ),
            (
                json!({"type": "string", "oneOf": [{"const": "a", "title": "A"}]}),
                "TitledSingleSelectEnum",
            ),
            (
                json!({"type": "array", "items": {"type": "string", "enum": ["a"]}}),
                "UntitledMultiSelectEnum",
            ),
            (
                json!({"type": "array", "items": {"anyOf": [{"const": "a", "title": "A"}]}}),
                "TitledMultiSelectEnum",
            ),
            (
                json!({"type": "string", "enum": ["a"], "enumNames": ["A"]}),
                "LegacyTitledEnum",
            ),
        ];
        for (v, name) in cases {
            let p: PrimitiveSchemaDefinition = serde_json::from_value(v.clone()).unwrap();
            assert!(format!("{p:?}").starts_with(name), "{p:?} is not {name}");
            assert_eq!(serde_json::to_value(&p).unwrap(), v);
        }
        assert!(
            serde_json::from_value::<PrimitiveSchemaDefinition>(json!({"type": "object"})).is_err()
        );
    }
}
