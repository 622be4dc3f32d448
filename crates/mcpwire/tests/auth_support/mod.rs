//! Keys, token signing and a protected server, shared by the auth tests.
#![allow(dead_code, unused_imports)]

pub use std::collections::BTreeMap;
pub use std::convert::Infallible;
pub use std::sync::atomic::{AtomicUsize, Ordering};
pub use std::sync::{Arc, Mutex};
pub use std::time::{Duration, SystemTime};

pub use base64::Engine;
pub use base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub use mcpwire::auth::{
    BearerAuth, Jwks, JwksFile, JwksFuture, JwksSource, JwtVerifier, ProtectedResourceMetadata,
    VerifiedToken, serve_listener,
};
pub use mcpwire::server::{Server, ToolRoute};
pub use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
pub use reqwest::StatusCode;
pub use ring::rand::SystemRandom;
pub use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
pub use serde_json::{Value, json};

pub const ISSUER: &str = "https://auth.test";
pub const RSA_PK8: &[u8] = include_bytes!("../auth_keys/rsa_test_key.pk8");
pub const RSA_JWK: &str = include_str!("../auth_keys/rsa_test_key.public.jwk.json");

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct Text {
    pub text: String,
}

/// The signing keys of one test's authorization server.
pub struct Keys {
    pub ed: Ed25519KeyPair,
    pub ec: EcdsaKeyPair,
    pub rsa: RsaKeyPair,
}

impl Keys {
    pub fn new() -> Self {
        let rng = SystemRandom::new();
        let ed = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let ec_alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let ec = EcdsaKeyPair::generate_pkcs8(ec_alg, &rng).unwrap();
        Keys {
            ed: Ed25519KeyPair::from_pkcs8(ed.as_ref()).unwrap(),
            ec: EcdsaKeyPair::from_pkcs8(ec_alg, ec.as_ref(), &rng).unwrap(),
            rsa: RsaKeyPair::from_pkcs8(RSA_PK8).unwrap(),
        }
    }

    pub fn ed_jwk(&self, kid: &str) -> Value {
        let x = URL_SAFE_NO_PAD.encode(self.ed.public_key().as_ref());
        json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": x})
    }

    pub fn ec_jwk(&self, kid: &str) -> Value {
        let p = self.ec.public_key().as_ref();
        json!({"kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig",
               "x": URL_SAFE_NO_PAD.encode(&p[1..33]), "y": URL_SAFE_NO_PAD.encode(&p[33..65])})
    }

    /// The JWKS of all three keys, kids `ed-1`, `ec-1` and `rsa-1`.
    pub fn jwks(&self) -> Value {
        let rsa: Value = serde_json::from_str(RSA_JWK).unwrap();
        json!({"keys": [self.ed_jwk("ed-1"), self.ec_jwk("ec-1"), rsa]})
    }
}

pub fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A JWT of `claims` signed with `alg` ("EdDSA", "ES256", "RS256") under `kid`.
pub fn sign(keys: &Keys, alg: &str, kid: &str, claims: &Value) -> String {
    sign_with_header(
        keys,
        &json!({"alg": alg, "typ": "at+jwt", "kid": kid}),
        claims,
    )
}

/// A JWT of `claims` with `header`, signed with the key for its `alg`.
pub fn sign_with_header(keys: &Keys, header: &Value, claims: &Value) -> String {
    let alg = header["alg"].as_str().unwrap();
    let input = format!("{}.{}", b64(header), b64(claims));
    let sig = match alg {
        "EdDSA" => keys.ed.sign(input.as_bytes()).as_ref().to_vec(),
        "ES256" => keys
            .ec
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap()
            .as_ref()
            .to_vec(),
        "RS256" => {
            let mut sig = vec![0; keys.rsa.public().modulus_len()];
            keys.rsa
                .sign(
                    &signature::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    input.as_bytes(),
                    &mut sig,
                )
                .unwrap();
            sig
        }
        other => panic!("no signer for {other}"),
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// One running protected server.
pub struct Running {
    pub port: u16,
    pub resource: String,
    pub http: reqwest::Client,
    pub stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    pub fn claims(&self, scope: &str) -> Value {
        json!({"iss": ISSUER, "aud": self.resource, "sub": "alice", "scope": scope,
               "iat": now(), "exp": now() + 300})
    }

    /// A `tools/call` of `tool` with `authorization` as the header value.
    pub async fn call(&self, tool: &str, authorization: Option<&str>) -> reqwest::Response {
        self.call_at(&self.resource, tool, authorization).await
    }

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
        req.send().await.unwrap()
    }

    /// Asserts that a good token still gets through: the server kept serving.
    pub async fn assert_serving(&self, keys: &Keys) {
        let token = sign(keys, "EdDSA", "ed-1", &self.claims("mcp:tools"));
        let r = self.call("echo", Some(&format!("Bearer {token}"))).await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["result"]["content"][0]["text"], "hi", "{body}");
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

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
}

pub fn resource(port: u16) -> String {
    format!("http://127.0.0.1:{port}/mcp")
}

pub fn auth_for(port: u16, verifier: JwtVerifier) -> BearerAuth {
    BearerAuth::new(
        verifier,
        ProtectedResourceMetadata::new(resource(port))
            .authorization_server(ISSUER)
            .scopes(["mcp:tools", "mcp:admin"]),
    )
    .require_scopes(["mcp:tools"])
    .tool_scopes("admin", ["mcp:admin"])
}

pub async fn start_with(port: u16, auth: BearerAuth) -> Running {
    start_serving(port, auth, mcp_server()).await
}

/// `server` behind `auth` on `port`.
pub async fn start_serving(port: u16, auth: BearerAuth, server: Server) -> Running {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let service = auth.wrap(StreamableHttp::new(server, HttpConfig::default()));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve_listener(service, listener, async {
        let _ = rx.await;
    }));
    Running {
        port,
        resource: resource(port),
        http: reqwest::Client::new(),
        stop: Some(tx),
    }
}

/// A server trusting `keys` (a static JWKS).
pub async fn start(port: u16, keys: &Keys) -> Running {
    let jwks = Jwks::parse(&keys.jwks().to_string()).unwrap();
    let verifier = JwtVerifier::new(jwks, ISSUER, resource(port));
    start_with(port, auth_for(port, verifier)).await
}

/// The parameters of a `WWW-Authenticate: Bearer` challenge.
pub fn challenge(r: &reqwest::Response) -> BTreeMap<String, String> {
    let v = r
        .headers()
        .get("www-authenticate")
        .expect("a WWW-Authenticate header")
        .to_str()
        .unwrap();
    let rest = v.strip_prefix("Bearer ").expect("a Bearer challenge");
    let mut out = BTreeMap::new();
    for part in rest.split("\", ") {
        let (k, v) = part.split_once("=\"").unwrap();
        out.insert(k.to_string(), v.trim_end_matches('"').to_string());
    }
    out
}

pub fn prm_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/.well-known/oauth-protected-resource/mcp")
}

/// A JWKS that can be rotated, counting its loads.
#[derive(Clone, Default)]
pub struct Rotating {
    pub keys: Arc<Mutex<Value>>,
    pub loads: Arc<AtomicUsize>,
}

impl JwksSource for Rotating {
    fn load(&self) -> JwksFuture<'_> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        let text = self.keys.lock().unwrap().to_string();
        Box::pin(async move { Jwks::parse(&text) })
    }
}
