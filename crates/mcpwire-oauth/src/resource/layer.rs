//! The tower layer that puts bearer-token checks in front of the MCP
//! endpoint and serves the protected resource metadata.

use super::token::TokenChecks;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body as HttpBody;
use http_body_util::{BodyExt, Full};
use mcpwire_types::methods::TOOLS_CALL;
use mcpwire_types::{Incoming, Message};

use super::metadata::{PRM_WELL_KNOWN, ProtectedResourceMetadata};
use super::token::{TokenVerifier, VerifiedToken, VerifyError};
use mcpwire_http::server::{Body, ParsedBody, read_body};
use mcpwire_rpc::engine::Extensions;

/// Requests bodies larger than this are refused (413) before being parsed.
const DEFAULT_BODY_LIMIT: usize = mcpwire_http::server::DEFAULT_BODY_LIMIT;
/// How long a request body may take to arrive.
const DEFAULT_BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone)]
struct Config {
    verifier: Arc<dyn TokenVerifier>,
    metadata: ProtectedResourceMetadata,
    metadata_url: String,
    required: Vec<String>,
    tool_scopes: HashMap<String, Vec<String>>,
    body_limit: usize,
    body_read_timeout: std::time::Duration,
}

/// A tower `Layer` that requires an OAuth 2.1 bearer token (RFC 6750) on
/// every request and serves the RFC 9728 metadata document.
///
/// - `GET /.well-known/oauth-protected-resource` and
///   `/.well-known/oauth-protected-resource<resource path>` answer the
///   [`ProtectedResourceMetadata`] without a token.
/// - A token in the query string (`access_token=`) is refused with 400
///   `invalid_request`: tokens are only accepted in the `Authorization`
///   header.
/// - No token: 401 with `WWW-Authenticate: Bearer resource_metadata="…",
///   scope="…"`. A token the [`TokenVerifier`] refuses: the same with
///   `error="invalid_token"`.
/// - A verifier that cannot reach its keys or backend
///   ([`VerifyError::Unavailable`]): 503 with `Retry-After`, so the client
///   keeps its token.
/// - A valid token lacking a required scope (server-wide, or of the tool a
///   `tools/call` names): 403 with `error="insufficient_scope"` and the
///   scopes needed, so the client can step up.
///
/// Accepted requests reach the inner service with the `Authorization`
/// header removed (the token is never forwarded) and the [`VerifiedToken`]
/// in the request extensions, both as itself and inside the
/// [`Extensions`] that [`StreamableHttp`](mcpwire_http::server::StreamableHttp)
/// hands to the handlers (the [`Auth`](super::Auth) extractor).
/// A 2025-11-25 session is bound to the token's issuer and subject: a
/// token of anyone else naming it gets 404, as for an unknown session.
///
/// ```no_run
/// use mcpwire_oauth::resource::{BearerAuth, JwksFile, JwtVerifier, ProtectedResourceMetadata};
/// use mcpwire_http::server::{HttpConfig, StreamableHttp};
///
/// # async fn run(server: mcpwire_server::Server) -> std::io::Result<()> {
/// let resource = "https://mcp.example.com/mcp";
/// let verifier = JwtVerifier::new(JwksFile("jwks.json".into()), "https://auth.example.com", resource);
/// let auth = BearerAuth::new(
///     verifier,
///     ProtectedResourceMetadata::new(resource)
///         .authorization_server("https://auth.example.com")
///         .scopes(["mcp:tools", "mcp:admin"]),
/// )
/// .require_scopes(["mcp:tools"])
/// .tool_scopes("delete_everything", ["mcp:admin"]);
/// let service = auth.wrap(StreamableHttp::new(server, HttpConfig::default()));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// mcpwire_oauth::resource::serve_listener(service, listener, std::future::pending()).await
/// # }
/// ```
#[derive(Clone)]
pub struct BearerAuth {
    config: Arc<Config>,
}

