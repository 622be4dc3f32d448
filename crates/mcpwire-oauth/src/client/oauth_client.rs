//! [`OAuthClient`]: the OAuth 2.1 authorization of one MCP server, as an
//! [`AuthProvider`] of the HTTP client transport. It hands out the stored
//! access token (refreshing it when it is about to expire), and answers a
//! server's challenge with discovery, registration, the authorization-code
//! flow with PKCE, and the token request.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use reqwest::{Method, Url};

use super::discovery::{self, Discovered, resource_covers};
use super::dpop::{DPOP_NONCE_HEADER, DpopKey, USE_DPOP_NONCE, proof_nonce};
use super::flow::{self, Pending};
use super::observe::{self, Stage, watched};
use super::pkce::{self, Pkce, random_token};
use super::store::now_secs;
use super::token_endpoint::{self, Grant};
use super::{
    AuthError, ClientRegistration, OAuthConfig, ServerMetadata, StoreKey, StoredCredentials,
    TokenSet, grants, registration, scopes,
};
use mcpwire_http::client::{
    AuthChallenge, AuthFuture, AuthProvider, AuthProviderError, WwwAuthenticate,
};

/// Refresh an access token this many seconds before it expires.
const REFRESH_MARGIN: u64 = 30;

/// The OAuth 2.1 client of one MCP server.
///
/// Give it to the transport with
/// [`HttpClientBuilder::auth`](mcpwire_http::client::HttpClientBuilder::auth);
/// or drive it directly: [`login`](Self::login) authorizes without an MCP
/// request, [`logout`](Self::logout) forgets the server's credentials.
///
/// ```no_run
/// use std::sync::Arc;
/// use mcpwire_oauth::client::{HeadlessAuthorize, OAuthClient, OAuthConfig};
/// use mcpwire_client::Client;
/// use mcpwire_http::client::HttpClientTransport;
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let url = "http://127.0.0.1:8000/mcp";
/// let oauth = OAuthClient::new(
///     OAuthConfig::new(url).authorize(Arc::new(HeadlessAuthorize::new())),
/// )?;
/// let transport = HttpClientTransport::builder(url).auth(Arc::new(oauth)).build()?;
/// let client = Client::builder("my-host", "1.0.0").connect(transport).await?;
/// println!("{:?}", client.list_tools().await?);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct OAuthClient {
    cfg: OAuthConfig,
    server_url: Url,
    http: reqwest::Client,
    session: Mutex<Session>,
    /// One authorization (or refresh) at a time.
    flow: tokio::sync::Mutex<()>,
    /// The DPoP key, when [`OAuthConfig::dpop`] is on.
    dpop: Option<DpopKey>,
}

/// The credentials in use.
#[derive(Debug, Default)]
struct Session {
    /// Whether the store was consulted.
    loaded: bool,
    key: Option<StoreKey>,
    client: Option<ClientRegistration>,
    tokens: Option<TokenSet>,
    /// The scopes the last authorization asked for.
    requested: Vec<String>,
    /// Whether the current access token came from a refresh (a `401` for
    /// it then calls for a full authorization, not another refresh).
    refreshed: bool,
    /// The metadata of the issuer of `key`, once discovered.
    meta: Option<ServerMetadata>,
}

