//! The [`Service`] trait: what the engine calls for each incoming request
//! and notification.

use std::future::Future;

use mcpwire_types::{Notification, Request, RequestId};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::{Extensions, Peer};
use crate::Error;

/// What a request handler gets besides the request itself.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The request's id.
    pub id: RequestId,
    /// The peer that sent the request; use it to send progress, logs or
    /// requests of your own.
    pub peer: Peer,
    /// Fires when the peer cancels the request or the connection closes.
    pub cancel: CancellationToken,
    /// What the transport attached to the request (e.g. the verified
    /// identity behind an HTTP request); empty for most transports.
    pub extensions: Extensions,
}

/// The result of a request, as a [`Value`] or already serialized.
///
/// Services answer with a [`Value`] ([`Service::handle_request`]); the
/// engine wraps it. A result serialized straight from its typed form saves
/// building and dropping the `Value`, which the server does for its most
/// frequent answers.
///
/// ```
/// use mcpwire_rpc::engine::Reply;
/// let r = Reply::from(serde_json::json!({"ok": true}));
/// assert_eq!(r.into_value().unwrap()["ok"], true);
/// ```
#[derive(Debug)]
pub struct Reply(pub(crate) ReplyRepr);

#[derive(Debug)]
pub(crate) enum ReplyRepr {
    Value(Value),
    /// One JSON object, as serde_json wrote it.
    Json(Vec<u8>),
}

impl From<Value> for Reply {
    fn from(v: Value) -> Self {
        Reply(ReplyRepr::Value(v))
    }
}

impl Reply {
    /// A result serialized by this crate: `json` must be one JSON object.
    pub fn json(json: Vec<u8>) -> Self {
        Reply(ReplyRepr::Json(json))
    }

    /// The result as a [`Value`].
    pub fn into_value(self) -> Result<Value, Error> {
        match self.0 {
            ReplyRepr::Value(v) => Ok(v),
            ReplyRepr::Json(bytes) => serde_json::from_slice(&bytes).map_err(Error::from),
        }
    }
}

/// Handles what the peer sends. Servers and clients both implement it.
///
/// Requests run concurrently (up to the engine's concurrency bound).
/// Notifications are handled one at a time, in arrival order, so a
/// notification never overtakes the one before it.
pub trait Service: Send + Sync + 'static {
    /// Answers one request. An `Err` becomes a JSON-RPC error response; a
    /// panic becomes `-32603 Internal error`, and the panic text stays in
    /// this process.
    fn handle_request(
        &self,
        request: Request,
        cx: RequestContext,
    ) -> impl Future<Output = Result<Value, Error>> + Send;

    /// Answers one request, possibly with its result serialized already;
    /// this is what the engine calls. By default the
    /// [`handle_request`](Service::handle_request) value.
    fn handle_request_reply(
        &self,
        request: Request,
        cx: RequestContext,
    ) -> impl Future<Output = Result<Reply, Error>> + Send {
        async move { self.handle_request(request, cx).await.map(Reply::from) }
    }

    /// Handles one notification.
    fn handle_notification(
        &self,
        notification: Notification,
        peer: &Peer,
    ) -> impl Future<Output = ()> + Send;

    /// Whether [`Service::handle_notification`] runs on the reading task
    /// itself: no task of its own, but reading waits while it runs. Only
    /// for handlers that return promptly and never wait on the peer (a
    /// handler that awaited a response from the peer would wait forever,
    /// since nothing reads it). Off by default.
    fn handles_notifications_inline(&self) -> bool {
        false
    }

    /// Whether JSON-RPC batches are accepted right now (only the 2025-03-26
    /// revision has them).
    fn allows_batches(&self) -> bool {
        false
    }

    /// Names the protocol revision in use, for error messages.
    fn protocol_version(&self) -> Option<&'static str> {
        None
    }
}