impl std::fmt::Debug for BearerAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerAuth")
            .field("metadata", &self.config.metadata)
            .field("required", &self.config.required)
            .field("tool_scopes", &self.config.tool_scopes)
            .finish_non_exhaustive()
    }
}

fn strings<I, S>(it: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    it.into_iter().map(Into::into).collect()
}

impl BearerAuth {
    /// Checks tokens with `verifier` and advertises `metadata`.
    pub fn new(verifier: impl TokenVerifier, metadata: ProtectedResourceMetadata) -> Self {
        let metadata_url = metadata.metadata_url();
        BearerAuth {
            config: Arc::new(Config {
                verifier: Arc::new(verifier),
                metadata,
                metadata_url,
                required: Vec::new(),
                tool_scopes: HashMap::new(),
                body_limit: DEFAULT_BODY_LIMIT,
                body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            }),
        }
    }

    fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// Scopes every request needs; a token without them gets 403
    /// `insufficient_scope`, naming them.
    ///
    /// ```
    /// # use http::{Request, StatusCode};
    /// # use mcpwire_http::server::{HttpConfig, StreamableHttp};
    /// # use mcpwire_oauth::resource::{BearerAuth, ProtectedResourceMetadata};
    /// # use mcpwire_oauth::resource::{TokenVerifier, VerifiedToken, VerifyFuture};
    /// # use tower_service::Service;
    /// # /// Accepts any token, and reads its scopes from it (`tools+admin`: scopes `tools` and `admin`).
    /// # struct ScopesInToken;
    /// # impl TokenVerifier for ScopesInToken {
    /// #     fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
    /// #         let claims = serde_json::json!({"sub": "dev", "scope": token.replace('+', " ")});
    /// #         Box::pin(async move { Ok(VerifiedToken::from_claims(serde_json::from_value(claims).unwrap())) })
    /// #     }
    /// # }
    /// # const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;
    /// # /// A POST to the endpoint with `token`.
    /// # fn post(token: &str, body: &str) -> Request<String> {
    /// #     Request::post("/mcp")
    /// #         .header("host", "localhost")
    /// #         .header("authorization", format!("Bearer {token}"))
    /// #         .header("accept", "application/json, text/event-stream")
    /// #         .header("content-type", "application/json")
    /// #         .body(body.to_owned())
    /// #         .unwrap()
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let endpoint = StreamableHttp::new(mcpwire_server::Server::builder("demo", "1.0.0").build().unwrap(), HttpConfig::default());
    /// let metadata = ProtectedResourceMetadata::new("https://mcp.example.com/mcp");
    /// let mut service = BearerAuth::new(ScopesInToken, metadata)
    ///     .require_scopes(["tools"])
    ///     .wrap(endpoint);
    /// let refused = service.call(post("read", INIT)).await.unwrap();
    /// assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    /// let challenge = refused.headers()["www-authenticate"].to_str().unwrap();
    /// assert!(challenge.contains(r#"scope="tools""#) && challenge.contains("insufficient_scope"));
    /// assert_eq!(service.call(post("tools", INIT)).await.unwrap().status(), StatusCode::OK);
    /// # }
    /// ```
    pub fn require_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config_mut().required = strings(scopes);
        self
    }

    /// Scopes a `tools/call` of `tool` needs, on top of the server-wide ones.
    ///
    /// ```
    /// # use http::{Request, StatusCode};
    /// # use mcpwire_http::server::{HttpConfig, StreamableHttp};
    /// # use mcpwire_oauth::resource::{BearerAuth, ProtectedResourceMetadata};
    /// # use mcpwire_oauth::resource::{TokenVerifier, VerifiedToken, VerifyFuture};
    /// # use tower_service::Service;
    /// # /// Accepts any token, and reads its scopes from it (`tools+admin`: scopes `tools` and `admin`).
    /// # struct ScopesInToken;
    /// # impl TokenVerifier for ScopesInToken {
    /// #     fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
    /// #         let claims = serde_json::json!({"sub": "dev", "scope": token.replace('+', " ")});
    /// #         Box::pin(async move { Ok(VerifiedToken::from_claims(serde_json::from_value(claims).unwrap())) })
    /// #     }
    /// # }
    /// # const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;
    /// # /// A POST to the endpoint with `token`.
    /// # fn post(token: &str, body: &str) -> Request<String> {
    /// #     Request::post("/mcp")
    /// #         .header("host", "localhost")
    /// #         .header("authorization", format!("Bearer {token}"))
    /// #         .header("accept", "application/json, text/event-stream")
    /// #         .header("content-type", "application/json")
    /// #         .body(body.to_owned())
    /// #         .unwrap()
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let endpoint = StreamableHttp::new(mcpwire_server::Server::builder("demo", "1.0.0").build().unwrap(), HttpConfig::default());
    /// let metadata = ProtectedResourceMetadata::new("https://mcp.example.com/mcp");
    /// let mut service = BearerAuth::new(ScopesInToken, metadata)
    ///     .require_scopes(["tools"])
    ///     .tool_scopes("drop_table", ["admin"])
    ///     .wrap(endpoint);
    /// let call = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"drop_table"}}"#;
    /// let refused = service.call(post("tools", call)).await.unwrap();
    /// assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    /// assert!(refused.headers()["www-authenticate"].to_str().unwrap().contains("admin"));
    /// // With the tool's scope the call passes the layer (here the endpoint then
    /// // asks for a session, since none was opened).
    /// let passed = service.call(post("tools+admin", call)).await.unwrap();
    /// assert_ne!(passed.status(), StatusCode::FORBIDDEN);
    /// # }
    /// ```
    pub fn tool_scopes<I, S>(mut self, tool: impl Into<String>, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config_mut()
            .tool_scopes
            .insert(tool.into(), strings(scopes));
        self
    }

    /// The largest request body read to find the tool name (default 4 MiB);
    /// a larger one gets 413, by its `Content-Length` before it is read.
    ///
    /// ```
    /// # use http::{Request, StatusCode};
    /// # use mcpwire_http::server::{HttpConfig, StreamableHttp};
    /// # use mcpwire_oauth::resource::{BearerAuth, ProtectedResourceMetadata};
    /// # use mcpwire_oauth::resource::{TokenVerifier, VerifiedToken, VerifyFuture};
    /// # use tower_service::Service;
    /// # /// Accepts any token, and reads its scopes from it (`tools+admin`: scopes `tools` and `admin`).
    /// # struct ScopesInToken;
    /// # impl TokenVerifier for ScopesInToken {
    /// #     fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
    /// #         let claims = serde_json::json!({"sub": "dev", "scope": token.replace('+', " ")});
    /// #         Box::pin(async move { Ok(VerifiedToken::from_claims(serde_json::from_value(claims).unwrap())) })
    /// #     }
    /// # }
    /// # const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;
    /// # /// A POST to the endpoint with `token`.
    /// # fn post(token: &str, body: &str) -> Request<String> {
    /// #     Request::post("/mcp")
    /// #         .header("host", "localhost")
    /// #         .header("authorization", format!("Bearer {token}"))
    /// #         .header("accept", "application/json, text/event-stream")
    /// #         .header("content-type", "application/json")
    /// #         .body(body.to_owned())
    /// #         .unwrap()
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let endpoint = StreamableHttp::new(mcpwire_server::Server::builder("demo", "1.0.0").build().unwrap(), HttpConfig::default());
    /// let metadata = ProtectedResourceMetadata::new("https://mcp.example.com/mcp");
    /// let mut service = BearerAuth::new(ScopesInToken, metadata).body_limit(64).wrap(endpoint);
    /// assert!(INIT.len() > 64);
    /// let answer = service.call(post("tools", INIT)).await.unwrap();
    /// assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);
    /// # }
    /// ```
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config_mut().body_limit = bytes;
        self
    }

    /// How long a request body may take to arrive (default 30 s); a
    /// slower one gets 408.
    ///
    /// ```
    /// # use http::{Request, StatusCode};
    /// # use mcpwire_http::server::{HttpConfig, StreamableHttp};
    /// # use mcpwire_oauth::resource::{BearerAuth, ProtectedResourceMetadata};
    /// # use mcpwire_oauth::resource::{TokenVerifier, VerifiedToken, VerifyFuture};
    /// # use tower_service::Service;
    /// # /// Accepts any token, and reads its scopes from it (`tools+admin`: scopes `tools` and `admin`).
    /// # struct ScopesInToken;
    /// # impl TokenVerifier for ScopesInToken {
    /// #     fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
    /// #         let claims = serde_json::json!({"sub": "dev", "scope": token.replace('+', " ")});
    /// #         Box::pin(async move { Ok(VerifiedToken::from_claims(serde_json::from_value(claims).unwrap())) })
    /// #     }
    /// # }
    /// # const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;
    /// # /// A POST to the endpoint with `token`.
    /// # fn post(token: &str, body: &str) -> Request<String> {
    /// #     Request::post("/mcp")
    /// #         .header("host", "localhost")
    /// #         .header("authorization", format!("Bearer {token}"))
    /// #         .header("accept", "application/json, text/event-stream")
    /// #         .header("content-type", "application/json")
    /// #         .body(body.to_owned())
    /// #         .unwrap()
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let endpoint = StreamableHttp::new(mcpwire_server::Server::builder("demo", "1.0.0").build().unwrap(), HttpConfig::default());
    /// let metadata = ProtectedResourceMetadata::new("https://mcp.example.com/mcp");
    /// use std::pin::Pin;
    /// use std::task::{Context, Poll};
    /// use std::time::Duration;
    /// /// A body whose bytes never come.
    /// struct Stalled;
    /// impl http_body::Body for Stalled {
    ///     type Data = bytes::Bytes;
    ///     type Error = std::convert::Infallible;
    ///     fn poll_frame(self: Pin<&mut Self>, _: &mut Context<'_>)
    ///         -> Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
    ///         Poll::Pending
    ///     }
    /// }
    /// let mut service = BearerAuth::new(ScopesInToken, metadata)
    ///     .body_read_timeout(Duration::from_millis(50))
    ///     .wrap(endpoint);
    /// let (head, _) = post("tools", "").into_parts();
    /// let answer = service.call(Request::from_parts(head, Stalled)).await.unwrap();
    /// assert_eq!(answer.status(), StatusCode::REQUEST_TIMEOUT);
    /// # }
    /// ```
    pub fn body_read_timeout(mut self, d: std::time::Duration) -> Self {
        self.config_mut().body_read_timeout = d;
        self
    }

    /// Wraps `inner` (e.g. a
    /// [`StreamableHttp`](mcpwire_http::server::StreamableHttp)).
    pub fn wrap<S>(&self, inner: S) -> BearerAuthService<S> {
        BearerAuthService {
            inner,
            config: self.config.clone(),
        }
    }
}

