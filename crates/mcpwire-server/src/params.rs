//! Reading request params into their types, cheaply (moving `_meta` and
//! tool arguments rather than rebuilding them), and the opaque cursors of
//! list pages.

use mcpwire_types::request::Request;
use mcpwire_types::{
    CallToolRequestParams, GetPromptRequestParams, Meta, ReadResourceRequestParams,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use mcpwire_rpc::Error;

pub(crate) fn params<T: DeserializeOwned>(p: Option<Value>) -> Result<T, Error> {
    T::deserialize(p.unwrap_or_else(|| json!({})))
        .map_err(|e| Error::invalid_params(format!("Invalid params: {e}")))
}

/// The params of the request method `R`.
pub(crate) fn params_of<R: Request>(p: Option<Value>) -> Result<R::Params, Error> {
    params(p)
}

/// Params that carry a `_meta` object.
pub(crate) trait WithMeta: DeserializeOwned {
    fn put_meta(&mut self, meta: Option<Meta>);
}

macro_rules! with_meta {
    ($($t:ty),*) => {$(
        impl WithMeta for $t {
            fn put_meta(&mut self, meta: Option<Meta>) {
                self.meta = meta;
            }
        }
    )*};
}
with_meta!(
    CallToolRequestParams,
    ReadResourceRequestParams,
    GetPromptRequestParams
);

/// A params field that must be an object, taken out whole.
fn object_field(
    fields: &mut Map<String, Value>,
    field: &str,
) -> Result<Option<Map<String, Value>>, Error> {
    // The rest is deserialized by name, so the order need not be kept.
    match fields.swap_remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(Error::invalid_params(format!(
            "Invalid params: {field} must be an object"
        ))),
    }
}

/// The params of a request whose `_meta` is moved into place rather than
/// rebuilt entry by entry, which is most of the cost of reading a request
/// that carries 2026-07-28 `_meta`.
pub(crate) fn meta_params<T: WithMeta>(p: Option<Value>) -> Result<T, Error> {
    let mut fields = match p {
        Some(Value::Object(fields)) => fields,
        other => return params(other),
    };
    let meta = object_field(&mut fields, "_meta")?;
    let mut t: T = params(Some(Value::Object(fields)))?;
    t.put_meta(meta);
    Ok(t)
}

/// The params of a `tools/call`: its `arguments` too are moved, not
/// rebuilt.
pub(crate) fn call_params(p: Option<Value>) -> Result<CallToolRequestParams, Error> {
    let mut fields = match p {
        Some(Value::Object(fields)) => fields,
        other => return params(other),
    };
    let arguments = object_field(&mut fields, "arguments")?;
    let mut call: CallToolRequestParams = meta_params(Some(Value::Object(fields)))?;
    call.arguments = arguments;
    Ok(call)
}

pub(crate) fn to_value<T: Serialize>(v: &T) -> Result<Value, Error> {
    serde_json::to_value(v).map_err(Error::from)
}

/// Where the page a cursor names starts. Cursors are opaque to clients;
/// here they are the offset of the page, which may not pass `len`.
pub(crate) fn page_start(cursor: Option<&str>, len: usize) -> Result<usize, Error> {
    match cursor {
        None => Ok(0),
        Some(c) => c
            .strip_prefix("o")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n <= len)
            .ok_or_else(|| Error::invalid_params(format!("Invalid cursor: {c:?}"))),
    }
}

/// Where a page that starts at `start` ends, and the cursor of the next
/// one.
pub(crate) fn page_end(start: usize, len: usize, size: Option<usize>) -> (usize, Option<String>) {
    let end = size.map_or(len, |s| start.saturating_add(s).min(len));
    (end, (end < len).then(|| format!("o{end}")))
}

/// One page of `items`, and the cursor of the next.
pub(crate) fn page<T: Clone>(
    items: &[T],
    cursor: Option<&str>,
    size: Option<usize>,
) -> Result<(Vec<T>, Option<String>), Error> {
    let start = page_start(cursor, items.len())?;
    let (end, next) = page_end(start, items.len(), size);
    Ok((items[start..end].to_vec(), next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_cursors() {
        let items = [1, 2, 3, 4, 5];
        assert_eq!(
            page(&items, None, Some(2)).unwrap(),
            (vec![1, 2], Some("o2".into()))
        );
        assert_eq!(page(&items, Some("o4"), Some(2)).unwrap(), (vec![5], None));
        assert_eq!(page(&items, Some("o5"), Some(2)).unwrap(), (vec![], None));
        assert_eq!(page(&items, None, None).unwrap(), (items.to_vec(), None));
        for bad in ["o6", "x1", "o-1", ""] {
            assert!(page(&items, Some(bad), Some(2)).is_err(), "{bad}");
        }
    }
}
