//! Server-Sent Event streams: reading a POST's event stream, resuming it
//! with GET + `Last-Event-ID` when it breaks before the response, and the
//! standalone GET stream for server-initiated messages.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use mcpwire_types::RequestId;
use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Method, StatusCode};
use tokio::sync::oneshot;

use super::HttpClientError;
use super::post::request;
use super::response::{error_chain, error_excerpt, has_content_type};
use super::shared::{EVENT_STREAM, LAST_EVENT_ID, Shared};
use super::sse::{SseItem, SseParser};

/// A standalone stream open this long without events still counts as
/// healthy: its next drop starts the backoff afresh.
const HEALTHY: Duration = Duration::from_secs(10);

/// How long the next message waits for the standalone GET stream's status
/// after the handshake.
const OPENING_WAIT: Duration = Duration::from_secs(2);

/// How reading one connection of an event stream ended.
pub(super) struct Ended {
    /// Why the connection ended ("the server closed it" or the read error).
    pub cause: String,
    /// At least one event (priming events included) arrived.
    pub any_event: bool,
    /// The size of a message dropped for exceeding the limit, if any.
    pub too_large: Option<usize>,
}

/// Reads events until the connection ends, delivering each message event
/// with data; priming events (empty data) only advance the event id.
pub(super) async fn read_events(
    sh: &Shared,
    resp: &mut reqwest::Response,
    parser: &mut SseParser,
) -> Ended {
    let mut items = Vec::new();
    let mut ended = Ended {
        cause: String::new(),
        any_event: false,
        too_large: None,
    };
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => parser.push(&chunk, &mut items),
            Ok(None) => {
                ended.cause = "the server closed the stream".to_owned();
                return ended;
            }
            Err(e) => {
                ended.cause = format!("the stream broke: {}", error_chain(&e));
                return ended;
            }
        }
        for item in items.drain(..) {
            ended.any_event = true;
            match item {
                SseItem::Event(ev) if ev.is_message() && !ev.data.is_empty() => {
                    sh.deliver(Bytes::from(ev.data));
                }
                SseItem::Event(ev) if !ev.is_message() => {
                    tracing::debug!(event = %ev.event, "ignoring an SSE event of an unknown type");
                }
                SseItem::Event(_) => {}
                SseItem::TooLarge(n) => {
                    sh.too_large(n);
                    ended.too_large = Some(n);
                }
            }
        }
    }
}

/// Opens a GET event stream, resuming after `last_event_id` if given.
async fn get_stream(
    sh: &Shared,
    last_event_id: Option<&str>,
) -> Result<reqwest::Response, HttpClientError> {
    let (mut headers, _, _) = sh.headers(true);
    headers.insert(ACCEPT, HeaderValue::from_static(EVENT_STREAM));
    if let Some(id) = last_event_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        headers.insert(LAST_EVENT_ID, id);
    }
    request(sh, Method::GET, &sh.cfg.url, headers, None, 1).await
}

/// Follows the event stream a POST was answered with. When the stream ends
/// before the response to `watch` arrived, reconnects with GET +
/// `Last-Event-ID` (after the server's `retry` time, backing off
/// exponentially) until the response comes or the policy gives up; then
/// the request fails with a clear error. A stream that is not `resumable`
/// (a 2026-07-28 request's) fails its request at once.
pub(super) async fn follow(
    sh: &Arc<Shared>,
    resp: reqwest::Response,
    watch: Option<RequestId>,
    resumable: bool,
) {
    let policy = sh.cfg.reconnect;
    let mut parser = SseParser::new(sh.cfg.max_message);
    let mut resp = resp;
    let mut attempts = 0;
    loop {
        let ended = read_events(sh, &mut resp, &mut parser).await;
        if ended.any_event {
            attempts = 0;
        }
        let Some(id) = &watch else { return };
        if !sh.is_pending(id) {
            return;
        }
        if let Some(size) = ended.too_large {
            let limit = sh.cfg.max_message;
            return sh.fail(id, &HttpClientError::TooLarge { size, limit });
        }
        let mut cause = ended.cause;
        if !resumable {
            cause.push_str(", and streams of protocol 2026-07-28 cannot be resumed");
            let e = HttpClientError::StreamEnded {
                id: id.to_string(),
                cause,
            };
            return sh.fail(id, &e);
        }
        let Some(last) = parser
            .last_event_id()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
        else {
            cause.push_str(", and it sent no event id to resume from");
            return sh.fail(
                id,
                &HttpClientError::StreamEnded {
                    id: id.to_string(),
                    cause,
                },
            );
        };
        tracing::debug!(%id, last_event_id = %last, %cause, "resuming a request's event stream");
        resp = loop {
            if attempts >= policy.max_attempts {
                let e = HttpClientError::StreamBroken {
                    id: id.to_string(),
                    attempts,
                    cause,
                };
                return sh.fail(id, &e);
            }
            tokio::time::sleep(policy.delay(attempts, parser.retry())).await;
            attempts += 1;
            if !sh.is_pending(id) {
                return;
            }
            match get_stream(sh, Some(&last)).await {
                Ok(r) if r.status().is_success() && has_content_type(&r, EVENT_STREAM) => break r,
                Ok(r) if r.status().is_client_error() => {
                    let status = r.status();
                    let body = error_excerpt(r).await;
                    cause.push_str(&format!(
                        ", and the server refused to resume it: HTTP {status}: {body}"
                    ));
                    let e = HttpClientError::StreamEnded {
                        id: id.to_string(),
                        cause,
                    };
                    return sh.fail(id, &e);
                }
                Ok(r) => cause = format!("resuming answered HTTP {}", r.status()),
                Err(e) => cause = e.to_string(),
            }
        };
        parser.reconnected();
    }
}

