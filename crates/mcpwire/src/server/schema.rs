//! JSON Schemas for tool inputs and outputs, generated from Rust types.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{Map, Value};

/// The JSON Schema (2020-12) of `T` as an object, with sub-schemas inlined
/// where possible so that clients which do not resolve `$ref` still see the
/// whole shape.
///
/// ```
/// #[derive(schemars::JsonSchema)]
/// struct Args { text: String, count: Option<u32> }
/// let schema = mcpwire::server::schema_for::<Args>();
/// assert_eq!(schema["type"], "object");
/// assert_eq!(schema["required"], serde_json::json!(["text"]));
/// ```
pub fn schema_for<T: JsonSchema>() -> Map<String, Value> {
    let mut settings = SchemaSettings::draft2020_12();
    settings.inline_subschemas = true;
    let schema = settings.into_generator().into_root_schema_for::<T>();
    match schema.to_value() {
        Value::Object(mut map) => {
            map.remove("$schema");
            map.remove("title");
            map
        }
        // `true`/`false` schemas: accept anything as an object.
        _ => object_schema(),
    }
}

/// The schema of a tool that takes no arguments: `{"type": "object"}`.
pub fn object_schema() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".to_owned(), Value::String("object".to_owned()));
    m
}

/// Tool schemas must describe objects; wraps anything else (a newtype, an
/// enum) as the single property `value`... not needed for derived structs,
/// so this only checks and reports.
pub(crate) fn is_object_schema(schema: &Map<String, Value>) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
}
