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

use crate::headers::{self, value};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::{HttpClientError, ReconnectPolicy, param_headers};

pub(super) const SESSION_HEADER: HeaderName = headers::SESSION_ID_NAME;
pub(super) const VERSION_HEADER: HeaderName = headers::PROTOCOL_VERSION_NAME;
pub(super) const LAST_EVENT_ID: HeaderName = headers::LAST_EVENT_ID_NAME;
/// `Mcp-Method` (2026-07-28, SEP-2243): the JSON-RPC method of a POST.
pub(super) const METHOD_HEADER: HeaderName = headers::METHOD_NAME;
/// `Mcp-Name` (2026-07-28, SEP-2243): the tool, prompt or resource a POST
/// targets.
pub(super) const NAME_HEADER: HeaderName = headers::NAME_NAME;
/// The `_meta` key by which a 2026-07-28 request names its protocol version.
const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// The first protocol revision without sessions and without the standalone
/// GET stream.
pub(super) const STATELESS_REVISION: &str = "2026-07-28";
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
    /// The provider of the requests' authorization, if any.
    pub auth: Option<std::sync::Arc<dyn super::AuthProvider>>,
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
    /// The protocol version the last self-describing (2026-07-28) request
    /// named in its `_meta`: sent on later POSTs that carry none (such as
    /// notifications) while no `initialize` negotiated one.
    pub stateless_version: Option<String>,
    /// The tasks POSTing self-describing (2026-07-28) requests whose answer
    /// has not arrived: cancelling one closes its stream.
    pub stateless_tasks: HashMap<RequestId, tokio::task::AbortHandle>,
    pub close_reason: Option<String>,
    pub next_internal: u64,
    /// The custom headers of the listed tools (2026-07-28).
    pub params: param_headers::Registry,
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
    /// The value of `Mcp-Name`: `params.name` of `tools/call` and
    /// `prompts/get`, `params.uri` of `resources/read`, `params.taskId` of
    /// `tasks/get`, `tasks/update` and `tasks/cancel`.
    pub name: Option<String>,
    /// `params._meta["io.modelcontextprotocol/protocolVersion"]` of a
    /// self-describing (2026-07-28) request: it is sent without a session,
    /// with this `MCP-Protocol-Version`.
    pub version: Option<String>,
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

/// What an outgoing message's headers need: [`Peek`] plus a few params.
#[derive(Deserialize)]
struct OutPeek {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    params: Option<ParamsPeek>,
}

/// `name`, `uri` and the `_meta` protocol version of a message's params;
/// every other member (the arguments, however large) is skipped without
/// being built, and params of any other shape read as empty.
#[derive(Default)]
struct ParamsPeek {
    name: Option<String>,
    uri: Option<String>,
    task_id: Option<String>,
    version: Option<String>,
}

impl<'de> Deserialize<'de> for ParamsPeek {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ParamsVisitor)
    }
}

struct ParamsVisitor;

impl<'de> serde::de::Visitor<'de> for ParamsVisitor {
    type Value = ParamsPeek;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON-RPC params")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ParamsPeek, A::Error> {
        let mut out = ParamsPeek::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "name" => out.name = string(map.next_value::<Value>()?),
                "uri" => out.uri = string(map.next_value::<Value>()?),
                "taskId" => out.task_id = string(map.next_value::<Value>()?),
                "_meta" => {
                    out.version = map
                        .next_value::<Value>()?
                        .get(META_PROTOCOL_VERSION)
                        .cloned()
                        .and_then(string);
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ParamsPeek, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(ParamsPeek::default())
    }

