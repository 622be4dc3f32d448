//! The `x-mcp-header` annotations of a tool's `inputSchema` (2026-07-28):
//! checking them against the spec's constraints, and the `Mcp-Param-{Name}`
//! headers they give a call's arguments.
//!
//! An annotation is valid when its value is a non-empty HTTP token, unique
//! among the tool's annotations regardless of case, placed on a parameter of
//! type `string`, `integer` or `boolean` (an integer's declared values and
//! bounds within ±(2^53−1)), and reached from the schema root through
//! `properties` alone: never through `items`, `oneOf`/`anyOf`/`allOf`/`not`,
//! `if`/`then`/`else`, `$ref`, `$defs` or any other keyword.

use std::collections::HashMap;

use reqwest::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value};

use crate::headers::schema::{Site, sites};
use crate::headers::value;

/// The largest integer a JavaScript number holds exactly (2^53 − 1).
pub(super) const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Keywords of an integer schema that state values or bounds.
const INTEGER_VALUES: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "const",
    "default",
    "enum",
    "examples",
];

/// Why a tool's `x-mcp-header` annotations are invalid. Its text names the
/// place in the schema (a JSON pointer) and says what the spec requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum InvalidAnnotation {
    /// The annotation's value is not a string.
    #[error("the x-mcp-header at {at} is {found}, not a string")]
    NotAString { at: String, found: String },
    /// The annotation is the empty string.
    #[error("the x-mcp-header at {at} is empty")]
    Empty { at: String },
    /// The annotation has a control character.
    #[error("the x-mcp-header {name:?} at {at} contains a control character")]
    ControlCharacter { at: String, name: String },
    /// The annotation is not an HTTP field-name token.
    #[error(
        "the x-mcp-header {name:?} at {at} is not an HTTP token: only ASCII letters, digits and !#$%&'*+-.^_`|~ are allowed"
    )]
    NotAToken { at: String, name: String },
    /// Two annotations name the same header, ignoring case.
    #[error(
        "the x-mcp-header {name:?} at {at} repeats {first:?} at {first_at} (names are compared without case)"
    )]
    Duplicate {
        at: String,
        name: String,
        first: String,
        first_at: String,
    },
    /// The annotated parameter's type is not string, integer or boolean.
    #[error(
        "the x-mcp-header {name:?} at {at} is on a parameter of type {ty}; only string, integer and boolean parameters may be mirrored"
    )]
    NotPrimitive {
        at: String,
        name: String,
        ty: String,
    },
    /// An integer parameter admits values a JavaScript number cannot hold.
    #[error(
        "the x-mcp-header {name:?} at {at} is on an integer parameter whose {keyword} {value} lies outside ±(2^53−1)"
    )]
    UnsafeInteger {
        at: String,
        name: String,
        keyword: String,
        value: String,
    },
    /// The annotation is not reached through `properties` alone.
    #[error(
        "the x-mcp-header at {at} is reached through {via:?}; it must be reachable from the schema root through properties alone"
    )]
    Unreachable { at: String, via: String },
    /// The annotation is on the schema root, not on a parameter.
    #[error("the x-mcp-header at the schema root is not on a parameter")]
    AtRoot,
}

/// The JSON type a mirrored parameter is declared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParamType {
    String,
    Integer,
    Boolean,
}

/// One annotated parameter: the header it fills and where its value lives.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ParamHeader {
    /// The annotation, as written (the `{Name}` of `Mcp-Param-{Name}`).
    name: String,
    /// The chain of `properties` keys from the arguments to the value.
    path: Vec<String>,
}

/// The checked `x-mcp-header` annotations of one tool.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ToolHeaders {
    params: Vec<ParamHeader>,
}

/// Why a call's argument cannot be mirrored into its header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the argument {path} ({found}) cannot be mirrored into Mcp-Param-{name}: {why}")]
pub(crate) struct UnmirrorableArgument {
    path: String,
    name: String,
    found: String,
    why: &'static str,
}

impl ToolHeaders {
    /// Checks every `x-mcp-header` annotation of `input_schema`; the first
    /// violation makes the whole tool invalid.
    ///
    /// The schema is only read: no `$ref` is followed and nothing is
    /// changed.
    pub(crate) fn from_schema(
        input_schema: &Map<String, Value>,
    ) -> Result<Self, InvalidAnnotation> {
        let sites: Vec<Site<'_>> = sites(input_schema);
        let mut params = Vec::with_capacity(sites.len());
        let mut seen: HashMap<String, (String, String)> = HashMap::new();
        for site in sites {
            let path = match site.reach {
                Ok(path) if path.is_empty() => return Err(InvalidAnnotation::AtRoot),
                Ok(path) => path,
                Err(via) => return Err(InvalidAnnotation::Unreachable { at: site.at, via }),
            };
            let name = check_name(&site.at, site.value)?;
            check_type(&site.at, &name, site.schema)?;
            if let Some((first, first_at)) = seen.get(&name.to_ascii_lowercase()) {
                return Err(InvalidAnnotation::Duplicate {
                    at: site.at,
                    name,
                    first: first.clone(),
                    first_at: first_at.clone(),
                });
            }
            seen.insert(name.to_ascii_lowercase(), (name.clone(), site.at));
            params.push(ParamHeader { name, path });
        }
        Ok(ToolHeaders { params })
    }

