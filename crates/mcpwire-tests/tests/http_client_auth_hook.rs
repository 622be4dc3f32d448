//! The authorization hook of the HTTP client transport with a hand-written
//! provider against a fake server: headers on every request, a challenge
//! answered and the message retried, a provider that gives up, and the
//! bound on challenge rounds.
mod support {
    pub mod http_client;
    pub mod http_client_raw;
}

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mcpwire::transport::http_client::{
    AUTH_FAILED_ERROR, AuthChallenge, AuthFuture, AuthProvider, AuthProviderError,
    HTTP_STATUS_ERROR, HttpClientTransport, MAX_AUTH_ROUNDS,
};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use mcpwire_testkit::fake_http::{Handler, Reply, Req, fake_server};
use support::http_client::{connect, echo};
use support::http_client_raw::rpc_error;

/// Hands out `Bearer <token>` (nothing before the first challenge) and a
/// per-request `X-Proof` naming the method and path; a challenge sets the
/// token to `next`, or fails when `next` is `None`.
#[derive(Debug, Default)]
struct Provider {
    token: Mutex<Option<String>>,
    next: Option<String>,
    challenges: Mutex<Vec<AuthChallenge>>,
}

impl AuthProvider for Provider {
    fn headers<'a>(
        &'a self,
        method: &'a Method,
        url: &'a Url,
    ) -> AuthFuture<'a, Result<Vec<(HeaderName, HeaderValue)>, AuthProviderError>> {
        Box::pin(async move {
            let mut h = vec![(
                HeaderName::from_static("x-proof"),
                HeaderValue::from_str(&format!("{method} {}", url.path())).unwrap(),
            )];
            if let Some(t) = self.token.lock().unwrap().as_ref() {
                h.push((
                    AUTHORIZATION,
                    HeaderValue::from_str(&format!("Bearer {t}")).unwrap(),
                ));
            }
            Ok(h)
        })
    }

    fn challenge<'a>(
        &'a self,
        challenge: &'a AuthChallenge,
    ) -> AuthFuture<'a, Result<(), AuthProviderError>> {
        Box::pin(async move {
            self.challenges.lock().unwrap().push(challenge.clone());
            match &self.next {
                Some(n) => {
                    *self.token.lock().unwrap() = Some(n.clone());
                    Ok(())
                }
                None => Err("no credentials for this server".into()),
            }
        })
    }
}

/// A fake MCP server that wants `Bearer good` on every POST: else 401
/// with a challenge naming its metadata and scope.
fn guarded() -> Handler {
    Arc::new(|req: &Req| {
        if req.method != "POST" {
            return Reply::status(405, "");
        }
        if req.header("authorization") != Some("Bearer good") {
            return Reply::Full(
                401,
                vec![(
                    "www-authenticate",
                    r#"Bearer resource_metadata="http://x/prm", scope="a b""#.to_owned(),
                )],
                String::new(),
            );
        }
        Reply::mcp(req)
    })
}

#[tokio::test]
async fn a_challenge_is_answered_and_the_message_sent_again() {
    let (url, log) = fake_server(guarded()).await;
    let provider = Arc::new(Provider {
        next: Some("good".into()),
        ..Provider::default()
    });
    let b = HttpClientTransport::builder(format!("{url}/mcp")).auth(provider.clone());
    let (client, _) = connect(b).await.unwrap();
    assert_eq!(echo(&client, "hi").await.unwrap(), "hi");
    let challenges = provider.challenges.lock().unwrap().clone();
    assert_eq!(challenges.len(), 1, "one challenge for the whole session");
    let c = &challenges[0];
    assert_eq!(c.status, 401);
    let w = c.www_authenticate.as_ref().unwrap();
    assert_eq!(w.resource_metadata.as_deref(), Some("http://x/prm"));
    assert_eq!(w.scope.as_deref(), Some("a b"));
    assert!(c.sent.iter().all(|(n, _)| n != AUTHORIZATION));
    // Every request carried the per-request header; after the challenge,
    // the token too.
    let log = log.lock().unwrap().clone();
    assert!(
        log.iter()
            .all(|r| r.header("x-proof") == Some(&format!("{} /mcp", r.method)[..]))
    );
    assert!(
        log.iter()
            .skip(1)
            .all(|r| r.header("authorization") == Some("Bearer good"))
    );
    client.close().await;
}

#[tokio::test]
async fn a_provider_that_gives_up_fails_the_request_with_its_reason() {
    let (url, _) = fake_server(guarded()).await;
    let provider = Arc::new(Provider::default());
    let b = HttpClientTransport::builder(format!("{url}/mcp")).auth(provider);
    let e = connect(b).await.unwrap_err();
    let e = rpc_error(&e);
    assert_eq!(e.code, AUTH_FAILED_ERROR);
    assert!(
        e.message.contains("no credentials for this server"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn challenges_are_bounded_per_message() {
    let (url, log) = fake_server(guarded()).await;
    // Always "authorizes", never with a token the server takes.
    let provider = Arc::new(Provider {
        next: Some("bad".into()),
        ..Provider::default()
    });
    let b = HttpClientTransport::builder(format!("{url}/mcp")).auth(provider.clone());
    let e = connect(b).await.unwrap_err();
    let e = rpc_error(&e);
    assert_eq!(e.code, AUTH_FAILED_ERROR);
    assert!(e.message.contains("401"), "{}", e.message);
    let rounds = provider.challenges.lock().unwrap().len();
    assert_eq!(rounds as u32, MAX_AUTH_ROUNDS);
    assert_eq!(log.lock().unwrap().len() as u32, MAX_AUTH_ROUNDS + 1);
}

#[tokio::test]
async fn without_a_provider_a_401_is_an_http_status_error() {
    let (url, _) = fake_server(guarded()).await;
    let b = HttpClientTransport::builder(format!("{url}/mcp"));
    let e = connect(b).await.unwrap_err();
    assert_eq!(rpc_error(&e).code, HTTP_STATUS_ERROR);
}

#[tokio::test]
async fn a_403_without_insufficient_scope_is_not_a_challenge() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let handler: Handler = Arc::new(move |req: &Req| {
        c.fetch_add(1, Ordering::SeqCst);
        if req.method != "POST" {
            return Reply::status(405, "");
        }
        Reply::Full(
            403,
            vec![(
                "www-authenticate",
                r#"Bearer error="invalid_token""#.to_owned(),
            )],
            String::new(),
        )
    });
    let (url, _) = fake_server(handler).await;
    let provider = Arc::new(Provider {
        next: Some("good".into()),
        ..Provider::default()
    });
    let b = HttpClientTransport::builder(format!("{url}/mcp")).auth(provider.clone());
    let e = connect(b).await.unwrap_err();
    assert_eq!(rpc_error(&e).code, HTTP_STATUS_ERROR);
    assert!(provider.challenges.lock().unwrap().is_empty());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