impl<S> tower_layer::Layer<S> for BearerAuth {
    type Service = BearerAuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        self.wrap(inner)
    }
}

/// The service [`BearerAuth`] builds around an inner service.
#[derive(Clone)]
pub struct BearerAuthService<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for BearerAuthService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerAuthService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

fn quote(s: &str) -> String {
    s.replace(['"', '\\'], "")
}

impl Config {
    /// A refusal with a `WWW-Authenticate: Bearer` challenge.
    fn challenge(
        &self,
        status: StatusCode,
        error: Option<&str>,
        description: Option<&str>,
        scopes: &[String],
    ) -> Response<Body> {
        let mut v = format!("Bearer resource_metadata=\"{}\"", quote(&self.metadata_url));
        if !scopes.is_empty() {
            v.push_str(&format!(", scope=\"{}\"", quote(&scopes.join(" "))));
        }
        if let Some(e) = error {
            v.push_str(&format!(", error=\"{e}\""));
        }
        if let Some(d) = description {
            v.push_str(&format!(", error_description=\"{}\"", quote(d)));
        }
        let body = serde_json::json!({
            "error": error.unwrap_or("unauthorized"),
            "error_description": description.unwrap_or("this server requires an OAuth bearer token"),
        });
        let mut r = json_response(status, &body);
        if let Ok(h) = HeaderValue::from_str(&v) {
            r.headers_mut().insert(WWW_AUTHENTICATE, h);
        }
        r
    }

