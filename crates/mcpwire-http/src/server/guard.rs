//! Checks on incoming HTTP requests: DNS-rebinding protection (Host and
//! Origin), content negotiation, and the protocol version header.

use http::header::{ACCEPT, CONTENT_TYPE, HOST, ORIGIN};
use http::{HeaderMap, HeaderName};
use mcpwire_types::ProtocolVersion;

/// The `Last-Event-ID` header.
pub use crate::headers::LAST_EVENT_ID as LAST_EVENT_ID_HEADER;
/// The `MCP-Protocol-Version` header.
pub use crate::headers::PROTOCOL_VERSION as PROTOCOL_VERSION_HEADER;
/// The `Mcp-Session-Id` header.
pub use crate::headers::SESSION_ID as SESSION_ID_HEADER;

/// The same names, ready for header map lookups (a `&str` key is parsed
/// again on every lookup).
pub(crate) const PROTOCOL_VERSION: HeaderName = crate::headers::PROTOCOL_VERSION_NAME;
pub(crate) const SESSION_ID: HeaderName = crate::headers::SESSION_ID_NAME;
pub(crate) const LAST_EVENT_ID: HeaderName = crate::headers::LAST_EVENT_ID_NAME;

/// Which hosts and origins may reach the server.
#[derive(Debug, Clone, Default)]
pub struct HostPolicy {
    /// Allowed `Host` names (without port); `None` allows any.
    pub hosts: Option<Vec<String>>,
    /// `Origin` values allowed besides the server's own (`scheme://host[:port]`,
    /// a bare host name allowed on any scheme and port, or `*` for any
    /// origin). A request whose `Origin` is neither the server's own (the
    /// authority its `Host` names) nor listed here gets 403, whatever the
    /// address the server is bound to; `None` lists none. Requests without
    /// an `Origin` (from programs, not browsers) are not affected.
    pub origins: Option<Vec<String>>,
}

impl HostPolicy {
    /// The policy for a server bound to a loopback address: only loopback
    /// names, as Host and as Origin, so a web page cannot reach the server
    /// through DNS rebinding.
    pub fn loopback() -> Self {
        let names = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "[::1]".to_owned(),
        ];
        HostPolicy {
            hosts: Some(names.clone()),
            origins: Some(names),
        }
    }

    /// Also allows browser pages from `origin` (`scheme://host[:port]`, a
    /// bare host name, or `*` for any).
    ///
    /// ```
    /// use mcpwire_http::server::HostPolicy;
    /// let policy = HostPolicy::default().allow_origin("https://app.example.com");
    /// assert_eq!(policy.origins.unwrap(), ["https://app.example.com"]);
    /// ```
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.origins
            .get_or_insert_with(Vec::new)
            .push(origin.into());
        self
    }
}

/// The port a scheme implies when its URL names none.
fn default_port(scheme: &str) -> Option<&'static str> {
    if scheme.eq_ignore_ascii_case("http") {
        Some("80")
    } else if scheme.eq_ignore_ascii_case("https") {
        Some("443")
    } else {
        None
    }
}

/// Whether `origin` (`scheme://authority`) is the server's own: the
/// authority the request's `Host` names, default ports aside.
fn same_origin(origin: &str, host: &str) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    let strip = |a: &'_ str| -> String {
        let a = a.trim_end_matches('/');
        let name = host_part(a);
        let port = a[name.len()..].strip_prefix(':');
        match port {
            Some(p) if Some(p) != default_port(scheme) => format!("{name}:{p}"),
            _ => name.to_owned(),
        }
    };
    !host.is_empty() && strip(authority).eq_ignore_ascii_case(&strip(host))
}

/// Splits `host[:port]` (with IPv6 in brackets) and returns the host.
fn host_part(authority: &str) -> &str {
    if authority.starts_with('[') {
        // `[v6]` or `[v6]:port`; anything else after the bracket leaves the
        // whole authority, which names no allowed host.
        return match authority.find(']') {
            Some(i) => {
                let rest = &authority[i + 1..];
                let port_only = rest.is_empty()
                    || rest
                        .strip_prefix(':')
                        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
                if port_only {
                    &authority[..=i]
                } else {
                    authority
                }
            }
            None => authority,
        };
    }
    authority.rsplit_once(':').map_or(authority, |(h, p)| {
        if p.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            authority
        }
    })
}

/// Why a request was refused, with the HTTP status it earns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: http::StatusCode,
    pub message: String,
}

