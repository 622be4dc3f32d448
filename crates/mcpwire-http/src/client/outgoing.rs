//! One outgoing message: its frame and what the engine told of it (kind,
//! method, target, revision), owned so that it can wait for its POST and be
//! replayed. The headers of its POST come from here; the frame is never read
//! back to learn them.

use bytes::Bytes;
use mcpwire_rpc::transport::{FrameInfo, FrameKind};
use mcpwire_types::{ProtocolVersion, RequestId};

/// An outgoing message and what is known of it.
#[derive(Debug, Clone)]
pub(super) struct Outgoing {
    pub frame: Bytes,
    pub kind: Kind,
    /// The value of `Mcp-Name`: what a request acts on, as its sender named
    /// it (`params.name` of `tools/call` and `prompts/get`, `params.uri` of
    /// `resources/read`, `params.taskId` of the `tasks/*` requests that
    /// route by task).
    pub name: Option<Box<str>>,
    /// The revision the message was sent under: the one a self-describing
    /// (2026-07-28) request names, else the one the connection negotiated.
    pub revision: Option<ProtocolVersion>,
    /// The request a `notifications/cancelled` cancels.
    pub cancels: Option<RequestId>,
}

/// What kind of message an [`Outgoing`] holds.
#[derive(Debug, Clone)]
pub(super) enum Kind {
    Request {
        id: RequestId,
        method: Box<str>,
    },
    Notification {
        method: Box<str>,
    },
    /// A response, an error response or a batch of them.
    Response,
}

impl Outgoing {
    /// `frame`, with what the engine knew of it.
    pub fn new(frame: Bytes, info: &FrameInfo<'_>) -> Self {
        let kind = match info.kind() {
            FrameKind::Request { id, method } => Kind::Request {
                id: id.clone(),
                method: method.into(),
            },
            FrameKind::Notification { method } => Kind::Notification {
                method: method.into(),
            },
            _ => Kind::Response,
        };
        // Only requests name a target.
        let name = match kind {
            Kind::Request { .. } => info.target().map(Box::from),
            _ => None,
        };
        Outgoing {
            frame,
            kind,
            name,
            revision: info.revision(),
            cancels: info.cancels().cloned(),
        }
    }

    /// A request the transport sends on its own.
    pub fn request(
        frame: Bytes,
        id: RequestId,
        method: &str,
        revision: Option<ProtocolVersion>,
    ) -> Self {
        Outgoing {
            frame,
            kind: Kind::Request {
                id,
                method: method.into(),
            },
            name: None,
            revision,
            cancels: None,
        }
    }

    /// This request again, as `frame` under the id `id` (a replay).
    pub fn replayed(&self, frame: Bytes, id: RequestId) -> Self {
        let mut again = self.clone();
        again.frame = frame;
        if let Kind::Request { id: old, .. } = &mut again.kind {
            *old = id;
        }
        again
    }

    /// The JSON-RPC method of a request or notification.
    pub fn method(&self) -> Option<&str> {
        match &self.kind {
            Kind::Request { method, .. } | Kind::Notification { method } => Some(method),
            Kind::Response => None,
        }
    }

    /// The revision of a self-describing (2026-07-28) request, which is
    /// sent without a session.
    pub fn stateless_revision(&self) -> Option<ProtocolVersion> {
        match self.kind {
            Kind::Request { .. } => self.revision.filter(|v| !v.is_legacy()),
            _ => None,
        }
    }

    /// Whether this is a self-describing (2026-07-28) request, sent without
    /// a session.
    pub fn is_stateless(&self) -> bool {
        self.stateless_revision().is_some()
    }

    /// The revision of the session this message belongs to, if it tells:
    /// the negotiated one, carried by everything sent after `initialize`.
    pub fn session_revision(&self) -> Option<ProtocolVersion> {
        if self.is_initialize() {
            return None;
        }
        self.revision.filter(|v| v.is_legacy())
    }

    /// The id of a request.
    pub fn request_id(&self) -> Option<&RequestId> {
        match &self.kind {
            Kind::Request { id, .. } => Some(id),
            _ => None,
        }
    }

    /// Whether this is an `initialize` request.
    pub fn is_initialize(&self) -> bool {
        matches!(&self.kind, Kind::Request { method, .. } if &**method == "initialize")
    }

    /// "request 3 (tools/call)", for messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Request { id, method } => format!("request {id} ({method})"),
            Kind::Notification { method } => format!("notification {method}"),
            Kind::Response => "a response".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Bytes {
        // Never read: whatever the frame says, the info decides.
        Bytes::from_static(br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
    }

    #[test]
    fn the_info_decides_kind_target_and_revision() {
        let id = RequestId::Number(1);
        let modern = Some(ProtocolVersion::V2026_07_28);
        let info = FrameInfo::request(&id, "tools/call")
            .with_target(Some("get_weather"))
            .with_revision(modern);
        let m = Outgoing::new(frame(), &info);
        assert_eq!(m.method(), Some("tools/call"));
        assert_eq!(m.name.as_deref(), Some("get_weather"));
        assert_eq!(m.stateless_revision(), modern);
        assert_eq!(m.session_revision(), None);
        assert_eq!(m.request_id(), Some(&id));
        assert_eq!(m.describe(), "request 1 (tools/call)");

        // A session's request: its revision is the session's.
        let session = Some(ProtocolVersion::V2025_11_25);
        let info = FrameInfo::request(&id, "resources/read")
            .with_target(Some("file:///x"))
            .with_revision(session);
        let m = Outgoing::new(frame(), &info);
        assert_eq!(m.name.as_deref(), Some("file:///x"));
        assert!(!m.is_stateless());
        assert_eq!(m.session_revision(), session);

        // initialize tells nothing of the session it opens.
        let m = Outgoing::new(frame(), &FrameInfo::request(&id, "initialize"));
        assert!(m.is_initialize());
        assert_eq!(m.session_revision(), None);

        // Notifications and responses describe no stateless request and
        // target nothing.
        let cancelled = RequestId::Number(4);
        let info = FrameInfo::notification("notifications/cancelled")
            .with_target(Some("ignored"))
            .with_revision(modern)
            .with_cancels(Some(&cancelled));
        let m = Outgoing::new(frame(), &info);
        assert!(matches!(m.kind, Kind::Notification { .. }));
        assert_eq!(m.name, None);
        assert!(!m.is_stateless());
        assert_eq!(m.cancels, Some(cancelled));
        let m = Outgoing::new(frame(), &FrameInfo::response(&id).with_revision(session));
        assert!(matches!(m.kind, Kind::Response));
        assert_eq!(m.method(), None);
        assert_eq!(m.session_revision(), session);
        let m = Outgoing::new(frame(), &FrameInfo::error(None));
        assert!(matches!(m.kind, Kind::Response));
    }

    #[test]
    fn a_replay_keeps_all_but_the_id() {
        let id = RequestId::Number(1);
        let info = FrameInfo::request(&id, "initialize");
        let m = Outgoing::new(frame(), &info);
        let again = m.replayed(Bytes::from_static(b"{}"), RequestId::Number(9));
        assert_eq!(again.request_id(), Some(&RequestId::Number(9)));
        assert!(again.is_initialize());
        assert_eq!(&again.frame[..], b"{}");
    }
}