    fn metadata_response(&self, method: &Method, path: &str) -> Option<Response<Body>> {
        let rest = path.strip_prefix(PRM_WELL_KNOWN)?;
        if !(rest.is_empty() || rest == "/" || rest == self.metadata.resource_path()) {
            return Some(json_response(
                StatusCode::NOT_FOUND,
                &serde_json::json!({"error": "not_found"}),
            ));
        }
        if method != Method::GET && method != Method::HEAD {
            let mut r = json_response(
                StatusCode::METHOD_NOT_ALLOWED,
                &serde_json::json!({"error": "method_not_allowed"}),
            );
            r.headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            return Some(r);
        }
        let doc = serde_json::to_value(&self.metadata).unwrap_or_default();
        Some(json_response(StatusCode::OK, &doc))
    }

    /// The scopes a request needs beyond the server-wide ones: those of
    /// every tool its `tools/call` messages name, read from the same parse
    /// the engine acts on. It fails closed: a `tools/call` whose tool name
    /// cannot be read needs every tool's scopes.
    fn scopes_for(&self, incoming: &Incoming) -> Vec<String> {
        if self.tool_scopes.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut need = |name: Option<&str>| {
            let scopes: Vec<&String> = match name {
                Some(n) => self.tool_scopes.get(n).into_iter().flatten().collect(),
                None => self.tool_scopes.values().flatten().collect(),
            };
            for s in scopes {
                if !out.contains(s) {
                    out.push(s.clone());
                }
            }
        };
        match incoming {
            Incoming::Message(Message::Request(r)) if r.method == TOOLS_CALL => {
                need(tool_name(r.params.as_ref()));
            }
            Incoming::Message(Message::Notification(n)) if n.method == TOOLS_CALL => {
                need(tool_name(n.params.as_ref()));
            }
            Incoming::Message(_) | Incoming::Invalid(_) => {}
            // The engine classifies each element on its own, from the
            // same values (their keys were checked for repeats).
            Incoming::Batch(items) => {
                for m in items {
                    if m.get("method").and_then(serde_json::Value::as_str) == Some(TOOLS_CALL) {
                        need(tool_name(m.get("params")));
                    }
                }
            }
        }
        out
    }
}