    /// Whether the tool mirrors no parameter.
    pub(crate) fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// The `Mcp-Param-{Name}` headers of a call with `arguments`: one for
    /// each annotated parameter that has a non-null value, encoded per the
    /// spec's Value Encoding.
    pub(crate) fn headers(
        &self,
        arguments: Option<&Map<String, Value>>,
    ) -> Result<Vec<(HeaderName, HeaderValue)>, UnmirrorableArgument> {
        let mut out = Vec::new();
        for p in &self.params {
            let Some(value) = lookup(arguments, &p.path) else {
                continue;
            };
            let text = param_text(value).map_err(|why| UnmirrorableArgument {
                path: format!("/{}", p.path.join("/")),
                name: p.name.clone(),
                found: describe(value),
                why,
            })?;
            // The name was checked to be a token, and the encoded value is
            // visible ASCII: neither conversion fails.
            let (Ok(name), Some(value)) = (
                HeaderName::from_bytes(format!("mcp-param-{}", p.name).as_bytes()),
                value::header_value(&text),
            ) else {
                continue;
            };
            out.push((name, value));
        }
        Ok(out)
    }
}

/// The value at `path` in the arguments; `None` when absent or null.
fn lookup<'a>(arguments: Option<&'a Map<String, Value>>, path: &[String]) -> Option<&'a Value> {
    let (last, parents) = path.split_last()?;
    let mut obj = arguments?;
    for key in parents {
        obj = obj.get(key)?.as_object()?;
    }
    obj.get(last).filter(|v| !v.is_null())
}

/// The header text of a value: strings as they are, booleans as
/// `true`/`false`, integers in decimal.
fn param_text(value: &Value) -> Result<String, &'static str> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => {
            let int = n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER as f64)
                    .map(|f| f as i64)
            });
            match int {
                Some(i) if i.unsigned_abs() <= MAX_SAFE_INTEGER as u64 => Ok(i.to_string()),
                Some(_) => Err("integers beyond ±(2^53−1) cannot be mirrored"),
                None if n.is_u64() => Err("integers beyond ±(2^53−1) cannot be mirrored"),
                None => Err("only strings, integers and booleans can be mirrored"),
            }
        }
        Value::Array(_) | Value::Object(_) | Value::Null => {
            Err("only strings, integers and booleans can be mirrored")
        }
    }
}

/// A short description of a value for error messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Object(_) => "an object".to_owned(),
        Value::Array(_) => "an array".to_owned(),
        other => {
            let text = other.to_string();
            match text.char_indices().nth(40) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text,
            }
        }
    }
}

/// The annotation's header name, checked: a non-empty token.
fn check_name(at: &str, value: &Value) -> Result<String, InvalidAnnotation> {
    let Value::String(name) = value else {
        return Err(InvalidAnnotation::NotAString {
            at: at.to_owned(),
            found: describe(value),
        });
    };
    if name.is_empty() {
        return Err(InvalidAnnotation::Empty { at: at.to_owned() });
    }
    if name.chars().any(char::is_control) {
        return Err(InvalidAnnotation::ControlCharacter {
            at: at.to_owned(),
            name: name.clone(),
        });
    }
    if !name.bytes().all(is_tchar) {
        return Err(InvalidAnnotation::NotAToken {
            at: at.to_owned(),
            name: name.clone(),
        });
    }
    Ok(name.clone())
}

/// `tchar` of RFC 9110, section 5.6.2.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Checks that the annotated schema declares one primitive type (a `null`
/// alongside it only makes the parameter optional), and that an integer
/// schema's values and bounds are safe integers.
fn check_type(at: &str, name: &str, schema: &Map<String, Value>) -> Result<(), InvalidAnnotation> {
    let not_primitive = |ty: String| InvalidAnnotation::NotPrimitive {
        at: at.to_owned(),
        name: name.to_owned(),
        ty,
    };
    let declared = schema.get("type");
    let types: Vec<&str> = match declared {
        None => return Err(not_primitive("(none declared)".to_owned())),
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        Some(other) => return Err(not_primitive(other.to_string())),
    };
    let non_null: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
    let ty = match non_null.as_slice() {
        ["string"] => ParamType::String,
        ["integer"] => ParamType::Integer,
        ["boolean"] => ParamType::Boolean,
        _ => {
            let shown = declared.map(Value::to_string).unwrap_or_default();
            return Err(not_primitive(shown));
        }
    };
    if ty == ParamType::Integer {
        for keyword in INTEGER_VALUES {
            let Some(v) = schema.get(*keyword) else {
                continue;
            };
            let values: Vec<&Value> = match v {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            if let Some(bad) = values.into_iter().find(|v| is_unsafe_number(v)) {
                return Err(InvalidAnnotation::UnsafeInteger {
                    at: at.to_owned(),
                    name: name.to_owned(),
                    keyword: (*keyword).to_owned(),
                    value: bad.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Whether `v` is a number outside ±(2^53−1).
fn is_unsafe_number(v: &Value) -> bool {
    let Value::Number(n) = v else {
        return false;
    };
    if let Some(i) = n.as_i64() {
        return i.unsigned_abs() > MAX_SAFE_INTEGER as u64;
    }
    if n.is_u64() {
        return true;
    }
    n.as_f64()
        .is_some_and(|f| f.abs() > MAX_SAFE_INTEGER as f64)
}

#[cfg(test)]
#[path = "tool_headers_tests.rs"]
mod tests;
