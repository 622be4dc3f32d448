//! Reading the server's HTTP answers defensively: content types, bodies
//! read within a limit and a deadline, and short descriptions of errors
//! for messages.

use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

/// How much of an error response's body is read.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// An error with its sources, e.g. "error sending request: connection refused".
pub(super) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

/// A short, one-line description of an error body: the message of a
/// JSON-RPC error, or the first 200 characters of the text.
pub(super) fn excerpt(body: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<Value>(body)
        && let Some(m) = v
            .pointer("/error/message")
            .or_else(|| v.pointer("/message"))
            .and_then(Value::as_str)
    {
        return m.to_owned();
    }
    let text = String::from_utf8_lossy(body);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return "(empty body)".to_owned();
    }
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Whether a response's content type is `mime` (parameters ignored).
pub(super) fn has_content_type(resp: &reqwest::Response, mime: &str) -> bool {
    content_type(resp).eq_ignore_ascii_case(mime)
}

/// The media type of a response, without parameters, or "".
pub(super) fn content_type(resp: &reqwest::Response) -> String {
    resp.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads a body up to `limit` bytes; `Err(size)` when it is larger.
pub(super) async fn read_limited(
    resp: &mut reqwest::Response,
    limit: usize,
) -> Result<Result<Bytes, usize>, reqwest::Error> {
    let mut buf = Vec::new();
    if let Some(n) = resp.content_length() {
        if n as usize > limit {
            return Ok(Err(n as usize));
        }
        buf.reserve(n as usize);
    }
    while let Some(chunk) = resp.chunk().await? {
        if buf.len() + chunk.len() > limit {
            return Ok(Err(buf.len() + chunk.len()));
        }
        if buf.is_empty() && chunk.len() == resp.content_length().unwrap_or(0) as usize {
            return Ok(Ok(chunk));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Ok(Bytes::from(buf)))
}

/// Reads at most a few KiB of an error body, for [`excerpt`].
pub(super) async fn error_excerpt(resp: reqwest::Response) -> String {
    excerpt(&error_body(resp, 4096).await)
}

/// Reads an error response's body: up to [`ERROR_BODY_LIMIT`] bytes (a
/// longer one is cut there) within 2 s.
pub(super) async fn read_error_body(resp: reqwest::Response) -> Bytes {
    error_body(resp, ERROR_BODY_LIMIT).await
}

async fn error_body(resp: reqwest::Response, limit: usize) -> Bytes {
    let mut resp = resp;
    let mut buf = Vec::new();
    let read = async {
        while let Ok(Some(c)) = resp.chunk().await {
            buf.extend_from_slice(&c);
            if buf.len() > limit {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), read).await;
    Bytes::from(buf)
}

/// The `error` object of a body that is a JSON-RPC error response (an
/// object whose `error` has an integer `code` and a string `message`).
pub(super) fn rpc_error(body: &[u8]) -> Option<Value> {
    let mut v: Value = serde_json::from_slice(body).ok()?;
    let obj = v.as_object_mut()?;
    if obj.contains_key("result") {
        return None;
    }
    let error = obj.remove("error")?;
    let code = error.get("code")?.as_i64()?;
    i32::try_from(code).ok()?;
    error.get("message")?.as_str()?;
    Some(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rpc_error_bodies_are_recognized() {
        let e = rpc_error(
            br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32022,"message":"Unsupported protocol version","data":{"supported":["2025-11-25"]}}}"#,
        )
        .unwrap();
        assert_eq!(e["code"], -32022);
        assert_eq!(e["data"]["supported"][0], "2025-11-25");
        assert!(rpc_error(br#"{"error":{"code":-32601,"message":"m"}}"#).is_some());
        assert!(rpc_error(b"Bad Request").is_none());
        assert!(rpc_error(b"").is_none());
        assert!(rpc_error(br#"{"error":"nope"}"#).is_none());
        assert!(rpc_error(br#"{"error":{"code":"x","message":"m"}}"#).is_none());
        assert!(rpc_error(br#"{"error":{"code":-1}}"#).is_none());
        assert!(rpc_error(br#"{"result":{},"error":{"code":-1,"message":"m"}}"#).is_none());
    }
}
