//! Header values a 2026-07-28 request mirrors from its body: the Base64
//! sentinel encoding they may use, and the `Mcp-Param-*` headers a tool asks
//! for with `x-mcp-header` in its input schema.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use serde_json::{Map, Value};

const SENTINEL_START: &str = "=?base64?";
const SENTINEL_END: &str = "?=";

/// The value of a header that may use the `=?base64?…?=` sentinel, decoded,
/// with the optional whitespace around it dropped. `Err` names what is wrong
/// with a value that is not valid visible ASCII or not valid padded Base64
/// of UTF-8 text.
pub(crate) fn decode(raw: &http::HeaderValue) -> Result<Cow<'_, str>, &'static str> {
    let text = raw
        .to_str()
        .map_err(|_| "contains characters outside visible ASCII")?
        .trim_matches([' ', '\t']);
    let Some(encoded) = text
        .strip_prefix(SENTINEL_START)
        .and_then(|t| t.strip_suffix(SENTINEL_END))
    else {
        return Ok(Cow::Borrowed(text));
    };
    let bytes = STANDARD
        .decode(encoded)
        .map_err(|_| "is not valid padded Base64 inside =?base64?…?=")?;
    String::from_utf8(bytes)
        .map(Cow::Owned)
        .map_err(|_| "does not decode to UTF-8 text")
}

/// One argument a tool mirrors into a header.
struct Annotated<'a> {
    /// The `{name}` of `Mcp-Param-{name}`.
    header: &'a str,
    /// The chain of `properties` keys that leads to the argument.
    path: Vec<&'a str>,
}

/// Every `x-mcp-header` annotation reachable from the schema root through
/// `properties` alone, the only place the annotation may appear.
fn annotations(schema: &Map<String, Value>) -> Vec<Annotated<'_>> {
    fn walk<'a>(
        schema: &'a Map<String, Value>,
        path: &mut Vec<&'a str>,
        out: &mut Vec<Annotated<'a>>,
    ) {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (key, prop) in props {
            path.push(key);
            if let Some(header) = prop.get("x-mcp-header").and_then(Value::as_str) {
                out.push(Annotated {
                    header,
                    path: path.clone(),
                });
            }
            if let Some(nested) = prop.as_object() {
                walk(nested, path, out);
            }
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(schema, &mut Vec::new(), &mut out);
    out
}

/// Whether a tool's input schema mirrors any argument into a header.
pub(crate) fn mirrors(schema: &Map<String, Value>) -> bool {
    !annotations(schema).is_empty()
}

/// The argument at `path`, if there is one and it is not `null`.
fn argument<'a>(arguments: Option<&'a Map<String, Value>>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut v = arguments?.get(*first)?;
    for key in rest {
        v = v.get(*key)?;
    }
    (!v.is_null()).then_some(v)
}

/// Whether a decoded header value stands for the body value: strings
/// exactly, integers numerically (`42.0` is `42`), booleans as `true` and
/// `false`.
fn agrees(header: &str, body: &Value) -> bool {
    match body {
        Value::String(s) => header == s,
        Value::Bool(b) => header == if *b { "true" } else { "false" },
        Value::Number(n) => match (header.parse::<f64>(), n.as_f64()) {
            (Ok(h), Some(b)) => h == b,
            _ => false,
        },
        _ => false,
    }
}