/// Opens the standalone GET stream (see [`start_standalone`]) and waits
/// until the server answered the GET with a status (200: open, 405: none
/// offered, or an error), at most [`OPENING_WAIT`]. The GET travels on a
/// connection of its own: without the wait, the next POST (on the pooled
/// connection) would often reach the server first, and a server that sends
/// its requests for that POST on the standalone stream would find none.
pub(super) async fn open_standalone(sh: &Arc<Shared>) {
    let Some(opened) = start_standalone(sh) else {
        return;
    };
    tokio::select! {
        biased;
        _ = sh.closed.cancelled() => {}
        r = tokio::time::timeout(OPENING_WAIT, opened) => {
            if r.is_err() {
                tracing::debug!(
                    "the standalone event stream got no status within {OPENING_WAIT:?}; sending on"
                );
            }
        }
    }
}

/// Opens the standalone GET stream of the current session, unless it runs
/// already, the transport fell back to legacy HTTP+SSE, or the negotiated
/// revision (2026-07-28 on) has no such stream. The receiver hears when the
/// first GET has its answer (or the stream task ended).
fn start_standalone(sh: &Arc<Shared>) -> Option<oneshot::Receiver<()>> {
    let generation = {
        let mut st = sh.state();
        let stateless = st.protocol.is_some_and(|v| !v.is_legacy());
        if st.legacy_post.is_some() || stateless || st.get_stream == Some(st.generation) {
            return None;
        }
        st.get_stream = Some(st.generation);
        st.generation
    };
    let (tx, rx) = oneshot::channel();
    let sh = sh.clone();
    tokio::spawn(async move {
        tokio::select! {
            biased;
            _ = sh.closed.cancelled() => {}
            _ = standalone(&sh, generation, tx) => {}
        }
        let mut st = sh.state();
        if st.get_stream == Some(generation) {
            st.get_stream = None;
        }
    });
    Some(rx)
}

/// The standalone stream: server requests and notifications unrelated to
/// any request. 405 means the server offers none. Reconnects (with
/// `Last-Event-ID`) when it drops, within the reconnect policy.
async fn standalone(sh: &Shared, generation: u64, opened: oneshot::Sender<()>) {
    let mut opened = Some(opened);
    let policy = sh.cfg.reconnect;
    let mut parser = SseParser::new(sh.cfg.max_message);
    let mut attempts = 0;
    loop {
        if sh.state().generation != generation {
            return;
        }
        let last = parser
            .last_event_id()
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let answer = get_stream(sh, last.as_deref()).await;
        if let Some(tx) = opened.take() {
            let _ = tx.send(());
        }
        let cause = match answer {
            Ok(r) if r.status() == StatusCode::METHOD_NOT_ALLOWED => {
                tracing::debug!("the server offers no standalone event stream (HTTP 405)");
                return;
            }
            Ok(r) if r.status() == StatusCode::NOT_FOUND => {
                tracing::debug!("the standalone event stream's session expired (HTTP 404)");
                return;
            }
            Ok(mut r) if r.status().is_success() && has_content_type(&r, EVENT_STREAM) => {
                parser.reconnected();
                let opened = Instant::now();
                let ended = read_events(sh, &mut r, &mut parser).await;
                // A stream that carried events or lived a while was healthy.
                if ended.any_event || opened.elapsed() >= HEALTHY {
                    attempts = 0;
                }
                ended.cause
            }
            Ok(r) if r.status().is_client_error() => {
                let status = r.status();
                let body = error_excerpt(r).await;
                tracing::warn!(%status, %body, "the server refused the standalone event stream");
                return;
            }
            Ok(r) => format!("HTTP {}", r.status()),
            Err(e) => e.to_string(),
        };
        if attempts >= policy.max_attempts {
            tracing::warn!(
                %cause,
                "the standalone event stream broke and did not come back after {attempts} attempts; server-initiated messages will only arrive on request streams"
            );
            return;
        }
        tokio::time::sleep(policy.delay(attempts, parser.retry())).await;
        attempts += 1;
    }
}
