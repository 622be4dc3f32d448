//! The state both halves of the HTTP client transport and its background
//! tasks share: configuration, the session, pending requests, and the
//! channel to the reader.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use mcpwire_types::RequestId;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::{HttpClientError, ReconnectPolicy};

pub(super) const SESSION_HEADER: HeaderName = HeaderName::from_static("mcp-session-id");
pub(super) const VERSION_HEADER: HeaderName = HeaderName::from_static("mcp-protocol-version");
pub(super) const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");
pub(super) const EVENT_STREAM: &str = "text/event-stream";

/// The settings fixed at build time.
#[derive(Debug)]
pub(super) struct Config {
    pub url: Url,
    pub headers: HeaderMap,
    pub timeout: Duration,
    pub reconnect: ReconnectPolicy,
    pub max_message: usize,
    pub legacy_fallback: bool,
}

/// What the reader receives.
#[derive(Debug)]
pub(super) enum Inbound {
    Frame(Bytes),
    TooLarge(usize),
    Eof,
}

/// The mutable connection state.
#[derive(Debug, Default)]
pub(super) struct State {
    /// The POST endpoint of the legacy HTTP+SSE transport, once fallen back.
    pub legacy_post: Option<Url>,
    /// The first `initialize` decided between Streamable HTTP and legacy.
    pub mode_known: bool,
    pub session: Option<String>,
    /// Bumped by every successful `initialize` (a new session).
    pub generation: u64,
    pub protocol: Option<String>,
    /// The caller's `initialize` request, replayed when the session expires.
    pub init_frame: Option<Bytes>,
    pub init_id: Option<RequestId>,
    /// The caller's `notifications/initialized`, replayed likewise.
    pub initialized_frame: Option<Bytes>,
    /// Requests sent whose response has not arrived.
    pub pending: HashSet<RequestId>,
    /// Responses the transport itself waits for (a replayed `initialize`).
    pub intercept: HashMap<RequestId, oneshot::Sender<Bytes>>,
    /// The session generation the standalone GET stream serves, if running.
    pub get_stream: Option<u64>,
    pub close_reason: Option<String>,
    pub next_internal: u64,
}

/// Shared by the reader, the writer and every background task.
#[derive(Debug)]
pub(super) struct Shared {
    pub cfg: Config,
    pub http: reqwest::Client,
    state: Mutex<State>,
    inbound: mpsc::UnboundedSender<Inbound>,
    /// Cancelled when the transport closes: stops every background task.
    pub closed: CancellationToken,
    /// Serializes session renewals.
    pub renew_lock: tokio::sync::Mutex<()>,
}

/// An outgoing message and what kind it is.
#[derive(Debug, Clone)]
pub(super) struct Outgoing {
    pub frame: Bytes,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
    Request { id: RequestId, method: String },
    Notification { method: String },
    Response,
}

#[derive(Deserialize)]
struct Peek {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    method: Option<String>,
}

#[derive(Deserialize)]
struct InitPeek {
    result: Option<InitResultPeek>,
}

#[derive(Deserialize)]
struct InitResultPeek {
    #[serde(rename = "protocolVersion")]
    protocol_version: Option<String>,
}

impl Outgoing {
    /// Reads just enough of `frame` to know whether it is a request, a
    /// notification or a response.
    pub fn classify(frame: Bytes) -> Self {
        let kind = match serde_json::from_slice::<Peek>(&frame) {
            Ok(Peek {
                id: Some(id),
                method: Some(method),
            }) => match RequestId::from_value(&id) {
                Some(id) => Kind::Request { id, method },
                None => Kind::Notification { method },
            },
            Ok(Peek {
                id: None,
                method: Some(method),
            }) => Kind::Notification { method },
            _ => Kind::Response,
        };
        Outgoing { frame, kind }
    }

    /// The id of a request.
    pub fn request_id(&self) -> Option<&RequestId> {
        match &self.kind {
            Kind::Request { id, .. } => Some(id),
            _ => None,
        }
    }

    /// Whether this is an `initialize` request.
    pub fn is_initialize(&self) -> bool {
        matches!(&self.kind, Kind::Request { method, .. } if method == "initialize")
    }

    /// "request 3 (tools/call)", for messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Request { id, method } => format!("request {id} ({method})"),
            Kind::Notification { method } => format!("notification {method}"),
            Kind::Response => "a response".to_owned(),
        }
    }
}

impl Shared {
    pub fn new(cfg: Config, http: reqwest::Client) -> (Self, mpsc::UnboundedReceiver<Inbound>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Shared {
            cfg,
            http,
            state: Mutex::new(State::default()),
            inbound: tx,
            closed: CancellationToken::new(),
            renew_lock: tokio::sync::Mutex::new(()),
        };
        (shared, rx)
    }

    /// Locks the state (a panic elsewhere does not poison it for good).
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the response to `id` is still awaited.
    pub fn is_pending(&self, id: &RequestId) -> bool {
        self.state().pending.contains(id)
    }

