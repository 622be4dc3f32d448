//! What an [`OAuthClient`](super::OAuthClient) is configured with: the MCP
//! server, how the client identifies itself and registers, where
//! credentials are kept, and how the user authorizes.

use std::sync::Arc;

use super::{
    Authorize, ClientKey, ClientRegistration, CredentialStore, FlowObserver, MemoryStore,
    OAuthGrant,
};

/// The settings of an [`OAuthClient`](super::OAuthClient).
///
/// ```
/// use std::sync::Arc;
/// use mcpwire_oauth::client::{FileStore, HeadlessAuthorize, OAuthConfig};
/// let config = OAuthConfig::new("https://mcp.example.com/mcp")
///     .client_name("my-agent")
///     .redirect_uri("http://127.0.0.1:33418/callback")
///     .store(Arc::new(FileStore::new("/tmp/mcpwire-credentials.json")))
///     .authorize(Arc::new(HeadlessAuthorize::new()));
/// ```
#[derive(Clone)]
pub struct OAuthConfig {
    pub(crate) server_url: String,
    pub(crate) redirect_uri: String,
    pub(crate) client_name: String,
    pub(crate) application_type: String,
    /// A pre-registered client, optionally bound to one issuer.
    pub(crate) client: Option<(ClientRegistration, Option<String>)>,
    pub(crate) client_metadata_url: Option<String>,
    pub(crate) client_key: Option<Arc<ClientKey>>,
    pub(crate) offline_access: bool,
    pub(crate) store: Arc<dyn CredentialStore>,
    pub(crate) authorize: Option<Arc<dyn Authorize>>,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) grant: OAuthGrant,
    pub(crate) dpop: bool,
    pub(crate) observer: Option<FlowObserver>,
}

