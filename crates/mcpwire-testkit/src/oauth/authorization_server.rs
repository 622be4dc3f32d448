//! A real OAuth 2.1 authorization server on `127.0.0.1:0` for the OAuth
//! client tests: metadata, dynamic registration, an authorization endpoint
//! that consents at once, and a token endpoint checking PKCE and issuing
//! ES256 JWTs and refresh tokens. It records what it saw, and its
//! behaviour can be changed while it runs. [`super::trusting`] starts a
//! protected server that trusts it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use reqwest::Url;
use serde_json::{Value, json};

use mcpwire::auth::Jwks;

use super::keys::{Keys, now, sign};

/// What the authorization server sends in the redirect's `iss`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Iss {
    /// Its own issuer.
    Correct,
    /// Another issuer's.
    Wrong,
    /// None at all.
    Omit,
}

/// How the authorization server behaves; change it while it runs.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// The `issuer` of the metadata, when it should lie.
    pub metadata_issuer: Option<String>,
    /// `code_challenge_methods_supported` (`None`: left out).
    pub pkce_methods: Option<Vec<String>>,
    /// What the redirect's `iss` says.
    pub iss: Iss,
    /// `authorization_response_iss_parameter_supported`.
    pub iss_supported: bool,
    /// `scopes_supported` (`None`: left out).
    pub scopes_supported: Option<Vec<String>>,
    /// Lifetime of access tokens.
    pub expires_in: u64,
    /// Grant only these scopes whatever is asked (and say so).
    pub grant_only: Option<String>,
    /// The `authorization_endpoint` of the metadata, when it should be
    /// another than `{issuer}/authorize`.
    pub authorization_endpoint: Option<String>,
    /// The `token_endpoint` of the metadata, when it should be another
    /// than `{issuer}/token`.
    pub token_endpoint: Option<String>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            metadata_issuer: None,
            pkce_methods: Some(vec!["S256".into()]),
            iss: Iss::Correct,
            iss_supported: true,
            scopes_supported: None,
            expires_in: 3600,
            grant_only: None,
            authorization_endpoint: None,
            token_endpoint: None,
        }
    }
}

/// What the authorization server saw.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A metadata request.
    Metadata,
    /// A dynamic client registration.
    Register {
        /// The registration request.
        body: Value,
    },
    /// A visit of the authorization endpoint.
    Authorize {
        /// Its query parameters.
        params: HashMap<String, String>,
    },
    /// A token request.
    Token {
        /// Its form parameters.
        params: HashMap<String, String>,
        /// The client id of its Basic authentication, if any.
        basic_client: Option<String>,
    },
}

struct Grant {
    client_id: String,
    challenge: String,
    scope: String,
    resource: String,
}

struct AsState {
    behaviour: Behaviour,
    events: Vec<Event>,
    codes: HashMap<String, Grant>,
    /// refresh token → (client id, scope, resource)
    refresh: HashMap<String, (String, String, String)>,
    next: u64,
}

/// A running authorization server.
#[derive(Clone)]
pub struct AuthServer {
    /// Its issuer: `http://127.0.0.1:PORT`.
    pub issuer: String,
    /// The port it listens on.
    pub port: u16,
    keys: Arc<Keys>,
    state: Arc<Mutex<AsState>>,
}

impl AuthServer {
    fn state(&self) -> std::sync::MutexGuard<'_, AsState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Everything it saw, in order.
    pub fn events(&self) -> Vec<Event> {
        self.state().events.clone()
    }

    /// How many of the events `f` picks.
    pub fn count(&self, f: impl Fn(&Event) -> bool) -> usize {
        self.events().iter().filter(|e| f(e)).count()
    }

