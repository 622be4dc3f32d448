//! What the engine knows of each frame it writes, handed to the transport
//! with the frame's bytes: its kind, the request it belongs to, what it
//! targets and the protocol revision it was sent under.
//!
//! The engine fills a [`FrameInfo`] from the message it has just serialized
//! and from what the sender told it ([`RequestOptions::target`],
//! [`RequestOptions::revision`], [`Peer::negotiated`]), so that a transport
//! which puts some of it in headers (Streamable HTTP) never reads the frame
//! back. It borrows everything and costs nothing to build.
//!
//! [`RequestOptions::target`]: crate::engine::RequestOptions::target
//! [`RequestOptions::revision`]: crate::engine::RequestOptions::revision
//! [`Peer::negotiated`]: crate::engine::Peer::negotiated

use mcpwire_types::{Message, ProtocolVersion, RequestId, Response};

/// What kind of JSON-RPC message a frame holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind<'a> {
    /// A request.
    Request {
        /// Its id.
        id: &'a RequestId,
        /// Its method.
        method: &'a str,
    },
    /// A notification.
    Notification {
        /// Its method.
        method: &'a str,
    },
    /// A successful response.
    Response {
        /// The id of the request it answers.
        id: &'a RequestId,
    },
    /// An error response; without an id when the request it answers could
    /// not be read.
    Error {
        /// The id of the request it answers.
        id: Option<&'a RequestId>,
    },
    /// A JSON-RPC batch of responses.
    Batch {
        /// The ids of the requests it answers.
        ids: &'a [RequestId],
    },
}

impl<'a> FrameKind<'a> {
    /// The kind of `message`.
    pub fn of(message: &'a Message) -> Self {
        match message {
            Message::Request(r) => FrameKind::Request {
                id: &r.id,
                method: &r.method,
            },
            Message::Notification(n) => FrameKind::Notification { method: &n.method },
            Message::Response(r) => FrameKind::of_response(r),
        }
    }

    /// The kind of `response`.
    pub fn of_response(response: &'a Response) -> Self {
        match (&response.outcome, &response.id) {
            (Ok(_), Some(id)) => FrameKind::Response { id },
            (_, id) => FrameKind::Error { id: id.as_ref() },
        }
    }
}

