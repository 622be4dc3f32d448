//! Reading a tool's result as a Rust type: its `structuredContent`, or
//! else its text content parsed as JSON.

use mcpwire_rpc::Error;
use mcpwire_types::{CallToolResult, ContentBlock};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Why a tool's result could not be read as the type asked for.
///
/// It converts into [`Error`] (with `?`): a failed call stays what it was,
/// and the others become [`Error::Protocol`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StructuredError {
    /// The call itself failed: the connection, a timeout, a local mistake
    /// ([`Error::InvalidArgument`]) or the server's JSON-RPC error.
    #[error(transparent)]
    Call(#[from] Error),
    /// The tool ran and reported an error (`isError: true`); the message is
    /// its text content.
    #[error("the tool reported an error: {0}")]
    Tool(String),
    /// The result has neither `structuredContent` nor text content.
    #[error("the tool's result has neither structured nor text content")]
    Missing,
    /// The content is not a value of the type asked for.
    #[error("the tool's result is not a {ty}: {source}")]
    Malformed {
        /// The type asked for.
        ty: &'static str,
        /// Why it did not decode.
        source: serde_json::Error,
    },
}

impl From<StructuredError> for Error {
    fn from(e: StructuredError) -> Self {
        match e {
            StructuredError::Call(e) => e,
            other => Error::Protocol(other.to_string()),
        }
    }
}

/// Reads a [`CallToolResult`] as a Rust type.
///
/// ```
/// use mcpwire_client::CallToolResultExt;
/// use mcpwire_types::{CallToolResult, ContentBlock};
/// use serde_json::json;
/// let mut r = CallToolResult::new(vec![ContentBlock::text("{\"total\": 3}")]);
/// assert_eq!(r.structured::<serde_json::Value>().unwrap(), json!({"total": 3}));
/// r.structured_content = Some(json!({"total": 4}));
/// #[derive(serde::Deserialize)]
/// struct Sum { total: i64 }
/// assert_eq!(r.structured::<Sum>().unwrap().total, 4);
/// ```
pub trait CallToolResultExt {
    /// The result as `T`: its `structuredContent` when it has one, else its
    /// text content (the text blocks joined) parsed as JSON, or taken as a
    /// JSON string when it does not parse (so `String` reads plain text).
    ///
    /// # Errors
    ///
    /// [`StructuredError::Tool`] when the tool reported an error,
    /// [`StructuredError::Missing`] when there is nothing to read, and
    /// [`StructuredError::Malformed`] when the content is not a `T`.
    fn structured<T: DeserializeOwned>(&self) -> Result<T, StructuredError>;
}

impl CallToolResultExt for CallToolResult {
    fn structured<T: DeserializeOwned>(&self) -> Result<T, StructuredError> {
        read_structured(self)
    }
}

/// The text of `r`'s text blocks, joined; `None` when it has none.
fn text_of(r: &CallToolResult) -> Option<String> {
    let mut texts = r.content.iter().filter_map(|c| match c {
        ContentBlock::Text(t) => Some(t.text.as_str()),
        _ => None,
    });
    let first = texts.next()?;
    let mut s = first.to_owned();
    texts.for_each(|t| s.push_str(t));
    Some(s)
}

/// See [`CallToolResultExt::structured`].
pub(super) fn read_structured<T: DeserializeOwned>(
    r: &CallToolResult,
) -> Result<T, StructuredError> {
    let malformed = |source| StructuredError::Malformed {
        ty: std::any::type_name::<T>(),
        source,
    };
    if r.is_error == Some(true) {
        return Err(StructuredError::Tool(text_of(r).unwrap_or_default()));
    }
    if let Some(v) = &r.structured_content {
        return T::deserialize(v).map_err(malformed);
    }
    let text = text_of(r).ok_or(StructuredError::Missing)?;
    match serde_json::from_str::<T>(&text) {
        Ok(t) => Ok(t),
        Err(parse) if parse.is_syntax() || parse.is_eof() => {
            T::deserialize(&Value::String(text)).map_err(|_| malformed(parse))
        }
        Err(e) => Err(malformed(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sum {
        total: i64,
    }

    fn texts(t: &[&str]) -> CallToolResult {
        CallToolResult::new(t.iter().map(|s| ContentBlock::text(*s)).collect())
    }

    #[test]
    fn structured_content_comes_first_then_text() {
        let mut r = texts(&["{\"total\": 1}"]);
        assert_eq!(r.structured::<Sum>().unwrap(), Sum { total: 1 });
        r.structured_content = Some(json!({"total": 2}));
        assert_eq!(r.structured::<Sum>().unwrap(), Sum { total: 2 });
        // Several text blocks are read as one.
        let r = texts(&["{\"total\"", ": 5}"]);
        assert_eq!(r.structured::<Sum>().unwrap(), Sum { total: 5 });
    }

    #[test]
    fn plain_text_reads_as_a_string_and_nothing_else() {
        let r = texts(&["hello there"]);
        assert_eq!(r.structured::<String>().unwrap(), "hello there");
        let e = r.structured::<Sum>().unwrap_err();
        assert!(matches!(&e, StructuredError::Malformed { ty, .. } if ty.ends_with("Sum")));
        let r = texts(&["42"]);
        assert_eq!(r.structured::<u32>().unwrap(), 42);
    }

    #[test]
    fn errors_and_empty_results_are_told_apart() {
        let mut r = texts(&["no such city"]);
        r.is_error = Some(true);
        assert!(
            matches!(r.structured::<Value>(), Err(StructuredError::Tool(m)) if m == "no such city")
        );
        assert!(matches!(
            CallToolResult::new(vec![]).structured::<Value>(),
            Err(StructuredError::Missing)
        ));
        let wrong = texts(&["{\"total\": \"x\"}"])
            .structured::<Sum>()
            .unwrap_err();
        assert!(matches!(Error::from(wrong), Error::Protocol(m) if m.contains("is not a")));
        let call = StructuredError::from(Error::Cancelled);
        assert!(matches!(Error::from(call), Error::Cancelled));
    }
}
