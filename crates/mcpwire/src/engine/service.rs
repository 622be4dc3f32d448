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