/// Where a frame belongs, for transports that carry each request's traffic
/// separately (HTTP answers a POST with that request's messages); derived
/// from a [`FrameInfo`] by [`FrameInfo::route`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// The response to the request with this id.
    Response(&'a RequestId),
    /// A message sent while serving the request with this id (progress,
    /// logs, requests to the client).
    Related(&'a RequestId),
    /// A response to several requests at once (a JSON-RPC batch).
    Batch(&'a [RequestId]),
    /// Anything else: traffic of its own (server-initiated messages, or an
    /// error answering no readable request).
    Unrelated,
}

/// What the engine knows of one frame it writes.
///
/// ```
/// use mcpwire_rpc::transport::{FrameInfo, FrameKind, Route};
/// use mcpwire_types::{ProtocolVersion, RequestId};
/// let id = RequestId::Number(3);
/// let info = FrameInfo::request(&id, "tools/call")
///     .with_target(Some("echo"))
///     .with_revision(Some(ProtocolVersion::V2026_07_28));
/// assert_eq!(info.method(), Some("tools/call"));
/// assert_eq!(info.target(), Some("echo"));
/// assert_eq!(info.revision(), Some(ProtocolVersion::V2026_07_28));
/// assert_eq!(info.route(), Route::Unrelated);
/// let served = RequestId::Number(9);
/// let progress = FrameInfo::notification("notifications/progress").with_related(Some(&served));
/// assert_eq!(progress.route(), Route::Related(&served));
/// assert!(matches!(FrameInfo::response(&id).kind(), FrameKind::Response { .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameInfo<'a> {
    kind: FrameKind<'a>,
    related: Option<&'a RequestId>,
    target: Option<&'a str>,
    revision: Option<ProtocolVersion>,
    cancels: Option<&'a RequestId>,
}

impl<'a> FrameInfo<'a> {
    /// A frame of `kind`, with nothing else known.
    pub fn new(kind: FrameKind<'a>) -> Self {
        FrameInfo {
            kind,
            related: None,
            target: None,
            revision: None,
            cancels: None,
        }
    }

    /// A frame holding `message`.
    pub fn of(message: &'a Message) -> Self {
        Self::new(FrameKind::of(message))
    }

    /// A request.
    pub fn request(id: &'a RequestId, method: &'a str) -> Self {
        Self::new(FrameKind::Request { id, method })
    }

    /// A notification.
    pub fn notification(method: &'a str) -> Self {
        Self::new(FrameKind::Notification { method })
    }

    /// A successful response.
    pub fn response(id: &'a RequestId) -> Self {
        Self::new(FrameKind::Response { id })
    }

    /// An error response.
    pub fn error(id: Option<&'a RequestId>) -> Self {
        Self::new(FrameKind::Error { id })
    }

    /// A batch of responses.
    pub fn batch(ids: &'a [RequestId]) -> Self {
        Self::new(FrameKind::Batch { ids })
    }

    /// Sent while serving the incoming request `id` (progress, logs,
    /// requests to the other side).
    ///
    /// ```
    /// use mcpwire_rpc::transport::{FrameInfo, Route};
    /// use mcpwire_types::RequestId;
    /// let serving = RequestId::from(5);
    /// let log = FrameInfo::notification("notifications/message").with_related(Some(&serving));
    /// assert_eq!(log.related(), Some(&serving));
    /// assert_eq!(log.route(), Route::Related(&serving));
    /// assert_eq!(FrameInfo::notification("notifications/message").route(), Route::Unrelated);
    /// ```
    pub fn with_related(mut self, id: Option<&'a RequestId>) -> Self {
        self.related = id;
        self
    }

    /// What the request acts on (see
    /// [`Request::target`](mcpwire_types::request::Request::target)).
    ///
    /// ```
    /// use mcpwire_rpc::transport::FrameInfo;
    /// use mcpwire_types::RequestId;
    /// let id = RequestId::from(1);
    /// let info = FrameInfo::request(&id, "resources/read").with_target(Some("file:///a.txt"));
    /// assert_eq!(info.target(), Some("file:///a.txt"));
    /// ```
    pub fn with_target(mut self, target: Option<&'a str>) -> Self {
        self.target = target;
        self
    }

    /// The protocol revision the frame was sent under.
    ///
    /// ```
    /// use mcpwire_rpc::transport::FrameInfo;
    /// use mcpwire_types::ProtocolVersion;
    /// let info = FrameInfo::notification("notifications/initialized")
    ///     .with_revision(Some(ProtocolVersion::V2025_11_25));
    /// assert_eq!(info.revision(), Some(ProtocolVersion::V2025_11_25));
    /// ```
    pub fn with_revision(mut self, revision: Option<ProtocolVersion>) -> Self {
        self.revision = revision;
        self
    }

    /// The request a cancellation notification cancels.
    ///
    /// ```
    /// use mcpwire_rpc::transport::FrameInfo;
    /// use mcpwire_types::RequestId;
    /// let abandoned = RequestId::from(12);
    /// let info = FrameInfo::notification("notifications/cancelled").with_cancels(Some(&abandoned));
    /// assert_eq!(info.cancels(), Some(&abandoned));
    /// ```
    pub fn with_cancels(mut self, id: Option<&'a RequestId>) -> Self {
        self.cancels = id;
        self
    }

    /// What kind of message the frame holds.
    pub fn kind(&self) -> FrameKind<'a> {
        self.kind
    }

    /// The method of a request or notification.
    pub fn method(&self) -> Option<&'a str> {
        match self.kind {
            FrameKind::Request { method, .. } | FrameKind::Notification { method } => Some(method),
            _ => None,
        }
    }

    /// The id of a request.
    pub fn request_id(&self) -> Option<&'a RequestId> {
        match self.kind {
            FrameKind::Request { id, .. } => Some(id),
            _ => None,
        }
    }

    /// The incoming request the frame was sent while serving, if any.
    pub fn related(&self) -> Option<&'a RequestId> {
        self.related
    }

    /// What a request acts on (the tool, prompt, resource or task), as its
    /// sender named it.
    pub fn target(&self) -> Option<&'a str> {
        self.target
    }

    /// The protocol revision the frame was sent under: the one its sender
    /// named, else the one the connection negotiated, if any.
    pub fn revision(&self) -> Option<ProtocolVersion> {
        self.revision
    }

    /// The request a cancellation notification cancels.
    pub fn cancels(&self) -> Option<&'a RequestId> {
        self.cancels
    }

    /// Where the frame belongs: a response to its request, anything sent
    /// while serving a request to that request, the rest on its own.
    pub fn route(&self) -> Route<'a> {
        match (self.kind, self.related) {
            (FrameKind::Response { id }, _) | (FrameKind::Error { id: Some(id) }, _) => {
                Route::Response(id)
            }
            (FrameKind::Batch { ids }, _) => Route::Batch(ids),
            (_, Some(id)) => Route::Related(id),
            _ => Route::Unrelated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcpwire_types::{ErrorCode, ErrorObject, Notification, Request};

    #[test]
    fn the_kind_and_route_follow_the_message() {
        let req = Message::Request(Request {
            id: RequestId::Number(1),
            method: "tools/call".into(),
            params: None,
        });
        let info = FrameInfo::of(&req);
        assert_eq!(info.request_id(), Some(&RequestId::Number(1)));
        assert_eq!(info.method(), Some("tools/call"));
        assert_eq!(info.route(), Route::Unrelated);
        let served = RequestId::Number(7);
        assert_eq!(
            info.with_related(Some(&served)).route(),
            Route::Related(&served)
        );

        let note = Message::Notification(Notification {
            method: "notifications/message".into(),
            params: None,
        });
        assert_eq!(FrameInfo::of(&note).method(), Some("notifications/message"));
        assert_eq!(FrameInfo::of(&note).request_id(), None);

        let ok = Message::Response(Response {
            id: Some(RequestId::Number(2)),
            outcome: Ok(serde_json::json!({})),
        });
        // A response goes to its request, whatever it was sent while serving.
        assert_eq!(
            FrameInfo::of(&ok).with_related(Some(&served)).route(),
            Route::Response(&RequestId::Number(2))
        );
        let failed = Message::Response(Response {
            id: Some(RequestId::Number(3)),
            outcome: Err(ErrorObject::new(ErrorCode::INTERNAL_ERROR, "x")),
        });
        assert_eq!(
            FrameInfo::of(&failed).kind(),
            FrameKind::Error {
                id: Some(&RequestId::Number(3))
            }
        );
        assert_eq!(
            FrameInfo::of(&failed).route(),
            Route::Response(&RequestId::Number(3))
        );
        let unreadable = Message::Response(Response {
            id: None,
            outcome: Err(ErrorObject::new(ErrorCode::PARSE_ERROR, "x")),
        });
        assert_eq!(FrameInfo::of(&unreadable).route(), Route::Unrelated);

        let ids = [RequestId::Number(4), RequestId::Number(5)];
        assert_eq!(FrameInfo::batch(&ids).route(), Route::Batch(&ids));
    }
}
