//! Opaque access tokens checked with the authorization server's token
//! introspection endpoint (RFC 7662; needs the `remote-keys` feature,
//! `http-client` in the `mcpwire` crate).

use super::token::TokenChecks;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::token::{TokenVerifier, VerifiedToken, VerifyError, VerifyFuture};

/// The largest introspection answer accepted.
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// Asks the authorization server whether a token is active (RFC 7662),
/// authenticating as a client with HTTP Basic, and checks the answer's
/// `exp`, `aud` (this server's canonical URI) and, when set, `iss`.
///
/// Each request costs one introspection call: there is no cache yet.
///
/// ```
/// use mcpwire_oauth::resource::IntrospectionVerifier;
///
/// let verifier = IntrospectionVerifier::new(
///     "https://auth.example.com/introspect",
///     "mcp-server",
///     "client-secret",
///     "https://mcp.example.com/mcp",
/// )
/// .issuer("https://auth.example.com");
/// # let _ = verifier;
/// ```
#[derive(Clone)]
pub struct IntrospectionVerifier {
    endpoint: String,
    authorization: String,
    audience: String,
    issuer: Option<String>,
    leeway: Duration,
    http: reqwest::Client,
}

impl std::fmt::Debug for IntrospectionVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntrospectionVerifier")
            .field("endpoint", &self.endpoint)
            .field("audience", &self.audience)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// `application/x-www-form-urlencoded` escaping of one value.
fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl IntrospectionVerifier {
    /// Introspects at `endpoint` as client `client_id` with `client_secret`,
    /// accepting tokens whose `aud` names `audience`.
    pub fn new(
        endpoint: impl Into<String>,
        client_id: &str,
        client_secret: &str,
        audience: impl Into<String>,
    ) -> Self {
        // RFC 6749 §2.3.1: both parts form-encoded before Basic encoding.
        let pair = format!("{}:{}", form_escape(client_id), form_escape(client_secret));
        // The request carries the token and the client's secret: a
        // redirect is never followed, so neither can reach another origin.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        IntrospectionVerifier {
            endpoint: endpoint.into(),
            authorization: format!("Basic {}", STANDARD.encode(pair)),
            audience: audience.into(),
            issuer: None,
            leeway: Duration::from_secs(60),
            http,
        }
    }

    /// Also requires the answer's `iss` to be `issuer`.
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # use mcpwire_oauth::resource::{IntrospectionVerifier, TokenVerifier, VerifyError};
    /// # /// A stand-in introspection endpoint: answers every request with `answer`
    /// # /// (JSON), and keeps the heads of the requests it got.
    /// # async fn introspection(answer: serde_json::Value) -> (String, Arc<Mutex<Vec<String>>>) {
    /// #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #     let url = format!("http://{}/introspect", listener.local_addr().unwrap());
    /// #     let seen = Arc::new(Mutex::new(Vec::new()));
    /// #     let heads = seen.clone();
    /// #     let body = answer.to_string();
    /// #     tokio::spawn(async move {
    /// #         while let Ok((mut conn, _)) = listener.accept().await {
    /// #             let mut buf = vec![0u8; 16 * 1024];
    /// #             let n = conn.read(&mut buf).await.unwrap_or(0);
    /// #             heads.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
    /// #             let reply = format!(
    /// #                 "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
    /// #                 body.len()
    /// #             );
    /// #             let _ = conn.write_all(reply.as_bytes()).await;
    /// #         }
    /// #     });
    /// #     (url, seen)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let resource = "https://mcp.example.com/mcp";
    /// # let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 60;
    /// let (endpoint, _) = introspection(serde_json::json!({
    ///     "active": true, "iss": "https://other.example", "aud": resource, "exp": exp,
    /// })).await;
    /// let lax = IntrospectionVerifier::new(endpoint.as_str(), "mcp-server", "secret", resource);
    /// assert!(lax.verify("opaque-token").await.is_ok());
    /// let strict = lax.clone().issuer("https://auth.example.com");
    /// assert!(matches!(strict.verify("opaque-token").await, Err(VerifyError::Issuer)));
    /// # }
    /// ```
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Uses `http` for the introspection calls (default: one with a 10 s
    /// timeout that follows no redirect). A client of your own should not
    /// follow redirects either: the calls carry the token and the secret.
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # use mcpwire_oauth::resource::{IntrospectionVerifier, TokenVerifier, VerifyError};
    /// # /// A stand-in introspection endpoint: answers every request with `answer`
    /// # /// (JSON), and keeps the heads of the requests it got.
    /// # async fn introspection(answer: serde_json::Value) -> (String, Arc<Mutex<Vec<String>>>) {
    /// #     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #     let url = format!("http://{}/introspect", listener.local_addr().unwrap());
    /// #     let seen = Arc::new(Mutex::new(Vec::new()));
    /// #     let heads = seen.clone();
    /// #     let body = answer.to_string();
    /// #     tokio::spawn(async move {
    /// #         while let Ok((mut conn, _)) = listener.accept().await {
    /// #             let mut buf = vec![0u8; 16 * 1024];
    /// #             let n = conn.read(&mut buf).await.unwrap_or(0);
    /// #             heads.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
    /// #             let reply = format!(
    /// #                 "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
    /// #                 body.len()
    /// #             );
    /// #             let _ = conn.write_all(reply.as_bytes()).await;
    /// #         }
    /// #     });
    /// #     (url, seen)
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let resource = "https://mcp.example.com/mcp";
    /// # let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 60;
    /// let (endpoint, seen) = introspection(serde_json::json!({
    ///     "active": true, "aud": resource, "exp": exp,
    /// })).await;
    /// let http = reqwest::Client::builder()
    ///     .user_agent("my-mcp-server/1.0")
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()
    ///     .unwrap();
    /// let verifier = IntrospectionVerifier::new(endpoint, "mcp-server", "secret", resource).client(http);
    /// assert!(verifier.verify("opaque-token").await.is_ok());
    /// assert!(seen.lock().unwrap()[0].to_lowercase().contains("user-agent: my-mcp-server/1.0"));
    /// # }
    /// ```
    pub fn client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    async fn introspect(&self, token: &str) -> Result<VerifiedToken, VerifyError> {
        let unavailable =
            |what: String| VerifyError::Unavailable(format!("{}: {what}", self.endpoint));
        let body = format!("token={}&token_type_hint=access_token", form_escape(token));
        let r = self
            .http
            .post(&self.endpoint)
            .header("authorization", &self.authorization)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !r.status().is_success() {
            return Err(unavailable(format!("HTTP status {}", r.status())));
        }
        let bytes = r.bytes().await.map_err(|e| unavailable(e.to_string()))?;
        if bytes.len() > MAX_ANSWER_BYTES {
            return Err(unavailable("the answer is larger than 256 KiB".into()));
        }
        let claims: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&bytes)
            .map_err(|e| unavailable(format!("the answer is not a JSON object: {e}")))?;
        if claims.get("active") != Some(&serde_json::Value::Bool(true)) {
            return Err(VerifyError::Inactive);
        }
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        if let Some(exp) = claims.get("exp").and_then(|v| v.as_u64())
            && now > exp.saturating_add(self.leeway.as_secs())
        {
            return Err(VerifyError::Expired);
        }
        let verified = VerifiedToken::from_claims(claims);
        if let Some(iss) = &self.issuer
            && verified.issuer.as_ref() != Some(iss)
        {
            return Err(VerifyError::Issuer);
        }
        verified.check_audience(&self.audience)?;
        Ok(verified)
    }
}

impl TokenVerifier for IntrospectionVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
        Box::pin(self.introspect(token))
    }
}
