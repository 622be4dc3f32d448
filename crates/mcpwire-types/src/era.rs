//! Which kind of exchange a request belongs to: a session opened with
//! `initialize`, or a self-describing stateless request; and the one rule
//! that tells them apart.
//!
//! ```
//! use mcpwire_types::{Era, EraError};
//! use serde_json::json;
//! // A request without a protocol version in `_meta` belongs to a session.
//! assert_eq!(Era::of_params(Some(&json!({"name": "echo"}))), Ok(Era::Session));
//! // One that names 2026-07-28 must also declare its capabilities.
//! let p = json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}});
//! let err = Era::of_params(Some(&p)).unwrap_err();
//! assert_eq!(err, EraError::MissingCapabilities);
//! assert_eq!(err.to_error_object().code.0, -32602);
//! ```

use serde::Deserialize;
use serde_json::Value;

use crate::{ClientCapabilities, ErrorObject, ProtocolVersion, fields, meta};

/// Which kind of exchange a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// A session opened with `initialize` (2025-11-25 and earlier): the server
    /// may send requests to the client mid-call.
    Session,
    /// A self-describing request (2026-07-28): input travels as multi
    /// round-trip requests.
    Stateless,
}

/// Why a request that names a protocol version in its `_meta` is not a
/// valid self-describing request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EraError {
    /// `_meta` names a revision that has no stateless requests, or one
    /// unknown here.
    #[error("Unsupported protocol version: {0}")]
    UnsupportedVersion(String),
    /// `_meta` does not declare the client's capabilities.
    #[error(
        "Invalid params: _meta[\"{}\"] is required on every request",
        meta::CLIENT_CAPABILITIES
    )]
    MissingCapabilities,
    /// `_meta`'s client capabilities are not a `ClientCapabilities` object.
    #[error(
        "Invalid params: _meta[\"{}\"] is not a ClientCapabilities object",
        meta::CLIENT_CAPABILITIES
    )]
    InvalidCapabilities,
}

impl EraError {
    /// The JSON-RPC error to answer with: `-32022` (listing the revisions
    /// spoken here) for an unsupported revision, `-32602` otherwise.
    pub fn to_error_object(&self) -> ErrorObject {
        match self {
            EraError::UnsupportedVersion(v) => ErrorObject::unsupported_protocol_version(
                v,
                ProtocolVersion::ALL.iter().rev().map(|v| v.as_str()),
            ),
            other => ErrorObject::new(crate::ErrorCode::INVALID_PARAMS, other.to_string()),
        }
    }
}

impl Era {
    /// The era of a request, from its params: stateless when its `_meta`
    /// names a protocol version. Such a request must name a revision
    /// without sessions and declare its client capabilities. This is the
    /// one rule both the server and the HTTP transport apply.
    ///
    /// ```
    /// use mcpwire_types::{Era, EraError};
    /// use serde_json::json;
    /// assert_eq!(Era::of_params(None), Ok(Era::Session));
    /// let modern = json!({"_meta": {
    ///     "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    ///     "io.modelcontextprotocol/clientCapabilities": {}
    /// }});
    /// assert_eq!(Era::of_params(Some(&modern)), Ok(Era::Stateless));
    /// let old = json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2025-11-25"}});
    /// assert_eq!(
    ///     Era::of_params(Some(&old)),
    ///     Err(EraError::UnsupportedVersion("2025-11-25".into()))
    /// );
    /// ```
    pub fn of_params(params: Option<&Value>) -> Result<Era, EraError> {
        let meta = params.and_then(|p| fields::get(p, "_meta"));
        let Some(version) = Self::version_in(meta) else {
            return Ok(Era::Session);
        };
        let requested = version.as_str().unwrap_or_default();
        if !requested
            .parse::<ProtocolVersion>()
            .is_ok_and(|v| !v.is_legacy())
        {
            return Err(EraError::UnsupportedVersion(requested.to_owned()));
        }
        match meta.and_then(|m| fields::get(m, meta::CLIENT_CAPABILITIES)) {
            Some(caps) if caps.is_object() && ClientCapabilities::deserialize(caps).is_ok() => {
                Ok(Era::Stateless)
            }
            Some(_) => Err(EraError::InvalidCapabilities),
            None => Err(EraError::MissingCapabilities),
        }
    }
}

impl Era {
    /// Whether a request claims the stateless era: its `_meta` names a
    /// protocol version. The first step of [`Era::of_params`], for a
    /// transport that routes the request and leaves checking the claim to
    /// the server.
    ///
    /// ```
    /// use mcpwire_types::Era;
    /// use serde_json::json;
    /// let p = json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "1999-01-01"}});
    /// assert!(Era::claims_stateless(Some(&p)));
    /// assert!(!Era::claims_stateless(Some(&json!({"name": "x"}))));
    /// ```
    pub fn claims_stateless(params: Option<&Value>) -> bool {
        Self::named_version(params).is_some()
    }

    /// `params._meta["io.modelcontextprotocol/protocolVersion"]`, as sent.
    pub(crate) fn named_version(params: Option<&Value>) -> Option<&Value> {
        Self::version_in(params.and_then(|p| fields::get(p, "_meta")))
    }

    fn version_in(meta: Option<&Value>) -> Option<&Value> {
        meta.and_then(|m| fields::get(m, meta::PROTOCOL_VERSION))
    }
}
