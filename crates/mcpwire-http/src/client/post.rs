//! Sending: the dispatcher that POSTs outgoing frames in order, and the
//! handling of each POST's answer (202, a JSON body, or an SSE stream).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use tokio::sync::{mpsc, oneshot};

use super::outgoing::{Kind, Outgoing};
use super::response::{content_type, excerpt, read_error_body, read_limited, rpc_error};
use super::shared::{EVENT_STREAM, SESSION_HEADER, Shared};
use super::{
    AuthChallenge, HttpClientError, MAX_AUTH_ROUNDS, WwwAuthenticate, legacy, param_headers,
    session, stream,
};

/// The Accept header of a POST: both answers the spec allows.
const POST_ACCEPT: &str = "application/json, text/event-stream";

/// JSON-RPC error codes by which a server rejecting `initialize` shows it
/// speaks a modern Streamable HTTP revision, so that falling back to the
/// legacy HTTP+SSE transport would be wrong: method not found, invalid
/// params, header mismatch, missing required client capability,
/// unsupported protocol version.
const MODERN_REJECTIONS: [i64; 5] = [-32601, -32602, -32020, -32021, -32022];

/// Takes frames from the writer in order and starts one POST per frame.
///
/// Requests and responses are POSTed concurrently (each in its own task, in
/// the order written). `initialize` and notifications are barriers: the next
/// frame starts only once the server answered them with a status, so
/// `notifications/initialized` reaches the server before the first request
/// of the session, and the first `initialize` decides between Streamable
/// HTTP and the legacy transport before anything else is sent. After an
/// accepted `notifications/initialized`, the next frame also waits (briefly)
/// for the standalone GET stream's answer. The messages after `initialize`
/// carry the session's revision, which the headers of the session's POSTs
/// name from then on.
pub(super) async fn dispatch(sh: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Outgoing>) {
    // The session's revision as last learned: the state is locked for it
    // only when a message carries another.
    let mut learned = None;
    loop {
        let msg = tokio::select! {
            biased;
            _ = sh.closed.cancelled() => return,
            m = rx.recv() => match m {
                Some(m) => m,
                None => return,
            },
        };
        if let Some(v) = msg.session_revision()
            && learned != Some(v)
        {
            sh.state().protocol = Some(v);
            learned = Some(v);
        }
        match &msg.kind {
            Kind::Request { id, .. } => {
                let init = msg.is_initialize();
                {
                    let mut st = sh.state();
                    st.pending.insert(id.clone());
                    st.params.note_request(&msg);
                    if init {
                        st.init = Some(msg.clone());
                    }
                }
                if init {
                    barrier(&sh, msg).await;
                } else if msg.is_stateless() {
                    let id = id.clone();
                    // Locked across the spawn: the answer cannot be
                    // delivered (which forgets the task) before this.
                    let mut st = sh.state();
                    let task = tokio::spawn(send(sh.clone(), msg, None));
                    st.stateless_tasks.insert(id, task.abort_handle());
                } else {
                    tokio::spawn(send(sh.clone(), msg, None));
                }
            }
            Kind::Notification { method } => {
                if let Some(id) = msg.cancels.clone() {
                    // Stop waiting (and resuming streams) for it.
                    let task = {
                        let mut st = sh.state();
                        st.pending.remove(&id);
                        st.stateless_tasks.remove(&id)
                    };
                    if let Some(task) = task {
                        // 2026-07-28: closing the request's stream is the
                        // cancellation; no notification is sent.
                        task.abort();
                        tracing::debug!(%id, "cancelled a request by closing its stream");
                        continue;
                    }
                }
                let initialized = &**method == "notifications/initialized";
                if initialized {
                    sh.state().initialized = Some(msg.clone());
                }
                if barrier(&sh, msg).await && initialized {
                    stream::open_standalone(&sh).await;
                }
            }
            Kind::Response => {
                tokio::spawn(send(sh.clone(), msg, None));
            }
        }
    }
}

/// POSTs `msg` in a task and waits until the server answered with a status.
/// Returns whether it was accepted (2xx).
pub(super) async fn barrier(sh: &Arc<Shared>, msg: Outgoing) -> bool {
    let (tx, rx) = oneshot::channel();
    tokio::spawn(send(sh.clone(), msg, Some(tx)));
    rx.await.unwrap_or(false)
}

/// POSTs one message and handles the answer until its stream ends.
/// `ready` hears whether the POST was accepted as soon as its status is in.
///
/// Returns a boxed future: session renewal (reached from here) sends
/// messages through this function again.
pub(super) fn send(
    sh: Arc<Shared>,
    msg: Outgoing,
    ready: Option<oneshot::Sender<bool>>,
) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        let mut ready = ready;
        tokio::select! {
            biased;
            _ = sh.closed.cancelled() => {}
            _ = run(&sh, &msg, &mut ready) => {}
        }
    })
}

fn signal(ready: &mut Option<oneshot::Sender<bool>>, ok: bool) {
    if let Some(tx) = ready.take() {
        let _ = tx.send(ok);
    }
}

