//! The OAuth 2.1 client over real HTTP on 127.0.0.1: an mcpwire client
//! whose transport authorizes through `OAuthClient` against a local
//! authorization server (the testkit's `oauth::AuthServer`) and a
//! protected mcpwire server (`BearerAuth` + `JwtVerifier`), both on
//! `127.0.0.1:0`.

use std::sync::Arc;

use std::sync::Mutex;

use mcpwire::auth_client::{
    AuthError, Authorize, ClientRegistration, CredentialStore, FileStore, HeadlessAuthorize,
    MemoryStore, OAuthClient, OAuthConfig, StoreError, StoreKey, StoredCredentials, TokenSet, Url,
};
use mcpwire::client::Client;
use mcpwire::transport::http_client::{AUTH_FAILED_ERROR, AuthFuture, HttpClientTransport};
use mcpwire_testkit::oauth::{AuthServer, Behaviour, Event, Iss, trusting};
use serde_json::json;

/// Where the authorization server sends the browser back: nothing listens
/// there, the headless step reads the redirect itself.
const REDIRECT: &str = "http://127.0.0.1/callback";

fn config(resource: &str, store: Arc<dyn CredentialStore>) -> OAuthConfig {
    OAuthConfig::new(resource)
        .redirect_uri(REDIRECT)
        .client_name("auth-client-test")
        .store(store)
        .authorize(Arc::new(HeadlessAuthorize::new()))
}

async fn connect(resource: &str, oauth: Arc<OAuthClient>) -> Result<Client, mcpwire::Error> {
    let transport = HttpClientTransport::builder(resource)
        .auth(oauth)
        .build()
        .unwrap();
    Client::builder("auth-client-test", "1")
        .connect(transport)
        .await
}

/// The text of a tool call's first content block.
async fn echo(client: &Client, tool: &str) -> Result<String, mcpwire::Error> {
    let r = client.call_tool(tool, json!({"text": "hi"})).await?;
    Ok(serde_json::to_value(&r.content[0]).unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned())
}

#[tokio::test]
async fn the_full_flow_authorizes_and_the_client_lists_and_calls_tools() {
    let asv = AuthServer::start().await;
    let rs = trusting(&asv.issuer, asv.jwks()).await;
    let oauth =
        Arc::new(OAuthClient::new(config(&rs.resource, Arc::new(MemoryStore::new()))).unwrap());
    let client = connect(&rs.resource, oauth.clone()).await.unwrap();
    let tools = client.list_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "echo"), "{tools:?}");
    assert_eq!(echo(&client, "echo").await.unwrap(), "hi");

    // One registration, one authorization, one code exchange.
    assert_eq!(asv.count(|e| matches!(e, Event::Register { .. })), 1);
    let reg = asv
        .events()
        .into_iter()
        .find_map(|e| match e {
            Event::Register { body } => Some(body),
            _ => None,
        })
        .unwrap();
    assert_eq!(reg["application_type"], "native");
    assert_eq!(reg["redirect_uris"], json!([REDIRECT]));
    assert!(
        reg["grant_types"]
            .as_array()
            .unwrap()
            .contains(&json!("refresh_token"))
    );
    let auths = asv.authorizations();
    assert_eq!(auths.len(), 1, "{auths:?}");
    let a = &auths[0];
    assert_eq!(a["resource"], rs.resource.clone());
    assert_eq!(a["scope"], "mcp:tools");
    assert_eq!(a["code_challenge_method"], "S256");
    assert_eq!(a["response_type"], "code");
    let tokens = asv.token_requests();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["resource"], rs.resource.clone());
    assert_eq!(tokens[0]["grant_type"], "authorization_code");
    // The stored credentials are keyed by issuer and resource.
    let creds = oauth.credentials().unwrap();
    assert_eq!(creds.len(), 1);
    assert_eq!(
        creds[0].0,
        StoreKey::new(asv.issuer.clone(), rs.resource.clone())
    );
    client.close().await;
}

/// The error a failed call carries: the transport's authorization failure.
fn auth_failure(e: mcpwire::Error) -> String {
    match e {
        mcpwire::Error::Rpc(err) => {
            assert_eq!(err.code, AUTH_FAILED_ERROR, "{}", err.message);
            err.message
        }
        other => panic!("expected an authorization failure, got {other}"),
    }
}

