//! The HTTP server's request guard: Host and Origin (DNS-rebinding
//! protection), POST and GET content negotiation, and
//! `MCP-Protocol-Version`.
//!
//! Input: lines; the first byte of the first line picks the policy, the
//! first byte of every other line picks a header (Host, Origin,
//! Content-Type, Accept, MCP-Protocol-Version) and the rest is its value,
//! as raw bytes. Checks: nothing panics, each refusal has its status, and
//! what is accepted is what the policy allows, read with an independent
//! parser: under `HostPolicy::loopback()`, an accepted Host is an authority
//! whose host is a loopback name, and an accepted Origin is a loopback
//! origin; under an allow-list, an accepted Host names a listed host.
#![no_main]

use http::header::{ACCEPT, CONTENT_TYPE, HOST, ORIGIN};
use http::uri::Authority;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use libfuzzer_sys::fuzz_target;
use mcpwire::fuzz_api;
use mcpwire::transport::http_server::HostPolicy;
use mcpwire_types::ProtocolVersion;

const LOOPBACK: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

fn header_name(selector: u8) -> HeaderName {
    match selector % 5 {
        0 => HOST,
        1 => ORIGIN,
        2 => CONTENT_TYPE,
        3 => ACCEPT,
        _ => HeaderName::from_static("mcp-protocol-version"),
    }
}

/// The host of an authority, read by `http`'s URI parser; `None` when it is
/// not a plain `host[:port]`.
fn strict_host(authority: &str) -> Option<String> {
    let a: Authority = authority.parse().ok()?;
    if a.as_str().contains('@') {
        return None;
    }
    Some(a.host().to_ascii_lowercase())
}

fn is_loopback(host: &str) -> bool {
    LOOPBACK.iter().any(|l| l.eq_ignore_ascii_case(host))
}

/// Whether an Origin value names a loopback host: a bare loopback name, or
/// `scheme://host[:port]` (trailing `/` allowed) whose host is one. The
/// scheme is not checked: browsers only send valid ones, and the guard only
/// looks at what follows `://`.
fn loopback_origin(origin: &str) -> bool {
    if is_loopback(origin) {
        return true;
    }
    let authority = origin.split_once("://").map_or("", |(_, a)| a);
    strict_host(authority.trim_end_matches('/')).is_some_and(|h| is_loopback(&h))
}

fuzz_target!(|data: &[u8]| {
    let mut lines = data.split(|&b| b == b'\n');
    let policy = match lines.next().and_then(|l| l.first()).map(|b| b % 3) {
        Some(0) | None => HostPolicy::loopback(),
        Some(1) => HostPolicy::default(),
        _ => HostPolicy {
            hosts: Some(vec!["mcp.example.com".into(), "[2001:db8::1]".into()]),
            origins: Some(vec![
                "https://app.example.com".into(),
                "tools.example".into(),
            ]),
        },
    };
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some((&selector, value)) = line.split_first() else {
            continue;
        };
        if let Ok(v) = HeaderValue::from_bytes(value) {
            headers.append(header_name(selector), v);
        }
    }

    let text = |name: HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    match fuzz_api::check_host_and_origin(&policy, &headers) {
        Err((status, _)) => assert_eq!(status, StatusCode::FORBIDDEN),
        Ok(()) => {
            let host = text(HOST).unwrap_or("");
            if let Some(hosts) = &policy.hosts {
                let name = strict_host(host);
                let listed = name
                    .as_deref()
                    .is_some_and(|n| hosts.iter().any(|h| h.eq_ignore_ascii_case(n)));
                assert!(
                    listed,
                    "Host {host:?} was accepted under {hosts:?}"
                );
            }
            if policy.hosts.as_deref() == HostPolicy::loopback().hosts.as_deref()
                && let Some(origin) = text(ORIGIN)
            {
                assert!(
                    loopback_origin(origin),
                    "Origin {origin:?} was accepted on loopback"
                );
            }
        }
    }

    match fuzz_api::check_post_headers(&headers) {
        Err((status, _)) => assert!(
            status == StatusCode::UNSUPPORTED_MEDIA_TYPE || status == StatusCode::NOT_ACCEPTABLE,
            "{status}"
        ),
        Ok(()) => {
            let ct = text(CONTENT_TYPE).unwrap_or("");
            let mime = ct.split(';').next().unwrap_or("").trim();
            assert!(mime.eq_ignore_ascii_case("application/json"), "{ct:?}");
            assert!(headers.contains_key(ACCEPT), "no Accept, yet accepted");
        }
    }

    match fuzz_api::check_get_headers(&headers) {
        Err((status, _)) => assert_eq!(status, StatusCode::NOT_ACCEPTABLE),
        Ok(()) => assert!(headers.contains_key(ACCEPT), "no Accept, yet accepted"),
    }

    let named = text(HeaderName::from_static("mcp-protocol-version"));
    match fuzz_api::protocol_version(&headers) {
        Err((status, _)) => assert_eq!(status, StatusCode::BAD_REQUEST),
        Ok(v) => match named {
            None => assert_eq!(v, ProtocolVersion::V2025_03_26),
            Some(name) => assert_eq!(name, v.as_str()),
        },
    }
});
