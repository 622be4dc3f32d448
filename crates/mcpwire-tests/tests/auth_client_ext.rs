//! The OAuth client's extensions against real local servers: DPoP-bound
//! tokens (proof shape, `ath`, fresh `jti`, nonces at the token endpoint
//! and at the MCP server, and the bound on nonce demands), client
//! credentials with `client_secret_basic` and `private_key_jwt`, the JWT
//! bearer grant, enterprise-managed authorization, and the error paths.

mod support {
    pub mod oauth_ext;
}

use std::sync::Arc;

use mcpwire::auth_client::{
    AssertionSource, AuthError, ClientKey, ClientRegistration, EnterpriseGrant, MemoryStore,
    OAuthClient, OAuthConfig, OAuthGrant,
};
use mcpwire::client::Client;
use mcpwire::transport::http_client::HttpClientTransport;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::json;
use support::oauth_ext::{Behavior, Servers, start, verify_proof};

const SECRET: &str = "very-secret-value-42";

/// Connects through `oauth`, lists the tools and calls `echo` twice.
async fn use_server(servers: &Servers, oauth: Arc<OAuthClient>) -> Result<(), String> {
    let transport = HttpClientTransport::builder(servers.url())
        .auth(oauth)
        .build()
        .map_err(|e| e.to_string())?;
    let client = Client::builder("ext-test-client", "1")
        .connect(transport)
        .await
        .map_err(|e| e.to_string())?;
    let outcome = async {
        let tools = client.list_tools().await.map_err(|e| e.to_string())?;
        assert!(tools.iter().any(|t| t.name == "echo"));
        for text in ["one", "two"] {
            let r = client
                .call_tool("echo", json!({"text": text}))
                .await
                .map_err(|e| e.to_string())?;
            if r.is_error == Some(true) {
                return Err(format!("echo failed: {:?}", r.content));
            }
        }
        Ok(())
    }
    .await;
    client.close().await;
    outcome
}

/// The machine client `cc-client`, with `SECRET` and the client
/// credentials grant.
fn secret_client(servers: &Servers) -> OAuthConfig {
    OAuthConfig::new(servers.url())
        .client(
            ClientRegistration::new("cc-client", Some(SECRET.to_owned())),
            None,
        )
        .grant(OAuthGrant::ClientCredentials)
}

/// An authorization server that takes `cc-client` with `secret` by
/// `client_secret_basic`.
fn basic_auth(secret: &'static str) -> Behavior {
    Behavior {
        auth_methods: vec!["client_secret_basic"],
        basic: Some(("cc-client", secret)),
        ..Behavior::default()
    }
}

fn dpop_config(servers: &Servers) -> OAuthConfig {
    OAuthConfig::new(servers.url())
        .client(ClientRegistration::new("dpop-client", None), None)
        .grant(OAuthGrant::ClientCredentials)
        .dpop(true)
}

#[tokio::test]
async fn dpop_binds_the_token_and_signs_every_request() {
    let servers = start(Behavior {
        auth_methods: vec!["none"],
        dpop: true,
        ..Behavior::default()
    })
    .await;
    let oauth = Arc::new(OAuthClient::new(dpop_config(&servers)).unwrap());
    let jkt = oauth.dpop_key().unwrap().thumbprint().to_owned();
    use_server(&servers, oauth).await.unwrap();

    let token_reqs = servers.seen("/token");
    assert_eq!(token_reqs.len(), 1, "{token_reqs:?}");
    assert_eq!(token_reqs[0].verdict, "ok");
    let proof = &token_reqs[0].headers["dpop"];
    let (claims, thumb) =
        verify_proof(proof, "POST", &format!("{}/token", servers.issuer()), None).unwrap();
    assert_eq!(thumb, jkt);
    assert!(claims.get("ath").is_none());

    let mcp = servers.seen("/mcp");
    let authed: Vec<_> = mcp
        .iter()
        .filter(|s| s.headers.contains_key("authorization"))
        .collect();
    assert!(authed.len() >= 3, "{mcp:?}");
    let mut jtis = Vec::new();
    for s in &authed {
        assert_eq!(s.verdict, "ok", "{s:?}");
        let auth = &s.headers["authorization"];
        assert!(auth.starts_with("DPoP "), "{auth}");
        let token = auth.strip_prefix("DPoP ").unwrap();
        let (claims, thumb) = verify_proof(
            &s.headers["dpop"],
            &s.method,
            &format!("{}/mcp", servers.issuer()),
            Some(token),
        )
        .unwrap();
        assert_eq!(thumb, jkt);
        jtis.push(claims["jti"].as_str().unwrap().to_owned());
    }
    let mut unique = jtis.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), jtis.len(), "a jti was reused");
}