/// The tool a `tools/call` names, when its params name one.
fn tool_name(params: Option<&serde_json::Value>) -> Option<&str> {
    params
        .and_then(|p| p.get("name"))
        .and_then(serde_json::Value::as_str)
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response<Body> {
    let bytes = Bytes::from(serde_json::to_vec(body).unwrap_or_default());
    let mut r = Response::new(Full::new(bytes).boxed_unsync());
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// Whether the query string carries an `access_token` parameter.
fn token_in_query(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|kv| kv.split('=').next() == Some("access_token"))
    })
}

enum Credentials<'a> {
    None,
    Bearer(&'a str),
    Malformed,
}

fn credentials(headers: &http::HeaderMap) -> Credentials<'_> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(v), None) = (values.next(), values.next()) else {
        return if headers.contains_key(AUTHORIZATION) {
            Credentials::Malformed
        } else {
            Credentials::None
        };
    };
    let Ok(v) = v.to_str() else {
        return Credentials::Malformed;
    };
    let Some((scheme, token)) = v.trim().split_once(' ') else {
        return Credentials::Malformed;
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        // Another scheme (Basic, ...) is not a bearer token.
        return Credentials::None;
    }
    let token = token.trim();
    // RFC 6750 b64token syntax.
    let ok = !token.is_empty()
        && token.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
        });
    if ok {
        Credentials::Bearer(token)
    } else {
        Credentials::Malformed
    }
}

