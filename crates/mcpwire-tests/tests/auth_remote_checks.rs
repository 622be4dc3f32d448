//! The OAuth resource-server layer's lookups on other servers, over real
//! HTTP on 127.0.0.1: a JWKS fetched from a URL (cached, fetched again for
//! an unknown key, and a 503 while unreachable) and opaque tokens checked
//! by RFC 7662 introspection.

mod support {
    pub mod oauth;
}

use support::oauth::*;

/// Serves `source`'s current JWKS on `127.0.0.1:0`, counting the fetches
/// in `source.loads`; returns its URL.
async fn serve_jwks(source: Rotating) -> String {
    use http_body_util::BodyExt;
    let bound = bind().await;
    let url = bound.url("/jwks.json");
    let listener = bound.into_listener();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let source = source.clone();
            let svc =
                hyper::service::service_fn(move |_req: http::Request<hyper::body::Incoming>| {
                    source.loads.fetch_add(1, Ordering::SeqCst);
                    let text = source.keys.lock().unwrap().to_string();
                    let body = http_body_util::Full::new(bytes::Bytes::from(text)).boxed_unsync();
                    async move { Ok::<_, Infallible>(http::Response::new(body)) }
                });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc),
            );
        }
    });
    url
}

#[tokio::test]
async fn a_jwks_fetched_from_a_url_is_refetched_for_an_unknown_kid() {
    let keys = Keys::new();
    let new_keys = Keys::new();
    let source = Rotating::default();
    *source.keys.lock().unwrap() = keys.jwks();
    let url = mcpwire::auth::JwksUrl::new(serve_jwks(source.clone()).await);
    let s = protect_with(|resource| {
        let verifier = JwtVerifier::new(url, ISSUER, resource).min_refresh_interval(Duration::ZERO);
        auth_for(resource, verifier)
    })
    .await;
    s.assert_serving(&keys).await;
    s.assert_serving(&keys).await;
    assert_eq!(
        source.loads.load(Ordering::SeqCst),
        1,
        "the keys are cached"
    );
    let mut jwks = keys.jwks();
    jwks["keys"]
        .as_array_mut()
        .unwrap()
        .push(new_keys.ed_jwk("ed-2"));
    *source.keys.lock().unwrap() = jwks;
    let token = sign(&new_keys, "EdDSA", "ed-2", &s.claims("mcp:tools"));
    let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(source.loads.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_unreachable_jwks_url_answers_503_and_keeps_serving() {
    let keys = Keys::new();
    // Nothing listens there.
    let nowhere = refused_url("/jwks.json");
    let port = nowhere
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/jwks.json")
        .to_owned();
    let url = mcpwire::auth::JwksUrl::new(nowhere);
    let s =
        protect_with(|resource| auth_for(resource, JwtVerifier::new(url, ISSUER, resource))).await;
    let token = sign(&keys, "EdDSA", "ed-1", &s.claims("mcp:tools"));
    for _ in 0..2 {
        let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
        // Not the token's fault: the client should retry, not re-authorize.
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()["retry-after"], "5");
        // The fetch error stays in the server's log.
        let body = r.text().await.unwrap();
        assert!(!body.contains(&port), "{body}");
    }
    let r = s.http.get(s.prm_url()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// A fake RFC 7662 endpoint on `127.0.0.1:0`: client `rs` / `s3cret`
/// only; the token `good` is active for `aud`, `other-aud` is active for
/// another server, anything else is inactive. Returns its URL and the
/// requests' bodies.
async fn serve_introspection(aud: String) -> (String, Arc<Mutex<Vec<String>>>) {
    use http_body_util::BodyExt;
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let bound = bind().await;
    let url = bound.url("/introspect");
    let listener = bound.into_listener();
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let (log, aud) = (log.clone(), aud.clone());
            let svc =
                hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let (log, aud) = (log.clone(), aud.clone());
                    async move {
                        let basic = format!(
                            "Basic {}",
                            base64::engine::general_purpose::STANDARD.encode("rs:s3cret")
                        );
                        let authorized = req
                            .headers()
                            .get("authorization")
                            .is_some_and(|v| v == basic.as_str());
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        let body = String::from_utf8(body.to_vec()).unwrap();
                        log.lock().unwrap().push(body.clone());
                        let answer = if !authorized {
                            json!({"error": "invalid_client"})
                        } else if body.starts_with("token=good&") {
                            json!({"active": true, "sub": "carol", "scope": "mcp:tools",
                               "iss": ISSUER, "aud": aud, "exp": now() + 60})
                        } else if body.starts_with("token=other-aud&") {
                            json!({"active": true, "scope": "mcp:tools", "iss": ISSUER,
                               "aud": "https://other.test/mcp"})
                        } else {
                            json!({"active": false})
                        };
                        let mut r = http::Response::new(
                            http_body_util::Full::new(bytes::Bytes::from(answer.to_string()))
                                .boxed_unsync(),
                        );
                        if !authorized {
                            *r.status_mut() = http::StatusCode::UNAUTHORIZED;
                        }
                        Ok::<_, Infallible>(r)
                    }
                });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc),
            );
        }
    });
    (url, seen)
}

/// The protected server, checking tokens at the introspection endpoint
/// `endpoint` as client `rs` with `secret`, on `bound`.
fn start_introspected(bound: Bound, endpoint: String, secret: &str) -> Protected {
    protect_on(bound, mcp_server(), |resource| {
        let verifier = mcpwire::auth::IntrospectionVerifier::new(endpoint, "rs", secret, resource)
            .issuer(ISSUER);
        BearerAuth::new(
            verifier,
            ProtectedResourceMetadata::new(resource).authorization_server(ISSUER),
        )
        .require_scopes(["mcp:tools"])
    })
}

#[tokio::test]
async fn opaque_tokens_are_checked_by_introspection() {
    let bound = bind().await;
    let (endpoint, seen) = serve_introspection(bound.mcp_url()).await;
    let s = start_introspected(bound, endpoint, "s3cret");
    let r = s.call("echo", Some("Bearer good")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        seen.lock().unwrap()[0],
        "token=good&token_type_hint=access_token"
    );
    for token in ["revoked", "other-aud"] {
        let r = s.call("echo", Some(&format!("Bearer {token}"))).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{token}");
        assert_eq!(challenge(&r)["error"], "invalid_token");
    }
    // Token characters that need form escaping are escaped.
    let r = s.call("echo", Some("Bearer a+b/c=")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        seen.lock().unwrap().last().unwrap(),
        "token=a%2Bb%2Fc%3D&token_type_hint=access_token"
    );
    let r = s.call("echo", Some("Bearer good")).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_refused_introspection_client_answers_503() {
    let bound = bind().await;
    let (endpoint, _seen) = serve_introspection(bound.mcp_url()).await;
    let port = endpoint
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/introspect")
        .to_owned();
    let s = start_introspected(bound, endpoint, "wrong-secret");
    let r = s.call("echo", Some("Bearer good")).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = r.text().await.unwrap();
    assert!(!body.contains(&port), "{body}");
}