fn refuse(status: http::StatusCode, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        message: message.into(),
    }
}

pub(crate) fn check_host_and_origin(
    policy: &HostPolicy,
    headers: &HeaderMap,
) -> Result<(), Refusal> {
    if let Some(hosts) = &policy.hosts {
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let name = host_part(host);
        if !hosts.iter().any(|h| h.eq_ignore_ascii_case(name)) {
            return Err(refuse(
                http::StatusCode::FORBIDDEN,
                format!("Forbidden: Host {host:?} is not allowed"),
            ));
        }
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let authority = origin.split_once("://").map_or("", |(_, rest)| rest);
        let name = host_part(authority.trim_end_matches('/'));
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let listed = policy.origins.iter().flatten().any(|o| {
            o == "*"
                || o.eq_ignore_ascii_case(origin)
                || (!o.contains("://") && !name.is_empty() && o.eq_ignore_ascii_case(name))
        });
        if !listed && !same_origin(origin, host) {
            return Err(refuse(
                http::StatusCode::FORBIDDEN,
                format!("Forbidden: Origin {origin:?} is not allowed"),
            ));
        }
    }
    Ok(())
}

/// Whether the `Accept` media range `range` (parameters already cut off)
/// covers `mime`.
fn covers(range: &str, mime: &str) -> bool {
    range.eq_ignore_ascii_case(mime)
        || range == "*/*"
        || range.strip_suffix('*').is_some_and(|prefix| {
            prefix.ends_with('/')
                && mime
                    .get(..prefix.len())
                    .is_some_and(|m| m.eq_ignore_ascii_case(prefix))
        })
}

/// Which of `mimes` the `Accept` headers cover, in one pass over them.
fn accepts<const N: usize>(headers: &HeaderMap, mimes: [&str; N]) -> [bool; N] {
    let mut found = [false; N];
    for v in headers.get_all(ACCEPT) {
        if v.as_bytes() == b"application/json, text/event-stream" {
            // What MCP clients send: both, with nothing else to read.
            for (mime, seen) in mimes.iter().zip(found.iter_mut()) {
                *seen = *seen || matches!(*mime, "application/json" | "text/event-stream");
            }
            continue;
        }
        for part in v.to_str().unwrap_or("").split(',') {
            let range = part.split(';').next().unwrap_or("").trim();
            for (mime, seen) in mimes.iter().zip(found.iter_mut()) {
                *seen = *seen || covers(range, mime);
            }
        }
    }
    found
}

/// A POST must accept both JSON and SSE answers and send JSON.
pub(crate) fn check_post_headers(headers: &HeaderMap) -> Result<(), Refusal> {
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/json") {
        return Err(refuse(
            http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Media Type: Content-Type must be application/json",
        ));
    }
    if accepts(headers, ["application/json", "text/event-stream"]) != [true, true] {
        return Err(refuse(
            http::StatusCode::NOT_ACCEPTABLE,
            "Not Acceptable: Accept must list both application/json and text/event-stream",
        ));
    }
    Ok(())
}

/// A GET must accept SSE.
pub(crate) fn check_get_headers(headers: &HeaderMap) -> Result<(), Refusal> {
    if accepts(headers, ["text/event-stream"]) != [true] {
        return Err(refuse(
            http::StatusCode::NOT_ACCEPTABLE,
            "Not Acceptable: Accept must list text/event-stream",
        ));
    }
    Ok(())
}

