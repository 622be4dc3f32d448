//! The 2024-11-05 HTTP+SSE transport, for clients that predate Streamable
//! HTTP: a GET opens an SSE stream whose first event (`endpoint`) names the
//! URI to POST messages to; every server message, responses included,
//! arrives on that stream.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use mcpwire_types::ErrorCode;

use super::body::{self, Body};
use super::session::Session;
use super::stream::{encode_event, keep_alive};
use super::{StreamableHttp, new_session_id};
use mcpwire_rpc::engine::Extensions;

impl StreamableHttp {
    /// Answers a request for the legacy 2024-11-05 HTTP+SSE transport: a GET
    /// opens the event stream, whose `endpoint` event names `post_path`; a
    /// POST to `post_path?sessionId=...` delivers one message.
    pub async fn handle_legacy_sse<B>(
        &self,
        req: http::Request<B>,
        post_path: &str,
    ) -> Response<Body>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        if let Err(r) = super::guard::check_host_and_origin(self.hosts(), req.headers()) {
            return body::refusal(r);
        }
        match *req.method() {
            http::Method::GET => self.legacy_get(
                req.headers(),
                super::principal_of(req.extensions()),
                post_path,
            ),
            http::Method::POST => {
                let (mut parts, b) = req.into_parts();
                let extensions = parts.extensions.remove::<Extensions>().unwrap_or_default();
                let handed = parts.extensions.remove();
                self.legacy_post(&parts, extensions, handed, b).await
            }
            _ => body::status(StatusCode::METHOD_NOT_ALLOWED),
        }
    }

    /// Answers a GET on the legacy SSE endpoint: starts a session and
    /// streams it. `post_path` is where the client must POST its messages.
    fn legacy_get(
        &self,
        headers: &HeaderMap,
        principal: Option<&str>,
        post_path: &str,
    ) -> Response<Body> {
        if let Err(r) = super::guard::check_get_headers(headers) {
            return body::refusal(r);
        }
        let slot = match self.state.slots.reserve(principal) {
            Ok(slot) => slot,
            Err(full) => return full.response(),
        };
        let id = new_session_id(&self.state.config.session_id_prefix);
        let session = Session::start_legacy(
            &self.state.backend,
            id.clone(),
            &self.state.config,
            self.now(),
            principal,
        );
        session.hold_slot(slot);
        let Some((stream, rx)) = session.open_standalone() else {
            return body::status(StatusCode::INTERNAL_SERVER_ERROR);
        };
        self.start_reaper();
        self.sessions_mut().insert(id.clone(), session.clone());
        let endpoint = format!("event: endpoint\ndata: {post_path}?sessionId={id}\n\n");
        let keep_alive_every = self.state.config.keep_alive;
        let this = self.clone();
        // The session lives as long as its stream: when the client goes
        // away, the session ends.
        struct Guard(StreamableHttp, Arc<Session>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.sessions_mut().remove(&self.1.core.id);
                self.1.close();
            }
        }
        let guard = Guard(this, session);
        struct State {
            first: Option<Bytes>,
            rx: mcpwire_rpc::queue::Receiver<super::stream::Item>,
            stream: Arc<super::stream::Stream>,
            tick: tokio::time::Interval,
            _guard: Guard,
        }
        let tick = body::keep_alive_ticker(keep_alive_every);
        let state = State {
            first: Some(Bytes::from(endpoint)),
            rx,
            stream,
            tick,
            _guard: guard,
        };
        let events = stream::unfold(state, |mut st| async move {
            if let Some(b) = st.first.take() {
                return Some((Ok::<_, Infallible>(Frame::data(b)), st));
            }
            tokio::select! {
                item = st.rx.recv() => {
                    let item = item?;
                    st.stream.read(item.data.len());
                    st.tick.reset();
                    Some((Ok(Frame::data(encode_event(None, &item.data, None))), st))
                }
                _ = st.tick.tick() => Some((Ok(Frame::data(keep_alive())), st)),
            }
        });
        let mut r = Response::new(StreamBody::new(events).boxed_unsync());
        let h = r.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        h.insert("x-accel-buffering", HeaderValue::from_static("no"));
        r
    }

    /// Answers a POST to the legacy message endpoint: 202, with the answer
    /// on the session's SSE stream.
    async fn legacy_post<B>(
        &self,
        parts: &http::request::Parts,
        extensions: Extensions,
        handed: Option<super::request_body::ParsedBody>,
        req_body: B,
    ) -> Response<Body>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let id = parts
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .find_map(|kv| kv.strip_prefix("sessionId="))
            .unwrap_or("");
        let found = self.sessions().get(id).cloned();
        // A session another principal opened is as good as unknown.
        let found = found.filter(|s| {
            let ok = s.serves(extensions.principal());
            if !ok {
                tracing::debug!(
                    session = %s.core.id,
                    "a message named an SSE session another principal opened; answered as unknown"
                );
            }
            ok
        });
        let Some(session) = found else {
            return body::error(
                StatusCode::NOT_FOUND,
                ErrorCode::SESSION_NOT_FOUND,
                "Session not found: open the SSE stream first and POST to the endpoint it names",
                None,
            );
        };
        session.touch(self.now());
        let config = &self.state.config;
        let bytes = match super::request_body::read(
            &parts.headers,
            req_body,
            config.body_limit,
            config.body_read_timeout,
        )
        .await
        {
            Ok(b) => b,
            Err(e) => return e.response(),
        };
        // Malformed messages are answered on the stream, like any other.
        let incoming = super::request_body::parse(&bytes, handed);
        match session.deliver(incoming, extensions, bytes.len()) {
            Ok(()) => body::status(StatusCode::ACCEPTED),
            Err(e) => e.response(),
        }
    }
}
