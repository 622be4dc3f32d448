//! Tests of [`ToolHeaders`]: every constraint on `x-mcp-header`, and the
//! headers of a call.

use super::*;
use serde_json::json;

fn schema(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn check(v: Value) -> Result<ToolHeaders, InvalidAnnotation> {
    ToolHeaders::from_schema(&schema(v))
}

/// A schema with one property `p` whose schema is `prop`.
fn one(prop: Value) -> Result<ToolHeaders, InvalidAnnotation> {
    check(json!({"type": "object", "properties": {"p": prop}}))
}

/// The headers of a call, sorted by name.
fn headers(t: &ToolHeaders, args: Value) -> Vec<(String, String)> {
    let args = schema(args);
    let mut out: Vec<(String, String)> = t
        .headers(Some(&args))
        .unwrap()
        .into_iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    out.sort();
    out
}

#[test]
fn a_schema_without_annotations_mirrors_nothing() {
    let t = check(json!({"type": "object", "properties": {"a": {"type": "number"}}})).unwrap();
    assert!(t.is_empty());
    assert!(check(json!({})).unwrap().is_empty());
    assert!(headers(&t, json!({"a": 1})).is_empty());
}

#[test]
fn valid_annotations_on_primitive_parameters_are_kept() {
    for ty in [
        json!("string"),
        json!("integer"),
        json!("boolean"),
        json!(["string", "null"]),
        json!(["null", "integer"]),
    ] {
        let t = one(json!({"type": ty, "x-mcp-header": "Region"})).unwrap();
        assert!(!t.is_empty(), "{ty}");
    }
    // Every tchar is allowed.
    one(json!({"type": "string", "x-mcp-header": "A-z_0.9!#$%&'*+^`|~"})).unwrap();
    // An integer with safe bounds and values.
    one(json!({
        "type": "integer", "x-mcp-header": "N",
        "minimum": -9007199254740991_i64, "maximum": 9007199254740991_i64,
        "enum": [1, 2], "default": 1, "const": 1
    }))
    .unwrap();
}

#[test]
fn an_empty_or_non_string_annotation_is_rejected() {
    assert!(matches!(
        one(json!({"type": "string", "x-mcp-header": ""})),
        Err(InvalidAnnotation::Empty { .. })
    ));
    let e = one(json!({"type": "string", "x-mcp-header": 5})).unwrap_err();
    assert!(matches!(e, InvalidAnnotation::NotAString { .. }), "{e}");
    assert!(e.to_string().contains("/properties/p"), "{e}");
    assert!(matches!(
        one(json!({"type": "string", "x-mcp-header": null})),
        Err(InvalidAnnotation::NotAString { .. })
    ));
}

#[test]
fn annotations_that_are_not_tokens_are_rejected() {
    for name in [
        "My Region",
        "Region:Primary",
        "Région",
        "a/b",
        "a\"b",
        "(x)",
        "a,b",
        "{x}",
    ] {
        let e = one(json!({"type": "string", "x-mcp-header": name})).unwrap_err();
        assert!(
            matches!(e, InvalidAnnotation::NotAToken { .. }),
            "{name}: {e}"
        );
    }
    for name in ["Region\t1", "a\rb", "a\nb", "\u{7f}x", "x\u{0}"] {
        let e = one(json!({"type": "string", "x-mcp-header": name})).unwrap_err();
        assert!(
            matches!(e, InvalidAnnotation::ControlCharacter { .. }),
            "{name:?}: {e}"
        );
    }
}

#[test]
fn duplicate_annotations_are_rejected_regardless_of_case() {
    for (a, b) in [("Region", "Region"), ("MyField", "myfield")] {
        let e = check(json!({"type": "object", "properties": {
            "field1": {"type": "string", "x-mcp-header": a},
            "field2": {"type": "string", "x-mcp-header": b}
        }}))
        .unwrap_err();
        assert!(matches!(e, InvalidAnnotation::Duplicate { .. }), "{e}");
        assert!(e.to_string().contains("/properties/field1"), "{e}");
    }
    // Across nesting levels too.
    let e = check(json!({"type": "object", "properties": {
        "a": {"type": "string", "x-mcp-header": "X"},
        "o": {"type": "object", "properties": {"b": {"type": "string", "x-mcp-header": "x"}}}
    }}))
    .unwrap_err();
    assert!(matches!(e, InvalidAnnotation::Duplicate { .. }), "{e}");
}

#[test]
fn annotations_on_non_primitive_types_are_rejected() {
    for prop in [
        json!({"type": "number", "x-mcp-header": "Score"}),
        json!({"type": "object", "x-mcp-header": "Data"}),
        json!({"type": "array", "items": {"type": "string"}, "x-mcp-header": "Items"}),
        json!({"type": "null", "x-mcp-header": "Nil"}),
        json!({"x-mcp-header": "Untyped"}),
        json!({"type": ["string", "integer"], "x-mcp-header": "Either"}),
        json!({"type": ["number", "null"], "x-mcp-header": "Maybe"}),
        json!({"type": 7, "x-mcp-header": "Odd"}),
        json!({"$ref": "#/$defs/id", "x-mcp-header": "Ref"}),
    ] {
        let e = one(prop.clone()).unwrap_err();
        assert!(
            matches!(e, InvalidAnnotation::NotPrimitive { .. }),
            "{prop}: {e}"
        );
    }
    let e = one(json!({"type": "number", "x-mcp-header": "Score"})).unwrap_err();
    assert!(e.to_string().contains("\"number\""), "{e}");
}

#[test]
fn integer_parameters_must_stay_within_the_safe_range() {
    for (keyword, value) in [
        ("maximum", json!(9007199254740992_i64)),
        ("minimum", json!(-9007199254740992_i64)),
        ("exclusiveMaximum", json!(1e300)),
        ("exclusiveMinimum", json!(-1e16)),
        ("const", json!(u64::MAX)),
        ("default", json!(i64::MIN)),
        ("enum", json!([1, 9007199254740993_i64])),
    ] {
        let mut prop = json!({"type": "integer", "x-mcp-header": "N"});
        prop[keyword] = value;
        let e = one(prop).unwrap_err();
        match &e {
            InvalidAnnotation::UnsafeInteger { keyword: k, .. } => assert_eq!(k, keyword),
            other => panic!("{keyword}: {other}"),
        }
    }
    // A string parameter's bounds are not integers to mirror.
    one(json!({"type": "string", "x-mcp-header": "S", "maxLength": 9007199254740993_i64})).unwrap();
}

#[test]
fn annotations_reached_through_anything_but_properties_are_rejected() {
    let cases = [
        (
            "items",
            json!({"type": "object", "properties": {"list": {"type": "array", "items": {"type": "string", "x-mcp-header": "L"}}}}),
        ),
        (
            "prefixItems",
            json!({"type": "object", "properties": {"t": {"type": "array", "prefixItems": [{"type": "string", "x-mcp-header": "T"}]}}}),
        ),
        (
            "oneOf",
            json!({"type": "object", "oneOf": [{"properties": {"a": {"type": "string", "x-mcp-header": "A"}}}]}),
        ),
        (
            "anyOf",
            json!({"type": "object", "anyOf": [{"properties": {"a": {"type": "string", "x-mcp-header": "A"}}}]}),
        ),
        (
            "allOf",
            json!({"type": "object", "allOf": [{"properties": {"a": {"type": "string", "x-mcp-header": "A"}}}]}),
        ),
        (
            "not",
            json!({"type": "object", "not": {"properties": {"a": {"type": "string", "x-mcp-header": "A"}}}}),
        ),
        (
            "if",
            json!({"type": "object", "if": {"properties": {"a": {"type": "string", "x-mcp-header": "A"}}}}),
        ),
        (
            "then",
            json!({"type": "object", "then": {"properties": {"a": {"type": "string", "x-mcp-header": "A"}}}}),
        ),
        (
            "else",
            json!({"type": "object", "else": {"properties": {"a": {"type": "string", "x-mcp-header": "A"}}}}),
        ),
        (
            "$defs",
            json!({"type": "object", "$defs": {"id": {"type": "string", "x-mcp-header": "Id"}}, "properties": {"id": {"$ref": "#/$defs/id"}}}),
        ),
        (
            "definitions",
            json!({"type": "object", "definitions": {"id": {"type": "string", "x-mcp-header": "Id"}}}),
        ),
        (
            "additionalProperties",
            json!({"type": "object", "additionalProperties": {"type": "string", "x-mcp-header": "Extra"}}),
        ),
        (
            "patternProperties",
            json!({"type": "object", "patternProperties": {"^x": {"type": "string", "x-mcp-header": "X"}}}),
        ),
        (
            "x-vendor",
            json!({"type": "object", "x-vendor": {"type": "string", "x-mcp-header": "V"}}),
        ),
    ];
    for (via, s) in cases {
        match check(s) {
            Err(InvalidAnnotation::Unreachable { via: got, .. }) => assert_eq!(got, via),
            other => panic!("{via}: {other:?}"),
        }
    }
    // The first keyword off the properties chain is the one named.
    let e = check(
        json!({"type": "object", "properties": {"o": {"type": "object",
        "anyOf": [{"items": {"type": "string", "x-mcp-header": "Deep"}}]}}}),
    )
    .unwrap_err();
    assert!(
        matches!(&e, InvalidAnnotation::Unreachable { via, at } if via == "anyOf" && at == "/properties/o/anyOf/0/items"),
        "{e}"
    );
    assert_eq!(
        check(json!({"type": "object", "x-mcp-header": "Root"})).unwrap_err(),
        InvalidAnnotation::AtRoot
    );
}

#[test]
fn data_keywords_and_property_names_are_not_annotations() {
    let t = check(json!({
        "type": "object",
        "properties": {
            "x-mcp-header": {"type": "string"},
            "q": {"type": "string", "default": {"x-mcp-header": ""}, "examples": [{"x-mcp-header": " "}]}
        },
        "const": {"x-mcp-header": "Nope"},
        "enum": [{"x-mcp-header": "Nope"}]
    }))
    .unwrap();
    assert!(t.is_empty());
}

#[test]
fn nested_parameters_are_mirrored_from_their_property_path() {
    let t = check(json!({"type": "object", "properties": {
        "target": {"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "zone": {"type": "object", "properties": {"id": {"type": "integer", "x-mcp-header": "Zone"}}}
        }}
    }}))
    .unwrap();
    assert_eq!(
        headers(&t, json!({"target": {"region": "eu", "zone": {"id": 7}}})),
        [
            ("mcp-param-region".into(), "eu".into()),
            ("mcp-param-zone".into(), "7".into())
        ]
    );
    // A missing, null or non-object step omits the header.
    assert!(headers(&t, json!({"target": {"zone": null}})).is_empty());
    assert!(headers(&t, json!({"target": "eu"})).is_empty());
    assert!(headers(&t, json!({})).is_empty());
    assert!(t.headers(None).unwrap().is_empty());
}

