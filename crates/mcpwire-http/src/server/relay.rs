//! Messages between processes that serve the same sessions: the
//! [`SessionRelay`] that carries them, and what it carries
//! ([`Relayed`]).
//!
//! Behind a load balancer, a session's HTTP requests reach every replica
//! of the server. What arrives at one replica but belongs to another
//! travels through the relay:
//!
//! - the client's answer to a request a handler sent it (sampling,
//!   elicitation, roots, ping), and its `notifications/cancelled`, which
//!   reach whichever replica runs that request or waits for that answer;
//! - a message for the session's GET stream, which reaches the replica
//!   that holds the stream.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

pub use mcpwire_rpc::BoxFuture;

/// One message one replica hands the others for a session.
///
/// ```
/// use mcpwire_http::server::Relayed;
/// let m = Relayed::to_engine("s1", br#"{"jsonrpc":"2.0","id":7,"result":{}}"#.to_vec());
/// let json = serde_json::to_string(&m).unwrap();
/// assert_eq!(serde_json::from_str::<Relayed>(&json).unwrap(), m);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relayed {
    /// The session it belongs to.
    #[serde(rename = "s")]
    pub session: String,
    /// Where it goes.
    #[serde(rename = "k")]
    pub kind: RelayKind,
    /// The JSON-RPC message, as the client or the server wrote it.
    #[serde(rename = "d", with = "text")]
    pub data: Bytes,
}

/// Where a relayed message goes.
///
/// ```
/// use mcpwire_http::server::RelayKind;
/// assert_ne!(RelayKind::ToEngine, RelayKind::ToClient);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelayKind {
    /// From the client, for the session's engine (an answer, a
    /// cancellation).
    #[serde(rename = "e")]
    ToEngine,
    /// From the server, for the session's GET stream.
    #[serde(rename = "c")]
    ToClient,
    /// The session's saved state changed (its data is the new
    /// [`SessionRecord`](mcpwire_server::SessionRecord) as JSON): replicas
    /// take it on.
    #[serde(rename = "s")]
    Changed,
    /// The session ended: replicas end their copies.
    #[serde(rename = "x")]
    Ended,
    /// Messages may have been missed (the relay lost its connection for a
    /// while): replicas check their sessions again. It names no session.
    #[serde(rename = "r")]
    Resync,
}

impl Relayed {
    /// A message from the client for the replicas' engines.
    ///
    /// ```
    /// let m = mcpwire_http::server::Relayed::to_engine("s1", b"{}".to_vec());
    /// assert_eq!(m.session, "s1");
    /// ```
    pub fn to_engine(session: &str, data: impl Into<Bytes>) -> Relayed {
        Relayed {
            session: session.to_owned(),
            kind: RelayKind::ToEngine,
            data: data.into(),
        }
    }

    /// A message from the server for the replica holding the GET stream.
    ///
    /// ```
    /// let m = mcpwire_http::server::Relayed::to_client("s1", b"{}".to_vec());
    /// assert_eq!(m.kind, mcpwire_http::server::RelayKind::ToClient);
    /// ```
    pub fn to_client(session: &str, data: impl Into<Bytes>) -> Relayed {
        Relayed {
            session: session.to_owned(),
            kind: RelayKind::ToClient,
            data: data.into(),
        }
    }
}

impl Relayed {
    /// A session's new saved state, as JSON.
    ///
    /// ```
    /// let m = mcpwire_http::server::Relayed::changed("s1", b"{}".to_vec());
    /// assert_eq!(m.kind, mcpwire_http::server::RelayKind::Changed);
    /// ```
    pub fn changed(session: &str, record: impl Into<Bytes>) -> Relayed {
        Relayed {
            session: session.to_owned(),
            kind: RelayKind::Changed,
            data: record.into(),
        }
    }

    /// The end of a session.
    ///
    /// ```
    /// let m = mcpwire_http::server::Relayed::ended("s1");
    /// assert_eq!(m.kind, mcpwire_http::server::RelayKind::Ended);
    /// ```
    pub fn ended(session: &str) -> Relayed {
        Relayed {
            session: session.to_owned(),
            kind: RelayKind::Ended,
            data: Bytes::new(),
        }
    }

    /// A warning that messages may have been missed.
    ///
    /// ```
    /// let m = mcpwire_http::server::Relayed::resync();
    /// assert!(m.session.is_empty());
    /// ```
    pub fn resync() -> Relayed {
        Relayed {
            session: String::new(),
            kind: RelayKind::Resync,
            data: Bytes::new(),
        }
    }
}

mod text {
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(data: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(data) {
            Ok(t) => s.serialize_str(t),
            Err(_) => Err(serde::ser::Error::custom(
                "a relayed message is not UTF-8, so it is not a JSON-RPC message",
            )),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        String::deserialize(d).map(Bytes::from)
    }
}

/// Why a message could not be relayed.
///
/// ```
/// let e = mcpwire_http::server::RelayError::Backend("connection refused".into());
/// assert!(e.to_string().contains("connection refused"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// The relay's transport failed.
    #[error("relaying to the other replicas failed: {0}")]
    Backend(String),
}

/// The messages other replicas relayed, as they come.
pub type RelayFeed = std::pin::Pin<Box<dyn futures_util::Stream<Item = Relayed> + Send>>;

/// Carries messages between the replicas of a server that share their
/// sessions. Give one to [`HttpConfig::relay`](super::HttpConfig::relay),
/// with a shared session store on the server; `mcpwire-redis` has one.
///
/// Every replica receives every relayed message (including its own) and
/// keeps those of the sessions it serves. Delivery is at most once: a
/// message relayed while the transport is away is lost, and what waited
/// for it ends at its own deadline.
///
/// ```no_run
/// use mcpwire_http::server::{BoxFuture, RelayError, RelayFeed, Relayed, SessionRelay};
///
/// #[derive(Debug)]
/// struct Nowhere;
///
/// impl SessionRelay for Nowhere {
///     fn send(&self, _m: Relayed) -> BoxFuture<Result<(), RelayError>> {
///         Box::pin(async { Err(RelayError::Backend("no other replica".into())) })
///     }
///     fn subscribe(&self) -> RelayFeed {
///         Box::pin(futures_util::stream::empty())
///     }
/// }
/// ```
pub trait SessionRelay: Send + Sync + std::fmt::Debug + 'static {
    /// Hands `message` to every replica.
    fn send(&self, message: Relayed) -> BoxFuture<Result<(), RelayError>>;

    /// What every replica (this one included) relays from now on.
    fn subscribe(&self) -> RelayFeed;
}