impl OAuthClient {
    /// A client for the MCP server of `cfg`.
    pub fn new(cfg: OAuthConfig) -> Result<OAuthClient, AuthError> {
        let server_url = Url::parse(&cfg.server_url).map_err(|e| AuthError::InvalidUrl {
            url: cfg.server_url.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(server_url.scheme(), "http" | "https") {
            return Err(AuthError::InvalidUrl {
                url: cfg.server_url.clone(),
                reason: "not an http(s) URL".to_owned(),
            });
        }
        let http = match &cfg.http {
            Some(h) => h.clone(),
            None => reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .user_agent(concat!("mcpwire/", env!("CARGO_PKG_VERSION")))
                // A token request's body (codes, verifiers, secrets) and
                // its DPoP proof stay with the authorization server.
                .redirect(mcpwire_http::client::redirect::same_origin())
                .build()
                .map_err(|e| AuthError::Http {
                    what: "creating the HTTP client".to_owned(),
                    reason: e.to_string(),
                })?,
        };
        let dpop = if cfg.dpop {
            Some(DpopKey::generate()?)
        } else {
            None
        };
        Ok(OAuthClient {
            cfg,
            server_url,
            http,
            session: Mutex::new(Session::default()),
            flow: tokio::sync::Mutex::new(()),
            dpop,
        })
    }

    /// Stored tokens this client can present: DPoP-bound tokens of an
    /// earlier process are bound to a key that no longer exists.
    fn usable(&self, tokens: Option<TokenSet>) -> Option<TokenSet> {
        tokens.filter(|t| !t.token_type.eq_ignore_ascii_case("dpop"))
    }

    /// The DPoP key the tokens are bound to, when DPoP is on.
    pub fn dpop_key(&self) -> Option<&DpopKey> {
        self.dpop.as_ref()
    }

    fn session(&self) -> MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Authorizes now, without waiting for the server's challenge:
    /// discovery, registration, the user's consent and the token request.
    /// Returns the key the credentials are stored under.
    pub async fn login(&self) -> Result<StoreKey, AuthError> {
        watched(self.cfg.observer.as_ref(), self.login_flow()).await
    }

    async fn login_flow(&self) -> Result<StoreKey, AuthError> {
        let _flow = self.flow.lock().await;
        let found = discovery::discover(&self.http, &self.server_url, None).await?;
        if self.cfg.grant.is_interactive() {
            pkce::require_s256(&found.server)?;
        }
        self.switch_to(&found)?;
        self.authorize(&found, None, Vec::new()).await?;
        Ok(self.key(&found))
    }

    /// Refreshes the access token now with the refresh token (or, for a
    /// machine-to-machine grant, with the grant again). Returns whether
    /// new tokens were obtained: false when there is no refresh token or
    /// the authorization server refused it (the refresh token is then
    /// dropped, and the next challenge authorizes anew).
    pub async fn refresh_now(&self) -> Result<bool, AuthError> {
        watched(self.cfg.observer.as_ref(), async {
            let _flow = self.flow.lock().await;
            self.current()?;
            self.refresh().await
        })
        .await
    }

    /// Forgets every stored credential of this MCP server (at every
    /// issuer). Returns how many entries were removed.
    pub fn logout(&self) -> Result<usize, AuthError> {
        let mut n = 0;
        for (key, _) in self.credentials()? {
            self.cfg.store.remove(&key)?;
            n += 1;
        }
        *self.session() = Session::default();
        Ok(n)
    }

    /// The stored credentials of this MCP server, by issuer.
    pub fn credentials(&self) -> Result<Vec<(StoreKey, StoredCredentials)>, AuthError> {
        Ok(self
            .cfg
            .store
            .list()?
            .into_iter()
            .filter(|(k, _)| resource_covers(&k.resource, &self.server_url))
            .collect())
    }

    /// The `Authorization` value of the current access token, after
    /// loading the store on first use.
    fn current(&self) -> Result<Option<(HeaderValue, bool)>, AuthError> {
        let mut s = self.session();
        if !s.loaded {
            s.loaded = true;
            let newest = self
                .credentials()?
                .into_iter()
                .max_by_key(|(_, c)| c.updated_at);
            if let Some((key, creds)) = newest {
                s.key = Some(key);
                s.client = creds.client;
                s.tokens = self.usable(creds.tokens);
            }
        }
        Ok(s.tokens.as_ref().and_then(|t| {
            let value = authorization_value(t)?;
            Some((value, t.expires_within(REFRESH_MARGIN)))
        }))
    }

    /// Refreshes the access token with the refresh token, if there is one,
    /// or, for a machine-to-machine grant without one, with the grant
    /// again (whose refusal is reported, not retried). Returns whether new
    /// tokens were obtained.
    async fn refresh(&self) -> Result<bool, AuthError> {
        let machine = !self.cfg.grant.is_interactive();
        let (key, client, tokens, meta) = {
            let s = self.session();
            match (&s.key, &s.client, &s.tokens) {
                (Some(k), Some(c), Some(t)) if machine || t.refresh_token.is_some() => {
                    (k.clone(), c.clone(), t.clone(), s.meta.clone())
                }
                _ => return Ok(false),
            }
        };
        let meta = match meta {
            Some(m) => m,
            None => discovery::server_metadata(&self.http, &key.issuer)
                .await?
                .unwrap_or_else(|| ServerMetadata::defaults(&key.issuer)),
        };
        if tokens.refresh_token.is_none() {
            let scope = (!tokens.scope.is_empty()).then(|| tokens.scope.join(" "));
            let fresh = grants::obtain(
                &self.http,
                &self.cfg,
                self.dpop.as_ref(),
                &meta,
                &key.resource,
                &client,
                scope.as_deref(),
            )
            .await?;
            {
                let mut s = self.session();
                s.tokens = Some(fresh);
                s.meta = Some(meta);
                s.refreshed = false;
            }
            self.persist()?;
            return Ok(true);
        }
        let refresh_token = tokens.refresh_token.as_deref().unwrap_or_default();
        let result = token_endpoint::request(
            &self.http,
            &meta,
            &client,
            self.cfg.client_key.as_deref(),
            self.dpop.as_ref(),
            Grant::Refresh { refresh_token },
            &key.resource,
            &tokens.scope,
        )
        .await;
        let mut fresh = match result {
            Ok(t) => t,
            Err(e) => {
                tracing::info!("refreshing the access token failed ({e}); authorizing anew");
                let mut s = self.session();
                if let Some(t) = s.tokens.as_mut() {
                    t.refresh_token = None;
                }
                return Ok(false);
            }
        };
        if fresh.refresh_token.is_none() {
            fresh.refresh_token = tokens.refresh_token.clone();
        }
        {
            let mut s = self.session();
            s.tokens = Some(fresh);
            s.meta = Some(meta);
            s.refreshed = true;
        }
        self.persist()?;
        Ok(true)
    }

    /// Makes the credentials of `found`'s issuer current: credentials of
    /// another issuer are set aside (never sent to this one).
    fn switch_to(&self, found: &Discovered) -> Result<(), AuthError> {
        let key = self.key(found);
        let mut s = self.session();
        s.loaded = true;
        if s.key.as_ref() != Some(&key) {
            if let Some(old) = &s.key {
                tracing::info!(
                    from = %old.issuer,
                    to = %key.issuer,
                    "the MCP server's authorization server changed; using credentials of the new one only"
                );
            }
            let stored = self.cfg.store.load(&key)?.unwrap_or_default();
            s.key = Some(key);
            s.client = stored.client;
            s.tokens = self.usable(stored.tokens);
            s.requested = Vec::new();
            s.refreshed = false;
        }
        s.meta = Some(found.server.clone());
        Ok(())
    }

    fn key(&self, found: &Discovered) -> StoreKey {
        StoreKey::new(
            found.server.issuer.clone(),
            found.resource_indicator.clone(),
        )
    }

    /// Writes the current credentials to the store.
    fn persist(&self) -> Result<(), AuthError> {
        let (key, creds) = {
            let s = self.session();
            let Some(key) = s.key.clone() else {
                return Ok(());
            };
            let creds = StoredCredentials {
                client: s.client.clone(),
                tokens: s.tokens.clone(),
                updated_at: now_secs(),
            };
            (key, creds)
        };
        self.cfg.store.save(&key, &creds)?;
        Ok(())
    }

    /// The full flow: register if needed, send the user to the
    /// authorization endpoint, check the response, exchange the code.
    async fn authorize(
        &self,
        found: &Discovered,
        challenged_scope: Option<&str>,
        previous: Vec<String>,
    ) -> Result<(), AuthError> {
        let meta = &found.server;
        if !self.cfg.grant.is_interactive() {
            return self.machine_grant(found, challenged_scope, previous).await;
        }
        let client = self.session().client.clone();
        let client = match client {
            Some(c) => {
                observe::note(
                    Stage::Registration,
                    &meta.issuer,
                    format!("a client registered earlier: {}", c.client_id),
                );
                c
            }
            None => {
                let c = registration::register(&self.http, meta, &self.cfg).await?;
                self.session().client = Some(c.clone());
                self.persist()?;
                c
            }
        };
        let scope = select_scopes(found, challenged_scope, &previous, self.cfg.offline_access);
        let pending = Pending {
            pkce: Pkce::new()?,
            state: random_token(16)?,
            issuer: meta.issuer.clone(),
            iss_required: meta.authorization_response_iss_parameter_supported,
            redirect_uri: self.cfg.redirect_uri.clone(),
        };
        let url = flow::authorization_url(
            meta,
            &client.client_id,
            &pending,
            scope.as_deref(),
            &found.resource_indicator,
        )?;
        let step = self.cfg.authorize.as_ref().ok_or_else(|| {
            AuthError::Authorize(
                "no authorization step is configured (OAuthConfig::authorize)".to_owned(),
            )
        })?;
        let seen = observe::start(Stage::Authorization, "GET", &url);
        let answered = step.authorize(&url, &pending.redirect_uri).await;
        let code = answered.map(|cb| {
            let code = flow::authorization_code(&cb, &pending);
            (cb, code)
        });
        if let Some((mut e, started)) = seen {
            e.elapsed = started.elapsed();
            e.request = Some(format!(
                "PKCE {} code_challenge {}",
                pending.pkce.method(),
                pending.pkce.challenge()
            ));
            match &code {
                Ok((cb, code)) => {
                    e.response = Some(observe::mask_url(cb.as_str()));
                    e.error = code.as_ref().err().map(ToString::to_string);
                }
                Err(err) => e.error = Some(err.to_string()),
            }
            observe::report(&e);
        }
        let code = code?.1?;
        let requested = scope.unwrap_or_default();
        let tokens = token_endpoint::request(
            &self.http,
            meta,
            &client,
            self.cfg.client_key.as_deref(),
            self.dpop.as_ref(),
            Grant::AuthorizationCode {
                code: &code,
                verifier: pending.pkce.verifier(),
                redirect_uri: &pending.redirect_uri,
            },
            &found.resource_indicator,
            &requested,
        )
        .await?;
        sendable(&tokens, &meta.token_endpoint)?;
        {
            let mut s = self.session();
            s.tokens = Some(tokens);
            s.requested = requested;
            s.refreshed = false;
        }
        self.persist()
    }

    /// Obtains tokens with the configured machine-to-machine grant.
    async fn machine_grant(
        &self,
        found: &Discovered,
        challenged_scope: Option<&str>,
        previous: Vec<String>,
    ) -> Result<(), AuthError> {
        let meta = &found.server;
        let stored = self.session().client.clone();
        let client = grants::machine_client(&self.cfg, stored, &meta.issuer)?;
        let scope = select_scopes(found, challenged_scope, &previous, false).map(|s| s.join(" "));
        let tokens = grants::obtain(
            &self.http,
            &self.cfg,
            self.dpop.as_ref(),
            meta,
            &found.resource_indicator,
            &client,
            scope.as_deref(),
        )
        .await?;
        sendable(&tokens, &meta.token_endpoint)?;
        {
            let mut s = self.session();
            s.client = Some(client);
            s.tokens = Some(tokens);
        }
        self.persist()
    }

    /// The `DPoP` proof header of a request of `method` to `url`
    /// presenting the current token, when that token is DPoP-bound.
    fn dpop_proof(
        &self,
        method: &Method,
        url: &Url,
    ) -> Result<Option<(HeaderName, HeaderValue)>, AuthError> {
        let Some(key) = &self.dpop else {
            return Ok(None);
        };
        let token = {
            let s = self.session();
            match &s.tokens {
                Some(t) if t.token_type.eq_ignore_ascii_case("dpop") => t.access_token.clone(),
                _ => return Ok(None),
            }
        };
        let proof = key.proof(method, url, Some(&token))?;
        let value = HeaderValue::from_str(&proof)
            .map_err(|_| AuthError::Key("the DPoP proof cannot form a header".to_owned()))?;
        Ok(Some((HeaderName::from_static("dpop"), value)))
    }

    /// Answers a resource server's `use_dpop_nonce` challenge (RFC 9449
    /// §9): `Some(result)` when `c` is one.
    fn dpop_nonce_challenge(&self, c: &AuthChallenge) -> Option<Result<(), AuthError>> {
        let key = self.dpop.as_ref()?;
        let offered = c
            .headers
            .get(DPOP_NONCE_HEADER)
            .and_then(|v| v.to_str().ok());
        let wants_nonce = c
            .headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(WwwAuthenticate::parse_all)
            .any(|w| w.error.as_deref() == Some(USE_DPOP_NONCE));
        if !wants_nonce {
            if let Some(n) = offered {
                key.remember_nonce(&c.url, n);
            }
            return None;
        }
        let sent = c
            .sent
            .iter()
            .find(|(n, _)| n.as_str() == "dpop")
            .and_then(|(_, v)| v.to_str().ok())
            .and_then(proof_nonce);
        Some(
            key.nonce_challenge(&c.url, sent.as_deref(), offered)
                .map_err(|reason| AuthError::DpopNonce {
                    server: self.cfg.server_url.clone(),
                    reason,
                }),
        )
    }

    /// Answers a challenge (see [`AuthProvider::challenge`]).
    async fn answer(&self, c: &AuthChallenge) -> Result<(), AuthError> {
        if let Some(result) = self.dpop_nonce_challenge(c) {
            return result;
        }
        let _flow = self.flow.lock().await;
        let sent = c
            .sent
            .iter()
            .find(|(n, _)| n == AUTHORIZATION)
            .map(|(_, v)| v.clone());
        let step_up = c.is_insufficient_scope();
        if !step_up
            && let Some((current, _)) = self.current()?
            && Some(&current) != sent.as_ref()
        {
            // Another request authorized while this one was under way.
            return Ok(());
        }
        let www = c.www_authenticate.as_ref();
        let found = discovery::discover(
            &self.http,
            &self.server_url,
            www.and_then(|w| w.resource_metadata.as_deref()),
        )
        .await?;
        if self.cfg.grant.is_interactive() {
            pkce::require_s256(&found.server)?;
        }
        self.switch_to(&found)?;
        let challenged = www.and_then(|w| w.scope.as_deref());
        let (current, has_refresh, granted, requested) = {
            let s = self.session();
            let t = s.tokens.as_ref();
            (
                t.and_then(authorization_value),
                !s.refreshed && t.is_some_and(|t| t.refresh_token.is_some()),
                t.map(|t| t.scope.clone()).unwrap_or_default(),
                s.requested.clone(),
            )
        };
        if step_up {
            if let Some(scope) = challenged
                && current.is_some()
                && current != sent
                && scopes::covers(&granted, scope)
            {
                // Another request stepped up meanwhile.
                return Ok(());
            }
            // Asking again for what the token has, or for what the last
            // authorization already asked for and did not get, cannot help.
            if let Some(scope) = challenged
                && current.is_some()
                && current == sent
                && (scopes::covers(&granted, scope) || scopes::covers(&requested, scope))
            {
                return Err(AuthError::ScopeLoop {
                    scope: scope.to_owned(),
                });
            }
        } else if current.is_some() && current != sent {
            // The new issuer's stored token was not tried yet.
            return Ok(());
        } else if has_refresh && self.refresh().await? {
            return Ok(());
        }
        let mut previous = requested;
        for g in granted {
            if !previous.contains(&g) {
                previous.push(g);
            }
        }
        self.authorize(&found, challenged, previous).await
    }
}

/// The `Authorization` header value of `tokens`: `Bearer <token>` (or the
/// token's own scheme, such as `DPoP`).
fn authorization_value(tokens: &TokenSet) -> Option<HeaderValue> {
    let scheme = if tokens.token_type.eq_ignore_ascii_case("bearer") {
        "Bearer"
    } else {
        tokens.token_type.as_str()
    };
    let mut v = HeaderValue::from_str(&format!("{scheme} {}", tokens.access_token)).ok()?;
    v.set_sensitive(true);
    Some(v)
}

impl AuthProvider for OAuthClient {
    fn headers<'a>(
        &'a self,
        method: &'a Method,
        url: &'a Url,
    ) -> AuthFuture<'a, Result<Vec<(HeaderName, HeaderValue)>, AuthProviderError>> {
        Box::pin(async move {
            let Some((mut value, expiring)) = self.current()? else {
                return Ok(Vec::new());
            };
            if expiring {
                let _flow = self.flow.lock().await;
                match self.current()? {
                    // Someone else refreshed meanwhile.
                    Some((v, false)) => value = v,
                    _ => {
                        if watched(self.cfg.observer.as_ref(), self.refresh()).await?
                            && let Some((v, _)) = self.current()?
                        {
                            value = v;
                        }
                    }
                }
            }
            let mut headers = vec![(AUTHORIZATION, value)];
            headers.extend(self.dpop_proof(method, url)?);
            Ok(headers)
        })
    }

