//! Answering a POST: one message or batch read and parsed once, the
//! session it belongs to (or a stateless engine), and an answer that is
//! plain JSON or switches to SSE when something comes before it.

use std::sync::Arc;

use http::{HeaderValue, Request, Response, StatusCode};
use http_body::Body as HttpBody;
use mcpwire_types::{Era, ErrorCode, Incoming, Message, ProtocolVersion, RequestId};

use super::body::{self, Body};
use super::session::Session;
use super::stream::{self, encode_event};
use super::{StreamableHttp, guard, header_str, modern, new_session_id, request_body, slots};
use mcpwire_rpc::engine::Extensions;

impl StreamableHttp {
    pub(super) async fn post<B>(&self, req: Request<B>) -> Response<Body>
    where
        B: HttpBody + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (mut parts, body) = req.into_parts();
        // What a layer in front attached (e.g. the verified identity); an
        // empty map costs nothing here.
        let extensions = parts.extensions.remove::<Extensions>().unwrap_or_default();
        if let Err(r) = guard::check_post_headers(&parts.headers) {
            return body::refusal(r);
        }
        let header_version = guard::protocol_version(&parts.headers);
        let config = &self.state.config;
        let bytes = match request_body::read(
            &parts.headers,
            body,
            config.body_limit,
            config.body_read_timeout,
        )
        .await
        {
            Ok(b) => b,
            Err(e) => return e.response(),
        };
        let incoming = request_body::parse(&bytes, parts.extensions.remove());
        if let Incoming::Invalid(r) = &incoming {
            return body::error(
                StatusCode::BAD_REQUEST,
                r.error.code,
                &r.error.message,
                r.id.as_ref(),
            );
        }
        let header_version = match header_version {
            Ok(v) => v,
            Err(_) => {
                // An unknown MCP-Protocol-Version: the error lists what this
                // server speaks and answers the request's id.
                let requested = header_str(&parts.headers, &guard::PROTOCOL_VERSION).unwrap_or("");
                let id = match &incoming {
                    Incoming::Message(Message::Request(r)) => Some(&r.id),
                    _ => None,
                };
                let e = mcpwire_types::ErrorObject::unsupported_protocol_version(
                    requested,
                    ProtocolVersion::ALL.iter().rev().map(|v| v.as_str()),
                );
                let body = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": e});
                return body::json(StatusCode::BAD_REQUEST, body.to_string());
            }
        };
        let is_initialize =
            matches!(&incoming, Incoming::Message(Message::Request(r)) if r.method == "initialize");
        // A 2026-07-28 request describes itself and needs no session.
        let modern = header_version == ProtocolVersion::V2026_07_28 || !is_session_era(&incoming);
        if modern
            && let Err(r) = modern::check_headers(&parts.headers, &incoming, &self.state.backend)
        {
            return *r;
        }
        let keep_no_session = self.state.config.stateless || modern;
        // A stateless request holds its engine until its answer or its
        // stream ends; this permit goes with it.
        let mut in_flight = None;
        let (session, fresh) = if keep_no_session || is_initialize {
            // The slot is taken before `initialize` runs, so concurrent
            // ones cannot all pass the check, and goes back if it fails.
            let slot = if keep_no_session {
                match self.state.stateless.try_acquire() {
                    Some(p) => in_flight = Some(p),
                    None => return slots::Full::Stateless.response(),
                }
                None
            } else {
                match self.state.slots.reserve(extensions.principal()) {
                    Ok(slot) => Some(slot),
                    Err(full) => return full.response(),
                }
            };
            let s = if modern {
                self.stateless_session()
            } else {
                let id: Arc<str> = if keep_no_session {
                    Arc::from("")
                } else {
                    new_session_id(&self.state.config.session_id_prefix)
                };
                if !keep_no_session
                    && let Some(store) = &self.state.shared
                    && let Err(refused) =
                        Box::pin(self.admit(&**store, &id, extensions.principal())).await
                {
                    return refused;
                }
                Session::start(
                    &self.state.backend,
                    id,
                    &self.state.config,
                    self.now(),
                    extensions.principal(),
                    self.state.replicas.as_ref(),
                )
            };
            if let Some(slot) = slot {
                s.hold_slot(slot);
            }
            (s, true)
        } else {
            match self
                .find_session(&parts.headers, extensions.principal())
                .await
            {
                Ok(s) => (s, false),
                Err(e) => return e.response(),
            }
        };
        let version = session.peer.negotiated().unwrap_or(header_version);
        let ids: Vec<RequestId> = match &incoming {
            Incoming::Message(Message::Request(r)) => vec![r.id.clone()],
            Incoming::Batch(items) => {
                // A batch needs the revision its session negotiated: an
                // engine made for one request has none, and would refuse
                // it with an error no request stream could carry.
                if keep_no_session || !version.allows_batches() {
                    let why = if keep_no_session {
                        "Invalid Request: JSON-RPC batches need a session, and this server keeps none".to_owned()
                    } else {
                        format!(
                            "Invalid Request: JSON-RPC batches are not supported by protocol version {version}"
                        )
                    };
                    return body::error(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::INVALID_REQUEST,
                        &why,
                        None,
                    );
                }
                items
                    .iter()
                    .filter(|v| v.get("method").is_some())
                    .filter_map(|v| v.get("id").and_then(RequestId::from_value))
                    .collect()
            }
            _ => Vec::new(),
        };
        if ids.is_empty() {
            // An answer or a cancellation may concern another replica: it
            // goes to all of them (this one included) through the relay,
            // or, if the relay fails, at least to this one.
            if let Some(outbox) = self.state.replicas.as_ref().and_then(|r| r.outbox.as_ref())
                && super::replicas::concerns_others(&incoming)
                && outbox
                    .send(super::relay::Relayed::to_engine(
                        &session.core.id,
                        bytes.clone(),
                    ))
                    .await
            {
                return body::status(StatusCode::ACCEPTED);
            }
            // Notifications and responses: accepted once handed over.
            return match session.deliver(incoming, extensions, bytes.len()) {
                Ok(()) => body::status(StatusCode::ACCEPTED),
                Err(e) => e.response(),
            };
        }
        let (stream, mut rx) = match session.open_request_stream(&ids) {
            Ok(s) => s,
            Err(dup) => {
                return body::error(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::INVALID_REQUEST,
                    &format!("Invalid Request: request id {dup} is already in flight"),
                    Some(&dup),
                );
            }
        };
        // If this handler is dropped before the first answer (the client
        // hung up), the ids and the stream are forgotten at once rather
        // than held for the session's life.
        let mut abandoned = Abandoned {
            session: &session,
            stream: &stream,
            ids: &ids,
            armed: true,
        };
        let first = match incoming {
            // A single request runs right here, in this handler's task; if
            // it streams before answering, the rest of it moves to a task
            // of its own while this one streams the answer.
            Incoming::Message(Message::Request(req)) => {
                let mut handler = session.inline.call(req, extensions);
                tokio::select! {
                    biased;
                    () = &mut handler => rx.recv().await,
                    item = rx.recv() => {
                        tokio::spawn(handler);
                        item
                    }
                }
            }
            other => {
                if let Err(e) = session.deliver(other, extensions, bytes.len()) {
                    return e.response();
                }
                rx.recv().await
            }
        };
        abandoned.armed = false;
        drop(abandoned);
        let Some(first) = first else {
            if !session.peer.is_closed() {
                // Cancelled: there is no answer to give, and the stream
                // ends empty.
                return body::sse_finished(Vec::new());
            }
            return body::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::INTERNAL_ERROR,
                "Internal error: the session ended before answering",
                ids.first(),
            );
        };
        let mut response = if let Some(retry) = first.close_retry_ms {
            // The handler ended the stream before sending anything: a
            // priming event that says when to reconnect, and nothing else.
            let priming = match first.id.clone() {
                Some(id) => Some(id),
                None => priming(&stream).await,
            };
            body::sse_finished(vec![encode_event(priming.as_deref(), b"", Some(retry))])
        } else if first.last && modern {
            stream.forget();
            body::json(modern::status_of(&first.data), first.data)
        } else if first.last {
            // Nothing came before the answer: plain JSON.
            stream.forget();
            body::json(StatusCode::OK, first.data)
        } else {
            stream.read(first.data.len());
            // Stored before `first` was delivered, so known by now (unless
            // the store failed it: then there is nothing to resume from).
            let priming = priming(&stream).await;
            let mut events = Vec::with_capacity(2);
            if let Some(priming) = &priming {
                events.push(encode_event(Some(priming), b"", None));
            }
            events.push(encode_event(first.id.as_deref(), &first.data, None));
            // A stateless request's session ends with its stream.
            let owner: Option<Arc<dyn std::any::Any + Send + Sync>> = keep_no_session.then(|| {
                Arc::new((session.clone(), in_flight.take()))
                    as Arc<dyn std::any::Any + Send + Sync>
            });
            body::sse(events, rx, stream, self.state.config.keep_alive, owner)
        };
        if fresh && is_initialize && !keep_no_session {
            if session.peer.negotiated().is_some() {
                self.start_reaper();
                self.sessions_mut()
                    .insert(session.core.id.clone(), session.clone());
                if let Ok(v) = HeaderValue::from_str(&session.core.id) {
                    response.headers_mut().insert(guard::SESSION_ID, v);
                }
            } else {
                session.close();
            }
        }
        if modern {
            self.state.spare.keep(&self.state.backend, session);
        }
        response
    }
}

