//! The walk of a tool's `inputSchema` for `x-mcp-header` annotations
//! (2026-07-28), one walk for both sides: the client validates what it
//! finds before it mirrors arguments into `Mcp-Param-{Name}` headers, and
//! the server checks the headers of a call against the same annotations.
//!
//! An annotation counts only when it is reached from the schema root
//! through `properties` alone; one found under any other keyword is
//! reported with that keyword, so the client can refuse the tool.
//!
//! ```
//! use mcpwire_http::headers::schema::{mirrored, sites};
//! let schema = serde_json::json!({"type": "object", "properties": {
//!     "region": {"type": "string", "x-mcp-header": "Region"},
//!     "filter": {"type": "object", "properties": {
//!         "tenant": {"type": "string", "x-mcp-header": "Tenant"}
//!     }},
//!     "any": {"anyOf": [{"type": "string", "x-mcp-header": "Hidden"}]}
//! }});
//! let schema = schema.as_object().unwrap();
//! // Two arguments are mirrored into `Mcp-Param-Region` and `Mcp-Param-Tenant`...
//! let headers: Vec<_> = mirrored(schema).iter().map(|m| (m.header, m.path.join("."))).collect();
//! assert_eq!(headers, [("Region", "region".to_owned()), ("Tenant", "filter.tenant".to_owned())]);
//! // ...and the one under `anyOf` is reported with that keyword: a client refuses the tool.
//! let bad = sites(schema).into_iter().find(|s| s.value == "Hidden").unwrap();
//! assert_eq!(bad.reach, Err("anyOf".to_owned()));
//! ```

use serde_json::{Map, Value};

/// The annotation keyword.
pub const ANNOTATION: &str = "x-mcp-header";

/// Keywords whose values are data, not schemas: annotations under them are
/// not annotations at all.
const DATA_KEYWORDS: &[&str] = &["const", "enum", "default", "examples"];

/// Keywords whose values map names to schemas.
const SCHEMA_MAPS: &[&str] = &[
    "$defs",
    "definitions",
    "patternProperties",
    "dependentSchemas",
    "dependencies",
];

/// Where an annotation was found while walking the schema.
pub struct Site<'a> {
    /// JSON pointer of the annotated schema.
    pub at: String,
    /// The `properties` chain to it, or the first other keyword on the way.
    pub reach: Result<Vec<String>, String>,
    /// The schema that holds the annotation.
    pub schema: &'a Map<String, Value>,
    /// The annotation's value (a header name, when it is valid).
    pub value: &'a Value,
}

/// Every annotation of `schema`, wherever it is, in the order met.
///
/// ```
/// use mcpwire_http::headers::schema::{mirrored, sites};
/// let schema = serde_json::json!({"type": "object", "properties": {
///     "region": {"type": "string", "x-mcp-header": "Region"},
///     "list": {"type": "array", "items": {"x-mcp-header": "Nope"}}
/// }});
/// let schema = schema.as_object().unwrap();
/// assert_eq!(sites(schema).len(), 2);
/// let m = mirrored(schema);
/// assert_eq!((m.len(), m[0].header, m[0].path.as_slice()), (1, "Region", &["region".to_owned()][..]));
/// ```
pub fn sites(schema: &Map<String, Value>) -> Vec<Site<'_>> {
    let mut out = Vec::new();
    walk_schema(schema, "", Ok(Vec::new()), &mut out);
    out
}

/// One argument a tool mirrors into a header, as the server checks it.
pub struct Mirrored<'a> {
    /// The `{name}` of `Mcp-Param-{name}`.
    pub header: &'a str,
    /// The chain of `properties` keys that leads to the argument.
    pub path: Vec<String>,
}

/// The annotations that mirror an argument: those reached through
/// `properties` alone, below the root, whose value is a string.
pub fn mirrored(schema: &Map<String, Value>) -> Vec<Mirrored<'_>> {
    sites(schema)
        .into_iter()
        .filter_map(|s| match (s.reach, s.value) {
            (Ok(path), Value::String(header)) if !path.is_empty() => {
                Some(Mirrored { header, path })
            }
            _ => None,
        })
        .collect()
}

/// JSON pointer escaping of one reference token.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Collects the annotations of `schema` and everything below it. `reach` is
/// the `properties` chain to `schema`, or the first other keyword passed.
fn walk_schema<'a>(
    schema: &'a Map<String, Value>,
    at: &str,
    reach: Result<Vec<String>, String>,
    sites: &mut Vec<Site<'a>>,
) {
    for (key, value) in schema {
        let here = format!("{at}/{}", escape(key));
        match key.as_str() {
            ANNOTATION => sites.push(Site {
                at: if at.is_empty() {
                    "/".to_owned()
                } else {
                    at.to_owned()
                },
                reach: reach.clone(),
                schema,
                value,
            }),
            "properties" => {
                let Value::Object(props) = value else {
                    continue;
                };
                for (name, sub) in props {
                    let Value::Object(sub) = sub else { continue };
                    let next = reach.clone().map(|mut p| {
                        p.push(name.clone());
                        p
                    });
                    walk_schema(sub, &format!("{here}/{}", escape(name)), next, sites);
                }
            }
            k if DATA_KEYWORDS.contains(&k) => {}
            k if SCHEMA_MAPS.contains(&k) => {
                let Value::Object(defs) = value else {
                    continue;
                };
                for (name, sub) in defs {
                    let next = Err(reach.clone().err().unwrap_or_else(|| k.to_owned()));
                    walk_any(sub, &format!("{here}/{}", escape(name)), next, sites);
                }
            }
            k => {
                let next = Err(reach.clone().err().unwrap_or_else(|| k.to_owned()));
                walk_any(value, &here, next, sites);
            }
        }
    }
}

/// Walks a keyword's value: a schema, or an array of schemas.
fn walk_any<'a>(
    value: &'a Value,
    at: &str,
    reach: Result<Vec<String>, String>,
    sites: &mut Vec<Site<'a>>,
) {
    match value {
        Value::Object(schema) => walk_schema(schema, at, reach, sites),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_any(item, &format!("{at}/{i}"), reach.clone(), sites);
            }
        }
        _ => {}
    }
}