/// The revision named by `MCP-Protocol-Version`: absent means 2025-03-26;
/// an unknown value is refused.
pub(crate) fn protocol_version(headers: &HeaderMap) -> Result<ProtocolVersion, Refusal> {
    match headers.get(PROTOCOL_VERSION) {
        None => Ok(ProtocolVersion::V2025_03_26),
        Some(v) => {
            let text = v.to_str().unwrap_or("");
            text.parse().map_err(|_| {
                refuse(
                    http::StatusCode::BAD_REQUEST,
                    format!(
                        "Bad Request: unsupported MCP-Protocol-Version {text:?} (supported: {})",
                        ProtocolVersion::ALL.map(|v| v.as_str()).join(", ")
                    ),
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn loopback_policy_refuses_foreign_hosts_and_origins() {
        let p = HostPolicy::loopback();
        assert!(check_host_and_origin(&p, &headers(&[("host", "127.0.0.1:8080")])).is_ok());
        assert!(check_host_and_origin(&p, &headers(&[("host", "localhost")])).is_ok());
        assert!(check_host_and_origin(&p, &headers(&[("host", "[::1]:3000")])).is_ok());
        assert!(check_host_and_origin(&p, &headers(&[("host", "evil.example:8080")])).is_err());
        // A bracketed loopback name followed by anything but a port.
        for host in ["[::1]:30 0", "[::1].evil.example", "[::1]x", "[::1]:"] {
            assert!(
                check_host_and_origin(&p, &headers(&[("host", host)])).is_err(),
                "{host}"
            );
        }
        assert!(
            check_host_and_origin(
                &p,
                &headers(&[("host", "localhost:1"), ("origin", "http://localhost:5173")])
            )
            .is_ok()
        );
        let e = check_host_and_origin(
            &p,
            &headers(&[("host", "localhost:1"), ("origin", "https://evil.example")]),
        )
        .unwrap_err();
        assert_eq!(e.status, http::StatusCode::FORBIDDEN);
    }

    #[test]
    fn a_foreign_origin_is_refused_whatever_the_bind_address() {
        // What a server bound to 0.0.0.0 uses: any Host, no listed origins.
        let p = HostPolicy::default();
        let refused = |origin: &'static str| {
            check_host_and_origin(
                &p,
                &headers(&[("host", "mcp.example.com"), ("origin", origin)]),
            )
            .unwrap_err()
            .status
        };
        assert_eq!(refused("https://evil.example"), http::StatusCode::FORBIDDEN);
        assert_eq!(refused("null"), http::StatusCode::FORBIDDEN);
        assert_eq!(
            refused("https://mcp.example.com:8443"),
            http::StatusCode::FORBIDDEN
        );
        assert_eq!(
            refused("https://mcp.example.com.evil.example"),
            http::StatusCode::FORBIDDEN
        );
        // Its own origin, with or without the scheme's default port.
        for (host, origin) in [
            ("mcp.example.com", "https://mcp.example.com"),
            ("mcp.example.com:443", "https://MCP.example.com"),
            ("mcp.example.com:8080", "http://mcp.example.com:8080"),
            ("[::1]:9", "http://[::1]:9"),
        ] {
            assert!(
                check_host_and_origin(&p, &headers(&[("host", host), ("origin", origin)])).is_ok(),
                "{host} {origin}"
            );
        }
        // No Origin: a program, not a page.
        assert!(check_host_and_origin(&p, &headers(&[("host", "mcp.example.com")])).is_ok());
        // Listed origins, and `*`.
        let listed = HostPolicy::default().allow_origin("https://app.example.com");
        let h = headers(&[
            ("host", "mcp.example.com"),
            ("origin", "https://app.example.com"),
        ]);
        assert!(check_host_and_origin(&listed, &h).is_ok());
        let any = HostPolicy::default().allow_origin("*");
        let h = headers(&[
            ("host", "mcp.example.com"),
            ("origin", "https://evil.example"),
        ]);
        assert!(check_host_and_origin(&any, &h).is_ok());
    }

    #[test]
    fn content_negotiation() {
        let ok = headers(&[
            ("content-type", "application/json; charset=utf-8"),
            ("accept", "application/json, text/event-stream"),
        ]);
        assert!(check_post_headers(&ok).is_ok());
        let e = check_post_headers(&headers(&[
            ("content-type", "text/plain"),
            ("accept", "*/*"),
        ]))
        .unwrap_err();
        assert_eq!(e.status, http::StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let e = check_post_headers(&headers(&[
            ("content-type", "application/json"),
            ("accept", "application/json"),
        ]))
        .unwrap_err();
        assert_eq!(e.status, http::StatusCode::NOT_ACCEPTABLE);
        assert!(check_get_headers(&headers(&[("accept", "text/event-stream")])).is_ok());
        assert!(check_get_headers(&headers(&[("accept", "application/json")])).is_err());
    }

    #[test]
    fn protocol_version_header() {
        assert_eq!(
            protocol_version(&HeaderMap::new()).unwrap(),
            ProtocolVersion::V2025_03_26
        );
        assert_eq!(
            protocol_version(&headers(&[("mcp-protocol-version", "2025-11-25")])).unwrap(),
            ProtocolVersion::V2025_11_25
        );
        assert_eq!(
            protocol_version(&headers(&[("mcp-protocol-version", "1999-01-01")]))
                .unwrap_err()
                .status,
            http::StatusCode::BAD_REQUEST
        );
    }
}