#[tokio::test]
async fn stored_dpop_tokens_of_another_key_are_not_presented() {
    let servers = start(Behavior {
        auth_methods: vec!["none"],
        dpop: true,
        ..Behavior::default()
    })
    .await;
    let store = Arc::new(MemoryStore::new());
    for _ in 0..2 {
        let cfg = dpop_config(&servers).store(store.clone());
        use_server(&servers, Arc::new(OAuthClient::new(cfg).unwrap()))
            .await
            .unwrap();
    }
    let verdicts: Vec<_> = servers
        .seen("/mcp")
        .into_iter()
        .filter(|s| s.headers.contains_key("authorization"))
        .map(|s| s.verdict)
        .collect();
    assert!(verdicts.iter().all(|v| v == "ok"), "{verdicts:?}");
    assert_eq!(servers.seen("/token").len(), 2);
}

#[tokio::test]
async fn dpop_nonces_are_supplied_at_the_token_endpoint_and_the_server() {
    let servers = start(Behavior {
        auth_methods: vec!["none"],
        dpop: true,
        as_nonce: Some("as-nonce-1"),
        rs_nonce: Some("rs-nonce-1"),
        ..Behavior::default()
    })
    .await;
    let oauth = Arc::new(OAuthClient::new(dpop_config(&servers)).unwrap());
    use_server(&servers, oauth).await.unwrap();

    let token_reqs = servers.seen("/token");
    let verdicts: Vec<_> = token_reqs.iter().map(|s| s.verdict.as_str()).collect();
    assert_eq!(verdicts, ["use_dpop_nonce", "ok"]);
    let nonce_of = |s: &support::oauth_ext::Seen| {
        let p = s.headers["dpop"].split('.').nth(1).unwrap().to_owned();
        use base64::Engine;
        let v: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap(),
        )
        .unwrap();
        v.get("nonce").and_then(|n| n.as_str()).map(str::to_owned)
    };
    assert_eq!(nonce_of(&token_reqs[0]), None);
    assert_eq!(nonce_of(&token_reqs[1]).as_deref(), Some("as-nonce-1"));

    let authed: Vec<_> = servers
        .seen("/mcp")
        .into_iter()
        .filter(|s| s.headers.contains_key("authorization"))
        .collect();
    assert_eq!(authed[0].verdict, "use_dpop_nonce");
    assert!(authed[1..].iter().all(|s| s.verdict == "ok"), "{authed:?}");
    assert!(
        authed[1..]
            .iter()
            .all(|s| nonce_of(s).as_deref() == Some("rs-nonce-1"))
    );
}