#[tokio::test]
async fn metadata_naming_another_issuer_is_refused() {
    let asv = AuthServer::start().await;
    asv.behave(|b| b.metadata_issuer = Some("https://attacker.example".into()));
    let rs = trusting(&asv.issuer, asv.jwks()).await;
    let oauth =
        Arc::new(OAuthClient::new(config(&rs.resource, Arc::new(MemoryStore::new()))).unwrap());
    let msg = auth_failure(connect(&rs.resource, oauth).await.unwrap_err());
    assert!(
        msg.contains("names issuer \"https://attacker.example\""),
        "{msg}"
    );
    assert_eq!(asv.count(|e| matches!(e, Event::Metadata)), 1);
    assert_eq!(
        asv.count(|e| !matches!(e, Event::Metadata)),
        0,
        "{:?}",
        asv.events()
    );
}

#[tokio::test]
async fn a_server_without_pkce_s256_is_refused() {
    for methods in [Some(vec!["plain".to_owned()]), None] {
        let asv = AuthServer::start().await;
        asv.behave(|b| b.pkce_methods = methods.clone());
        let rs = trusting(&asv.issuer, asv.jwks()).await;
        let store = Arc::new(MemoryStore::new());
        let oauth = Arc::new(OAuthClient::new(config(&rs.resource, store)).unwrap());
        // The server wants a token even for initialize.
        let msg = auth_failure(connect(&rs.resource, oauth).await.unwrap_err());
        assert!(msg.contains("does not support PKCE S256"), "{msg}");
        assert!(asv.authorizations().is_empty());
    }
}

#[tokio::test]
async fn a_wrong_or_missing_iss_stops_the_flow_before_the_token_request() {
    for iss in [Iss::Wrong, Iss::Omit] {
        let asv = AuthServer::start().await;
        asv.behave(|b| b.iss = iss);
        let rs = trusting(&asv.issuer, asv.jwks()).await;
        let oauth =
            Arc::new(OAuthClient::new(config(&rs.resource, Arc::new(MemoryStore::new()))).unwrap());
        let msg = auth_failure(connect(&rs.resource, oauth).await.unwrap_err());
        assert!(msg.contains("RFC 9207"), "{msg}");
        assert_eq!(asv.authorizations().len(), 1);
        assert!(
            asv.token_requests().is_empty(),
            "the code went to the token endpoint"
        );
    }
    // Not advertised and not sent: the flow goes on.
    let asv = AuthServer::start().await;
    asv.behave(|b| {
        b.iss = Iss::Omit;
        b.iss_supported = false;
    });
    let rs = trusting(&asv.issuer, asv.jwks()).await;
    let oauth =
        Arc::new(OAuthClient::new(config(&rs.resource, Arc::new(MemoryStore::new()))).unwrap());
    let client = connect(&rs.resource, oauth).await.unwrap();
    client.list_tools().await.unwrap();
    client.close().await;
}

#[tokio::test]
async fn step_up_unites_scopes_and_a_hopeless_step_up_is_bounded() {
    let asv = AuthServer::start().await;
    let rs = trusting(&asv.issuer, asv.jwks()).await;
    let oauth =
        Arc::new(OAuthClient::new(config(&rs.resource, Arc::new(MemoryStore::new()))).unwrap());
    let client = connect(&rs.resource, oauth).await.unwrap();
    assert_eq!(echo(&client, "echo").await.unwrap(), "hi");
    // `admin` needs mcp:admin: 403 insufficient_scope, then step-up.
    assert_eq!(echo(&client, "admin").await.unwrap(), "admin: hi");
    let auths = asv.authorizations();
    assert_eq!(auths.len(), 2, "{auths:?}");
    assert_eq!(auths[0]["scope"], "mcp:tools");
    assert_eq!(auths[1]["scope"], "mcp:tools mcp:admin");
    // The step-up reused the registration.
    assert_eq!(asv.count(|e| matches!(e, Event::Register { .. })), 1);
    client.close().await;

    // A server that never grants mcp:admin: the call fails after a bounded
    // number of authorizations instead of looping.
    let asv = AuthServer::start().await;
    asv.behave(|b| b.grant_only = Some("mcp:tools".into()));
    let rs = trusting(&asv.issuer, asv.jwks()).await;
    let oauth =
        Arc::new(OAuthClient::new(config(&rs.resource, Arc::new(MemoryStore::new()))).unwrap());
    let client = connect(&rs.resource, oauth).await.unwrap();
    assert_eq!(echo(&client, "echo").await.unwrap(), "hi");
    let msg = auth_failure(echo(&client, "admin").await.unwrap_err());
    assert!(msg.contains("mcp:admin"), "{msg}");
    // Once for mcp:tools, once (in vain) for mcp:admin; not a third time.
    assert_eq!(asv.authorizations().len(), 2);
    // The session still works for what the token allows.
    assert_eq!(echo(&client, "echo").await.unwrap(), "hi");
    client.close().await;
}

