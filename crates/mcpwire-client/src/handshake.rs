//! How a client opens a connection: the `server/discover` probe, the
//! `initialize` handshake and the fallback between them, and what the
//! client keeps of the server's answer.

use std::sync::OnceLock;
use std::time::Duration;

use mcpwire_types::{
    ClientCapabilities, DiscoverResult, ErrorCode, Implementation, InitializeRequestParams,
    InitializeResult, LoggingLevel, Meta, MetaExt, ProtocolVersion, ServerCapabilities,
    UnsupportedProtocolVersionData, meta, methods,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ClientMode;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{Peer, RequestOptions};

/// What the builder hands the handshake.
pub(super) struct Plan<'a> {
    pub(super) mode: ClientMode,
    /// The legacy revision to ask for.
    pub(super) version: ProtocolVersion,
    pub(super) caps: &'a ClientCapabilities,
    pub(super) info: &'a Implementation,
    pub(super) probe_timeout: Duration,
    pub(super) log_level: Option<LoggingLevel>,
}

impl Plan<'_> {
    /// The legacy revision to fall back to.
    fn fallback(&self) -> ProtocolVersion {
        if self.version.is_legacy() {
            self.version
        } else {
            ProtocolVersion::LATEST_LEGACY
        }
    }
}

/// How the connection was opened.
pub(super) enum Opening {
    /// A session, with the server's `initialize` answer.
    Session {
        init: InitializeResult,
        version: ProtocolVersion,
    },
    /// Stateless requests of `version`, with the discover result if the
    /// client probed.
    Stateless {
        version: ProtocolVersion,
        discovered: Option<DiscoverResult>,
    },
}

/// What the probe found out.
enum Probe {
    Modern(ProtocolVersion, Box<DiscoverResult>),
    Legacy(ProtocolVersion),
}

/// The `_meta` every stateless request of `version` carries.
pub(super) fn request_meta(
    version: ProtocolVersion,
    caps: &ClientCapabilities,
    info: &Implementation,
    log_level: Option<LoggingLevel>,
) -> Meta {
    let mut m = meta::request_meta(version.as_str(), caps, Some(info));
    if let Some(level) = log_level {
        m.set_log_level(level);
    }
    m
}

/// Opens the connection as `plan.mode` says.
pub(super) async fn open(peer: &Peer, plan: &Plan<'_>) -> Result<Opening, Error> {
    match plan.mode {
        ClientMode::Legacy => initialize(peer, plan, plan.version, false).await,
        ClientMode::Pinned(v) if v.is_legacy() => initialize(peer, plan, v, true).await,
        ClientMode::Pinned(version) => Ok(Opening::Stateless {
            version,
            discovered: None,
        }),
        ClientMode::Auto => match probe(peer, plan).await? {
            Probe::Modern(version, d) => Ok(Opening::Stateless {
                version,
                discovered: Some(*d),
            }),
            Probe::Legacy(v) => initialize(peer, plan, v, false).await,
        },
    }
}

/// Whether `code` is one of the errors only a 2026-07-28 server sends.
fn is_modern_error(code: ErrorCode) -> bool {
    [
        ErrorCode::HEADER_MISMATCH,
        ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
        ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
    ]
    .contains(&code)
}

/// Whether a failed probe says nothing of the server's era, only that
/// nothing can reach it: it could not be reached, or it demanded
/// authorization that could not be had (`-32015`, or HTTP 401/403 without
/// a JSON-RPC body). `initialize` would fail the same way, so the probe's
/// error is returned instead of costing a second attempt.
fn is_unreachable(e: &mcpwire_types::ErrorObject) -> bool {
    let status = || {
        e.data
            .as_ref()
            .and_then(|d| d.get("httpStatus"))
            .and_then(Value::as_u64)
    };
    e.code == ErrorCode::UNREACHABLE
        || e.code == ErrorCode::AUTH_FAILED
        || (e.code == ErrorCode::HTTP_STATUS && matches!(status(), Some(401 | 403)))
}

/// The revisions of `supported` this client speaks, best first: the modern
/// ones newest first, then `preferred`, then the other legacy ones newest
/// first.
fn choose(supported: &[String], preferred: ProtocolVersion) -> Option<ProtocolVersion> {
    let known: Vec<ProtocolVersion> = supported.iter().filter_map(|s| s.parse().ok()).collect();
    let newest = |legacy: bool| {
        known
            .iter()
            .copied()
            .filter(|v| v.is_legacy() == legacy)
            .max()
    };
    newest(false)
        .or_else(|| known.contains(&preferred).then_some(preferred))
        .or_else(|| newest(true))
}

