//! Watching the authorization flow ([`OAuthConfig::observe`](super::OAuthConfig::observe)):
//! each HTTP exchange of discovery, registration and the token endpoint,
//! and the user's authorization step, reported as a [`FlowEvent`] with its
//! secrets already masked, so that no observer can show or log them by
//! mistake.
//!
//! The observer rides on the task running a flow (a task-local value),
//! so the requests deep inside the flow report without every function
//! carrying it; with no observer set, nothing is recorded or masked.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Url;

/// The stage of the flow an exchange belongs to, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// The protected resource metadata (RFC 9728).
    ResourceMetadata,
    /// The authorization server metadata (RFC 8414 or OpenID Connect).
    ServerMetadata,
    /// The client id: pre-registered, a Client ID Metadata Document, or
    /// dynamic registration (RFC 7591).
    Registration,
    /// The user's authorization, with PKCE (the front channel).
    Authorization,
    /// The token request of a grant (the authorization code, or a
    /// machine-to-machine grant).
    Token,
    /// The refresh-token grant.
    Refresh,
}

impl Stage {
    /// A stable name: `resource_metadata`, `server_metadata`,
    /// `registration`, `authorization`, `token`, `refresh`.
    ///
    /// ```
    /// use mcpwire_oauth::client::Stage;
    /// assert_eq!(Stage::ResourceMetadata.as_str(), "resource_metadata");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::ResourceMetadata => "resource_metadata",
            Stage::ServerMetadata => "server_metadata",
            Stage::Registration => "registration",
            Stage::Authorization => "authorization",
            Stage::Token => "token",
            Stage::Refresh => "refresh",
        }
    }
}

/// One exchange of the flow, masked: secrets (`client_secret`, `code`,
/// `code_verifier`, tokens, assertions, `Authorization` and `DPoP`
/// headers) show as a short prefix and `…`, or `•••`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FlowEvent {
    /// The stage.
    pub stage: Stage,
    /// `GET` or `POST`; empty for a step without a request (a
    /// pre-registered client).
    pub method: String,
    /// The URL requested (for the authorization stage, the URL the user
    /// is sent to).
    pub url: String,
    /// The request headers worth showing (client authentication, DPoP),
    /// masked.
    pub request_headers: Vec<(String, String)>,
    /// The request body, masked.
    pub request: Option<String>,
    /// The answer's HTTP status.
    pub status: Option<u16>,
    /// The answer's body, masked (for the authorization stage, the
    /// callback URL with its code masked).
    pub response: Option<String>,
    /// Why the exchange failed, when it did.
    pub error: Option<String>,
    /// What happened, in words, for a step without a request.
    pub note: Option<String>,
    /// How long it took.
    pub elapsed: Duration,
}

impl FlowEvent {
    /// An event of `stage` for `method` and `url`, without answer yet.
    pub(crate) fn new(stage: Stage, method: &str, url: &str) -> FlowEvent {
        FlowEvent {
            stage,
            method: method.to_owned(),
            url: mask_url(url),
            request_headers: Vec::new(),
            request: None,
            status: None,
            response: None,
            error: None,
            note: None,
            elapsed: Duration::ZERO,
        }
    }
}

/// Receives the flow's events as they happen.
pub type FlowObserver = Arc<dyn Fn(&FlowEvent) + Send + Sync>;

tokio::task_local! {
    static OBSERVER: FlowObserver;
}

/// Runs `fut` with `observer` watching (none: `fut` as it is).
pub(crate) async fn watched<T>(
    observer: Option<&FlowObserver>,
    fut: impl std::future::Future<Output = T>,
) -> T {
    match observer {
        Some(o) => OBSERVER.scope(o.clone(), fut).await,
        None => fut.await,
    }
}

/// Whether an observer watches the current flow.
pub(crate) fn watching() -> bool {
    OBSERVER.try_with(|_| ()).is_ok()
}

/// Reports `event` to the current flow's observer, if any.
pub(crate) fn report(event: &FlowEvent) {
    let _ = OBSERVER.try_with(|o| o(event));
}

/// Reports a step without a request (a client id known already).
pub(crate) fn note(stage: Stage, url: &str, note: String) {
    if watching() {
        let mut e = FlowEvent::new(stage, "", url);
        e.note = Some(note);
        report(&e);
    }
}

/// The start of an exchange, timed; `None` when nobody watches.
pub(crate) fn start(stage: Stage, method: &str, url: &Url) -> Option<(FlowEvent, Instant)> {
    watching().then(|| (FlowEvent::new(stage, method, url.as_str()), Instant::now()))
}

/// Parameter and member names whose values are secrets.
const SECRETS: &[&str] = &[
    "client_secret",
    "code",
    "code_verifier",
    "access_token",
    "refresh_token",
    "id_token",
    "registration_access_token",
    "client_assertion",
    "assertion",
    "subject_token",
    "actor_token",
];

