//! The state both halves of the HTTP client transport and its background
//! tasks share: configuration, the session, pending requests, and the
//! channel to the reader.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use mcpwire_types::{ProtocolVersion, RequestId};
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::headers::{self, value};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::outgoing::Outgoing;
use super::{HttpClientError, ReconnectPolicy, param_headers};

pub(super) const SESSION_HEADER: HeaderName = headers::SESSION_ID_NAME;
pub(super) const VERSION_HEADER: HeaderName = headers::PROTOCOL_VERSION_NAME;
pub(super) const LAST_EVENT_ID: HeaderName = headers::LAST_EVENT_ID_NAME;
/// `Mcp-Method` (2026-07-28, SEP-2243): the JSON-RPC method of a POST.
pub(super) const METHOD_HEADER: HeaderName = headers::METHOD_NAME;
/// `Mcp-Name` (2026-07-28, SEP-2243): the tool, prompt or resource a POST
/// targets.
pub(super) const NAME_HEADER: HeaderName = headers::NAME_NAME;
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
    /// The session's revision: the one the messages after `initialize`
    /// were sent under (the negotiated one).
    pub protocol: Option<ProtocolVersion>,
    /// The caller's `initialize` request, replayed when the session expires.
    pub init: Option<Outgoing>,
    /// The caller's `notifications/initialized`, replayed likewise.
    pub initialized: Option<Outgoing>,
    /// Requests sent whose response has not arrived.
    pub pending: HashSet<RequestId>,
    /// Responses the transport itself waits for (a replayed `initialize`).
    pub intercept: HashMap<RequestId, oneshot::Sender<Bytes>>,
    /// The session generation the standalone GET stream serves, if running.
    pub get_stream: Option<u64>,
    /// The revision of the last self-describing (2026-07-28) request: sent
    /// on later POSTs that carry none (such as notifications) while no
    /// `initialize` negotiated one.
    pub stateless_version: Option<ProtocolVersion>,
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

/// The id and method of a message from the server: what delivering it
/// needs.
#[derive(Deserialize)]
struct Peek {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    method: Option<String>,
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
        if let Some(v) = st.protocol.or(st.stateless_version) {
            h.insert(VERSION_HEADER, HeaderValue::from_static(v.as_str()));
        }
        (h, st.generation, attached)
    }

    /// The headers of the POST carrying `msg`: those of [`Shared::headers`]
    /// (nothing of the session for `initialize`), or for a self-describing
    /// 2026-07-28 request its own `MCP-Protocol-Version` and no session;
    /// then `Mcp-Method` and `Mcp-Name` (SEP-2243), which older servers
    /// ignore.
    pub fn post_headers(&self, msg: &Outgoing) -> (HeaderMap, u64, bool) {
        let (mut h, generation, attached) = match msg.stateless_revision() {
            Some(version) => {
                let mut h = self.cfg.headers.clone();
                h.insert(VERSION_HEADER, HeaderValue::from_static(version.as_str()));
                let mut st = self.state();
                st.stateless_version = Some(version);
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
    /// pending requests, learns `tools/list` answers, and keeps responses
    /// the transport waits for itself.
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