    fn visit_unit<E>(self) -> Result<ParamsPeek, E> {
        Ok(ParamsPeek::default())
    }
    fn visit_bool<E>(self, _: bool) -> Result<ParamsPeek, E> {
        Ok(ParamsPeek::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<ParamsPeek, E> {
        Ok(ParamsPeek::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<ParamsPeek, E> {
        Ok(ParamsPeek::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<ParamsPeek, E> {
        Ok(ParamsPeek::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<ParamsPeek, E> {
        Ok(ParamsPeek::default())
    }
}

fn string(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
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
    /// Also notes what the standard request headers need.
    pub fn classify(frame: Bytes) -> Self {
        let (kind, params) = match serde_json::from_slice::<OutPeek>(&frame) {
            Ok(OutPeek {
                id: Some(id),
                method: Some(method),
                params,
            }) => match RequestId::from_value(&id) {
                Some(id) => (Kind::Request { id, method }, params),
                None => (Kind::Notification { method }, params),
            },
            Ok(OutPeek {
                id: None,
                method: Some(method),
                params,
            }) => (Kind::Notification { method }, params),
            _ => (Kind::Response, None),
        };
        let params = params.unwrap_or_default();
        let name = match &kind {
            Kind::Request { method, .. } | Kind::Notification { method } => match method.as_str() {
                "tools/call" | "prompts/get" => params.name,
                "resources/read" => params.uri,
                "tasks/get" | "tasks/update" | "tasks/cancel" => params.task_id,
                _ => None,
            },
            Kind::Response => None,
        };
        // Only a request describes itself; a notification's _meta says nothing.
        let version = match &kind {
            Kind::Request { .. } => params.version,
            _ => None,
        };
        Outgoing {
            frame,
            kind,
            name,
            version,
        }
    }

    /// The JSON-RPC method of a request or notification.
    pub fn method(&self) -> Option<&str> {
        match &self.kind {
            Kind::Request { method, .. } | Kind::Notification { method } => Some(method),
            Kind::Response => None,
        }
    }

    /// Whether this is a self-describing (2026-07-28) request, sent without
    /// a session.
    pub fn is_stateless(&self) -> bool {
        self.version.is_some()
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
            .or(st.stateless_version.as_deref())
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            h.insert(VERSION_HEADER, v);
        }
        (h, st.generation, attached)
    }

    /// The headers of the POST carrying `msg`: those of [`Shared::headers`]
    /// (nothing of the session for `initialize`), or for a self-describing
    /// 2026-07-28 request its own `MCP-Protocol-Version` and no session;
    /// then `Mcp-Method` and `Mcp-Name` (SEP-2243), which older servers
    /// ignore.
    pub fn post_headers(&self, msg: &Outgoing) -> (HeaderMap, u64, bool) {
        let (mut h, generation, attached) = match &msg.version {
            Some(version) => {
                let mut h = self.cfg.headers.clone();
                let mut st = self.state();
                match HeaderValue::from_str(version) {
                    Ok(v) => {
                        h.insert(VERSION_HEADER, v);
                        st.stateless_version = Some(version.clone());
                    }
                    Err(_) => tracing::warn!(
                        %version,
                        "the request's protocol version is not a valid header value"
                    ),
                }
                (h, st.generation, false)
            }
            None => self.headers(!msg.is_initialize()),
        };
        if let Some(v) = msg.method().and_then(|m| HeaderValue::from_str(m).ok()) {
            h.insert(METHOD_HEADER, v);
        }
        if let Some(v) = msg.name.as_deref().and_then(value::header_value) {
            h.insert(NAME_HEADER, v);
        }
        (h, generation, attached)
    }

    /// Hands one message from the server to the reader. Notes responses to
    /// pending requests, learns the negotiated protocol version from the
    /// `initialize` result, and keeps responses the transport waits for
    /// itself.
    pub fn deliver(&self, mut frame: Bytes) {
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
            st.stateless_tasks.remove(&id);
            let intercepted = st.intercept.remove(&id);
            let is_init = intercepted.is_some() || st.init_id.as_ref() == Some(&id);
            if is_init && let Some(v) = init_protocol_version(&frame) {
                st.protocol = Some(v);
            }
            let listing = st.params.take_listing(&id);
            drop(st);
            if listing {
                frame = param_headers::learn(self, frame);
            }
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

    /// Answers the pending request `id` with the JSON-RPC `error` object the
    /// server sent in an HTTP error response (code, message and data as
    /// sent).
    pub fn fail_with(&self, id: &RequestId, error: Value) {
        let frame = json!({"jsonrpc": "2.0", "id": id, "error": error});
        tracing::debug!(%id, %error, "the server rejected a request with a JSON-RPC error");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_notes_the_standard_header_sources() {
        let c = |s: &str| Outgoing::classify(Bytes::from(s.to_owned()));
        let m = c(
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{"name":"inner","x":[1,{"a":null}]},"name":"get_weather","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","other":{}}}}"#,
        );
        assert_eq!(m.method(), Some("tools/call"));
        assert_eq!(m.name.as_deref(), Some("get_weather"));
        assert_eq!(m.version.as_deref(), Some("2026-07-28"));
        let m = c(
            r#"{"jsonrpc":"2.0","id":"a","method":"resources/read","params":{"uri":"file:///x","name":"n"}}"#,
        );
        assert_eq!(m.name.as_deref(), Some("file:///x"));
        assert!(!m.is_stateless());
        let m = c(r#"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"name":"n"}}"#);
        assert_eq!(m.name, None);
        let m = c(r#"{"jsonrpc":"2.0","id":3,"method":"tasks/get","params":{"taskId":"t-1"}}"#);
        assert_eq!(m.name.as_deref(), Some("t-1"));
        let m = c(r#"{"jsonrpc":"2.0","id":2,"method":"x","params":[1,2]}"#);
        assert!(matches!(m.kind, Kind::Request { .. }));
        let m = c(r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":5}}"#);
        assert!(matches!(m.kind, Kind::Request { .. }));
        assert_eq!(m.name, None);
        let m = c(
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#,
        );
        assert!(matches!(m.kind, Kind::Notification { .. }));
        assert_eq!(m.version, None);
        let m = c(r#"{"jsonrpc":"2.0","id":2,"result":{"name":"x"}}"#);
        assert!(matches!(m.kind, Kind::Response));
        assert_eq!(m.method(), None);
    }
}
