//! Field lookups on the small JSON objects every request carries
//! (`params`, `_meta`), by scanning rather than hashing.
//!
//! ```
//! use mcpwire_types::fields;
//! let params = serde_json::json!({"name": "echo", "_meta": {"progressToken": 3}});
//! assert_eq!(fields::get(&params, "name"), Some(&serde_json::json!("echo")));
//! assert_eq!(fields::get_path(&params, &["_meta", "progressToken"]), Some(&serde_json::json!(3)));
//! assert_eq!(fields::get_path(&params, &["_meta", "other"]), None);
//! ```

use serde_json::{Map, Value};

/// Objects up to this size are scanned: comparing a few short keys costs
/// less than hashing the one looked for.
const SCAN_UP_TO: usize = 8;

/// The field `key` of `v`, when `v` is an object that has it; the same as
/// [`Value::get`] with a string key.
pub fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => field(m, key),
        _ => None,
    }
}

/// The field `key` of `m`; the same as [`Map::get`].
pub fn field<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if m.len() <= SCAN_UP_TO {
        m.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        m.get(key)
    }
}

/// The field at `path` (object keys, outermost first).
pub fn get_path<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, key| get(v, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_what_value_get_finds() {
        let small = json!({"a": 1, "b": {"c": "d"}});
        assert_eq!(get(&small, "a"), small.get("a"));
        assert_eq!(get(&small, "z"), None);
        assert_eq!(get(&small["b"], "c"), Some(&json!("d")));
        {
            assert_eq!(get_path(&small, &["b", "c"]), Some(&json!("d")));
            assert_eq!(get_path(&small, &["b", "x"]), None);
        }
        let large: Value = (0..20)
            .map(|i| (format!("k{i}"), json!(i)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        assert_eq!(get(&large, "k17"), Some(&json!(17)));
        assert_eq!(get(&large, "k20"), None);
        assert_eq!(get(&json!([1, 2]), "a"), None);
        assert_eq!(get(&json!("text"), "a"), None);
    }
}