    /// The headers of a request to the server: the custom ones and, once
    /// `established` (anything but `initialize`), the session id and the
    /// negotiated protocol version. Also returns the session generation the
    /// headers belong to and whether a session id was attached.
    pub fn headers(&self, established: bool) -> (HeaderMap, u64, bool) {
        let mut h = self.cfg.headers.clone();
        let st = self.state();
        let mut attached = false;
        if !established {
            return (h, st.generation, false);
        }
        if let Some(s) = &st.session {
            match HeaderValue::from_str(s) {
                Ok(v) => {
                    h.insert(SESSION_HEADER, v);
                    attached = true;
                }
                Err(_) => tracing::warn!("the server's session id is not a valid header value"),
            }
        }
        if let Some(v) = st
            .protocol
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            h.insert(VERSION_HEADER, v);
        }
        (h, st.generation, attached)
    }

    /// Hands one message from the server to the reader. Notes responses to
    /// pending requests, learns the negotiated protocol version from the
    /// `initialize` result, and keeps responses the transport waits for
    /// itself.
    pub fn deliver(&self, frame: Bytes) {
        let peek = match serde_json::from_slice::<Peek>(&frame) {
            Ok(p) => p,
            Err(_) => {
                // A JSON array (batch) is split; anything else goes to the
                // engine, which reports it.
                if frame.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
                    return self.deliver_array(&frame);
                }
                let _ = self.inbound.send(Inbound::Frame(frame));
                return;
            }
        };
        if peek.method.is_none()
            && let Some(id) = peek.id.as_ref().and_then(RequestId::from_value)
        {
            let mut st = self.state();
            st.pending.remove(&id);
            let intercepted = st.intercept.remove(&id);
            let is_init = intercepted.is_some() || st.init_id.as_ref() == Some(&id);
            if is_init && let Some(v) = init_protocol_version(&frame) {
                st.protocol = Some(v);
            }
            drop(st);
            if let Some(tx) = intercepted {
                let _ = tx.send(frame);
                return;
            }
        }
        let _ = self.inbound.send(Inbound::Frame(frame));
    }

    fn deliver_array(&self, frame: &[u8]) {
        match serde_json::from_slice::<Vec<Value>>(frame) {
            Ok(items) => {
                for item in items {
                    if let Ok(bytes) = serde_json::to_vec(&item) {
                        self.deliver(Bytes::from(bytes));
                    }
                }
            }
            Err(_) => {
                let _ = self
                    .inbound
                    .send(Inbound::Frame(Bytes::copy_from_slice(frame)));
            }
        }
    }

    /// Delivers a whole `application/json` body: one message or an array.
    pub fn deliver_body(&self, body: Bytes) {
        if body.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.deliver(body);
    }

    /// Tells the reader a message was too large and dropped.
    pub fn too_large(&self, size: usize) {
        let _ = self.inbound.send(Inbound::TooLarge(size));
    }

    /// Answers the pending request `id` with `err` as a JSON-RPC error.
    pub fn fail(&self, id: &RequestId, err: &HttpClientError) {
        let mut error = json!({"code": err.code(), "message": err.to_string()});
        if let HttpClientError::Status { status, .. } = err {
            error["data"] = json!({ "httpStatus": status });
        }
        let frame = json!({"jsonrpc": "2.0", "id": id, "error": error});
        tracing::debug!(%id, error = %err, "failing a request in the HTTP transport");
        self.deliver(Bytes::from(frame.to_string()));
    }

    /// Reports a failed POST: a request is answered with the error, anything
    /// else is logged.
    pub fn fail_message(&self, msg: &Outgoing, err: &HttpClientError) {
        match msg.request_id() {
            Some(id) => self.fail(id, err),
            None => {
                tracing::warn!(error = %err, "could not send {} to the MCP server", msg.describe())
            }
        }
    }

    /// Ends the connection: the reader reports EOF with `reason`.
    pub fn end(&self, reason: String) {
        let mut st = self.state();
        if st.close_reason.is_none() {
            st.close_reason = Some(reason);
        }
        drop(st);
        let _ = self.inbound.send(Inbound::Eof);
    }

    /// The first attempt plus the policy's retries, for connection errors.
    pub fn attempts(&self) -> u32 {
        self.cfg.reconnect.max_attempts.saturating_add(1)
    }
}

/// The `protocolVersion` of an `initialize` result.
fn init_protocol_version(frame: &[u8]) -> Option<String> {
    let peek: InitPeek = serde_json::from_slice(frame).ok()?;
    peek.result?.protocol_version
}

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
    let mut resp = resp;
    let mut buf = Vec::new();
    let read = async {
        while let Ok(Some(c)) = resp.chunk().await {
            buf.extend_from_slice(&c);
            if buf.len() > 4096 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), read).await;
    excerpt(&buf)
}