#[tokio::test]
async fn a_server_that_keeps_demanding_nonces_gets_an_error_not_a_loop() {
    let servers = start(Behavior {
        auth_methods: vec!["none"],
        dpop: true,
        rs_nonce: Some("*"),
        ..Behavior::default()
    })
    .await;
    let oauth = Arc::new(OAuthClient::new(dpop_config(&servers)).unwrap());
    let err = use_server(&servers, oauth).await.unwrap_err();
    assert!(err.contains("DPoP nonce"), "{err}");
    assert!(err.contains("keeps rejecting"), "{err}");
    let authed = servers
        .seen("/mcp")
        .into_iter()
        .filter(|s| s.headers.contains_key("authorization"))
        .count();
    assert!(authed <= 3, "{authed} requests");

    // At the token endpoint.
    let servers = start(Behavior {
        auth_methods: vec!["none"],
        dpop: true,
        as_nonce: Some("*"),
        ..Behavior::default()
    })
    .await;
    let oauth = OAuthClient::new(dpop_config(&servers)).unwrap();
    let err = oauth.login().await.unwrap_err();
    assert!(matches!(err, AuthError::DpopNonce { .. }), "{err}");
    assert!(servers.seen("/token").len() <= 3);
}

#[tokio::test]
async fn client_credentials_with_client_secret_basic() {
    let servers = start(basic_auth(SECRET)).await;
    let cfg = secret_client(&servers);
    use_server(&servers, Arc::new(OAuthClient::new(cfg).unwrap()))
        .await
        .unwrap();
    let reqs = servers.seen("/token");
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].verdict, "ok");
    assert_eq!(reqs[0].form["grant_type"], "client_credentials");
    assert_eq!(reqs[0].form["resource"], servers.url());
    assert!(!reqs[0].form.contains_key("client_secret"));
    assert!(!reqs[0].headers.contains_key("dpop"));
    let mcp = servers.seen("/mcp");
    assert!(
        mcp.iter()
            .filter_map(|s| s.headers.get("authorization"))
            .all(|a| a.starts_with("Bearer "))
    );
}

#[tokio::test]
async fn a_machine_token_about_to_expire_is_renewed_before_it_is_sent() {
    let servers = start(Behavior {
        // Within the client's renewal margin from the start.
        expires_in: Some(5),
        ..basic_auth(SECRET)
    })
    .await;
    let cfg = secret_client(&servers);
    use_server(&servers, Arc::new(OAuthClient::new(cfg).unwrap()))
        .await
        .unwrap();
    let grants = servers.seen("/token");
    assert!(grants.len() >= 2, "{grants:?}");
    assert!(grants.iter().all(|g| g.verdict == "ok"));
    let authed: Vec<_> = servers
        .seen("/mcp")
        .into_iter()
        .filter(|s| s.headers.contains_key("authorization"))
        .collect();
    assert!(
        authed.iter().all(|s| s.verdict == "ok"),
        "an expiring token was sent instead of renewed: {authed:?}"
    );
}

#[tokio::test]
async fn client_credentials_with_private_key_jwt() {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let servers = start(Behavior {
        auth_methods: vec!["private_key_jwt"],
        assertion_key: Some(("jwt-client", pair.public_key().as_ref().to_vec())),
        ..Behavior::default()
    })
    .await;
    let cfg = OAuthConfig::new(servers.url())
        .client(ClientRegistration::new("jwt-client", None), None)
        .client_key(ClientKey::es256_pkcs8(pkcs8.as_ref()).unwrap())
        .grant(OAuthGrant::ClientCredentials);
    use_server(&servers, Arc::new(OAuthClient::new(cfg).unwrap()))
        .await
        .unwrap();
    let reqs = servers.seen("/token");
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].verdict, "ok", "{:?}", reqs[0]);
}

