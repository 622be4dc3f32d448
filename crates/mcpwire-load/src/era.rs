//! The two protocol eras a driver can speak: 2025-11-25 sessions opened
//! with `initialize`, or stateless 2026-07-28 requests that carry their
//! own `_meta`.

/// The revision a session-era driver asks for in `initialize`.
pub const PROTOCOL_VERSION: &str = "2025-11-25";
/// The revision of stateless requests.
pub const MODERN_VERSION: &str = "2026-07-28";

/// The `_meta` member (without braces around it) that every 2026-07-28 request of a client
/// called `name` at `version` carries: the protocol version, the client's info and its (empty)
/// capabilities.
///
/// ```
/// let m = mcpwire_load::era::modern_meta("me", "1");
/// let v: serde_json::Value = serde_json::from_str(&format!("{{{m}}}")).unwrap();
/// assert_eq!(v["_meta"]["io.modelcontextprotocol/clientInfo"]["name"], "me");
/// ```
pub fn modern_meta(name: &str, version: &str) -> String {
    let client = serde_json::json!({"name": name, "version": version});
    format!(
        r#""_meta":{{"io.modelcontextprotocol/protocolVersion":"{MODERN_VERSION}","io.modelcontextprotocol/clientInfo":{client},"io.modelcontextprotocol/clientCapabilities":{{}}}}"#
    )
}

/// Reads an `--era` value: `false` for [`PROTOCOL_VERSION`] (sessions), `true` for
/// [`MODERN_VERSION`] (stateless).
pub fn parse_era(value: &str) -> Result<bool, String> {
    match value {
        PROTOCOL_VERSION => Ok(false),
        MODERN_VERSION => Ok(true),
        other => Err(format!(
            "--era must be {PROTOCOL_VERSION} or {MODERN_VERSION}, not {other:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meta_of_the_drivers_is_byte_for_byte_what_they_always_sent() {
        assert_eq!(
            format!(",{}", modern_meta("stdio-load", "0")),
            r#","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"stdio-load","version":"0"},"io.modelcontextprotocol/clientCapabilities":{}}"#
        );
        assert_eq!(modern_meta("http-load", "0"), crate::http::MODERN_META);
    }

    #[test]
    fn only_the_two_eras_are_read() {
        assert_eq!(parse_era("2025-11-25"), Ok(false));
        assert_eq!(parse_era("2026-07-28"), Ok(true));
        let e = parse_era("2024-11-05").unwrap_err();
        assert!(e.contains("2024-11-05") && e.contains("2026-07-28"), "{e}");
    }
}