/// Sends `server/discover` with the newest modern `_meta` and tells a modern
/// server from a legacy one (stdio backward compatibility, 2026-07-28).
async fn probe(peer: &Peer, plan: &Plan<'_>) -> Result<Probe, Error> {
    let asked = ProtocolVersion::LATEST;
    let m = request_meta(asked, plan.caps, plan.info, plan.log_level);
    let opts = RequestOptions::new()
        .timeout(plan.probe_timeout)
        .revision(asked);
    let params = json!({ "_meta": m });
    let mut answer = peer
        .request_with(methods::SERVER_DISCOVER, Some(params.clone()), opts.clone())
        .await;
    if let Err(Error::Rpc(e)) = &answer
        && super::stateless::offers(e, asked)
    {
        // The server lists the revision it just rejected: negotiation says
        // to retry with a mutually supported one, which is the same.
        tracing::debug!(version = %asked, "server/discover was rejected for a revision the server lists; retrying once");
        answer = peer
            .request_with(methods::SERVER_DISCOVER, Some(params), opts)
            .await;
    }
    let fallback = plan.fallback();
    match answer {
        Ok(v) => match DiscoverResult::deserialize(&v) {
            Ok(d) => match choose(&d.supported_versions, fallback) {
                Some(v) if !v.is_legacy() => Ok(Probe::Modern(v, Box::new(d))),
                Some(v) => {
                    tracing::debug!(version = %v, "the server discovers, but lists no stateless revision this client speaks; opening a session");
                    Ok(Probe::Legacy(v))
                }
                None => Err(no_common_version(&d.supported_versions)),
            },
            Err(e) => {
                tracing::debug!(error = %e, "malformed server/discover result; taking the server for a legacy one");
                Ok(Probe::Legacy(fallback))
            }
        },
        Err(Error::Rpc(e)) if e.code == ErrorCode::UNSUPPORTED_PROTOCOL_VERSION => {
            let supported = match e.data_as::<UnsupportedProtocolVersionData>() {
                Some(Ok(d)) => d.supported,
                _ => Vec::new(),
            };
            // The probe already asked for the only stateless revision this
            // client speaks, so only a legacy one can still work.
            match choose(&supported, fallback).filter(|v| v.is_legacy()) {
                Some(v) => Ok(Probe::Legacy(v)),
                None => Err(no_common_version(&supported)),
            }
        }
        Err(Error::Rpc(e)) if is_modern_error(e.code) || is_unreachable(&e) => Err(Error::Rpc(e)),
        Err(Error::Rpc(e)) => {
            tracing::debug!(code = e.code.0, message = %e.message, "server/discover failed; taking the server for a legacy one");
            Ok(Probe::Legacy(fallback))
        }
        Err(Error::Timeout { after, .. }) => {
            tracing::debug!(
                ?after,
                "server/discover got no answer; taking the server for a legacy one"
            );
            Ok(Probe::Legacy(fallback))
        }
        Err(e) => Err(e),
    }
}

fn no_common_version(supported: &[String]) -> Error {
    let ours: Vec<&str> = ProtocolVersion::ALL.iter().map(|v| v.as_str()).collect();
    Error::Protocol(format!(
        "the server supports protocol versions {supported:?} and this client {ours:?}: \
         there is no version both speak"
    ))
}

/// The `initialize` handshake asking for `version`; `strict` refuses any
/// other revision the server picks.
async fn initialize(
    peer: &Peer,
    plan: &Plan<'_>,
    version: ProtocolVersion,
    strict: bool,
) -> Result<Opening, Error> {
    let params =
        InitializeRequestParams::new(version.as_str(), plan.caps.clone(), plan.info.clone());
    let v = peer
        .request(methods::INITIALIZE, Some(serde_json::to_value(&params)?))
        .await?;
    let init: InitializeResult = serde_json::from_value(v)
        .map_err(|e| Error::Protocol(format!("malformed initialize result: {e}")))?;
    let chosen = match init.protocol_version.parse::<ProtocolVersion>() {
        Ok(v) if v.is_legacy() => v,
        _ => {
            return Err(Error::Protocol(format!(
                "the server chose protocol version {:?}, which this client does not speak",
                init.protocol_version
            )));
        }
    };
    if strict && chosen != version {
        return Err(Error::Protocol(format!(
            "the client is pinned to protocol version {version}, but the server chose {chosen}"
        )));
    }
    // Accepted: everything sent from now on travels under the agreed
    // revision, which the transport learns from the connection (HTTP sends
    // it as MCP-Protocol-Version).
    peer.set_negotiated(chosen);
    peer.notify(methods::NOTIFICATIONS_INITIALIZED, None)?;
    if let Some(level) = plan.log_level
        && init.capabilities.logging.is_some()
    {
        peer.request(methods::LOGGING_SET_LEVEL, Some(json!({ "level": level })))
            .await?;
    }
    Ok(Opening::Session {
        init,
        version: chosen,
    })
}

