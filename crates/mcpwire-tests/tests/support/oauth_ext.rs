//! A real local authorization server, identity provider and DPoP-checking
//! MCP server for the OAuth extension tests (`auth_client_ext.rs`): one
//! hyper server on `127.0.0.1:0` that serves the metadata, `/token`,
//! `/idp/token` and `/mcp` (an mcpwire server behind a DPoP / bearer check
//! written here, independently of the client).
#![allow(dead_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use mcpwire::server::{Server, ToolRoute};
use mcpwire::transport::http_server::{Body, HttpConfig, StreamableHttp};
use ring::digest::{SHA256, digest};
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
use serde_json::{Value, json};

/// How the fake servers behave.
#[derive(Clone, Default)]
pub struct Behavior {
    /// `token_endpoint_auth_methods_supported`.
    pub auth_methods: Vec<&'static str>,
    /// Expected client authentication: `client_secret_basic` with this
    /// id and secret.
    pub basic: Option<(&'static str, &'static str)>,
    /// Expected `private_key_jwt` assertions of this client id, verified
    /// with this uncompressed P-256 public key.
    pub assertion_key: Option<(&'static str, Vec<u8>)>,
    /// Answer every token request with this OAuth error (and status).
    pub token_error: Option<(u16, &'static str)>,
    /// Issue DPoP-bound tokens to requests with a valid proof.
    pub dpop: bool,
    /// The token endpoint requires this nonce (`"*"`: a new one each time).
    pub as_nonce: Option<&'static str>,
    /// The MCP server requires this nonce (`"*"`: a new one each time).
    pub rs_nonce: Option<&'static str>,
    /// The expected JWT bearer assertion (workload JWT).
    pub jwt_bearer: Option<&'static str>,
    /// The IdP exchanges this ID token for an ID-JAG.
    pub idp_id_token: Option<&'static str>,
    /// The `expires_in` of issued tokens (default 3600).
    pub expires_in: Option<u64>,
}

/// One request the servers saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub form: HashMap<String, String>,
    /// What the server decided about it (`ok`, or why it refused).
    pub verdict: String,
}

#[derive(Default)]
struct State {
    behavior: Behavior,
    seen: Vec<Seen>,
    /// Issued access tokens and the thumbprint they are bound to.
    tokens: HashMap<String, Option<String>>,
    jtis: Vec<String>,
    counter: u64,
}

/// A running set of servers.
pub struct Servers {
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Servers {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

impl Servers {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }

    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests seen at `path`.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        let st = self.state.lock().unwrap();
        st.seen.iter().filter(|s| s.path == path).cloned().collect()
    }
}

fn mcp_server() -> Server {
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Text {
        text: String,
    }
    Server::builder("ext-test", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .build()
        .unwrap()
}

/// Starts the servers on `127.0.0.1:0`.
pub async fn start(behavior: Behavior) -> Servers {
    let bound = mcpwire_testkit::http::bind().await;
    let port = bound.addr().port();
    let listener = bound.into_listener();
    let state = Arc::new(Mutex::new(State {
        behavior,
        ..State::default()
    }));
    let mcp = StreamableHttp::new(mcp_server(), HttpConfig::default());
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let st = state.clone();
    tokio::spawn(async move {
        loop {
            let (stream, _) = tokio::select! {
                r = listener.accept() => match r { Ok(s) => s, Err(_) => continue },
                _ = &mut rx => return,
            };
            let st = st.clone();
            let mcp = mcp.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| {
                    let st = st.clone();
                    let mcp = mcp.clone();
                    async move { Ok::<_, Infallible>(handle(port, st, mcp, req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Servers {
        port,
        state,
        stop: Some(tx),
    }
}

/// `application/x-www-form-urlencoded` pairs.
fn parse_form(raw: &[u8]) -> HashMap<String, String> {
    fn decode(s: &str) -> String {
        let s = s.replace('+', " ");
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                if let Ok(v) = u8::from_str_radix(hex, 16) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(raw)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn body(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).map_err(|n| match n {}).boxed_unsync()
}

fn json_response(status: u16, v: &Value, extra: &[(&str, String)]) -> Response<Body> {
    let mut r = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    for (n, v) in extra {
        r = r.header(*n, v);
    }
    r.body(body(v.to_string())).unwrap()
}

async fn handle(
    port: u16,
    st: Arc<Mutex<State>>,
    mcp: StreamableHttp,
    req: Request<Incoming>,
) -> Response<Body> {
    let base = format!("http://127.0.0.1:{port}");
    let path = req.uri().path().to_owned();
    let method = req.method().as_str().to_owned();
    let headers: HashMap<String, String> = req
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    match (method.as_str(), path.as_str()) {
        ("GET", "/.well-known/oauth-protected-resource/mcp") => json_response(
            200,
            &json!({"resource": format!("{base}/mcp"), "authorization_servers": [base]}),
            &[],
        ),
        ("GET", "/.well-known/oauth-authorization-server") => {
            let b = st.lock().unwrap().behavior.clone();
            let mut meta = json!({
                "issuer": base,
                "token_endpoint": format!("{base}/token"),
                "authorization_endpoint": format!("{base}/authorize"),
                "response_types_supported": ["code"],
                "grant_types_supported": ["client_credentials",
                    "urn:ietf:params:oauth:grant-type:jwt-bearer"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": b.auth_methods,
            });
            if b.dpop {
                meta["dpop_signing_alg_values_supported"] = json!(["ES256"]);
            }
            json_response(200, &meta, &[])
        }
        ("POST", "/token") | ("POST", "/idp/token") => {
            let raw = req.into_body().collect().await.unwrap().to_bytes();
            let form = parse_form(&raw);
            let mut seen = Seen {
                method,
                path: path.clone(),
                headers,
                form,
                verdict: String::new(),
            };
            let resp = if path == "/token" {
                token(&base, &st, &mut seen)
            } else {
                idp_token(&base, &st, &mut seen)
            };
            st.lock().unwrap().seen.push(seen);
            resp
        }
        (_, "/mcp") => {
            let mut seen = Seen {
                method: method.clone(),
                path: path.clone(),
                headers: headers.clone(),
                form: HashMap::new(),
                verdict: String::new(),
            };
            let refusal = resource_check(&base, &st, &mut seen);
            st.lock().unwrap().seen.push(seen);
            match refusal {
                Some(r) => r,
                None => {
                    let mut mcp = mcp;
                    tower_service::Service::call(&mut mcp, req).await.unwrap()
                }
            }
        }
        _ => json_response(404, &json!({"error": "not_found"}), &[]),
    }
}

/// The claims of a verified DPoP proof, or why it is invalid. The
/// signature is checked against the proof's own `jwk`.
pub fn verify_proof(
    proof: &str,
    method: &str,
    url: &str,
    token: Option<&str>,
) -> Result<(Value, String), String> {
    let mut parts = proof.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWS".into());
    };
    let decode = |p: &str| -> Result<Value, String> {
        let bytes = URL_SAFE_NO_PAD.decode(p).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    };
    let header = decode(h)?;
    let claims = decode(c)?;
    if header["typ"] != "dpop+jwt" || header["alg"] != "ES256" {
        return Err(format!("bad header {header}"));
    }
    let jwk = &header["jwk"];
    if jwk.get("d").is_some() || jwk["kty"] != "EC" || jwk["crv"] != "P-256" {
        return Err(format!("bad jwk {jwk}"));
    }
    let coord = |n: &str| {
        URL_SAFE_NO_PAD
            .decode(jwk[n].as_str().unwrap_or(""))
            .unwrap_or_default()
    };
    let mut point = vec![4u8];
    point.extend(coord("x"));
    point.extend(coord("y"));
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|e| e.to_string())?;
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
        .verify(format!("{h}.{c}").as_bytes(), &sig)
        .map_err(|_| "signature does not verify".to_string())?;
    if claims["htm"] != method {
        return Err(format!("htm {} != {method}", claims["htm"]));
    }
    if claims["htu"] != url {
        return Err(format!("htu {} != {url}", claims["htu"]));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    if claims["iat"]
        .as_i64()
        .is_none_or(|iat| (now - iat).abs() > 60)
    {
        return Err("iat".into());
    }
    if !claims["jti"].is_string() {
        return Err("no jti".into());
    }
    match token {
        Some(t) => {
            let ath = URL_SAFE_NO_PAD.encode(digest(&SHA256, t.as_bytes()));
            if claims["ath"] != ath.as_str() {
                return Err("ath does not match the token".into());
            }
        }
        None if claims.get("ath").is_some() => return Err("ath at the token endpoint".into()),
        None => {}
    }
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk["x"].as_str().unwrap_or(""),
        jwk["y"].as_str().unwrap_or("")
    );
    let jkt = URL_SAFE_NO_PAD.encode(digest(&SHA256, canonical.as_bytes()));
    Ok((claims, jkt))
}

fn nonce_demand(st: &mut State, wanted: &'static str, claims: &Value) -> Option<String> {
    let fresh = if wanted == "*" {
        st.counter += 1;
        format!("nonce-{}", st.counter)
    } else {
        wanted.to_owned()
    };
    if wanted != "*" && claims["nonce"] == wanted {
        return None;
    }
    Some(fresh)
}

fn oauth_err(status: u16, code: &str) -> Response<Body> {
    json_response(
        status,
        &json!({"error": code, "error_description": "test"}),
        &[],
    )
}

fn token(base: &str, st: &Mutex<State>, seen: &mut Seen) -> Response<Body> {
    let mut st = st.lock().unwrap();
    let b = st.behavior.clone();
    if let Some((status, code)) = b.token_error {
        seen.verdict = code.to_owned();
        return oauth_err(status, code);
    }
    // Client authentication.
    if let Some((id, secret)) = b.basic {
        let expected = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
        if seen.headers.get("authorization") != Some(&expected) {
            seen.verdict = "bad basic".into();
            return oauth_err(401, "invalid_client");
        }
    }
    if let Some((id, key)) = &b.assertion_key {
        match verify_assertion(&seen.form, id, key, base) {
            Ok(()) => {}
            Err(e) => {
                seen.verdict = e;
                return oauth_err(401, "invalid_client");
            }
        }
    }
    if let Some(expected) = b.jwt_bearer
        && seen.form.get("assertion").map(String::as_str) != Some(expected)
    {
        seen.verdict = "bad assertion".into();
        return oauth_err(400, "invalid_grant");
    }
    // DPoP.
    let mut jkt = None;
    if b.dpop
        && let Some(proof) = seen.headers.get("dpop").cloned()
    {
        match verify_proof(&proof, "POST", &format!("{base}/token"), None) {
            Ok((claims, thumb)) => {
                if let Some(wanted) = b.as_nonce
                    && let Some(nonce) = nonce_demand(&mut st, wanted, &claims)
                {
                    seen.verdict = "use_dpop_nonce".into();
                    return json_response(
                        400,
                        &json!({"error": "use_dpop_nonce"}),
                        &[("DPoP-Nonce", nonce)],
                    );
                }
                jkt = Some(thumb);
            }
            Err(e) => {
                seen.verdict = e;
                return oauth_err(400, "invalid_dpop_proof");
            }
        }
    }
    st.counter += 1;
    let token = format!(
        "at-{}-{}",
        st.counter,
        seen.form.get("grant_type").cloned().unwrap_or_default()
    );
    let token_type = if jkt.is_some() { "DPoP" } else { "Bearer" };
    st.tokens.insert(token.clone(), jkt);
    seen.verdict = "ok".into();
    json_response(
        200,
        &json!({"access_token": token, "token_type": token_type,
                "expires_in": b.expires_in.unwrap_or(3600)}),
        &[],
    )
}

fn verify_assertion(
    form: &HashMap<String, String>,
    id: &str,
    key: &[u8],
    base: &str,
) -> Result<(), String> {
    if form.get("client_assertion_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return Err("assertion type".into());
    }
    let jwt = form.get("client_assertion").ok_or("no assertion")?;
    let (input, sig) = jwt.rsplit_once('.').ok_or("not a JWS")?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|e| e.to_string())?;
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key)
        .verify(input.as_bytes(), &sig)
        .map_err(|_| "assertion signature".to_string())?;
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(input.split('.').nth(1).unwrap_or(""))
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    if claims["iss"] != id || claims["sub"] != id || claims["aud"] != base {
        return Err(format!("claims {claims}"));
    }
    Ok(())
}

fn idp_token(base: &str, st: &Mutex<State>, seen: &mut Seen) -> Response<Body> {
    let b = st.lock().unwrap().behavior.clone();
    let f = |n: &str| seen.form.get(n).map(String::as_str);
    let ok = f("grant_type") == Some("urn:ietf:params:oauth:grant-type:token-exchange")
        && f("requested_token_type") == Some("urn:ietf:params:oauth:token-type:id-jag")
        && f("subject_token_type") == Some("urn:ietf:params:oauth:token-type:id_token")
        && f("subject_token") == b.idp_id_token
        && f("audience") == Some(base)
        && f("resource") == Some(&format!("{base}/mcp"));
    if !ok {
        seen.verdict = "bad exchange".into();
        return oauth_err(400, "invalid_request");
    }
    seen.verdict = "ok".into();
    json_response(
        200,
        &json!({"access_token": "id.jag.jwt", "token_type": "N_A",
                "issued_token_type": "urn:ietf:params:oauth:token-type:id-jag"}),
        &[],
    )
}

/// `None` to let the request through to the MCP server, else the refusal.
fn resource_check(base: &str, st: &Mutex<State>, seen: &mut Seen) -> Option<Response<Body>> {
    let prm = format!("{base}/.well-known/oauth-protected-resource/mcp");
    let mut st = st.lock().unwrap();
    let b = st.behavior.clone();
    let scheme = if b.dpop { "DPoP" } else { "Bearer" };
    let challenge = |extra: &str| {
        let v = format!(r#"{scheme} {extra}resource_metadata="{prm}""#);
        json_response(
            401,
            &json!({"error": "unauthorized"}),
            &[("WWW-Authenticate", v)],
        )
    };
    let Some(auth) = seen.headers.get("authorization").cloned() else {
        seen.verdict = "no token".into();
        return Some(challenge(""));
    };
    let (got_scheme, token) = auth.split_once(' ').unwrap_or((&auth, ""));
    let Some(bound) = st.tokens.get(token).cloned() else {
        seen.verdict = "unknown token".into();
        return Some(challenge(r#"error="invalid_token", "#));
    };
    if let Some(jkt) = bound {
        if got_scheme != "DPoP" {
            seen.verdict = format!("scheme {got_scheme}");
            return Some(challenge(r#"error="invalid_token", "#));
        }
        let Some(proof) = seen.headers.get("dpop").cloned() else {
            seen.verdict = "no proof".into();
            return Some(challenge(r#"error="invalid_dpop_proof", "#));
        };
        match verify_proof(&proof, &seen.method, &format!("{base}/mcp"), Some(token)) {
            Ok((claims, thumb)) => {
                if thumb != jkt {
                    seen.verdict = "key not bound".into();
                    return Some(challenge(r#"error="invalid_dpop_proof", "#));
                }
                let jti = claims["jti"].as_str().unwrap_or("").to_owned();
                if st.jtis.contains(&jti) {
                    seen.verdict = "replayed jti".into();
                    return Some(challenge(r#"error="invalid_dpop_proof", "#));
                }
                st.jtis.push(jti);
                if let Some(wanted) = b.rs_nonce
                    && let Some(nonce) = nonce_demand(&mut st, wanted, &claims)
                {
                    seen.verdict = "use_dpop_nonce".into();
                    let v = format!(r#"DPoP error="use_dpop_nonce", resource_metadata="{prm}""#);
                    return Some(json_response(
                        401,
                        &json!({"error": "use_dpop_nonce"}),
                        &[("WWW-Authenticate", v), ("DPoP-Nonce", nonce)],
                    ));
                }
            }
            Err(e) => {
                seen.verdict = e;
                return Some(challenge(r#"error="invalid_dpop_proof", "#));
            }
        }
    } else if got_scheme != "Bearer" {
        seen.verdict = format!("scheme {got_scheme}");
        return Some(challenge(r#"error="invalid_token", "#));
    }
    seen.verdict = "ok".into();
    None
}