    fn challenge<'a>(
        &'a self,
        challenge: &'a AuthChallenge,
    ) -> AuthFuture<'a, Result<(), AuthProviderError>> {
        Box::pin(async move {
            watched(self.cfg.observer.as_ref(), self.answer(challenge))
                .await
                .map_err(Into::into)
        })
    }
}

/// Refuses tokens that could not be presented: an access token that is
/// not a valid HTTP header value.
fn sendable(tokens: &TokenSet, endpoint: &str) -> Result<(), AuthError> {
    if authorization_value(tokens).is_none() {
        return Err(AuthError::Token {
            endpoint: endpoint.to_owned(),
            reason: "the access token cannot be sent in an HTTP header".to_owned(),
        });
    }
    Ok(())
}

/// The scopes to ask `found`'s authorization server for, from the
/// challenge, the resource's and the server's `scopes_supported`, and
/// what was asked before.
fn select_scopes(
    found: &Discovered,
    challenged: Option<&str>,
    previous: &[String],
    offline_access: bool,
) -> Option<Vec<String>> {
    scopes::select(
        challenged,
        found
            .resource
            .as_ref()
            .and_then(|r| r.scopes_supported.as_deref()),
        previous,
        found.server.scopes_supported.as_deref(),
        offline_access,
    )
}
