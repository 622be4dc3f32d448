//! The HTTP requests of the OAuth client: metadata GETs, form POSTs to the
//! token endpoint and JSON POSTs to the registration endpoint, each with a
//! size limit and an error that names the request but not its secrets.

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use serde_json::Value;

use super::AuthError;
use super::observe::{self, FlowEvent, Stage};

/// The largest metadata or token response read.
const BODY_LIMIT: usize = 1024 * 1024;

/// A response: its status and its body parsed as JSON (`Value::Null` when
/// the body is not JSON).
pub(crate) struct JsonResponse {
    pub status: StatusCode,
    pub body: Value,
    /// The response headers (e.g. `DPoP-Nonce`).
    pub headers: reqwest::header::HeaderMap,
}

/// GETs `url` with `Accept: application/json`, as part of `stage`.
pub(crate) async fn get_json(
    http: &reqwest::Client,
    url: &Url,
    stage: Stage,
) -> Result<JsonResponse, AuthError> {
    let what = format!("GET {url}");
    let req = http.get(url.clone()).header(ACCEPT, "application/json");
    let seen = observe::start(stage, "GET", url);
    observed(seen, send(req, what).await)
}

/// POSTs `pairs` form-encoded, with `headers` added, as part of `stage`.
pub(crate) async fn post_form(
    http: &reqwest::Client,
    url: &Url,
    pairs: &[(&str, &str)],
    headers: Vec<(HeaderName, HeaderValue)>,
    stage: Stage,
) -> Result<JsonResponse, AuthError> {
    let body = form_encode(pairs);
    let seen = observe::start(stage, "POST", url).map(|(mut e, t)| {
        e.request = Some(observe::mask_form(&body));
        e.request_headers = headers
            .iter()
            .map(|(n, v)| {
                let v = v.to_str().unwrap_or("(binary)");
                (n.as_str().to_owned(), observe::mask_header(n.as_str(), v))
            })
            .collect();
        (e, t)
    });
    let mut req = http
        .post(url.clone())
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body);
    for (n, v) in headers {
        req = req.header(n, v);
    }
    observed(seen, send(req, format!("POST {url}")).await)
}

/// POSTs `body` as JSON, as part of `stage`.
pub(crate) async fn post_json(
    http: &reqwest::Client,
    url: &Url,
    body: &Value,
    stage: Stage,
) -> Result<JsonResponse, AuthError> {
    let seen = observe::start(stage, "POST", url).map(|(mut e, t)| {
        let mut shown = body.clone();
        observe::mask_json(&mut shown);
        e.request = Some(shown.to_string());
        (e, t)
    });
    let req = http
        .post(url.clone())
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_string());
    observed(seen, send(req, format!("POST {url}")).await)
}

/// Reports the exchange begun as `seen` (when watched) with its outcome.
fn observed(
    seen: Option<(FlowEvent, std::time::Instant)>,
    result: Result<JsonResponse, AuthError>,
) -> Result<JsonResponse, AuthError> {
    if let Some((mut e, started)) = seen {
        e.elapsed = started.elapsed();
        match &result {
            Ok(r) => {
                e.status = Some(r.status.as_u16());
                let mut body = r.body.clone();
                observe::mask_json(&mut body);
                e.response = (!body.is_null()).then(|| body.to_string());
                if !r.status.is_success() {
                    e.error = Some(oauth_error(r));
                }
            }
            Err(err) => e.error = Some(err.to_string()),
        }
        observe::report(&e);
    }
    result
}

async fn send(req: reqwest::RequestBuilder, what: String) -> Result<JsonResponse, AuthError> {
    let mut resp = req.send().await.map_err(|e| AuthError::Http {
        what: what.clone(),
        reason: error_chain(&e),
    })?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let mut buf = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if buf.len() + chunk.len() > BODY_LIMIT {
                    return Err(AuthError::Http {
                        what,
                        reason: format!("the response exceeds {BODY_LIMIT} bytes"),
                    });
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                return Err(AuthError::Http {
                    what,
                    reason: error_chain(&e),
                });
            }
        }
    }
    let body = serde_json::from_slice(&buf).unwrap_or(Value::Null);
    Ok(JsonResponse {
        status,
        body,
        headers,
    })
}

/// `application/x-www-form-urlencoded` of `pairs`.
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut u = Url::parse("http://form.invalid/").expect("a constant URL parses");
    u.query_pairs_mut().extend_pairs(pairs);
    u.query().unwrap_or_default().to_owned()
}

/// An error and its causes, joined.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// The OAuth error of an error response (`error` and `error_description`),
/// or its status.
pub(crate) fn oauth_error(resp: &JsonResponse) -> String {
    let code = resp.body.get("error").and_then(Value::as_str);
    let desc = resp.body.get("error_description").and_then(Value::as_str);
    match (code, desc) {
        (Some(c), Some(d)) => format!("HTTP {}: {c} ({d})", resp.status.as_u16()),
        (Some(c), None) => format!("HTTP {}: {c}", resp.status.as_u16()),
        _ => format!("HTTP {}", resp.status.as_u16()),
    }
}
