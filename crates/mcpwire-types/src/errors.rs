//! Structured `data` of MCP's JSON-RPC errors, and constructors of those errors.
//!
//! ```
//! use mcpwire_types::{ErrorCode, ErrorObject, UnsupportedProtocolVersionData};
//! let e = ErrorObject::unsupported_protocol_version("1900-01-01", ["2026-07-28", "2025-11-25"]);
//! assert_eq!(e.code, ErrorCode::UNSUPPORTED_PROTOCOL_VERSION);
//! let data: UnsupportedProtocolVersionData = e.data_as().unwrap().unwrap();
//! assert_eq!(data.supported, ["2026-07-28", "2025-11-25"]);
//! ```

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::capabilities::ClientCapabilities;
use crate::elicitation::ElicitRequestURLParams;
use crate::jsonrpc::{ErrorCode, ErrorObject};

/// The `data` of an unsupported protocol version error (`-32022`, 2026-07-28).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsupportedProtocolVersionData {
    /// The revisions the server supports; the client should retry with one.
    pub supported: Vec<String>,
    /// The revision the client asked for.
    pub requested: String,
}

/// The `data` of a missing client capability error (`-32021`, 2026-07-28).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingRequiredClientCapabilityData {
    /// The capabilities the request needs.
    pub required_capabilities: ClientCapabilities,
}

/// The `data` of a URL elicitation required error (`-32042`, 2025-11-25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UrlElicitationRequiredData {
    /// The URL elicitations the user must complete first.
    pub elicitations: Vec<ElicitRequestURLParams>,
}

fn data_of<T: Serialize>(data: &T) -> Value {
    // Plain data with string keys: serializing it cannot fail.
    serde_json::to_value(data).unwrap_or(Value::Null)
}

impl ErrorObject {
    /// Reads `data` as `T`: `None` when there is no data, `Some(Err)` when
    /// it has another shape.
    pub fn data_as<T: DeserializeOwned>(&self) -> Option<Result<T, serde_json::Error>> {
        self.data.as_ref().map(T::deserialize)
    }

    /// `-32022`: the requested protocol version is not supported (2026-07-28).
    pub fn unsupported_protocol_version<I, S>(requested: impl Into<String>, supported: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let data = UnsupportedProtocolVersionData {
            supported: supported.into_iter().map(Into::into).collect(),
            requested: requested.into(),
        };
        ErrorObject::new(
            ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
            "Unsupported protocol version",
        )
        .with_data(data_of(&data))
    }

    /// `-32021`: the request needs client capabilities that were not declared (2026-07-28).
    pub fn missing_required_client_capability(
        message: impl Into<String>,
        required_capabilities: ClientCapabilities,
    ) -> Self {
        let data = MissingRequiredClientCapabilityData {
            required_capabilities,
        };
        ErrorObject::new(ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY, message)
            .with_data(data_of(&data))
    }

    /// `-32020`: an HTTP header disagrees with the body, or is missing (2026-07-28).
    pub fn header_mismatch(message: impl Into<String>) -> Self {
        ErrorObject::new(ErrorCode::HEADER_MISMATCH, message)
    }

    /// `-32042`: URL elicitations must complete before the request (2025-11-25).
    pub fn url_elicitation_required(
        message: impl Into<String>,
        elicitations: Vec<ElicitRequestURLParams>,
    ) -> Self {
        let data = UrlElicitationRequiredData { elicitations };
        ErrorObject::new(ErrorCode::URL_ELICITATION_REQUIRED, message).with_data(data_of(&data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_data_reads_back() {
        let e = ErrorObject::missing_required_client_capability(
            "needs elicitation",
            serde_json::from_value(json!({"elicitation": {}})).unwrap(),
        );
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"code": -32021, "message": "needs elicitation",
                   "data": {"requiredCapabilities": {"elicitation": {}}}})
        );
        let d: MissingRequiredClientCapabilityData = e.data_as().unwrap().unwrap();
        assert!(d.required_capabilities.supports_form_elicitation());
        assert!(
            e.data_as::<UnsupportedProtocolVersionData>()
                .unwrap()
                .is_err()
        );
        assert!(
            ErrorObject::header_mismatch("x")
                .data_as::<Value>()
                .is_none()
        );
        let u = ErrorObject::url_elicitation_required(
            "auth",
            vec![ElicitRequestURLParams::new("log in", "https://x")],
        );
        assert_eq!(u.data.unwrap()["elicitations"][0]["mode"], "url");
    }
}