#[tokio::test]
async fn an_expiring_access_token_is_refreshed_with_the_refresh_token() {
    let asv = AuthServer::start().await;
    // Shorter than the client's refresh margin: every later request
    // refreshes first.
    asv.behave(|b| b.expires_in = 20);
    let rs = trusting(&asv.issuer, asv.jwks()).await;
    let oauth =
        Arc::new(OAuthClient::new(config(&rs.resource, Arc::new(MemoryStore::new()))).unwrap());
    let client = connect(&rs.resource, oauth).await.unwrap();
    assert_eq!(echo(&client, "echo").await.unwrap(), "hi");
    assert_eq!(echo(&client, "echo").await.unwrap(), "hi");
    let tokens = asv.token_requests();
    let refreshes: Vec<_> = tokens
        .iter()
        .filter(|t| t["grant_type"] == "refresh_token")
        .collect();
    assert!(!refreshes.is_empty(), "{tokens:?}");
    assert_eq!(refreshes[0]["resource"], rs.resource.clone());
    assert_eq!(
        asv.authorizations().len(),
        1,
        "refreshing needs no new consent"
    );
    // The refresh request authenticated as the registered client (Basic).
    assert!(asv.events().iter().any(|e| matches!(
        e,
        Event::Token { params, basic_client: Some(_) } if params["grant_type"] == "refresh_token"
    )));
    client.close().await;
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("mcpwire-auth-client-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_file_store_round_trips_with_owner_only_permissions() {
    let dir = temp_dir("store");
    let path = dir.join("sub").join("credentials.json");
    let store = FileStore::new(&path);
    let key = StoreKey::new("https://as.example", "https://mcp.example/mcp");
    assert!(store.load(&key).unwrap().is_none());
    let mut creds = StoredCredentials::default();
    creds.client = Some(ClientRegistration::new("c1", Some("s1".into())));
    creds.updated_at = 7;
    store.save(&key, &creds).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    assert_eq!(store.load(&key).unwrap(), Some(creds.clone()));
    // Another instance reads the same file.
    let again = FileStore::new(&path);
    assert_eq!(again.list().unwrap(), vec![(key.clone(), creds.clone())]);
    // Debug output never shows the secret.
    assert!(!format!("{creds:?}").contains("s1"));
    // Looser permissions are repaired on read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(again.load(&key).unwrap().is_some());
        assert_eq!(mode(&path), 0o600);
    }
    again.remove(&key).unwrap();
    assert!(store.load(&key).unwrap().is_none());
    // No temporary files are left behind: the store and its lock file.
    let mut names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["credentials.json", "credentials.json.lock"]);
    // A file that is not a store is reported, not overwritten.
    std::fs::write(&path, "not json").unwrap();
    let e = store.save(&key, &creds).unwrap_err();
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "not json");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn file_stored_credentials_serve_a_later_client_without_consent() {
    let dir = temp_dir("reuse");
    let path = dir.join("credentials.json");
    let asv = AuthServer::start().await;
    let rs = trusting(&asv.issuer, asv.jwks()).await;
    let first =
        Arc::new(OAuthClient::new(config(&rs.resource, Arc::new(FileStore::new(&path)))).unwrap());
    let key = first.login().await.unwrap();
    assert_eq!(key.issuer, asv.issuer);
    assert_eq!(asv.authorizations().len(), 1);
    // A new process (a new OAuthClient) reads the file and sends the token.
    let second =
        Arc::new(OAuthClient::new(config(&rs.resource, Arc::new(FileStore::new(&path)))).unwrap());
    let client = connect(&rs.resource, second.clone()).await.unwrap();
    assert_eq!(echo(&client, "echo").await.unwrap(), "hi");
    assert_eq!(
        asv.authorizations().len(),
        1,
        "the stored token was not used"
    );
    client.close().await;
    // Logout forgets it.
    assert_eq!(second.logout().unwrap(), 1);
    assert!(FileStore::new(&path).list().unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn credentials_of_one_issuer_are_never_sent_to_another() {
    let old = AuthServer::start().await;
    let new = AuthServer::start().await;
    // The server now trusts the new authorization server only.
    let rs = trusting(&new.issuer, new.jwks()).await;
    let store = Arc::new(MemoryStore::new());
    let mut creds = StoredCredentials::default();
    creds.client = Some(ClientRegistration::new(
        "old-client",
        Some("old-secret".into()),
    ));
    let mut tokens: TokenSet = serde_json::from_value(json!({
        "access_token": "old-access-token", "token_type": "Bearer",
        "refresh_token": "old-refresh-token", "scope": ["mcp:tools"]
    }))
    .unwrap();
    tokens.expires_at = None;
    creds.tokens = Some(tokens);
    creds.updated_at = 1;
    store
        .save(
            &StoreKey::new(old.issuer.clone(), rs.resource.clone()),
            &creds,
        )
        .unwrap();
    let oauth = Arc::new(OAuthClient::new(config(&rs.resource, store.clone())).unwrap());
    let client = connect(&rs.resource, oauth).await.unwrap();
    assert_eq!(echo(&client, "echo").await.unwrap(), "hi");
    // The new server saw a fresh registration and nothing of the old one.
    assert_eq!(new.count(|e| matches!(e, Event::Register { .. })), 1);
    for e in new.events() {
        let text = format!("{e:?}");
        assert!(!text.contains("old-"), "sent to the new issuer: {text}");
    }
    assert!(old.events().is_empty());
    // Both issuers' credentials are kept apart.
    let keys: Vec<String> = store
        .list()
        .unwrap()
        .into_iter()
        .map(|(k, _)| k.issuer)
        .collect();
    assert!(
        keys.contains(&old.issuer) && keys.contains(&new.issuer),
        "{keys:?}"
    );
    client.close().await;
}

#[tokio::test]
async fn a_rejected_access_token_is_replaced_by_refreshing_without_consent() {
    let asv = AuthServer::start().await;
    let rs = trusting(&asv.issuer, asv.jwks()).await;
    let store = Arc::new(MemoryStore::new());
    let first = OAuthClient::new(config(&rs.resource, store.clone())).unwrap();
    let key = first.login().await.unwrap();
    // The access token goes bad (revoked, or the server's keys changed).
    let mut creds = store.load(&key).unwrap().unwrap();
    let mut tokens = creds.tokens.clone().unwrap();
    tokens.access_token = "revoked".into();
    creds.tokens = Some(tokens);
    store.save(&key, &creds).unwrap();
    let oauth = Arc::new(OAuthClient::new(config(&rs.resource, store.clone())).unwrap());
    let client = connect(&rs.resource, oauth).await.unwrap();
    assert_eq!(echo(&client, "echo").await.unwrap(), "hi");
    let grants: Vec<String> = asv
        .token_requests()
        .iter()
        .map(|t| t["grant_type"].clone())
        .collect();
    assert_eq!(grants, ["authorization_code", "refresh_token"]);
    assert_eq!(asv.authorizations().len(), 1);
    let stored = store.load(&key).unwrap().unwrap().tokens.unwrap();
    assert_ne!(stored.access_token, "revoked");
    client.close().await;
}

/// An authorization step that only records the URLs it was asked to open.
#[derive(Debug, Default)]
struct Recorder {
    opened: Mutex<Vec<Url>>,
}

impl Authorize for Recorder {
    fn authorize<'a>(&'a self, url: &'a Url, _: &'a str) -> AuthFuture<'a, Result<Url, AuthError>> {
        self.opened.lock().unwrap().push(url.clone());
        Box::pin(async { Err(AuthError::Authorize("recorded only".into())) })
    }
}

