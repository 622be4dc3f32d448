//! HTTP rules of the 2026-07-28 revision: the standard request headers that
//! must agree with the body, and the HTTP status each error earns.

use http::{HeaderMap, HeaderName, Response, StatusCode};
use mcpwire_types::{ErrorCode, ErrorObject, Incoming, Message};

use super::Backend;
use super::body::{self, Body};
use super::param_headers;
use mcpwire_rpc::fields;

const METHOD: HeaderName = crate::headers::METHOD_NAME;
const NAME: HeaderName = crate::headers::NAME_NAME;

fn mismatch(message: String, id: Option<&mcpwire_types::RequestId>) -> Box<Response<Body>> {
    let e = ErrorObject::header_mismatch(message);
    let body = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": e});
    Box::new(body::json(StatusCode::BAD_REQUEST, body.to_string()))
}

/// Checks `Mcp-Method`, `Mcp-Name` and, for a `tools/call`, the tool's
/// `Mcp-Param-*` headers against the body: a missing, malformed or
/// disagreeing header is `-32020` with HTTP 400. Values are compared
/// exactly, after trimming surrounding whitespace and decoding the Base64
/// sentinel form.
pub(crate) fn check_headers(
    headers: &HeaderMap,
    incoming: &Incoming,
    server: &Backend,
) -> Result<(), Box<Response<Body>>> {
    let (method, params, id) = match incoming {
        Incoming::Message(Message::Request(r)) => {
            (r.method.as_str(), r.params.as_ref(), Some(&r.id))
        }
        Incoming::Message(Message::Notification(n)) => (n.method.as_str(), n.params.as_ref(), None),
        _ => return Ok(()),
    };
    let header = |name: &HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if id.is_some() {
        let body_version = params
            .and_then(|p| fields::get_path(p, &["_meta", mcpwire_types::meta::PROTOCOL_VERSION]))
            .and_then(|v| v.as_str());
        match (header(&super::guard::PROTOCOL_VERSION), body_version) {
            (_, None) => {
                let e = ErrorObject::new(
                    ErrorCode::INVALID_PARAMS,
                    "Invalid params: _meta[\"io.modelcontextprotocol/protocolVersion\"] is required on every request",
                );
                let body = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": e});
                return Err(Box::new(body::json(
                    StatusCode::BAD_REQUEST,
                    body.to_string(),
                )));
            }
            (Some(h), Some(b)) if h != b => {
                return Err(mismatch(
                    format!("Header mismatch: MCP-Protocol-Version is {h:?} but _meta names {b:?}"),
                    id,
                ));
            }
            _ => {}
        }
    }
    match header(&METHOD) {
        Some(m) if m == method => {}
        Some(m) => {
            return Err(mismatch(
                format!("Header mismatch: Mcp-Method is {m:?} but the body calls {method:?}"),
                id,
            ));
        }
        None => {
            return Err(mismatch(
                "Header mismatch: the Mcp-Method header is required".into(),
                id,
            ));
        }
    }
    // The one rule of what a request targets, shared with the senders.
    if let Some(field) = mcpwire_types::request::target_member(method) {
        let body_name = params
            .and_then(|p| fields::get(p, field))
            .and_then(|v| v.as_str());
        let name = match headers.get(NAME).map(crate::headers::value::decode) {
            Some(Ok(name)) => Some(name),
            Some(Err(why)) => {
                return Err(mismatch(
                    format!("Header mismatch: the Mcp-Name header {why}"),
                    id,
                ));
            }
            None => None,
        };
        match (name.as_deref(), body_name) {
            (Some(h), Some(b)) if h == b => {}
            (None, _) => {
                return Err(mismatch(
                    format!("Header mismatch: the Mcp-Name header is required for {method}"),
                    id,
                ));
            }
            (Some(h), b) => {
                return Err(mismatch(
                    format!("Header mismatch: Mcp-Name is {h:?} but the body names {b:?}"),
                    id,
                ));
            }
        }
    }
    if method == "tools/call"
        && let Some(name) = params
            .and_then(|p| fields::get(p, "name"))
            .and_then(|v| v.as_str())
    {
        let arguments = params
            .and_then(|p| fields::get(p, "arguments"))
            .and_then(|a| a.as_object());
        let checked = server.with_tool_schema(name, param_headers::mirrors, |schema| {
            param_headers::check(headers, schema, arguments)
        });
        if let Some(Err(message)) = checked {
            return Err(mismatch(message, id));
        }
    }
    Ok(())
}

/// The HTTP status of a 2026-07-28 answer: 400 for malformed requests and
/// unmet requirements, 404 for unknown methods, 200 otherwise.
pub(crate) fn status_of(response: &[u8]) -> StatusCode {
    // Most answers are results: without an `"error":{` anywhere (inside a
    // JSON string its quotes would be escaped), there is nothing to parse.
    static ERROR_KEY: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(br#""error":{"#));
    if ERROR_KEY.find(response).is_none() {
        return StatusCode::OK;
    }
    #[derive(serde::Deserialize)]
    struct R {
        error: Option<E>,
    }
    #[derive(serde::Deserialize)]
    struct E {
        code: i32,
    }
    let code = serde_json::from_slice::<R>(response)
        .ok()
        .and_then(|r| r.error)
        .map(|e| ErrorCode(e.code));
    match code {
        Some(ErrorCode::METHOD_NOT_FOUND) => StatusCode::NOT_FOUND,
        Some(
            ErrorCode::INVALID_PARAMS
            | ErrorCode::INVALID_REQUEST
            | ErrorCode::PARSE_ERROR
            | ErrorCode::HEADER_MISMATCH
            | ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
            | ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
        ) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    }
}