#[tokio::test]
async fn invalid_client_is_a_typed_error_without_secrets_and_not_retried() {
    let servers = start(basic_auth("the-right-secret")).await;
    let cfg = secret_client(&servers);
    let oauth = OAuthClient::new(cfg).unwrap();
    let err = oauth.login().await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, AuthError::ClientRejected { method, .. } if *method == "client_secret_basic"),
        "{err:?}"
    );
    assert!(text.contains("invalid_client"), "{text}");
    assert!(
        text.contains("check the client id and its secret"),
        "{text}"
    );
    assert!(!text.contains(SECRET), "{text}");
    assert_eq!(servers.seen("/token").len(), 1);

    // Through the transport: the MCP request fails with the same advice.
    let oauth = Arc::new(OAuthClient::new(secret_client(&servers)).unwrap());
    let err = use_server(&servers, oauth).await.unwrap_err();
    assert!(err.contains("rejected this client"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
}

#[tokio::test]
async fn jwt_bearer_grant_presents_the_workload_token_and_stops_on_refusal() {
    let workload = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ3b3JrbG9hZCJ9.c2lnbmF0dXJl";
    let servers = start(Behavior {
        auth_methods: vec!["none"],
        jwt_bearer: Some(workload),
        ..Behavior::default()
    })
    .await;
    let cfg = |jwt: &str| {
        OAuthConfig::new(servers.url())
            .client(ClientRegistration::new("workload-1", None), None)
            .grant(OAuthGrant::JwtBearer(AssertionSource::jwt(jwt)))
    };
    use_server(&servers, Arc::new(OAuthClient::new(cfg(workload)).unwrap()))
        .await
        .unwrap();
    let reqs = servers.seen("/token");
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].form["grant_type"],
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    assert_eq!(reqs[0].form["client_id"], "workload-1");

    let wrong = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJvdGhlciJ9.c2lnbmF0dXJl";
    let err = OAuthClient::new(cfg(wrong))
        .unwrap()
        .login()
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::GrantRejected { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("invalid_grant") && text.contains("audience"),
        "{text}"
    );
    assert!(!text.contains(wrong), "{text}");
    assert_eq!(
        servers.seen("/token").len(),
        2,
        "a refused grant is not retried"
    );

    // A source that holds no JWT is refused before any request.
    let err = OAuthClient::new(cfg("not a jwt"))
        .unwrap()
        .login()
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Assertion(_)), "{err:?}");
    assert_eq!(servers.seen("/token").len(), 2);
}

#[tokio::test]
async fn enterprise_grant_exchanges_the_id_token_then_presents_the_id_jag() {
    let servers = start(Behavior {
        auth_methods: vec!["client_secret_basic"],
        basic: Some(("mcp-client", SECRET)),
        jwt_bearer: Some("id.jag.jwt"),
        idp_id_token: Some("header.idtoken.sig"),
        ..Behavior::default()
    })
    .await;
    let idp = EnterpriseGrant::new(
        format!("{}/idp/token", servers.issuer()),
        AssertionSource::jwt("header.idtoken.sig"),
    )
    .idp_client(ClientRegistration::new("idp-client", None));
    let cfg = OAuthConfig::new(servers.url())
        .client(
            ClientRegistration::new("mcp-client", Some(SECRET.to_owned())),
            None,
        )
        .grant(OAuthGrant::Enterprise(idp));
    use_server(&servers, Arc::new(OAuthClient::new(cfg).unwrap()))
        .await
        .unwrap();
    let exchange = servers.seen("/idp/token");
    assert_eq!(exchange.len(), 1);
    assert_eq!(exchange[0].verdict, "ok", "{:?}", exchange[0]);
    assert_eq!(exchange[0].form["client_id"], "idp-client");
    let grant = servers.seen("/token");
    assert_eq!(grant.len(), 1);
    assert_eq!(grant[0].verdict, "ok", "{:?}", grant[0]);

    // An IdP that refuses the exchange: a typed error, no JWT bearer grant.
    let idp = EnterpriseGrant::new(
        format!("{}/idp/token", servers.issuer()),
        AssertionSource::jwt("header.stale.sig"),
    );
    let err = OAuthClient::new(
        OAuthConfig::new(servers.url())
            .client(
                ClientRegistration::new("mcp-client", Some(SECRET.to_owned())),
                None,
            )
            .grant(OAuthGrant::Enterprise(idp)),
    )
    .unwrap()
    .login()
    .await
    .unwrap_err();
    assert!(matches!(err, AuthError::TokenExchange { .. }), "{err:?}");
    assert!(!err.to_string().contains("stale"), "{err}");
    assert_eq!(servers.seen("/token").len(), 1);
}
