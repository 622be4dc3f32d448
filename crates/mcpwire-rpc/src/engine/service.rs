//! The [`Service`] trait: what the engine calls for each incoming request
//! and notification.

use std::fmt;
use std::future::Future;

use mcpwire_types::{Notification, Request, RequestId};
use serde::Serialize;
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

/// The result of a request: a typed value serialized once, straight into
/// the outgoing frame, or a [`Value`].
///
/// A handler answers with whatever it built: [`Reply::typed`] for a value of
/// a type that implements [`Serialize`] (no [`Value`] is built for it), or a
/// [`Value`] through `From`. The engine writes the response around it in one
/// pass.
///
/// ```
/// use mcpwire_rpc::engine::Reply;
/// #[derive(serde::Serialize)]
/// struct Answer { ok: bool }
/// let typed = Reply::typed(Answer { ok: true });
/// assert_eq!(typed.into_value().unwrap()["ok"], true);
/// let value = Reply::from(serde_json::json!({"ok": true}));
/// assert_eq!(value.into_value().unwrap()["ok"], true);
/// ```
pub struct Reply(pub(crate) ReplyRepr);

pub(crate) enum ReplyRepr {
    Value(Value),
    Typed(Box<dyn WriteJson>),
}

/// A value that writes itself as JSON: what [`Reply::typed`] keeps of a
/// [`Serialize`] type.
pub(crate) trait WriteJson: Send {
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()>;
}

impl<T: Serialize + Send> WriteJson for T {
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            ReplyRepr::Value(v) => f.debug_tuple("Reply").field(v).finish(),
            ReplyRepr::Typed(_) => f.write_str("Reply(typed)"),
        }
    }
}

impl From<Value> for Reply {
    fn from(v: Value) -> Self {
        Reply(ReplyRepr::Value(v))
    }
}

impl Reply {
    /// A result of any serializable type; it must serialize as a JSON
    /// object. It is serialized once, when the response is written.
    pub fn typed<T: Serialize + Send + 'static>(value: T) -> Self {
        Reply(ReplyRepr::Typed(Box::new(value)))
    }

    /// Writes the result as JSON onto `out`.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        match &self.0 {
            ReplyRepr::Value(v) => serde_json::to_writer(out, v),
            ReplyRepr::Typed(t) => t.write_json(out),
        }
    }

    /// The result as a [`Value`] (for a batch, or a caller that inspects
    /// it).
    pub fn into_value(self) -> Result<Value, Error> {
        match self.0 {
            ReplyRepr::Value(v) => Ok(v),
            ReplyRepr::Typed(t) => {
                let mut out = Vec::new();
                t.write_json(&mut out)?;
                serde_json::from_slice(&out).map_err(Error::from)
            }
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
    /// this process. A [`Value`] answers through `.into()`; a typed result
    /// through [`Reply::typed`], which saves building a [`Value`].
    fn handle_request(
        &self,
        request: Request,
        cx: RequestContext,
    ) -> impl Future<Output = Result<Reply, Error>> + Send;

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