#[tokio::test]
async fn authorization_endpoints_off_https_are_refused_and_never_opened() {
    let asv = AuthServer::start().await;
    let rs = trusting(&asv.issuer, asv.jwks()).await;
    let refused = |what: &'static str,
                   endpoint: &'static str,
                   field: fn(&mut _, Option<String>)| {
        let asv = asv.clone();
        let resource = rs.resource.clone();
        async move {
            asv.behave(|b| field(b, Some(endpoint.to_owned())));
            let step = Arc::new(Recorder::default());
            let store = Arc::new(MemoryStore::new());
            let oauth =
                OAuthClient::new(config(&resource, store.clone()).authorize(step.clone())).unwrap();
            match oauth.login().await.unwrap_err() {
                AuthError::InsecureUrl {
                    what: w,
                    url,
                    reason,
                } => {
                    assert_eq!((w, url.as_str()), (what, endpoint), "{reason}");
                }
                other => panic!("{endpoint}: expected InsecureUrl, got {other:?}"),
            }
            assert!(
                step.opened.lock().unwrap().is_empty(),
                "{endpoint} was opened"
            );
            assert!(
                store.list().unwrap().is_empty(),
                "registered for {endpoint}"
            );
            asv.behave(|b| field(b, None));
        }
    };
    let authorization: fn(&mut Behaviour, Option<String>) = |b, v| b.authorization_endpoint = v;
    let token: fn(&mut Behaviour, Option<String>) = |b, v| b.token_endpoint = v;
    for endpoint in [
        "http://example.com/authorize",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "mcpwire-evil://run",
    ] {
        refused("authorization endpoint", endpoint, authorization).await;
    }
    refused("token endpoint", "http://example.com/token", token).await;
    // The server was asked for its metadata, nothing more.
    assert_eq!(
        asv.count(|e| !matches!(e, Event::Metadata)),
        0,
        "{:?}",
        asv.events()
    );

    // Through the transport, the challenge fails with the reason.
    asv.behave(|b| b.authorization_endpoint = Some("http://example.com/authorize".into()));
    let oauth =
        Arc::new(OAuthClient::new(config(&rs.resource, Arc::new(MemoryStore::new()))).unwrap());
    let msg = auth_failure(connect(&rs.resource, oauth).await.unwrap_err());
    assert!(msg.contains("loopback hosts only"), "{msg}");

    // Loopback http is used as before, by name as well as by address.
    asv.behave(|b| {
        b.authorization_endpoint = Some(format!("http://localhost:{}/authorize", asv.port));
    });
    let oauth =
        Arc::new(OAuthClient::new(config(&rs.resource, Arc::new(MemoryStore::new()))).unwrap());
    let client = connect(&rs.resource, oauth).await.unwrap();
    assert_eq!(echo(&client, "echo").await.unwrap(), "hi");
    assert_eq!(asv.authorizations().len(), 1);
    client.close().await;
}

#[tokio::test]
async fn an_issuer_off_https_is_refused_before_it_is_asked_anything() {
    // The MCP server names a plain-http authorization server elsewhere.
    let keys = AuthServer::start().await;
    let rs = trusting("http://example.com", keys.jwks()).await;
    let step = Arc::new(Recorder::default());
    let oauth = OAuthClient::new(
        config(&rs.resource, Arc::new(MemoryStore::new())).authorize(step.clone()),
    )
    .unwrap();
    match oauth.login().await.unwrap_err() {
        // Not an HTTP failure: example.com was never contacted.
        AuthError::InsecureUrl { what, url, .. } => {
            assert_eq!((what, url.as_str()), ("issuer", "http://example.com"));
        }
        other => panic!("expected InsecureUrl, got {other:?}"),
    }
    assert!(step.opened.lock().unwrap().is_empty());
    assert!(keys.events().is_empty());
}