/// What the client knows about the server, under either era.
#[derive(Debug)]
pub(super) struct ServerView {
    init: Option<InitializeResult>,
    discovered: OnceLock<DiscoverResult>,
    /// The server's identity, in the stateless era.
    info: OnceLock<Implementation>,
    /// What [`ServerView::info`] shows before the server says who it is.
    unknown: Implementation,
    /// What [`ServerView::capabilities`] shows before discovery.
    no_caps: ServerCapabilities,
}

impl ServerView {
    fn empty() -> Self {
        ServerView {
            init: None,
            discovered: OnceLock::new(),
            info: OnceLock::new(),
            unknown: Implementation::new("", ""),
            no_caps: ServerCapabilities::default(),
        }
    }

    pub(super) fn session(init: InitializeResult) -> Self {
        ServerView {
            init: Some(init),
            ..Self::empty()
        }
    }

    pub(super) fn stateless(discovered: Option<DiscoverResult>) -> Self {
        let view = Self::empty();
        if let Some(d) = discovered {
            view.learn_discovery(d);
        }
        view
    }

    /// Keeps the first discover result, and the server info it carries.
    pub(super) fn learn_discovery(&self, d: DiscoverResult) {
        if let Some(info) = d.meta.as_ref().and_then(MetaExt::server_info) {
            let _ = self.info.set(info);
        }
        let _ = self.discovered.set(d);
    }

    /// Learns the server's identity from a stateless result's `_meta`, if
    /// it is not known yet.
    pub(super) fn learn_info(&self, result: &Value) {
        if self.info.get().is_some() {
            return;
        }
        let info = result
            .get("_meta")
            .and_then(|m| m.get(meta::SERVER_INFO))
            .and_then(|i| Implementation::deserialize(i).ok());
        if let Some(info) = info {
            let _ = self.info.set(info);
        }
    }

    pub(super) fn initialize_result(&self) -> Option<&InitializeResult> {
        self.init.as_ref()
    }

    pub(super) fn discover_result(&self) -> Option<&DiscoverResult> {
        self.discovered.get()
    }

    pub(super) fn info(&self) -> &Implementation {
        match &self.init {
            Some(init) => &init.server_info,
            None => self.info.get().unwrap_or(&self.unknown),
        }
    }

    pub(super) fn capabilities(&self) -> &ServerCapabilities {
        match (&self.init, self.discovered.get()) {
            (Some(init), _) => &init.capabilities,
            (None, Some(d)) => &d.capabilities,
            (None, None) => &self.no_caps,
        }
    }

    pub(super) fn instructions(&self) -> Option<&str> {
        match (&self.init, self.discovered.get()) {
            (Some(init), _) => init.instructions.as_deref(),
            (None, Some(d)) => d.instructions.as_deref(),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn choose_prefers_modern_then_the_asked_legacy_revision() {
        let v = ProtocolVersion::V2025_06_18;
        assert_eq!(
            choose(&list(&["2025-06-18", "2026-07-28"]), v),
            Some(ProtocolVersion::V2026_07_28)
        );
        assert_eq!(
            choose(&list(&["2025-11-25", "2025-06-18"]), v),
            Some(ProtocolVersion::V2025_06_18)
        );
        assert_eq!(
            choose(&list(&["2024-11-05", "2025-11-25", "1900-01-01"]), v),
            Some(ProtocolVersion::V2025_11_25)
        );
        assert_eq!(choose(&list(&["2099-01-01"]), v), None);
    }

    #[test]
    fn unreachable_servers_and_refused_authorization_end_the_probe() {
        use mcpwire_types::ErrorObject;
        let http = |status: u16| {
            ErrorObject::new(ErrorCode::HTTP_STATUS, "x")
                .with_data(serde_json::json!({"httpStatus": status}))
        };
        assert!(is_unreachable(&ErrorObject::new(
            ErrorCode::UNREACHABLE,
            "x"
        )));
        assert!(is_unreachable(&ErrorObject::new(
            ErrorCode::AUTH_FAILED,
            "x"
        )));
        assert!(is_unreachable(&http(401)));
        assert!(is_unreachable(&http(403)));
        // What a server that only speaks sessions may answer a sessionless
        // probe with: the client falls back to initialize.
        assert!(!is_unreachable(&http(400)));
        assert!(!is_unreachable(&http(404)));
        assert!(!is_unreachable(&ErrorObject::new(
            ErrorCode::METHOD_NOT_FOUND,
            "x"
        )));
    }

    #[test]
    fn only_spec_errors_count_as_modern() {
        assert!(is_modern_error(ErrorCode::UNSUPPORTED_PROTOCOL_VERSION));
        assert!(is_modern_error(
            ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
        ));
        assert!(!is_modern_error(ErrorCode::METHOD_NOT_FOUND));
        assert!(!is_modern_error(ErrorCode::INVALID_PARAMS));
    }
}
