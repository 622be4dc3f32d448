//! Portable tool schemas: what the generated input and output schemas are
//! rewritten into so that hosts which map JSON Schema onto a dialect with
//! one `type` per schema accept them, and the check that a schema is so.
//!
//! A portable schema
//! - names one `type` per schema, never an array of them: `Option<T>`
//!   becomes `anyOf` with one branch for `T` and one `{"type": "null"}`;
//! - carries no `$schema`, `$id`, `$anchor`, `$dynamicRef`,
//!   `$dynamicAnchor` or `$vocabulary` (the dialect is the one MCP names,
//!   and an identifier changes what `$ref` resolves against);
//! - refers only to itself: its own `$defs` (`"$ref": "#/$defs/Name"`,
//!   which exist) or its root (`"#"`). `$defs` and `$ref` stay: recursive
//!   types need them, and hosts resolve references within the schema;
//! - uses a boolean schema only for `additionalProperties`,
//!   `unevaluatedProperties` and `unevaluatedItems` (elsewhere `true`
//!   becomes `{}`, which means the same);
//! - is an object schema at its root.
//!
//! Schemas without a `type` (`{}`, for any JSON value) stay allowed.

use serde_json::{Map, Value};

/// Where a schema keeps subschemas: by name, one, or a list.
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
const SCHEMA_ONE: &[&str] = &[
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "contentSchema",
];
const SCHEMA_LISTS: &[&str] = &["prefixItems", "allOf", "anyOf", "oneOf"];
/// Where a boolean schema is portable.
const BOOLEAN_OK: &[&str] = &[
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
];
/// Keywords a portable schema does not carry.
const IDENTIFIERS: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$vocabulary",
];
/// Keywords that describe rather than constrain: they stay on the schema
/// when its types become `anyOf` branches.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$comment",
];

/// The keywords that constrain only values of `ty`.
fn keywords_of(ty: &str) -> &'static [&'static str] {
    match ty {
        "string" => &[
            "minLength",
            "maxLength",
            "pattern",
            "format",
            "contentEncoding",
            "contentMediaType",
            "contentSchema",
        ],
        "number" | "integer" => &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "format",
        ],
        "array" => &[
            "items",
            "prefixItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "contains",
            "minContains",
            "maxContains",
            "unevaluatedItems",
        ],
        "object" => &[
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
            "propertyNames",
            "minProperties",
            "maxProperties",
            "dependentRequired",
            "dependentSchemas",
            "unevaluatedProperties",
        ],
        _ => &[],
    }
}

/// Whether `v` is a value of the JSON type `ty`.
fn is_of_type(v: &Value, ty: &str) -> bool {
    match ty {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "number" => v.is_number(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        _ => false,
    }
}

/// Every keyword that constrains values of some one type.
fn is_type_specific(keyword: &str) -> bool {
    ["string", "number", "array", "object"]
        .iter()
        .any(|t| keywords_of(t).contains(&keyword))
}

/// Rewrites a generated schema into its portable form (see the module
/// documentation). The meaning is unchanged: the same values validate.
pub(crate) fn make_portable(schema: &mut Map<String, Value>) {
    for k in IDENTIFIERS {
        schema.remove(*k);
    }
    for key in SCHEMA_MAPS {
        if let Some(Value::Object(m)) = schema.get_mut(*key) {
            m.values_mut().for_each(|v| portable_value(v, false));
        }
    }
    for key in SCHEMA_ONE {
        if let Some(v) = schema.get_mut(*key) {
            portable_value(v, BOOLEAN_OK.contains(key));
        }
    }
    for key in SCHEMA_LISTS {
        if let Some(Value::Array(items)) = schema.get_mut(*key) {
            items.iter_mut().for_each(|v| portable_value(v, false));
        }
    }
    split_type_array(schema);
}

fn portable_value(v: &mut Value, boolean_ok: bool) {
    match v {
        Value::Object(m) => make_portable(m),
        Value::Bool(true) if !boolean_ok => *v = Value::Object(Map::new()),
        _ => {}
    }
}

/// `"type": [a, b]` becomes `anyOf` with a branch per type, each holding
/// the keywords that constrain that type, and `enum`/`const` values of it.
/// A schema with a header annotation (`x-mcp-header`) must declare one
/// primitive type itself: it keeps the type that is not `null` (the
/// property stays optional through `required`).
fn split_type_array(schema: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = schema.get("type") else {
        return;
    };
    let types: Vec<String> = types
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let non_null: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
    if types.len() == 1 || (schema.contains_key("x-mcp-header") && non_null.len() == 1) {
        let only = non_null.first().copied().or(types.first());
        if let Some(t) = only {
            schema.insert("type".into(), Value::String(t.clone()));
        }
        if let Some(Value::Array(values)) = schema.get_mut("enum") {
            values.retain(|v| !v.is_null() || types.len() == 1);
        }
        return;
    }
    schema.remove("type");
    let mut branches = Vec::new();
    for ty in &types {
        let mut branch = Map::new();
        branch.insert("type".into(), Value::String(ty.clone()));
        for (k, v) in schema.iter() {
            let moves = keywords_of(ty).contains(&k.as_str())
                || (!is_type_specific(k)
                    && !ANNOTATIONS.contains(&k.as_str())
                    && !k.starts_with("x-")
                    && !matches!(k.as_str(), "enum" | "const" | "anyOf" | "allOf" | "$defs"));
            if moves {
                branch.insert(k.clone(), v.clone());
            }
        }
        let mut possible = true;
        if let Some(Value::Array(values)) = schema.get("enum") {
            let of_type: Vec<Value> = values
                .iter()
                .filter(|v| is_of_type(v, ty))
                .cloned()
                .collect();
            possible = !of_type.is_empty();
            if ty != "null" {
                branch.insert("enum".into(), Value::Array(of_type));
            }
        }
        if let Some(c) = schema.get("const") {
            possible &= is_of_type(c, ty);
            branch.insert("const".into(), c.clone());
        }
        if possible {
            branches.push(Value::Object(branch));
        }
    }
    // What moved into the branches leaves the schema.
    schema.retain(|k, _| {
        ANNOTATIONS.contains(&k.as_str())
            || k.starts_with("x-")
            || matches!(k.as_str(), "anyOf" | "allOf" | "$defs")
    });
    let branches = Value::Array(branches);
    match schema.remove("anyOf") {
        // Both must hold: the alternatives it had, and one of its types.
        Some(old) => {
            let all = schema
                .entry("allOf")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(all) = all {
                for list in [old, branches] {
                    let mut one = Map::new();
                    one.insert("anyOf".into(), list);
                    all.push(Value::Object(one));
                }
            }
        }
        None => {
            schema.insert("anyOf".into(), branches);
        }
    }
}

/// Why a schema is not portable: where (a JSON pointer into the schema)
/// and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaIssue {
    /// A JSON pointer to the offending schema, `""` for the root.
    pub at: String,
    /// What is wrong there.
    pub problem: String,
}