type BoxFuture = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl<S, B> tower_service::Service<Request<B>> for BearerAuthService<S>
where
    S: tower_service::Service<Request<Full<Bytes>>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    B: HttpBody + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        // Keep the readied service for this call; the clone takes its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let config = self.config.clone();
        Box::pin(async move { Ok(authorize(&config, &mut inner, req).await) })
    }
}

async fn authorize<S, B>(config: &Config, inner: &mut S, req: Request<B>) -> Response<Body>
where
    S: tower_service::Service<Request<Full<Bytes>>, Response = Response<Body>, Error = Infallible>,
    B: HttpBody + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if let Some(r) = config.metadata_response(req.method(), req.uri().path()) {
        return r;
    }
    if token_in_query(req.uri().query()) {
        return config.challenge(
            StatusCode::BAD_REQUEST,
            Some("invalid_request"),
            Some("send the access token in the Authorization header, not the URL"),
            &config.required,
        );
    }
    let verified = match credentials(req.headers()) {
        Credentials::None => {
            return config.challenge(StatusCode::UNAUTHORIZED, None, None, &config.required);
        }
        Credentials::Malformed => {
            return config.challenge(
                StatusCode::UNAUTHORIZED,
                Some("invalid_token"),
                Some("the Authorization header is not a single Bearer token"),
                &config.required,
            );
        }
        Credentials::Bearer(token) => match config.verifier.verify(token).await {
            Ok(v) => v,
            Err(VerifyError::Unavailable(detail)) => {
                // Not the token's fault: a 401 would make the client drop
                // a token that may be good.
                tracing::warn!(%detail, "bearer token could not be verified");
                let mut r = json_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &serde_json::json!({"error": "temporarily_unavailable",
                        "error_description": "the access token cannot be checked right now"}),
                );
                r.headers_mut()
                    .insert(http::header::RETRY_AFTER, HeaderValue::from_static("5"));
                return r;
            }
            Err(e) => {
                tracing::debug!(error = ?e, "bearer token refused");
                return config.challenge(
                    StatusCode::UNAUTHORIZED,
                    Some("invalid_token"),
                    Some(&e.to_string()),
                    &config.required,
                );
            }
        },
    };
    if let Some(r) = missing_scopes(config, &verified, &config.required) {
        return r;
    }
    let (mut parts, body) = req.into_parts();
    let bytes = match read_body(
        &parts.headers,
        body,
        config.body_limit,
        config.body_read_timeout,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return e.response(),
    };
    // Parsed once, here; the endpoint behind acts on this very parse.
    let parsed = ParsedBody::parse(bytes);
    let mut needed = config.required.clone();
    for s in config.scopes_for(parsed.incoming()) {
        if !needed.contains(&s) {
            needed.push(s);
        }
    }
    if let Some(r) = missing_scopes(config, &verified, &needed) {
        return r;
    }
    parts.headers.remove(AUTHORIZATION);
    // For the MCP handlers (through the engine) and for other inner
    // services; a layer further out may have attached extensions already.
    let mut extensions = parts.extensions.remove::<Extensions>().unwrap_or_default();
    extensions.set_principal(verified.principal());
    extensions.insert(verified.clone());
    parts.extensions.insert(extensions);
    parts.extensions.insert(verified);
    let bytes = parsed.bytes();
    parts.extensions.insert(parsed);
    let req = Request::from_parts(parts, Full::new(bytes));
    match inner.call(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

/// A 403 `insufficient_scope` naming every scope in `needed` (RFC 6750
/// §3.1), when the token lacks one of them.
fn missing_scopes(
    config: &Config,
    token: &VerifiedToken,
    needed: &[String],
) -> Option<Response<Body>> {
    if needed.iter().all(|s| token.has_scope(s)) {
        return None;
    }
    Some(config.challenge(
        StatusCode::FORBIDDEN,
        Some("insufficient_scope"),
        Some("the access token lacks a scope this request needs"),
        needed,
    ))
}
