//! Tests of the portable form of generated schemas and of its check.

use serde_json::{Value, json};

use super::*;
use crate::schema_for;

fn portable(v: Value) -> Value {
    let Value::Object(mut m) = v else {
        panic!("an object schema")
    };
    make_portable(&mut m);
    Value::Object(m)
}

#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct Inner {
    a: u32,
}

#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
enum Color {
    Red,
    Green,
}

#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct Rec {
    next: Option<Box<Rec>>,
}

#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct Probe {
    /// A name.
    s: Option<String>,
    n: Option<u32>,
    inner: Option<Inner>,
    color: Option<Color>,
    list: Option<Vec<String>>,
    values: Option<Vec<serde_json::Value>>,
    any: serde_json::Value,
    rec: Option<Box<Rec>>,
}

#[test]
fn options_become_one_type_per_branch() {
    let s = Value::Object(schema_for::<Probe>());
    let p = &s["properties"];
    assert_eq!(
        p["s"],
        json!({"description": "A name.", "anyOf": [{"type": "string"}, {"type": "null"}]})
    );
    assert_eq!(
        p["n"],
        json!({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]})
    );
    assert_eq!(
        p["inner"]["anyOf"][0],
        json!({"type": "object", "properties": {"a": {"type": "integer", "minimum": 0}}, "required": ["a"]})
    );
    assert_eq!(
        p["color"],
        json!({"anyOf": [{"type": "string", "enum": ["Red", "Green"]}, {"type": "null"}]})
    );
    assert_eq!(
        p["list"]["anyOf"],
        json!([{"type": "array", "items": {"type": "string"}}, {"type": "null"}])
    );
    // `true` (any value) becomes `{}`.
    assert_eq!(
        p["values"]["anyOf"][0],
        json!({"type": "array", "items": {}})
    );
    assert_eq!(p["any"], json!({}));
    assert_eq!(check_portable(s.as_object().unwrap()), Ok(()));
}

#[test]
fn the_same_values_validate_before_and_after() {
    let before = json!({
        "type": ["string", "integer", "null"],
        "minLength": 2,
        "minimum": 5,
        "enum": ["ab", 7, "c", null],
        "description": "kept outside",
    });
    let after = portable(before.clone());
    assert_eq!(
        after,
        json!({
            "description": "kept outside",
            "anyOf": [
                {"type": "string", "minLength": 2, "enum": ["ab", "c"]},
                {"type": "integer", "minimum": 5, "enum": [7]},
                {"type": "null"},
            ]
        })
    );
    // An existing anyOf is kept alongside, both required.
    let both = portable(
        json!({"type": ["string", "null"], "anyOf": [{"minLength": 1}, {"type": "null"}]}),
    );
    assert_eq!(
        both,
        json!({"allOf": [
            {"anyOf": [{"minLength": 1}, {"type": "null"}]},
            {"anyOf": [{"type": "string"}, {"type": "null"}]},
        ]})
    );
    // A branch no enum value can take is dropped.
    let no_null = portable(json!({"type": ["string", "null"], "enum": ["a"]}));
    assert_eq!(
        no_null,
        json!({"anyOf": [{"type": "string", "enum": ["a"]}]})
    );
}

#[test]
fn a_header_annotated_option_keeps_one_primitive_type() {
    let s = portable(json!({
        "type": "object",
        "properties": {"region": {"type": ["string", "null"], "x-mcp-header": "Region"}}
    }));
    assert_eq!(
        s["properties"]["region"],
        json!({"type": "string", "x-mcp-header": "Region"})
    );
}

#[test]
fn identifiers_go_and_recursive_types_keep_their_defs() {
    let s = Value::Object(schema_for::<Probe>());
    assert_eq!(
        s["$defs"]["Rec"]["properties"]["next"]["anyOf"][0]["$ref"],
        "#/$defs/Rec"
    );
    assert_eq!(check_portable(s.as_object().unwrap()), Ok(()));
    // A type that refers to itself from its root.
    let s = Value::Object(schema_for::<Rec>());
    assert_eq!(check_portable(s.as_object().unwrap()), Ok(()), "{s}");
    let s = portable(json!({"$schema": "x", "$id": "y", "type": "object"}));
    assert_eq!(s, json!({"type": "object"}));
}

#[test]
fn the_check_names_every_problem_and_where() {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "a/b": {"type": ["string", "null"]},
            "any": true,
            "ref": {"$ref": "https://example.com/x.json"},
            "missing": {"$ref": "#/$defs/Nope"},
            "map": {"type": "object", "additionalProperties": false},
        },
        "$defs": {"Ok": {"$id": "inner"}},
    });
    let issues = check_portable(schema.as_object().unwrap()).unwrap_err();
    let at: Vec<&str> = issues.iter().map(|i| i.at.as_str()).collect();
    assert_eq!(
        at,
        [
            "",
            "/properties/a~1b",
            "/properties/any",
            "/properties/ref",
            "/properties/missing",
            "/$defs/Ok",
        ],
        "{issues:#?}"
    );
    assert!(issues[0].to_string().contains("$schema"), "{}", issues[0]);
    let not_object = check_portable(json!({"type": "string"}).as_object().unwrap()).unwrap_err();
    assert!(not_object[0].problem.contains("not an object"));
}