impl std::fmt::Display for SchemaIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.at.is_empty() { "/" } else { &self.at };
        write!(f, "at {at}: {}", self.problem)
    }
}

/// Checks that a tool's input or output schema is portable: one `type` per
/// schema, no `$schema`/`$id`/anchors, `$ref` only to its own `$defs` or root,
/// boolean schemas only where hosts accept them, an object at the root.
/// Every schema mcpwire generates passes; a schema written by hand can be
/// checked with this before it is served.
///
/// ```
/// use mcpwire_server::{check_portable, schema_for};
/// #[derive(schemars::JsonSchema)]
/// struct Args { name: Option<String> }
/// assert_eq!(check_portable(&schema_for::<Args>()), Ok(()));
///
/// let hand_written = serde_json::json!({
///     "type": "object",
///     "properties": {"name": {"type": ["string", "null"]}}
/// });
/// let issues = check_portable(hand_written.as_object().unwrap()).unwrap_err();
/// assert_eq!(issues[0].at, "/properties/name");
/// ```
pub fn check_portable(schema: &Map<String, Value>) -> Result<(), Vec<SchemaIssue>> {
    let mut issues = Vec::new();
    if schema.get("type").and_then(Value::as_str) != Some("object") {
        issues.push(SchemaIssue {
            at: String::new(),
            problem: "the root is not an object schema (\"type\": \"object\")".into(),
        });
    }
    let defs = schema.get("$defs").and_then(Value::as_object);
    check_schema(schema, "", defs, &mut issues);
    if issues.is_empty() {
        Ok(())
    } else {
        Err(issues)
    }
}

fn check_schema(
    schema: &Map<String, Value>,
    at: &str,
    defs: Option<&Map<String, Value>>,
    issues: &mut Vec<SchemaIssue>,
) {
    let mut issue = |problem: String| {
        issues.push(SchemaIssue {
            at: at.to_owned(),
            problem,
        })
    };
    match schema.get("type") {
        None | Some(Value::String(_)) => {}
        Some(Value::Array(_)) => {
            issue("\"type\" lists several types; use \"anyOf\" with one type per branch".into())
        }
        Some(other) => issue(format!("\"type\" is {other}, not a type name")),
    }
    for k in IDENTIFIERS {
        if schema.contains_key(*k) {
            issue(format!("carries {k:?}"));
        }
    }
    if let Some(r) = schema.get("$ref") {
        let local = r.as_str().is_some_and(|r| {
            r == "#"
                || r.strip_prefix("#/$defs/")
                    .is_some_and(|name| defs.is_some_and(|d| d.contains_key(name)))
        });
        if !local {
            issue(format!(
                "\"$ref\": {r} is neither the root (\"#\") nor one of this schema's own $defs"
            ));
        }
    }
    let mut sub = |v: &Value, path: String, boolean_ok: bool| match v {
        Value::Object(m) => check_schema(m, &path, defs, issues),
        Value::Bool(_) if boolean_ok => {}
        Value::Bool(b) => issues.push(SchemaIssue {
            at: path,
            problem: format!("a boolean schema ({b}); write {{}} for any value"),
        }),
        other => issues.push(SchemaIssue {
            at: path,
            problem: format!("{other} is not a schema"),
        }),
    };
    for key in SCHEMA_MAPS {
        if let Some(Value::Object(m)) = schema.get(*key) {
            for (name, v) in m {
                sub(v, format!("{at}/{key}/{}", escape(name)), false);
            }
        }
    }
    for key in SCHEMA_ONE {
        if let Some(v) = schema.get(*key) {
            sub(v, format!("{at}/{key}"), BOOLEAN_OK.contains(key));
        }
    }
    for key in SCHEMA_LISTS {
        if let Some(Value::Array(items)) = schema.get(*key) {
            for (i, v) in items.iter().enumerate() {
                sub(v, format!("{at}/{key}/{i}"), false);
            }
        }
    }
}

/// A JSON pointer reference token (RFC 6901).
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
#[path = "portable_tests.rs"]
mod tests;
