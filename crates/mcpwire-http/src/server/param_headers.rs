//! The server's check of the `Mcp-Param-*` headers a 2026-07-28
//! `tools/call` mirrors from its arguments, for the tools whose input
//! schema asks for them with `x-mcp-header`.

use http::HeaderMap;
use serde_json::{Map, Value};

use crate::headers::schema::mirrored;
use crate::headers::{PARAM_PREFIX, value::decode};

/// Whether a tool's input schema mirrors any argument into a header.
pub(crate) fn mirrors(schema: &Map<String, Value>) -> bool {
    !mirrored(schema).is_empty()
}

/// The argument at `path`, if there is one and it is not `null`.
fn argument<'a>(arguments: Option<&'a Map<String, Value>>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut v = arguments?.get(first)?;
    for key in rest {
        v = v.get(key)?;
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
    for a in mirrored(schema) {
        let name = format!("{PARAM_PREFIX}{}", a.header);
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