impl StreamableHttp {
    /// Counts a new session among those every instance sharing the store
    /// has open: 503 when they are as many as the cap, 429 when its
    /// principal holds its quota, 503 when the store cannot say.
    async fn admit(
        &self,
        store: &dyn mcpwire_server::SessionStore,
        id: &str,
        principal: Option<&str>,
    ) -> Result<(), Response<Body>> {
        let config = &self.state.config;
        let deadline = config.event_store_timeout;
        let counted = store.admit(
            id,
            principal,
            config.max_sessions,
            config.max_sessions_per_principal,
        );
        match tokio::time::timeout(deadline, counted).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(mcpwire_server::SessionStoreError::Full(_))) => {
                Err(slots::Full::Server.response())
            }
            Ok(Err(mcpwire_server::SessionStoreError::PrincipalFull(n))) => {
                Err(slots::Full::Principal(n).response())
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the session store could not count a new session; answering 503");
                Err(super::NoSession::Unavailable.response())
            }
            Err(_) => {
                tracing::warn!(
                    ?deadline,
                    "the session store did not count a new session in time; answering 503"
                );
                Err(super::NoSession::Unavailable.response())
            }
        }
    }
}

/// The id of `stream`'s priming event, switching it to SSE. Known at once
/// unless the store is slow; only then is there a future to wait on, boxed
/// so that every POST's future does not make room for it.
async fn priming(stream: &Arc<stream::Stream>) -> Option<String> {
    match stream.try_start_sse() {
        Some(known) => known,
        None => Box::pin(stream.start_sse()).await,
    }
}

/// Forgets a POST's request ids and stream when its handler is dropped
/// before they were answered.
struct Abandoned<'a> {
    session: &'a Session,
    stream: &'a Arc<stream::Stream>,
    ids: &'a [RequestId],
    armed: bool,
}

impl Drop for Abandoned<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.session
                .core
                .forget_requests(self.ids, Some(self.stream));
        }
    }
}

/// Whether a message belongs to a session, by the rule the server applies
/// too ([`Era::claims_stateless`]): a request whose `_meta` names a
/// protocol version does not, even when it names one badly; the server
/// answers it with the reason.
fn is_session_era(incoming: &Incoming) -> bool {
    match incoming {
        Incoming::Message(Message::Request(r)) => !Era::claims_stateless(r.params.as_ref()),
        _ => true,
    }
}
