//! The OAuth resource-server layer over real HTTP on 127.0.0.1: tokens
//! signed here with locally generated keys (Ed25519, P-256) and a committed
//! test RSA key, checked by `JwtVerifier` behind `BearerAuth` in front of
//! a real `StreamableHttp` server. Keys fetched from a URL and tokens
//! checked by introspection are in `auth_remote_checks.rs`.

mod support {
    pub mod oauth;
}

use support::oauth::*;

#[tokio::test]
async fn valid_tokens_of_every_algorithm_reach_the_tool() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    for (alg, kid) in [("EdDSA", "ed-1"), ("ES256", "ec-1"), ("RS256", "rsa-1")] {
        let token = sign(&keys, alg, kid, &s.claims("mcp:tools"));
        let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
        assert_eq!(r.status(), StatusCode::OK, "{alg}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["result"]["content"][0]["text"], "hi", "{alg}: {body}");
    }
    // The scheme name is case-insensitive.
    let token = sign(&keys, "ES256", "ec-1", &s.claims("mcp:tools"));
    let r = s.call("echo", Some(&format!("bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn no_token_gets_401_pointing_at_the_metadata() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    for auth in [None, Some("Basic YWxpY2U6c2VjcmV0")] {
        let r = s.call("echo", auth).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let c = challenge(&r);
        assert_eq!(c["resource_metadata"], s.prm_url());
        assert_eq!(c["scope"], "mcp:tools");
        assert!(
            !c.contains_key("error"),
            "no error code without a token: {c:?}"
        );
    }
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn malformed_tokens_get_invalid_token() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    for auth in [
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer e30.e30.e30.e30",
        "Bearer ",
        "Bearer bad token",
        "Bearer",
    ] {
        let r = s.call("echo", Some(auth)).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{auth}");
        let c = challenge(&r);
        assert_eq!(c["error"], "invalid_token", "{auth}");
        assert_eq!(c["resource_metadata"], s.prm_url());
    }
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn expired_tokens_are_refused_beyond_the_leeway() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    let mut claims = s.claims("mcp:tools");
    claims["exp"] = json!(now() - 120);
    let token = sign(&keys, "EdDSA", "ed-1", &claims);
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let c = challenge(&r);
    assert_eq!(c["error"], "invalid_token");
    assert_eq!(c["error_description"], "the token has expired");
    // Within the default 60 s leeway: accepted.
    claims["exp"] = json!(now() - 20);
    let token = sign(&keys, "EdDSA", "ed-1", &claims);
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::OK);
    // No exp at all: refused.
    claims.as_object_mut().unwrap().remove("exp");
    let token = sign(&keys, "EdDSA", "ed-1", &claims);
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn tokens_not_valid_yet_are_refused() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    let mut claims = s.claims("mcp:tools");
    claims["nbf"] = json!(now() + 600);
    let token = sign(&keys, "ES256", "ec-1", &claims);
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&r)["error_description"],
        "the token is not valid yet"
    );
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn tokens_from_another_issuer_are_refused() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    let mut claims = s.claims("mcp:tools");
    claims["iss"] = json!("https://evil.test");
    let token = sign(&keys, "EdDSA", "ed-1", &claims);
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let c = challenge(&r);
    assert_eq!(c["error"], "invalid_token");
    assert!(c["error_description"].contains("unexpected authorization server"));
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn tokens_for_another_audience_are_refused() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    for aud in [
        json!("https://other.test/mcp"),
        json!(["https://other.test/mcp"]),
        json!(null),
        // Same host, another port: another server.
        json!("http://127.0.0.1/mcp"),
    ] {
        let mut claims = s.claims("mcp:tools");
        claims["aud"] = aud.clone();
        let token = sign(&keys, "RS256", "rsa-1", &claims);
        let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{aud}");
        assert_eq!(
            challenge(&r)["error_description"],
            "the token is not meant for this server"
        );
    }
    // Scheme and host in upper case, or a trailing slash: the same server.
    let upper = s.resource.replace("http://127.0.0.1", "HTTP://127.0.0.1");
    for aud in [upper, format!("{}/", s.resource)] {
        let mut claims = s.claims("mcp:tools");
        claims["aud"] = json!(aud);
        let token = sign(&keys, "RS256", "rsa-1", &claims);
        let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
        assert_eq!(r.status(), StatusCode::OK, "{aud}");
    }
    // The path is compared exactly.
    let mut claims = s.claims("mcp:tools");
    claims["aud"] = json!(s.resource.replace("/mcp", "/MCP"));
    let token = sign(&keys, "RS256", "rsa-1", &claims);
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // An audience list that names this server is fine.
    let mut claims = s.claims("mcp:tools");
    claims["aud"] = json!(["https://other.test/mcp", s.resource]);
    let token = sign(&keys, "RS256", "rsa-1", &claims);
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::OK);
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn an_unknown_kid_refreshes_the_keys_at_a_limited_rate() {
    let keys = Keys::new();
    let new_keys = Keys::new();
    let source = Rotating::default();
    *source.keys.lock().unwrap() = keys.jwks();
    let s = protect_with(|resource| {
        let verifier = JwtVerifier::new(source.clone(), ISSUER, resource)
            .min_refresh_interval(Duration::from_millis(300));
        auth_for(resource, verifier)
    })
    .await;
    s.assert_serving(&keys).await;
    assert_eq!(source.loads.load(Ordering::SeqCst), 1);
    // The authorization server rotates in a new key.
    let mut jwks = keys.jwks();
    jwks["keys"]
        .as_array_mut()
        .unwrap()
        .push(new_keys.ed_jwk("ed-2"));
    *source.keys.lock().unwrap() = jwks;
    let token = sign(&new_keys, "EdDSA", "ed-2", &s.claims("mcp:tools"));
    let bearer = format!("Bearer {token}");
    // Too soon after the last load: no refresh, refused.
    let r = s.call("echo", Some(&bearer)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&r)["error_description"],
        "the token was signed with an unknown key"
    );
    assert_eq!(source.loads.load(Ordering::SeqCst), 1);
    // Once the interval is over, the unknown kid triggers a refresh that
    // knows it; the calls refused meanwhile loaded nothing.
    mcpwire_testkit::eventually(
        Duration::from_secs(5),
        "a refresh to be allowed",
        || async {
            let r = s.call("echo", Some(&bearer)).await;
            r.status() == StatusCode::OK
        },
    )
    .await;
    assert_eq!(source.loads.load(Ordering::SeqCst), 2);
    // A kid nobody has: refused, and no refresh storm.
    let token = sign(&new_keys, "EdDSA", "nobody", &s.claims("mcp:tools"));
    for _ in 0..5 {
        let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(source.loads.load(Ordering::SeqCst), 2);
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn a_jwks_file_is_reread_for_an_unknown_kid() {
    let keys = Keys::new();
    let new_keys = Keys::new();
    let path = std::env::temp_dir().join(format!("mcpwire-auth-jwks-{}.json", std::process::id()));
    std::fs::write(&path, keys.jwks().to_string()).unwrap();
    let s = protect_with(|resource| {
        let verifier = JwtVerifier::new(JwksFile(path.clone()), ISSUER, resource)
            .min_refresh_interval(Duration::ZERO);
        auth_for(resource, verifier)
    })
    .await;
    s.assert_serving(&keys).await;
    let token = sign(&new_keys, "ES256", "ec-2", &s.claims("mcp:tools"));
    let bearer = format!("Bearer {token}");
    let r = s.call("echo", Some(&bearer)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let mut jwks = keys.jwks();
    jwks["keys"]
        .as_array_mut()
        .unwrap()
        .push(new_keys.ec_jwk("ec-2"));
    std::fs::write(&path, jwks.to_string()).unwrap();
    let r = s.call("echo", Some(&bearer)).await;
    assert_eq!(r.status(), StatusCode::OK);
    // A file that became unreadable keeps the cached keys in use.
    std::fs::write(&path, "not json").unwrap();
    let r = s.call("echo", Some(&bearer)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let _ = std::fs::remove_file(&path);
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn alg_none_is_refused() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    let claims = s.claims("mcp:tools");
    for header in [
        json!({"alg": "none"}),
        json!({"alg": "none", "kid": "ed-1"}),
        json!({"alg": "None", "kid": "ed-1"}),
    ] {
        for sig in ["", "AAAA"] {
            let token = format!("{}.{}.{sig}", b64(&header), b64(&claims));
            let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{header} {sig:?}");
            let c = challenge(&r);
            assert_eq!(c["error"], "invalid_token");
            // Refused for its algorithm, before any key is looked up.
            assert_eq!(
                c["error_description"],
                "the token's signing algorithm is not accepted"
            );
        }
    }
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    let claims = s.claims("mcp:tools");
    let rsa_jwk: Value = serde_json::from_str(RSA_JWK).unwrap();
    // Every form of public key an attacker might use as the HMAC secret.
    let secrets: Vec<Vec<u8>> = vec![
        RSA_JWK.as_bytes().to_vec(),
        rsa_jwk.to_string().into_bytes(),
        URL_SAFE_NO_PAD
            .decode(rsa_jwk["n"].as_str().unwrap())
            .unwrap(),
        keys.ed.public_key().as_ref().to_vec(),
        keys.ec.public_key().as_ref().to_vec(),
    ];
    for (kid, secret) in ["rsa-1", "rsa-1", "rsa-1", "ed-1", "ec-1"]
        .iter()
        .zip(&secrets)
    {
        for alg in ["HS256", "HS384", "HS512"] {
            let input = format!("{}.{}", b64(&json!({"alg": alg, "kid": kid})), b64(&claims));
            let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
            let tag = ring::hmac::sign(&key, input.as_bytes());
            let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
            let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{alg} {kid}");
            assert_eq!(
                challenge(&r)["error_description"],
                "the token's signing algorithm is not accepted"
            );
        }
    }
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn a_signature_by_another_key_is_refused() {
    let keys = Keys::new();
    let other = Keys::new();
    let s = protect(&keys).await;
    // Right kid, wrong key; and a token whose payload was edited.
    let token = sign(&other, "EdDSA", "ed-1", &s.claims("mcp:tools"));
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&r)["error_description"],
        "the token's signature is invalid"
    );
    let token = sign(&keys, "ES256", "ec-1", &s.claims(""));
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    parts[1] = b64(&s.claims("mcp:tools mcp:admin"));
    let r = s
        .call("admin", Some(&format!("Bearer {}", parts.join("."))))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Signed correctly, but asking for an extension this server lacks.
    let header = json!({"alg": "EdDSA", "kid": "ed-1", "crit": ["exp-ext"], "exp-ext": 1});
    let token = sign_with_header(&keys, &header, &s.claims("mcp:tools"));
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // An ES256 token presented as RS256 (key type mismatch).
    let token = sign(&keys, "ES256", "ec-1", &s.claims("mcp:tools"));
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    parts[0] = b64(&json!({"alg": "RS256", "kid": "ec-1"}));
    let r = s
        .call("echo", Some(&format!("Bearer {}", parts.join("."))))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn a_missing_scope_gets_403_then_a_stepped_up_token_passes() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    let token = sign(&keys, "EdDSA", "ed-1", &s.claims("profile"));
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let c = challenge(&r);
    assert_eq!(c["error"], "insufficient_scope");
    assert_eq!(c["scope"], "mcp:tools");
    assert_eq!(c["resource_metadata"], s.prm_url());
    // The client re-authorizes with the scope the challenge named.
    let token = sign(&keys, "EdDSA", "ed-1", &s.claims("profile mcp:tools"));
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::OK);
    // `scp` as a list works too.
    let mut claims = s.claims("");
    claims.as_object_mut().unwrap().remove("scope");
    claims["scp"] = json!(["mcp:tools"]);
    let token = sign(&keys, "EdDSA", "ed-1", &claims);
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn per_tool_scopes_guard_tools_call() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    let basic = format!(
        "Bearer {}",
        sign(&keys, "EdDSA", "ed-1", &s.claims("mcp:tools"))
    );
    let r = s.call("echo", Some(&basic)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = s.call("admin", Some(&basic)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let c = challenge(&r);
    assert_eq!(c["error"], "insufficient_scope");
    assert_eq!(c["scope"], "mcp:tools mcp:admin");
    // A batch hiding the admin call behind an allowed one is caught too.
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "a"}}},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "admin", "arguments": {"text": "b"}}},
    ]);
    let r = s
        .http
        .post(&s.resource)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("authorization", &basic)
        .body(batch.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let admin = format!(
        "Bearer {}",
        sign(&keys, "EdDSA", "ed-1", &s.claims("mcp:tools mcp:admin"))
    );
    let r = s.call("admin", Some(&admin)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "admin: hi", "{body}");
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn a_token_in_the_query_string_is_refused() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    let token = sign(&keys, "EdDSA", "ed-1", &s.claims("mcp:tools"));
    let url = format!("{}?access_token={token}", s.resource);
    // Alone, or next to a valid header: 400 invalid_request either way.
    for auth in [None, Some(format!("Bearer {token}"))] {
        let r = s.call_at(&url, "echo", auth.as_deref()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let c = challenge(&r);
        assert_eq!(c["error"], "invalid_request");
        assert_eq!(c["resource_metadata"], s.prm_url());
    }
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn the_protected_resource_metadata_is_served_without_a_token() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    let root = format!("{}/.well-known/oauth-protected-resource", s.origin());
    for url in [s.prm_url(), root.clone()] {
        let r = s.http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        assert_eq!(r.headers()["content-type"], "application/json");
        let doc: Value = r.json().await.unwrap();
        assert_eq!(
            doc,
            json!({
                "resource": s.resource,
                "authorization_servers": [ISSUER],
                "scopes_supported": ["mcp:tools", "mcp:admin"],
                "bearer_methods_supported": ["header"],
            })
        );
    }
    // The URL the 401 challenge names is the document.
    let r = s.call("echo", None).await;
    let url = challenge(&r)["resource_metadata"].clone();
    let r = s.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = s.http.post(&root).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let r = s.http.get(format!("{root}/other")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    s.assert_serving(&keys).await;
}

#[tokio::test]
async fn the_server_keeps_serving_after_a_run_of_refusals() {
    let keys = Keys::new();
    let s = protect(&keys).await;
    let mut expired = s.claims("mcp:tools");
    expired["exp"] = json!(now() - 1000);
    let bad = [
        None,
        Some("Bearer x".to_string()),
        Some(format!("Bearer {}", sign(&keys, "EdDSA", "ed-1", &expired))),
        Some(format!(
            "Bearer {}",
            sign(&keys, "EdDSA", "ed-9", &s.claims("mcp:tools"))
        )),
        Some(format!(
            "Bearer {}",
            sign(&keys, "EdDSA", "ed-1", &s.claims(""))
        )),
    ];
    for round in 0..3 {
        for auth in &bad {
            let r = s.call("echo", auth.as_deref()).await;
            assert!(r.status().is_client_error(), "round {round}: {auth:?}");
        }
        // A body that is not JSON, with a good token: the inner server answers it.
        let token = sign(&keys, "EdDSA", "ed-1", &s.claims("mcp:tools"));
        let r = s
            .http
            .post(&s.resource)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("authorization", format!("Bearer {token}"))
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error());
        s.assert_serving(&keys).await;
    }
}

#[tokio::test]
async fn the_identity_reaches_the_inner_service_without_the_token() {
    let keys = Keys::new();
    let bound = bind().await;
    let resource = bound.mcp_url();
    let jwks = Jwks::parse(&keys.jwks().to_string()).unwrap();
    let auth = auth_for(&resource, JwtVerifier::new(jwks, ISSUER, &resource));
    let seen: Seen = Arc::default();
    let service = auth.wrap(Recorder(seen.clone()));
    let _served = bound.serve(|listener, stop| serve_listener(service, listener, stop));
    let token = sign(
        &keys,
        "RS256",
        "rsa-1",
        &json!({"iss": ISSUER, "aud": resource,
        "sub": "bob", "scope": "mcp:tools", "exp": now() + 60, "tenant": "t1"}),
    );
    let r = reqwest::Client::new()
        .post(&resource)
        .header("authorization", format!("Bearer {token}"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let seen = seen.lock().unwrap();
    let (claims, had_authorization) = &seen[0];
    let claims = claims
        .as_ref()
        .expect("the verified token in the extensions");
    assert!(!had_authorization, "the Authorization header was forwarded");
    assert_eq!(claims.subject.as_deref(), Some("bob"));
    assert_eq!(claims.issuer.as_deref(), Some(ISSUER));
    assert_eq!(claims.audience, vec![resource.clone()]);
    assert_eq!(claims.scopes, vec!["mcp:tools".to_string()]);
    assert!(claims.expires_at.is_some());
    assert_eq!(claims.claims["tenant"], "t1");
}

/// An inner service that records what the layer handed it.
#[derive(Clone)]
struct Recorder(Seen);

/// Per request: the verified token in its extensions, and whether it
/// still had an `Authorization` header.
type Seen = Arc<Mutex<Vec<(Option<VerifiedToken>, bool)>>>;

impl tower_service::Service<http::Request<http_body_util::Full<bytes::Bytes>>> for Recorder {
    type Response = http::Response<mcpwire::transport::http_server::Body>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<http_body_util::Full<bytes::Bytes>>) -> Self::Future {
        use http_body_util::BodyExt;
        self.0.lock().unwrap().push((
            req.extensions().get::<VerifiedToken>().cloned(),
            req.headers().contains_key("authorization"),
        ));
        let body = http_body_util::Full::new(bytes::Bytes::from_static(b"ok")).boxed_unsync();
        std::future::ready(Ok(http::Response::new(body)))
    }
}
