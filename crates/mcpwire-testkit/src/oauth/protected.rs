//! A protected mcpwire server on `127.0.0.1:0`: the `echo` and `admin`
//! tools behind a bearer-token check (`mcp:tools` for everything,
//! `mcp:admin` for `admin` too), and the requests a test sends it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mcpwire::auth::{
    BearerAuth, Jwks, JwksFuture, JwksSource, JwtVerifier, ProtectedResourceMetadata,
    serve_listener,
};
use mcpwire::server::{Server, ToolRoute};
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::keys::{ISSUER, Keys, now, sign};
use crate::http::{Bound, Served, bind};

/// The argument of the test server's tools.
#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct Text {
    /// What `echo` sends back.
    pub text: String,
}

/// The server behind the check: `echo` answers its text, `admin` answers
/// `admin: TEXT`.
pub fn mcp_server() -> Server {
    Server::builder("auth-test", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(ToolRoute::typed("admin", |_cx, a: Text| async move {
            format!("admin: {}", a.text)
        }))
        .build()
        .expect("the test server's tools have unique names")
}

/// The check of the resource `resource` with `verifier`, naming
/// [`ISSUER`] as its authorization server: `mcp:tools` for everything,
/// `mcp:admin` for the `admin` tool too.
pub fn auth_for(resource: &str, verifier: JwtVerifier) -> BearerAuth {
    auth_naming(resource, ISSUER, verifier)
}

/// [`auth_for`], naming `issuer` as the authorization server.
pub fn auth_naming(resource: &str, issuer: &str, verifier: JwtVerifier) -> BearerAuth {
    BearerAuth::new(
        verifier,
        ProtectedResourceMetadata::new(resource)
            .authorization_server(issuer)
            .scopes(["mcp:tools", "mcp:admin"]),
    )
    .require_scopes(["mcp:tools"])
    .tool_scopes("admin", ["mcp:admin"])
}

/// One running protected server; stopped when dropped.
pub struct Protected {
    served: Served<std::io::Result<()>>,
    /// Its MCP endpoint, which is also the resource its tokens are for.
    pub resource: String,
    /// A client for raw requests.
    pub http: reqwest::Client,
}

/// [`mcp_server`] behind a check trusting `keys` (a static JWKS) for
/// tokens [`ISSUER`] issues.
pub async fn protect(keys: &Keys) -> Protected {
    let jwks = Jwks::parse(&keys.jwks().to_string()).expect("the test JWKS parses");
    protect_with(|resource| auth_for(resource, JwtVerifier::new(jwks, ISSUER, resource))).await
}

/// [`mcp_server`] behind a check trusting `issuer`, whose keys are `jwks`.
pub async fn trusting(issuer: &str, jwks: Jwks) -> Protected {
    protect_with(|resource| auth_naming(resource, issuer, JwtVerifier::new(jwks, issuer, resource)))
        .await
}

/// [`mcp_server`] behind the check `auth` builds for the resource URL (the
/// server's own, known once it is bound).
pub async fn protect_with(auth: impl FnOnce(&str) -> BearerAuth) -> Protected {
    protect_server(mcp_server(), auth).await
}

/// `server` behind the check `auth` builds for the resource URL.
pub async fn protect_server(server: Server, auth: impl FnOnce(&str) -> BearerAuth) -> Protected {
    protect_on(bind().await, server, auth)
}

/// [`protect_server`] on a listener bound already: for a test that hands
/// the resource URL (`bound.mcp_url()`) to another server first.
pub fn protect_on(
    bound: Bound,
    server: Server,
    auth: impl FnOnce(&str) -> BearerAuth,
) -> Protected {
    let resource = bound.mcp_url();
    let service = auth(&resource).wrap(StreamableHttp::new(server, HttpConfig::default()));
    let served = bound.serve(|listener, shutdown| serve_listener(service, listener, shutdown));
    Protected {
        served,
        resource,
        http: reqwest::Client::new(),
    }
}

impl Protected {
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.served.addr().port()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        self.served.origin()
    }

    /// The URL of its protected resource metadata.
    pub fn prm_url(&self) -> String {
        self.served.url("/.well-known/oauth-protected-resource/mcp")
    }

    /// Claims of a token for alice with `scope`, issued by [`ISSUER`] for
    /// this resource, valid for five minutes.
    pub fn claims(&self, scope: &str) -> Value {
        json!({"iss": ISSUER, "aud": self.resource, "sub": "alice", "scope": scope,
               "iat": now(), "exp": now() + 300})
    }

    /// A 2026-07-28 `tools/call` of `tool` with `authorization` as the
    /// header value.
    pub async fn call(&self, tool: &str, authorization: Option<&str>) -> reqwest::Response {
        self.call_at(&self.resource, tool, authorization).await
    }

    /// [`Protected::call`], to another URL.
    pub async fn call_at(&self, url: &str, tool: &str, auth: Option<&str>) -> reqwest::Response {
        let meta = json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        });
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": tool, "arguments": {"text": "hi"}, "_meta": meta}});
        let mut req = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .header("mcp-name", tool)
            .body(body.to_string());
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        req.send()
            .await
            .unwrap_or_else(|e| panic!("POST {url}: {e}"))
    }

    /// Asserts that a good token still gets through: the server kept
    /// serving.
    pub async fn assert_serving(&self, keys: &Keys) {
        let token = sign(keys, "EdDSA", "ed-1", &self.claims("mcp:tools"));
        let r = self.call("echo", Some(&format!("Bearer {token}"))).await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.expect("a JSON answer");
        assert_eq!(body["result"]["content"][0]["text"], "hi", "{body}");
    }
}

/// The parameters of the `WWW-Authenticate: Bearer` challenge of `r`.
pub fn challenge(r: &reqwest::Response) -> BTreeMap<String, String> {
    let v = r
        .headers()
        .get("www-authenticate")
        .expect("a WWW-Authenticate header")
        .to_str()
        .expect("an ASCII challenge");
    let rest = v.strip_prefix("Bearer ").expect("a Bearer challenge");
    let mut out = BTreeMap::new();
    for part in rest.split("\", ") {
        let (k, v) = part
            .split_once("=\"")
            .unwrap_or_else(|| panic!("not a quoted parameter: {part}"));
        out.insert(k.to_string(), v.trim_end_matches('"').to_string());
    }
    out
}

/// A JWKS that can be rotated while the server runs, counting its loads.
#[derive(Clone, Default)]
pub struct Rotating {
    /// The JWKS the next load returns.
    pub keys: Arc<Mutex<Value>>,
    /// How many times it was loaded.
    pub loads: Arc<AtomicUsize>,
}

impl JwksSource for Rotating {
    fn load(&self) -> JwksFuture<'_> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        let text = self
            .keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .to_string();
        Box::pin(async move { Jwks::parse(&text) })
    }
}