impl std::fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("server_url", &self.server_url)
            .field("redirect_uri", &self.redirect_uri)
            .field("client_name", &self.client_name)
            .field("application_type", &self.application_type)
            .field("client", &self.client)
            .field("client_metadata_url", &self.client_metadata_url)
            .field("client_key", &self.client_key)
            .field("offline_access", &self.offline_access)
            .field("store", &self.store)
            .field("authorize", &self.authorize)
            .field("grant", &self.grant)
            .field("dpop", &self.dpop)
            .field("observed", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

impl OAuthConfig {
    /// Settings for the MCP server at `server_url` (the URL given to the
    /// HTTP transport): client name `mcpwire`, redirect URI
    /// `http://127.0.0.1/callback`, `application_type` `native`,
    /// `offline_access` requested when offered, credentials in memory, and
    /// no authorization step (set one with [`authorize`](Self::authorize)).
    pub fn new(server_url: impl Into<String>) -> OAuthConfig {
        OAuthConfig {
            server_url: server_url.into(),
            redirect_uri: "http://127.0.0.1/callback".to_owned(),
            client_name: "mcpwire".to_owned(),
            application_type: "native".to_owned(),
            client: None,
            client_metadata_url: None,
            client_key: None,
            offline_access: true,
            store: Arc::new(MemoryStore::new()),
            authorize: None,
            http: None,
            grant: OAuthGrant::AuthorizationCode,
            dpop: false,
            observer: None,
        }
    }

    /// The redirect URI registered and sent in authorization requests
    /// (default `http://127.0.0.1/callback`).
    ///
    /// ```
    /// use mcpwire_oauth::client::{OAuthConfig};
    /// let config = OAuthConfig::new("https://mcp.example.com/mcp").redirect_uri("http://127.0.0.1:33418/callback");
    /// assert!(format!("{config:?}").contains(r#"redirect_uri: "http://127.0.0.1:33418/callback""#));
    /// ```
    #[must_use]
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = uri.into();
        self
    }

    /// The `client_name` of dynamic registration (default `mcpwire`), which
    /// the authorization server may show the user on its consent page.
    ///
    /// ```
    /// use mcpwire_oauth::client::{OAuthConfig};
    /// let config = OAuthConfig::new("https://mcp.example.com/mcp").client_name("Acme Agent");
    /// assert!(format!("{config:?}").contains(r#"client_name: "Acme Agent""#));
    /// ```
    #[must_use]
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = name.into();
        self
    }

    /// The `application_type` of dynamic registration: `native` (the
    /// default, for CLIs and desktop apps) or `web`.
    ///
    /// ```
    /// use mcpwire_oauth::client::{OAuthConfig};
    /// assert!(format!("{:?}", OAuthConfig::new("https://mcp.example.com/mcp")).contains(r#"application_type: "native""#));
    /// let config = OAuthConfig::new("https://mcp.example.com/mcp").application_type("web");
    /// assert!(format!("{config:?}").contains(r#"application_type: "web""#));
    /// ```
    #[must_use]
    pub fn application_type(mut self, t: impl Into<String>) -> Self {
        self.application_type = t.into();
        self
    }

    /// A pre-registered client, used at any authorization server (or only
    /// at `issuer` when given) instead of registering.
    ///
    /// ```
    /// use mcpwire_oauth::client::{ClientRegistration, OAuthConfig};
    /// let client = ClientRegistration::new("my-client-id", Some("s3cret".to_owned()));
    /// let config = OAuthConfig::new("https://mcp.example.com/mcp")
    ///     .client(client, Some("https://auth.example.com".to_owned()));
    /// let shown = format!("{config:?}");
    /// assert!(shown.contains(r#"client_id: "my-client-id""#));
    /// assert!(!shown.contains("s3cret")); // the secret is never printed
    /// ```
    #[must_use]
    pub fn client(mut self, client: ClientRegistration, issuer: Option<String>) -> Self {
        self.client = Some((client, issuer));
        self
    }

    /// The URL of this client's Client ID Metadata Document, used as its
    /// client id at servers that advertise
    /// `client_id_metadata_document_supported`.
    ///
    /// ```
    /// use mcpwire_oauth::client::{OAuthConfig};
    /// let config = OAuthConfig::new("https://mcp.example.com/mcp")
    ///     .client_metadata_url("https://agent.example.com/client.json");
    /// assert!(format!("{config:?}").contains(r#"client_metadata_url: Some("https://agent.example.com/client.json")"#));
    /// ```
    #[must_use]
    pub fn client_metadata_url(mut self, url: impl Into<String>) -> Self {
        self.client_metadata_url = Some(url.into());
        self
    }

    /// A key for `private_key_jwt` client authentication.
    ///
    /// ```
    /// use mcpwire_oauth::client::{ClientKey, OAuthConfig};
    /// use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    /// // A P-256 key in PKCS#8 DER, as `openssl genpkey` writes it (here made on the spot).
    /// let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &ring::rand::SystemRandom::new()).unwrap();
    /// let key = ClientKey::es256_pkcs8(der.as_ref()).unwrap();
    /// let config = OAuthConfig::new("https://mcp.example.com/mcp").client_key(key);
    /// assert!(!format!("{config:?}").contains("client_key: None"));
    /// ```
    #[must_use]
    pub fn client_key(mut self, key: ClientKey) -> Self {
        self.client_key = Some(Arc::new(key));
        self
    }

    /// Whether to add `offline_access` (for a refresh token) to the scopes
    /// when the authorization server lists it (default true).
    ///
    /// ```
    /// use mcpwire_oauth::client::{OAuthConfig};
    /// assert!(format!("{:?}", OAuthConfig::new("https://mcp.example.com/mcp")).contains("offline_access: true"));
    /// let config = OAuthConfig::new("https://mcp.example.com/mcp").offline_access(false);
    /// assert!(format!("{config:?}").contains("offline_access: false"));
    /// ```
    #[must_use]
    pub fn offline_access(mut self, on: bool) -> Self {
        self.offline_access = on;
        self
    }

    /// Where credentials are kept (default: in memory).
    ///
    /// ```
    /// use mcpwire_oauth::client::{ClientRegistration, CredentialStore, MemoryStore, OAuthClient, OAuthConfig, StoreKey, StoredCredentials};
    /// use std::sync::Arc;
    /// // Credentials an earlier run left, for this server.
    /// let store = Arc::new(MemoryStore::new());
    /// let key = StoreKey::new("https://auth.example.com", "https://mcp.example.com/mcp");
    /// let mut earlier = StoredCredentials::default();
    /// earlier.client = Some(ClientRegistration::new("registered-before", None));
    /// store.save(&key, &earlier).unwrap();
    ///
    /// let oauth = OAuthClient::new(OAuthConfig::new("https://mcp.example.com/mcp").store(store.clone())).unwrap();
    /// let found = oauth.credentials().unwrap();
    /// assert_eq!(found[0].0, key);
    /// assert_eq!(oauth.logout().unwrap(), 1); // and forgets them there
    /// assert!(store.list().unwrap().is_empty());
    /// ```
    #[must_use]
    pub fn store(mut self, store: Arc<dyn CredentialStore>) -> Self {
        self.store = store;
        self
    }

    /// How the user authorizes: a browser step in a CLI,
    /// [`HeadlessAuthorize`](super::HeadlessAuthorize) in tests.
    ///
    /// ```
    /// use mcpwire_oauth::client::{HeadlessAuthorize, OAuthConfig};
    /// use std::sync::Arc;
    /// assert!(format!("{:?}", OAuthConfig::new("https://mcp.example.com/mcp")).contains("authorize: None"));
    /// let config = OAuthConfig::new("https://mcp.example.com/mcp").authorize(Arc::new(HeadlessAuthorize::new()));
    /// assert!(format!("{config:?}").contains("authorize: Some(HeadlessAuthorize"));
    /// ```
    #[must_use]
    pub fn authorize(mut self, step: Arc<dyn Authorize>) -> Self {
        self.authorize = Some(step);
        self
    }

    /// The HTTP client for discovery, registration and token requests
    /// (default: one with a 30 s timeout that follows redirects within
    /// the same origin only). A client of your own keeps its own redirect
    /// policy: give it
    /// `reqwest::redirect::Policy::none()` or a same-origin one, or a
    /// redirecting server receives the token requests' bodies.
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # // A stand-in MCP server that knows no OAuth: 404 to everything.
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// # let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    /// # let seen = Arc::new(Mutex::new(Vec::new()));
    /// # let heads = seen.clone();
    /// # tokio::spawn(async move {
    /// #     while let Ok((mut conn, _)) = listener.accept().await {
    /// #         let mut buf = vec![0u8; 16 * 1024];
    /// #         let n = conn.read(&mut buf).await.unwrap_or(0);
    /// #         heads.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
    /// #         let _ = conn.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").await;
    /// #     }
    /// # });
    /// use mcpwire_oauth::client::{OAuthClient, OAuthConfig};
    /// let http = reqwest::Client::builder()
    ///     .user_agent("acme-agent/2.0")
    ///     .redirect(mcpwire_http::client::redirect::same_origin())
    ///     .build()
    ///     .unwrap();
    /// let oauth = OAuthClient::new(OAuthConfig::new(url).http_client(http)).unwrap();
    /// // Discovery fails here (the server has no metadata), but it went through our client.
    /// assert!(oauth.login().await.is_err());
    /// assert!(seen.lock().unwrap()[0].to_lowercase().contains("user-agent: acme-agent/2.0"));
    /// # }
    /// ```
    #[must_use]
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// How tokens are obtained: the user's authorization-code flow (the
    /// default) or a machine-to-machine grant (client credentials, a
    /// workload JWT, enterprise-managed authorization); see [`OAuthGrant`].
    ///
    /// ```
    /// use mcpwire_oauth::client::{ClientRegistration, OAuthConfig, OAuthGrant};
    /// let config = OAuthConfig::new("https://mcp.example.com/mcp")
    ///     .client(ClientRegistration::new("batch-job", Some("s3cret".to_owned())), None)
    ///     .grant(OAuthGrant::ClientCredentials);
    /// assert!(format!("{config:?}").contains("grant: ClientCredentials"));
    /// ```
    #[must_use]
    pub fn grant(mut self, grant: OAuthGrant) -> Self {
        self.grant = grant;
        self
    }

    /// Whether to bind tokens to a key of this client with DPoP (RFC 9449,
    /// default false): every token request and every MCP request carries
    /// a proof signed by a fresh ES256 key made for this client, tokens
    /// issued as `DPoP` are sent as `Authorization: DPoP …`, and the
    /// nonces servers ask for (`use_dpop_nonce`) are supplied.
    ///
    /// ```
    /// use mcpwire_oauth::client::{OAuthClient, OAuthConfig};
    /// let oauth = OAuthClient::new(OAuthConfig::new("https://mcp.example.com/mcp").dpop(true)).unwrap();
    /// assert!(oauth.dpop_key().is_some());
    /// ```
    #[must_use]
    pub fn dpop(mut self, on: bool) -> Self {
        self.dpop = on;
        self
    }

    /// Watches the flow: `observer` receives each exchange of discovery,
    /// registration, the user's authorization and the token endpoint (a
    /// [`FlowEvent`](super::FlowEvent)) as it ends, with its secrets
    /// masked already. Without an observer nothing is recorded.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use mcpwire_oauth::client::{FlowEvent, OAuthConfig};
    /// let seen = Arc::new(Mutex::new(Vec::<FlowEvent>::new()));
    /// let sink = seen.clone();
    /// let config = OAuthConfig::new("https://mcp.example.com/mcp")
    ///     .observe(Arc::new(move |e: &FlowEvent| sink.lock().unwrap().push(e.clone())));
    /// assert!(format!("{config:?}").contains("observed: true"));
    /// ```
    #[must_use]
    pub fn observe(mut self, observer: FlowObserver) -> Self {
        self.observer = Some(observer);
        self
    }
}