    /// The parameters of each visit of the authorization endpoint.
    pub fn authorizations(&self) -> Vec<HashMap<String, String>> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Authorize { params } => Some(params),
                _ => None,
            })
            .collect()
    }

    /// The parameters of each token request.
    pub fn token_requests(&self) -> Vec<HashMap<String, String>> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Token { params, .. } => Some(params),
                _ => None,
            })
            .collect()
    }

    /// Changes how it behaves from the next request on.
    pub fn behave(&self, f: impl FnOnce(&mut Behaviour)) {
        f(&mut self.state().behaviour);
    }

    /// The JWKS a resource server trusting this one uses.
    pub fn jwks(&self) -> Jwks {
        Jwks::parse(&self.keys.jwks().to_string()).expect("the test JWKS parses")
    }

    /// Starts on `127.0.0.1:0`; it runs until the test's runtime ends.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let asv = mcpwire_testkit::oauth::AuthServer::start().await;
    /// let url = format!("{}/.well-known/oauth-authorization-server", asv.issuer);
    /// let meta: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    /// assert_eq!(meta["issuer"], asv.issuer.as_str());
    /// # }
    /// ```
    pub async fn start() -> AuthServer {
        AuthServer::serve(crate::http::bind().await.into_listener())
    }

    fn serve(listener: tokio::net::TcpListener) -> AuthServer {
        let port = listener
            .local_addr()
            .expect("a bound listener has an address")
            .port();
        let server = AuthServer {
            issuer: format!("http://127.0.0.1:{port}"),
            port,
            keys: Arc::new(Keys::new()),
            state: Arc::new(Mutex::new(AsState {
                behaviour: Behaviour::default(),
                events: Vec::new(),
                codes: HashMap::new(),
                refresh: HashMap::new(),
                next: 0,
            })),
        };
        let s = server.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let s = s.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| {
                        let s = s.clone();
                        async move { Ok::<_, std::convert::Infallible>(s.handle(req).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), svc)
                        .await;
                });
            }
        });
        server
    }

    async fn handle(
        &self,
        req: hyper::Request<hyper::body::Incoming>,
    ) -> hyper::Response<Full<Bytes>> {
        let method = req.method().clone();
        let uri = req.uri().clone();
        let basic = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| STANDARD.decode(b).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.split(':').next().map(str::to_owned));
        let Ok(body) = req.into_body().collect().await else {
            return respond(400, json!({"error": "invalid_request"}));
        };
        let body = body.to_bytes();
        let query = |s: &str| -> HashMap<String, String> {
            Url::parse(&format!("http://x/?{s}"))
                .expect("a query string makes a URL")
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        };
        match (method.as_str(), uri.path()) {
            ("GET", "/.well-known/oauth-authorization-server") => self.metadata(),
            ("POST", "/register") => {
                let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                self.register(body)
            }
            ("GET", "/authorize") => self.authorize(query(uri.query().unwrap_or(""))),
            ("POST", "/token") => {
                self.token(query(std::str::from_utf8(&body).unwrap_or("")), basic)
            }
            _ => respond(404, json!({"error": "not_found"})),
        }
    }

    fn metadata(&self) -> hyper::Response<Full<Bytes>> {
        let mut st = self.state();
        st.events.push(Event::Metadata);
        let b = &st.behaviour;
        let i = &self.issuer;
        let mut m = json!({
            "issuer": b.metadata_issuer.clone().unwrap_or_else(|| i.clone()),
            "authorization_endpoint": b.authorization_endpoint.clone()
                .unwrap_or_else(|| format!("{i}/authorize")),
            "token_endpoint": b.token_endpoint.clone().unwrap_or_else(|| format!("{i}/token")),
            "registration_endpoint": format!("{i}/register"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
            "authorization_response_iss_parameter_supported": b.iss_supported,
        });
        if let Some(p) = &b.pkce_methods {
            m["code_challenge_methods_supported"] = json!(p);
        }
        if let Some(s) = &b.scopes_supported {
            m["scopes_supported"] = json!(s);
        }
        respond(200, m)
    }

    fn register(&self, body: Value) -> hyper::Response<Full<Bytes>> {
        let mut st = self.state();
        st.next += 1;
        let id = format!("client-{}-{}", self.port, st.next);
        st.events.push(Event::Register { body: body.clone() });
        respond(
            201,
            json!({"client_id": id, "client_secret": format!("secret-{id}"),
                   "token_endpoint_auth_method": "client_secret_basic",
                   "redirect_uris": body["redirect_uris"]}),
        )
    }

    fn authorize(&self, params: HashMap<String, String>) -> hyper::Response<Full<Bytes>> {
        let mut st = self.state();
        st.events.push(Event::Authorize {
            params: params.clone(),
        });
        st.next += 1;
        let code = format!("code-{}", st.next);
        st.codes.insert(
            code.clone(),
            Grant {
                client_id: params.get("client_id").cloned().unwrap_or_default(),
                challenge: params.get("code_challenge").cloned().unwrap_or_default(),
                scope: params.get("scope").cloned().unwrap_or_default(),
                resource: params.get("resource").cloned().unwrap_or_default(),
            },
        );
        let Some(mut to) = params.get("redirect_uri").and_then(|u| Url::parse(u).ok()) else {
            return respond(400, json!({"error": "invalid_request"}));
        };
        {
            let mut q = to.query_pairs_mut();
            q.append_pair("code", &code);
            if let Some(s) = params.get("state") {
                q.append_pair("state", s);
            }
            match st.behaviour.iss {
                Iss::Correct => {
                    q.append_pair("iss", &self.issuer);
                }
                Iss::Wrong => {
                    q.append_pair("iss", "https://evil.example");
                }
                Iss::Omit => {}
            }
        }
        hyper::Response::builder()
            .status(302)
            .header("location", to.as_str())
            .body(Full::new(Bytes::new()))
            .expect("a redirect is a valid response")
    }

    fn token(
        &self,
        params: HashMap<String, String>,
        basic_client: Option<String>,
    ) -> hyper::Response<Full<Bytes>> {
        let mut st = self.state();
        st.events.push(Event::Token {
            params: params.clone(),
            basic_client: basic_client.clone(),
        });
        let client = basic_client.or_else(|| params.get("client_id").cloned());
        let (client_id, scope, resource) = match params.get("grant_type").map(String::as_str) {
            Some("authorization_code") => {
                let Some(g) = params.get("code").and_then(|c| st.codes.remove(c)) else {
                    return respond(400, json!({"error": "invalid_grant"}));
                };
                let verifier = params.get("code_verifier").cloned().unwrap_or_default();
                let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
                if URL_SAFE_NO_PAD.encode(digest.as_ref()) != g.challenge {
                    return respond(
                        400,
                        json!({"error": "invalid_grant", "error_description": "PKCE"}),
                    );
                }
                if params.get("resource") != Some(&g.resource) {
                    return respond(400, json!({"error": "invalid_target"}));
                }
                (g.client_id, g.scope, g.resource)
            }
            Some("refresh_token") => {
                let Some(r) = params
                    .get("refresh_token")
                    .and_then(|t| st.refresh.get(t).cloned())
                else {
                    return respond(400, json!({"error": "invalid_grant"}));
                };
                r
            }
            _ => return respond(400, json!({"error": "unsupported_grant_type"})),
        };
        if client.as_deref() != Some(client_id.as_str()) {
            return respond(401, json!({"error": "invalid_client"}));
        }
        let scope = st.behaviour.grant_only.clone().unwrap_or(scope);
        let claims = json!({"iss": self.issuer, "aud": resource, "sub": "alice",
            "scope": scope, "iat": now(), "exp": now() + st.behaviour.expires_in,
            "jti": format!("t{}", st.next)});
        let access = sign(&self.keys, "ES256", "ec-1", &claims);
        st.next += 1;
        let refresh = format!("refresh-{}", st.next);
        st.refresh
            .insert(refresh.clone(), (client_id, scope.clone(), resource));
        respond(
            200,
            json!({"access_token": access, "token_type": "Bearer",
                   "expires_in": st.behaviour.expires_in, "refresh_token": refresh,
                   "scope": scope}),
        )
    }
}

fn respond(status: u16, body: Value) -> hyper::Response<Full<Bytes>> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a JSON answer is a valid response")
}