async fn run(sh: &Arc<Shared>, msg: &Outgoing, ready: &mut Option<oneshot::Sender<bool>>) {
    let init = msg.is_initialize();
    let mut renewed = false;
    let mut relisted = false;
    let mut auth_rounds = 0;
    loop {
        let (legacy_url, first_init) = {
            let st = sh.state();
            (st.legacy_post.clone(), init && !st.mode_known)
        };
        // initialize opens a new session: it never carries the old one; a
        // 2026-07-28 request carries none at all.
        let (mut headers, generation, with_session) = sh.post_headers(msg);
        match param_headers::call_headers(sh, msg).await {
            Ok(params) => headers.extend(params),
            Err(e) => {
                signal(ready, false);
                return sh.fail_message(msg, &e);
            }
        }
        let url = legacy_url.clone().unwrap_or_else(|| sh.cfg.url.clone());
        let (resp, sent) = match post(sh, &url, headers, msg.frame.clone()).await {
            Ok(r) => r,
            Err(e) => {
                signal(ready, false);
                return sh.fail_message(msg, &e);
            }
        };
        let status = resp.status();
        if let Some(provider) = &sh.cfg.auth
            && matches!(status.as_u16(), 401 | 403)
        {
            let challenge = AuthChallenge {
                status: status.as_u16(),
                method: Method::POST,
                url: url.clone(),
                sent,
                www_authenticate: WwwAuthenticate::from_headers(resp.headers()),
                headers: resp.headers().clone(),
            };
            if status == StatusCode::UNAUTHORIZED || challenge.is_insufficient_scope() {
                drop(resp);
                let reason = if auth_rounds >= MAX_AUTH_ROUNDS {
                    Some(format!(
                        "the server still answered HTTP {status} after {MAX_AUTH_ROUNDS} authorizations"
                    ))
                } else {
                    auth_rounds += 1;
                    tracing::debug!(
                        status = status.as_u16(),
                        "{} needs authorization; asking the provider",
                        msg.describe()
                    );
                    provider
                        .challenge(&challenge)
                        .await
                        .err()
                        .map(|e| e.to_string())
                };
                match reason {
                    None => continue,
                    Some(reason) => {
                        signal(ready, false);
                        let e = HttpClientError::AuthFailed {
                            what: msg.describe(),
                            reason,
                        };
                        return sh.fail_message(msg, &e);
                    }
                }
            }
        }
        if !status.is_success() {
            let body = read_error_body(resp).await;
            let error = rpc_error(&body);
            // 404 to a request bearing a session id means the session
            // expired (often with a JSON-RPC error body such as -32001
            // "Session not found"), except that a 2026-07-28 request's
            // JSON-RPC error (-32601 for an unknown method) is an answer.
            let expired = status == StatusCode::NOT_FOUND
                && with_session
                && legacy_url.is_none()
                && !(msg.is_stateless() && error.is_some());
            if expired {
                if renewed {
                    signal(ready, false);
                    let cause = "the server rejected the renewed session at once".to_owned();
                    return sh.fail_message(msg, &HttpClientError::SessionExpired { cause });
                }
                renewed = true;
                tracing::info!(
                    "the MCP session expired (HTTP 404); re-initializing before resending {}",
                    msg.describe()
                );
                if let Err(e) = session::renew(sh, generation).await {
                    signal(ready, false);
                    return sh.fail_message(msg, &e);
                }
                continue;
            }
            let modern_rejection = error
                .as_ref()
                .and_then(|e| e.get("code"))
                .and_then(serde_json::Value::as_i64)
                .is_some_and(|c| MODERN_REJECTIONS.contains(&c));
            if first_init
                && sh.cfg.legacy_fallback
                && matches!(status.as_u16(), 400 | 404 | 405)
                && legacy_url.is_none()
                && !modern_rejection
            {
                tracing::info!(
                    status = status.as_u16(),
                    "initialize was rejected; trying the legacy HTTP+SSE transport"
                );
                match legacy::connect(sh).await {
                    Ok(()) => continue,
                    Err(cause) => {
                        signal(ready, false);
                        let e = HttpClientError::Legacy {
                            status: status.as_u16(),
                            body: excerpt(&body),
                            cause,
                        };
                        return sh.fail_message(msg, &e);
                    }
                }
            }
            if !relisted
                && let Some(e) = &error
                && param_headers::is_curable_mismatch(msg, e)
            {
                // The tool's schema may have changed since it was listed.
                relisted = true;
                param_headers::relist(sh, msg).await;
                continue;
            }
            signal(ready, false);
            // The server's own JSON-RPC error (an unsupported protocol
            // version, a header mismatch, ...) tells the caller more than
            // the HTTP status: deliver it as the request's answer.
            if let (Some(id), Some(error)) = (msg.request_id(), error) {
                return sh.fail_with(id, error);
            }
            let e = HttpClientError::Status {
                what: msg.describe(),
                status: status.as_u16(),
                body: excerpt(&body),
            };
            return sh.fail_message(msg, &e);
        }
        if init && legacy_url.is_none() {
            let session = resp
                .headers()
                .get(SESSION_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let mut st = sh.state();
            st.session = session;
            st.generation += 1;
            st.mode_known = true;
        }
        signal(ready, true);
        if legacy_url.is_some() {
            // The legacy transport answers every POST with 202; messages
            // come on its event stream.
            return;
        }
        return answer(sh, resp, msg).await;
    }
}

/// Handles a successful POST's body.
async fn answer(sh: &Arc<Shared>, mut resp: reqwest::Response, msg: &Outgoing) {
    let ctype = content_type(&resp);
    let watch = msg.request_id().cloned();
    if ctype == EVENT_STREAM {
        // 2026-07-28 streams cannot be resumed.
        return stream::follow(sh, resp, watch, !msg.is_stateless()).await;
    }
    if resp.status() == StatusCode::ACCEPTED || resp.content_length() == Some(0) {
        if watch.is_some() {
            tracing::debug!(
                "the server accepted {} without answering it; its response must come on another stream",
                msg.describe()
            );
        }
        return;
    }
    let limit = sh.cfg.max_message;
    match read_limited(&mut resp, limit).await {
        Ok(Ok(body)) if ctype == "application/json" => sh.deliver_body(body),
        Ok(Ok(body)) if body.iter().all(u8::is_ascii_whitespace) => {}
        Ok(Ok(_)) => {
            let e = HttpClientError::BadResponse(format!(
                "{} was answered with content type {ctype:?}; expected application/json or text/event-stream",
                msg.describe()
            ));
            sh.fail_message(msg, &e);
        }
        Ok(Err(size)) => {
            sh.too_large(size);
            sh.fail_message(msg, &HttpClientError::TooLarge { size, limit });
        }
        Err(e) => {
            let e = HttpClientError::BadResponse(format!(
                "the body answering {} broke off: {}",
                msg.describe(),
                super::response::error_chain(&e)
            ));
            sh.fail_message(msg, &e);
        }
    }
}

/// POSTs `body` with the MCP headers, retrying refused connections as the
/// reconnect policy allows.
async fn post(
    sh: &Shared,
    url: &Url,
    mut headers: HeaderMap,
    body: Bytes,
) -> Result<(reqwest::Response, Vec<(HeaderName, HeaderValue)>), HttpClientError> {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(ACCEPT, HeaderValue::from_static(POST_ACCEPT));
    request_authorized(sh, Method::POST, url, headers, Some(body), sh.attempts()).await
}

/// Sends one HTTP request and waits for its response headers (within the
/// timeout); a connection that cannot be established is retried up to
/// `attempts` times in all, with the reconnect policy's backoff.
pub(super) async fn request(
    sh: &Shared,
    method: Method,
    url: &Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    attempts: u32,
) -> Result<reqwest::Response, HttpClientError> {
    Ok(request_authorized(sh, method, url, headers, body, attempts)
        .await?
        .0)
}

/// [`request`], also returning the authorization headers the request carried
/// (those of the transport's [`AuthProvider`](super::AuthProvider), asked
/// anew for every attempt).
async fn request_authorized(
    sh: &Shared,
    method: Method,
    url: &Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    attempts: u32,
) -> Result<(reqwest::Response, Vec<(HeaderName, HeaderValue)>), HttpClientError> {
    let mut attempt = 0;
    loop {
        let mut sent = Vec::new();
        let mut req = sh.http.request(method.clone(), url.clone());
        if let Some(provider) = &sh.cfg.auth {
            sent =
                provider
                    .headers(&method, url)
                    .await
                    .map_err(|e| HttpClientError::AuthFailed {
                        what: format!("{method} {url}"),
                        reason: e.to_string(),
                    })?;
            // The provider's headers replace custom ones of the same name.
            let mut all = headers.clone();
            for (name, value) in &sent {
                all.insert(name.clone(), value.clone());
            }
            req = req.headers(all);
        } else {
            req = req.headers(headers.clone());
        }
        if let Some(b) = &body {
            req = req.body(b.clone());
        }
        attempt += 1;
        let err = match tokio::time::timeout(sh.cfg.timeout, req.send()).await {
            Err(_) => {
                return Err(HttpClientError::Timeout {
                    url: url.to_string(),
                    after: sh.cfg.timeout,
                });
            }
            Ok(Ok(r)) => return Ok((r, sent)),
            Ok(Err(e)) => e,
        };
        if !err.is_connect() || attempt >= attempts {
            return Err(HttpClientError::Unreachable {
                url: url.to_string(),
                attempts: attempt,
                cause: super::response::error_chain(&err),
            });
        }
        let delay = sh.cfg.reconnect.delay(attempt - 1, None);
        tracing::debug!(%url, ?delay, "connection failed; retrying");
        tokio::time::sleep(delay).await;
    }
}
