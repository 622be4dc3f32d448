//! `key=value` arguments, typed by a JSON Schema: a value becomes the
//! integer, number, boolean, object, array or null its property's schema
//! asks for; strings, and properties the schema does not describe, stay
//! strings.

use serde_json::{Map, Value};

use crate::exit::CliError;

/// Builds an arguments object from `key=value` words, typing each value by
/// `schema.properties[key]`.
///
/// ```text
/// schema {"properties": {"n": {"type": "integer"}}}, ["n=3", "s=x"]  =>  {"n": 3, "s": "x"}
/// ```
pub fn arguments(schema: &Value, words: &[String]) -> Result<Map<String, Value>, CliError> {
    let mut args = Map::new();
    for word in words {
        let Some((key, raw)) = word.split_once('=') else {
            return Err(CliError::usage(format!(
                "argument {word:?} is not key=value (use --args JSON for whole objects)"
            )));
        };
        if key.is_empty() {
            return Err(CliError::usage(format!(
                "argument {word:?} has an empty key"
            )));
        }
        let prop = schema
            .get("properties")
            .and_then(|p| p.get(key))
            .unwrap_or(&Value::Null);
        let value = value_for(prop, raw).map_err(|e| CliError::usage(format!("{key}: {e}")))?;
        args.insert(key.to_owned(), value);
    }
    Ok(args)
}

/// The JSON types a property schema allows, from `type` (a string or a
/// list) or from the members of `anyOf` / `oneOf`.
pub fn types_of(prop: &Value) -> Vec<&str> {
    match prop.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => ["anyOf", "oneOf"]
            .iter()
            .filter_map(|k| prop.get(*k).and_then(Value::as_array))
            .flatten()
            .flat_map(types_of)
            .collect(),
    }
}

/// Types one raw value by its property schema. With several allowed types
/// the first that parses wins, trying strings last.
pub fn value_for(prop: &Value, raw: &str) -> Result<Value, String> {
    let types = types_of(prop);
    if types.is_empty() {
        return Ok(Value::String(raw.to_owned()));
    }
    let mut errors = Vec::new();
    for ty in types.iter().filter(|t| **t != "string") {
        match parse_as(ty, raw) {
            Ok(v) => return Ok(v),
            Err(e) => errors.push(e),
        }
    }
    if types.contains(&"string") {
        return Ok(Value::String(raw.to_owned()));
    }
    Err(errors.join("; "))
}

fn parse_as(ty: &str, raw: &str) -> Result<Value, String> {
    let t = raw.trim();
    match ty {
        "integer" => t
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| t.parse::<u64>().map(Value::from))
            .map_err(|_| format!("{raw:?} is not an integer")),
        "number" => {
            if let Ok(i) = t.parse::<i64>() {
                return Ok(Value::from(i));
            }
            t.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::from)
                .ok_or_else(|| format!("{raw:?} is not a number"))
        }
        "boolean" => match t {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("{raw:?} is not a boolean (true or false)")),
        },
        "null" => match t {
            "null" | "" => Ok(Value::Null),
            _ => Err(format!("{raw:?} is not null")),
        },
        "object" | "array" => match serde_json::from_str::<Value>(t) {
            Ok(v @ Value::Object(_)) if ty == "object" => Ok(v),
            Ok(v @ Value::Array(_)) if ty == "array" => Ok(v),
            _ => Err(format!("{raw:?} is not a JSON {ty}")),
        },
        _ => Ok(Value::String(raw.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn values_follow_the_schema() {
        let schema = json!({"properties": {
            "i": {"type": "integer"}, "n": {"type": "number"}, "b": {"type": "boolean"},
            "o": {"type": "object"}, "a": {"type": "array"}, "z": {"type": "null"},
            "s": {"type": "string"}, "opt": {"type": ["integer", "null"]},
            "any": {"anyOf": [{"type": "number"}, {"type": "string"}]}
        }});
        let got = arguments(
            &schema,
            &words(&[
                "i=3",
                "n=2.5",
                "b=true",
                "o={\"k\":1}",
                "a=[1,2]",
                "z=null",
                "s=42",
                "opt=null",
                "any=x",
                "extra=7",
            ]),
        )
        .unwrap();
        assert_eq!(
            Value::Object(got),
            json!({"i": 3, "n": 2.5, "b": true, "o": {"k": 1}, "a": [1, 2], "z": null,
                   "s": "42", "opt": null, "any": "x", "extra": "7"})
        );
    }

    #[test]
    fn bad_values_and_words_are_usage_errors() {
        let schema = json!({"properties": {"i": {"type": "integer"}, "o": {"type": "object"}}});
        for bad in ["i=x", "i=1.5", "o=[1]", "noequals", "=v"] {
            let e = arguments(&schema, &words(&[bad])).unwrap_err();
            assert_eq!(e.exit, crate::exit::Exit::Usage, "{bad}");
        }
        // a value keeps everything after the first `=`
        let got = arguments(&json!({}), &words(&["q=a=b"])).unwrap();
        assert_eq!(got["q"], "a=b");
    }
}
