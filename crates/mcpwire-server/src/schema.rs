//! JSON Schemas for tool inputs and outputs, generated from Rust types.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

/// The JSON Schema (2020-12) of `T` as an object, with sub-schemas inlined
/// where possible so that clients which do not resolve `$ref` still see the
/// whole shape, in its portable form (see [`check_portable`]): one `type`
/// per schema, so an `Option<T>` is `anyOf` a branch for `T` and
/// `{"type": "null"}`, and no `$schema` or `$id`.
///
/// [`check_portable`]: crate::check_portable
///
/// ```
/// #[derive(schemars::JsonSchema)]
/// struct Args { text: String, count: Option<u32> }
/// let schema = mcpwire_server::schema_for::<Args>();
/// assert_eq!(schema["type"], "object");
/// assert_eq!(schema["required"], serde_json::json!(["text"]));
/// assert_eq!(
///     schema["properties"]["count"]["anyOf"],
///     serde_json::json!([{"type": "integer", "minimum": 0}, {"type": "null"}])
/// );
/// ```
pub fn schema_for<T: JsonSchema>() -> Map<String, Value> {
    let mut settings = SchemaSettings::draft2020_12();
    settings.inline_subschemas = true;
    let schema = settings.into_generator().into_root_schema_for::<T>();
    match schema.to_value() {
        Value::Object(mut map) => {
            map.remove("title");
            for v in map.values_mut() {
                strip_rust_formats(v);
            }
            super::portable::make_portable(&mut map);
            map
        }
        // `true`/`false` schemas: accept anything as an object.
        _ => object_schema(),
    }
}

/// schemars names Rust number types in `format` ("double", "uint32", ...).
/// Those are not JSON Schema formats, and strict validators in some clients
/// reject unknown formats, so they are dropped; the bounds stay.
fn strip_rust_formats(v: &mut Value) {
    const RUST_FORMATS: &[&str] = &[
        "double", "float", "int", "int8", "int16", "int32", "int64", "int128", "uint", "uint8",
        "uint16", "uint32", "uint64", "uint128",
    ];
    match v {
        Value::Object(map) => {
            if map
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| RUST_FORMATS.contains(&f))
            {
                map.remove("format");
            }
            map.values_mut().for_each(strip_rust_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_rust_formats),
        _ => {}
    }
}

/// The schema of a tool that takes no arguments: `{"type": "object"}`.
pub fn object_schema() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".to_owned(), Value::String("object".to_owned()));
    m
}

/// Whether a schema describes a JSON object, as tool schemas must.
pub(crate) fn is_object_schema(schema: &Map<String, Value>) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
}