/// Checks the `Mcp-Param-*` headers of a `tools/call` against its
/// arguments, for the tool whose input schema is `schema`: an argument with
/// a value needs its header, a header needs a value it equals, and header
/// values must be well formed. `Err` is the message of a `-32020` answer.
pub(crate) fn check(
    headers: &HeaderMap,
    schema: &Map<String, Value>,
    arguments: Option<&Map<String, Value>>,
) -> Result<(), String> {
    for a in annotations(schema) {
        let name = format!("mcp-param-{}", a.header);
        let body = argument(arguments, &a.path);
        let Some(raw) = headers.get(name.as_str()) else {
            if body.is_some() {
                return Err(format!(
                    "Header mismatch: argument {:?} has a value, so the Mcp-Param-{} header is required",
                    a.path.join("."),
                    a.header
                ));
            }
            continue;
        };
        let value = decode(raw)
            .map_err(|why| format!("Header mismatch: the Mcp-Param-{} header {why}", a.header))?;
        match body {
            Some(b) if agrees(&value, b) => {}
            Some(b) => {
                return Err(format!(
                    "Header mismatch: Mcp-Param-{} is {value:?} but argument {:?} is {b}",
                    a.header,
                    a.path.join(".")
                ));
            }
            None => {
                return Err(format!(
                    "Header mismatch: Mcp-Param-{} is set but argument {:?} has no value",
                    a.header,
                    a.path.join(".")
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use serde_json::json;

    fn decoded(raw: &str) -> Result<String, &'static str> {
        decode(&HeaderValue::from_str(raw).unwrap()).map(Cow::into_owned)
    }

    #[test]
    fn the_spec_encoding_examples_decode() {
        assert_eq!(decoded("us-west1").unwrap(), "us-west1");
        assert_eq!(
            decoded("=?base64?SGVsbG8sIOS4lueVjA==?=").unwrap(),
            "Hello, 世界"
        );
        assert_eq!(decoded("=?base64?IHBhZGRlZCA=?=").unwrap(), " padded ");
        assert_eq!(
            decoded("=?base64?bGluZTEKbGluZTI=?=").unwrap(),
            "line1\nline2"
        );
        assert_eq!(
            decoded("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=").unwrap(),
            "=?base64?literal?="
        );
        assert_eq!(decoded("  spaced\t").unwrap(), "spaced");
    }

    #[test]
    fn half_sentinels_are_literal_and_bad_base64_is_refused() {
        assert_eq!(decoded("=?base64?SGVsbG8=").unwrap(), "=?base64?SGVsbG8=");
        assert_eq!(decoded("SGVsbG8=?=").unwrap(), "SGVsbG8=?=");
        assert!(decoded("=?base64?SGVsbG8?=").is_err(), "unpadded");
        assert!(
            decoded("=?base64?SGVs!!!bG8=?=").is_err(),
            "outside the alphabet"
        );
        assert!(decoded("=?base64?/w==?=").is_err(), "not UTF-8");
        let obs = HeaderValue::from_bytes(b"caf\xe9").unwrap();
        assert!(decode(&obs).is_err(), "obs-text");
    }

    fn schema() -> Map<String, Value> {
        args(json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "limit": {"type": "integer", "x-mcp-header": "Limit"},
            "dry": {"type": "boolean", "x-mcp-header": "Dry"},
            "where": {"type": "object", "properties": {
                "tenant": {"type": "string", "x-mcp-header": "Tenant"}
            }},
            "list": {"type": "array", "items": {"type": "string", "x-mcp-header": "Ignored"}},
            "query": {"type": "string"}
        }}))
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn matching_headers_pass_and_absent_arguments_need_none() {
        let a = args(json!({
            "region": "us-west1", "limit": 42, "dry": false,
            "where": {"tenant": "Hello, 世界"}, "list": ["x"], "query": "q"
        }));
        let h = headers(&[
            ("Mcp-Param-Region", "us-west1"),
            ("mcp-param-limit", "42.0"),
            ("MCP-PARAM-DRY", "false"),
            ("Mcp-Param-Tenant", "=?base64?SGVsbG8sIOS4lueVjA==?="),
        ]);
        check(&h, &schema(), Some(&a)).unwrap();
        check(&HeaderMap::new(), &schema(), None).unwrap();
        let nulls = args(json!({"region": null, "query": "q"}));
        check(&HeaderMap::new(), &schema(), Some(&nulls)).unwrap();
    }

    #[test]
    fn missing_extra_and_disagreeing_headers_are_refused() {
        let a = args(json!({"region": "us-west1"}));
        let e = check(&HeaderMap::new(), &schema(), Some(&a)).unwrap_err();
        assert!(e.contains("Mcp-Param-Region header is required"), "{e}");
        let e = check(&headers(&[("Mcp-Param-Region", "eu")]), &schema(), Some(&a)).unwrap_err();
        assert!(e.contains("\"eu\""), "{e}");
        let e = check(
            &headers(&[("Mcp-Param-Region", "us-west1"), ("Mcp-Param-Dry", "true")]),
            &schema(),
            Some(&a),
        )
        .unwrap_err();
        assert!(e.contains("has no value"), "{e}");
        let e = check(
            &headers(&[("Mcp-Param-Region", "=?base64?dXMtd2VzdDE?=")]),
            &schema(),
            Some(&a),
        )
        .unwrap_err();
        assert!(e.contains("Base64"), "{e}");
        let int = args(json!({"limit": 7}));
        assert!(
            check(
                &headers(&[("Mcp-Param-Limit", "seven")]),
                &schema(),
                Some(&int)
            )
            .is_err()
        );
    }
}
