//! Session lifecycle: transparent re-initialization when the server expired
//! the session (HTTP 404), and termination with DELETE on close.

use std::sync::Arc;

use bytes::Bytes;
use mcpwire_types::RequestId;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;

use super::HttpClientError;
use super::outgoing::Outgoing;
use super::post::{barrier, request, send};
use super::response::error_chain;
use super::shared::Shared;

/// Starts a new session after the one of `failed_generation` expired:
/// replays the recorded `initialize` under a fresh internal id (its response
/// is swallowed), takes the new session id, replays
/// `notifications/initialized` and reopens the standalone stream. The
/// session keeps the revision it knew: the replays carry what the caller's
/// messages carried.
///
/// Renewals are serialized; a caller whose session was already renewed by
/// another task returns at once and simply resends.
pub(super) async fn renew(sh: &Arc<Shared>, failed_generation: u64) -> Result<(), HttpClientError> {
    let _guard = sh.renew_lock.lock().await;
    let expired = |cause: String| HttpClientError::SessionExpired { cause };
    let (init, initialized, id) = {
        let mut st = sh.state();
        if st.generation != failed_generation {
            return Ok(());
        }
        let Some(init) = st.init.clone() else {
            return Err(expired(
                "no initialize request was sent on this transport, so there is nothing to replay"
                    .to_owned(),
            ));
        };
        st.next_internal += 1;
        let id = RequestId::String(format!("mcpwire-reinit-{}", st.next_internal).into());
        st.session = None;
        (init, st.initialized.clone(), id)
    };
    let frame = with_id(&init.frame, &id)
        .map_err(|e| expired(format!("the recorded initialize is malformed: {e}")))?;
    let (tx, rx) = oneshot::channel();
    {
        let mut st = sh.state();
        st.pending.insert(id.clone());
        st.intercept.insert(id.clone(), tx);
    }
    let msg: Outgoing = init.replayed(frame, id.clone());
    tokio::spawn(send(sh.clone(), msg, None));
    // The answer may come on an event stream that needs resuming.
    let wait = sh.cfg.timeout * 2;
    let answer = tokio::time::timeout(wait, rx).await;
    {
        let mut st = sh.state();
        st.pending.remove(&id);
        st.intercept.remove(&id);
    }
    let answer = match answer {
        Ok(Ok(frame)) => frame,
        Ok(Err(_)) => {
            return Err(expired(
                "the transport closed while re-initializing".to_owned(),
            ));
        }
        Err(_) => return Err(expired(format!("initialize got no answer within {wait:?}"))),
    };
    let answer: Value = serde_json::from_slice(&answer)
        .map_err(|e| expired(format!("malformed initialize answer: {e}")))?;
    if let Some(err) = answer.get("error") {
        let message = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no message");
        return Err(expired(format!("initialize failed: {message}")));
    }
    if let Some(note) = initialized
        && !barrier(sh, note).await
    {
        return Err(expired(
            "the server rejected notifications/initialized".to_owned(),
        ));
    }
    tracing::info!("the MCP session was renewed");
    // Like after the first handshake, the resent message waits for the GET.
    super::stream::open_standalone(sh).await;
    Ok(())
}

/// `frame` (a JSON-RPC request) with its id replaced.
fn with_id(frame: &[u8], id: &RequestId) -> Result<Bytes, serde_json::Error> {
    let mut v: Value = serde_json::from_slice(frame)?;
    v["id"] = serde_json::to_value(id)?;
    Ok(Bytes::from(serde_json::to_vec(&v)?))
}

/// Closes the transport: stops every stream, ends the session with DELETE
/// (a 405 means the server does not allow that, which is fine) and lets the
/// reader report EOF.
pub(super) async fn close(sh: &Arc<Shared>) {
    if sh.closed.is_cancelled() {
        return;
    }
    sh.closed.cancel();
    let (legacy, initialized) = {
        let st = sh.state();
        (st.legacy_post.is_some(), st.init.is_some())
    };
    let (headers, _, with_session) = sh.headers(true);
    // A client that never initialized (2026-07-28 requests only) has no
    // session to end.
    if !legacy && initialized && with_session {
        match request(sh, Method::DELETE, &sh.cfg.url, headers, None, 1).await {
            Ok(r) if r.status().is_success() => tracing::debug!("the MCP session was ended"),
            Ok(r) if r.status() == StatusCode::METHOD_NOT_ALLOWED => {
                tracing::debug!("the server does not let clients end sessions (HTTP 405)");
            }
            Ok(r) => tracing::debug!(status = %r.status(), "ending the MCP session failed"),
            Err(e) => tracing::debug!(error = %error_chain(&e), "ending the MCP session failed"),
        }
    }
    sh.end("the transport was closed".to_owned());
}
