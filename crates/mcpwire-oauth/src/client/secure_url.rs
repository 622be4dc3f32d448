//! Which authorization server URLs the client uses and hands to a
//! browser: `https`, or `http` on a loopback host (127.0.0.0/8, `[::1]`,
//! `localhost`) for servers on the same machine. Plain `http` elsewhere
//! would expose codes and tokens to the network path, and other schemes
//! (`file:`, `javascript:`, `data:`, custom ones) would make the browser
//! or the desktop run whatever the server chose.

use std::net::IpAddr;

use reqwest::Url;

use super::AuthError;

/// Whether `url` names a loopback host: an address of 127.0.0.0/8, `::1`,
/// or `localhost`.
///
/// ```
/// use mcpwire_oauth::client::{Url, is_loopback};
/// assert!(is_loopback(&Url::parse("http://127.0.0.1:8080/").unwrap()));
/// assert!(is_loopback(&Url::parse("http://localhost/").unwrap()));
/// assert!(!is_loopback(&Url::parse("http://example.com/").unwrap()));
/// ```
pub fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    // The URL parser has normalised IPv4 forms; IPv6 comes bracketed.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Parses `url`, the authorization server's `what` (e.g. `authorization
/// endpoint`), and accepts it only when it is `https`, or `http` on a
/// loopback host; anything else is [`AuthError::InsecureUrl`].
///
/// ```
/// use mcpwire_oauth::client::{AuthError, check_server_url};
/// assert!(check_server_url("authorization endpoint", "https://as.example/authorize").is_ok());
/// assert!(check_server_url("token endpoint", "http://127.0.0.1:9000/token").is_ok());
/// assert!(matches!(
///     check_server_url("authorization endpoint", "http://as.example/authorize"),
///     Err(AuthError::InsecureUrl { .. })
/// ));
/// assert!(check_server_url("authorization endpoint", "javascript:alert(1)").is_err());
/// ```
pub fn check_server_url(what: &'static str, url: &str) -> Result<Url, AuthError> {
    let parsed = Url::parse(url).map_err(|e| AuthError::InvalidUrl {
        url: url.to_owned(),
        reason: format!("the {what} is not a URL: {e}"),
    })?;
    let refuse = |reason: String| AuthError::InsecureUrl {
        what,
        url: url.to_owned(),
        reason,
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(refuse(
            "plain http is accepted for loopback hosts only (127.0.0.1, [::1], localhost), as anyone on the way could read or change the authorization; the server must use https".to_owned(),
        )),
        other => Err(refuse(format!(
            "its scheme {other:?} is not https; such a URL is never fetched or opened in a browser"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_loopback_http_only() {
        for ok in [
            "https://as.example/authorize",
            "https://10.0.0.1/authorize",
            "http://127.0.0.1:9/authorize",
            "http://127.200.3.4/authorize",
            "http://[::1]:9/authorize",
            "http://localhost:9/authorize",
            "http://LOCALHOST/authorize",
        ] {
            assert!(
                check_server_url("authorization endpoint", ok).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "http://example.com/authorize",
            "http://10.0.0.1/authorize",
            "http://[::2]/authorize",
            "http://localhost.example.com/authorize",
            "http://127.0.0.1.nip.io/authorize",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,<script>alert(1)</script>",
            "mcpwire-evil://run",
            "ftp://as.example/authorize",
        ] {
            let e = check_server_url("authorization endpoint", bad).unwrap_err();
            assert!(matches!(e, AuthError::InsecureUrl { .. }), "{bad}: {e:?}");
            assert!(e.to_string().contains("authorization endpoint"), "{e}");
        }
        let e = check_server_url("issuer", "http://as.example").unwrap_err();
        assert!(e.to_string().contains("https"), "{e}");
        assert!(matches!(
            check_server_url("issuer", "not a url"),
            Err(AuthError::InvalidUrl { .. })
        ));
    }
}
