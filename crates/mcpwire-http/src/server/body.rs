//! Response bodies: one JSON message, or an SSE stream with keep-alives.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Response, StatusCode};
use http_body::Frame;
use http_body_util::{BodyExt, Full, StreamBody};
use mcpwire_types::{ErrorCode, ErrorObject, RequestId};

use super::guard::Refusal;
use super::stream::{Item, Stream, encode_event, keep_alive};

/// The body of every response the HTTP transport sends.
pub type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, Infallible>;

pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed_unsync()
}

pub(crate) fn empty() -> Body {
    full(Bytes::new())
}

/// A JSON response with `status`.
pub(crate) fn json(status: StatusCode, bytes: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(full(bytes));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// An HTTP error whose body is a JSON-RPC error response (id `null` unless
/// one is known), so MCP clients can show its message.
pub(crate) fn error(
    status: StatusCode,
    code: ErrorCode,
    message: &str,
    id: Option<&RequestId>,
) -> Response<Body> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": ErrorObject::new(code, message),
    });
    json(status, body.to_string())
}

/// An error that tells the client to come back later (`Retry-After`).
pub(crate) fn retry_later(status: StatusCode, code: ErrorCode, message: &str) -> Response<Body> {
    let mut r = error(status, code, message, None);
    r.headers_mut()
        .insert(http::header::RETRY_AFTER, HeaderValue::from_static("5"));
    r
}

pub(crate) fn refusal(r: Refusal) -> Response<Body> {
    let code = match r.status {
        StatusCode::BAD_REQUEST => ErrorCode::INVALID_REQUEST,
        _ => ErrorCode::TRANSPORT_REFUSED,
    };
    error(r.status, code, &r.message, None)
}

pub(crate) fn status(status: StatusCode) -> Response<Body> {
    let mut r = Response::new(empty());
    *r.status_mut() = status;
    r
}

fn sse_headers(r: &mut Response<Body>) {
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
}

/// An SSE response carrying only `events`, for a finished stream.
pub(crate) fn sse_finished(events: Vec<Bytes>) -> Response<Body> {
    let mut r = Response::new(full(events.concat()));
    sse_headers(&mut r);
    r
}

/// The timer of an SSE stream's keep-alive comments, first firing one
/// period from now; a zero period sends none.
pub(crate) fn keep_alive_ticker(every: Duration) -> tokio::time::Interval {
    // An interval of zero would panic; a year is as good as never.
    const NEVER: Duration = Duration::from_secs(365 * 24 * 3600);
    let every = if every.is_zero() { NEVER } else { every };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.reset();
    tick
}

/// An SSE response: `first` events, then whatever arrives on `rx`, with a
/// keep-alive comment after each quiet `keep_alive` period. Ends after the
/// stream's last message.
///
/// `owner` is kept alive as long as the response streams (a stateless
/// request's session, which would otherwise end with the POST handler).
/// An SSE response of `first`, then of the events `feed` brings as
/// another process appends them, with keep-alives between; it ends with
/// the feed. A feed that fails ends the response, and is logged: the
/// client resumes again from the last event it got.
pub(crate) fn sse_feed(
    first: Vec<Bytes>,
    feed: super::events::EventFeed,
    keep_alive_every: Duration,
) -> Response<Body> {
    use futures_util::StreamExt;
    struct State {
        queued: std::collections::VecDeque<Bytes>,
        feed: super::events::EventFeed,
        tick: tokio::time::Interval,
    }
    let state = State {
        queued: first.into(),
        feed,
        tick: keep_alive_ticker(keep_alive_every),
    };
    let events = stream::unfold(state, |mut st| async move {
        if let Some(b) = st.queued.pop_front() {
            return Some((Ok::<_, Infallible>(Frame::data(b)), st));
        }
        tokio::select! {
            item = st.feed.next() => match item? {
                Ok(e) => {
                    st.tick.reset();
                    Some((Ok(Frame::data(encode_event(Some(&e.id), &e.data, None))), st))
                }
                Err(e) => {
                    tracing::warn!(error = %e, "a resumed stream could not be followed further; the client may resume again");
                    None
                }
            },
            _ = st.tick.tick() => Some((Ok(Frame::data(keep_alive())), st)),
        }
    });
    let mut r = Response::new(StreamBody::new(events).boxed_unsync());
    sse_headers(&mut r);
    r
}

pub(crate) fn sse(
    first: Vec<Bytes>,
    rx: mcpwire_rpc::queue::Receiver<Item>,
    stream: Arc<Stream>,
    keep_alive_every: Duration,
    owner: Option<Arc<dyn std::any::Any + Send + Sync>>,
) -> Response<Body> {
    struct State {
        _owner: Option<Arc<dyn std::any::Any + Send + Sync>>,
        queued: std::collections::VecDeque<Bytes>,
        rx: mcpwire_rpc::queue::Receiver<Item>,
        stream: Arc<Stream>,
        tick: tokio::time::Interval,
        ended: bool,
    }
    let tick = keep_alive_ticker(keep_alive_every);
    let state = State {
        _owner: owner,
        queued: first.into(),
        rx,
        stream,
        tick,
        ended: false,
    };
    let events = stream::unfold(state, |mut st| async move {
        if let Some(b) = st.queued.pop_front() {
            return Some((Ok::<_, Infallible>(Frame::data(b)), st));
        }
        if st.ended {
            return None;
        }
        tokio::select! {
            item = st.rx.recv() => {
                let item = item?;
                st.stream.read(item.data.len());
                st.tick.reset();
                // An item without an id is one the store failed to keep:
                // it is sent all the same, and cannot be resumed.
                let id = item.id.as_deref();
                if let Some(retry) = item.close_retry_ms {
                    // Polling: tell the client when to come back, then end.
                    st.ended = true;
                    return Some((Ok(Frame::data(encode_event(id, b"", Some(retry)))), st));
                }
                st.ended = item.last;
                Some((Ok(Frame::data(encode_event(id, &item.data, None))), st))
            }
            _ = st.tick.tick() => Some((Ok(Frame::data(keep_alive())), st)),
        }
    });
    let mut r = Response::new(StreamBody::new(events).boxed_unsync());
    sse_headers(&mut r);
    r
}