/// Request headers whose values are secrets.
const SECRET_HEADERS: &[&str] = &["authorization", "dpop", "cookie"];

/// `secret` masked: its first four characters and `…` when it is long
/// enough to leave most of it hidden (16 characters or more), else `•••`.
///
/// ```
/// use mcpwire_oauth::client::mask;
/// assert_eq!(mask("eyJhbGciOiJFUzI1NiJ9.payload.sig"), "eyJh…");
/// assert_eq!(mask("short"), "•••");
/// ```
pub fn mask(secret: &str) -> String {
    if secret.chars().count() >= 16 {
        let head: String = secret.chars().take(4).collect();
        format!("{head}…")
    } else {
        "•••".to_owned()
    }
}

/// A header value masked: the scheme (`Bearer`, `Basic`, `DPoP`) stays.
pub(crate) fn mask_header(name: &str, value: &str) -> String {
    if !SECRET_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
        return value.to_owned();
    }
    match value.split_once(' ') {
        Some((scheme, rest)) if !scheme.is_empty() => format!("{scheme} {}", mask(rest)),
        _ => mask(value),
    }
}

/// A form body (`a=1&b=2`) with the secret parameters masked.
pub fn mask_form(body: &str) -> String {
    let pairs: Vec<(String, String)> = url_pairs(body);
    let mut u = Url::parse("http://form.invalid/").expect("a constant URL parses");
    u.query_pairs_mut().extend_pairs(pairs.iter().map(|(k, v)| {
        let v = if SECRETS.contains(&k.as_str()) {
            mask(v)
        } else {
            v.clone()
        };
        (k.clone(), v)
    }));
    u.query().unwrap_or_default().to_owned()
}

/// A URL with the secret parameters of its query masked.
pub fn mask_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, query))
            if url_pairs(query)
                .iter()
                .any(|(k, _)| SECRETS.contains(&k.as_str())) =>
        {
            format!("{base}?{}", mask_form(query))
        }
        _ => url.to_owned(),
    }
}

/// A JSON value with the members named like secrets masked, at any depth.
///
/// ```
/// use mcpwire_oauth::client::mask_json;
/// let mut v = serde_json::json!({"access_token": "eyJhbGciOiJFUzI1NiJ9.x.y", "expires_in": 3600});
/// mask_json(&mut v);
/// assert_eq!(v["access_token"], "eyJh…");
/// assert_eq!(v["expires_in"], 3600);
/// ```
pub fn mask_json(value: &mut Value) {
    match value {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                if SECRETS.contains(&k.as_str()) {
                    if let Value::String(s) = v {
                        *s = mask(s);
                    } else if !v.is_null() {
                        *v = Value::String("•••".to_owned());
                    }
                } else {
                    mask_json(v);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mask_json),
        _ => {}
    }
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    let mut u = Url::parse("http://form.invalid/").expect("a constant URL parses");
    u.set_query(Some(query));
    u.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";

    #[test]
    fn no_secret_survives_masking() {
        let form = format!(
            "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=c1&client_secret=s3cret-s3cret-s3cret&refresh_token={TOKEN}&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb"
        );
        let masked = mask_form(&form);
        for secret in [
            "SplxlOBeZQQYbYS6WxSbIA",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "s3cret-s3cret-s3cret",
            TOKEN,
        ] {
            assert!(!masked.contains(secret), "{secret} in {masked}");
        }
        assert!(masked.contains("client_id=c1"), "{masked}");
        assert!(masked.contains("grant_type=authorization_code"), "{masked}");
        assert!(masked.contains("code=Splx%E2%80%A6"), "{masked}");

        let mut body = serde_json::json!({
            "access_token": TOKEN, "refresh_token": "rt-1", "token_type": "Bearer",
            "nested": [{"client_secret": TOKEN}], "id_token": {"odd": "shape"},
        });
        mask_json(&mut body);
        let shown = body.to_string();
        assert!(!shown.contains(TOKEN) && !shown.contains("rt-1") && !shown.contains("odd"));
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["refresh_token"], "•••");

        assert_eq!(
            mask_header("Authorization", &format!("Bearer {TOKEN}")),
            "Bearer eyJh…"
        );
        assert_eq!(mask_header("authorization", "Basic YzE6czM="), "Basic •••");
        assert_eq!(
            mask_header("accept", "application/json"),
            "application/json"
        );

        let cb = mask_url("http://127.0.0.1:9/oauth/callback?code=abcdefghijklmnopqrst&state=xyz");
        assert!(!cb.contains("abcdefghijklmnopqrst"), "{cb}");
        assert!(cb.contains("state=xyz"), "{cb}");
        assert_eq!(
            mask_url("http://as.example/token"),
            "http://as.example/token"
        );
    }
}