#[test]
fn values_are_converted_and_encoded_like_the_conformance_suite_expects() {
    let props = [
        ("region", "string", "Region"),
        ("priority", "integer", "Priority"),
        ("verbose", "boolean", "Verbose"),
        ("debug", "boolean", "Debug"),
        ("empty_val", "string", "EmptyVal"),
        ("method_val", "string", "Method"),
        ("non_ascii_val", "string", "NonAscii"),
        ("whitespace_val", "string", "Whitespace"),
        ("leading_space_val", "string", "LeadingSpace"),
        ("trailing_space_val", "string", "TrailingSpace"),
        ("internal_space_val", "string", "InternalSpace"),
        ("control_char_val", "string", "ControlChar"),
        ("crlf_val", "string", "CrLf"),
        ("tab_val", "string", "Tab"),
    ];
    let mut properties = Map::new();
    for (p, ty, h) in props {
        properties.insert(p.into(), json!({"type": ty, "x-mcp-header": h}));
    }
    properties.insert("float_val".into(), json!({"type": "number"}));
    properties.insert("query".into(), json!({"type": "string"}));
    let t = check(json!({"type": "object", "properties": properties})).unwrap();
    let got = headers(
        &t,
        json!({
            "region": "us-west1", "priority": 42, "verbose": false, "debug": true,
            "empty_val": "", "method_val": "test-method", "float_val": 2.5,
            "non_ascii_val": "Hello, 世界", "whitespace_val": " padded ",
            "leading_space_val": " us-west1", "trailing_space_val": "us-west1 ",
            "internal_space_val": "us west 1", "control_char_val": "line1\nline2",
            "crlf_val": "line1\r\nline2", "tab_val": "\tindented", "query": "SELECT * FROM users"
        }),
    );
    let want = [
        ("mcp-param-region", "us-west1"),
        ("mcp-param-priority", "42"),
        ("mcp-param-verbose", "false"),
        ("mcp-param-debug", "true"),
        ("mcp-param-emptyval", ""),
        ("mcp-param-method", "test-method"),
        ("mcp-param-nonascii", "=?base64?SGVsbG8sIOS4lueVjA==?="),
        ("mcp-param-whitespace", "=?base64?IHBhZGRlZCA=?="),
        ("mcp-param-leadingspace", "=?base64?IHVzLXdlc3Qx?="),
        ("mcp-param-trailingspace", "=?base64?dXMtd2VzdDEg?="),
        ("mcp-param-internalspace", "us west 1"),
        ("mcp-param-controlchar", "=?base64?bGluZTEKbGluZTI=?="),
        ("mcp-param-crlf", "=?base64?bGluZTENCmxpbmUy?="),
        ("mcp-param-tab", "=?base64?CWluZGVudGVk?="),
    ];
    let mut want: Vec<(String, String)> = want
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want);
    // Null omits the header.
    let got = headers(
        &t,
        json!({"region": "us-east1", "priority": 1, "verbose": null}),
    );
    assert_eq!(
        got,
        [
            ("mcp-param-priority".to_owned(), "1".to_owned()),
            ("mcp-param-region".to_owned(), "us-east1".to_owned())
        ]
    );
}

#[test]
fn integers_are_written_in_decimal_and_unsafe_values_fail() {
    let t = one(json!({"type": "integer", "x-mcp-header": "N"})).unwrap();
    let n = |v: Value| headers(&t, json!({"p": v}));
    assert_eq!(n(json!(-7)), [("mcp-param-n".to_owned(), "-7".to_owned())]);
    assert_eq!(
        n(json!(42.0)),
        [("mcp-param-n".to_owned(), "42".to_owned())]
    );
    assert_eq!(
        n(json!(9007199254740991_i64)),
        [("mcp-param-n".to_owned(), "9007199254740991".to_owned())]
    );
    for bad in [
        json!(9007199254740992_i64),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(1e300),
        json!(1.5),
        json!([1]),
        json!({"a": 1}),
    ] {
        let args = schema(json!({"p": bad}));
        let e = t.headers(Some(&args)).unwrap_err();
        assert!(e.to_string().contains("Mcp-Param-N"), "{e}");
        assert!(e.to_string().contains("/p"), "{e}");
    }
}
