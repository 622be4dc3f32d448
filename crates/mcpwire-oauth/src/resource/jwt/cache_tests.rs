//! Tests of the key cache: a storm of unknown `kid`s costs one fetch, a
//! cached `kid` never waits for a fetch, and a hung key source fails its
//! waiters by the deadline without wedging the next refresh. The fetches
//! are held by a gate, not by sleeping; the paused clock of the runtime
//! shows whether anything waited on a timer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;

use super::{KeyCache, Limits};
use crate::resource::jwt::{Jwks, JwksFuture, JwksSource};
use crate::resource::token::VerifyError;

/// A JWKS of Ed25519 keys (the same placeholder key) under `kids`.
fn jwks_doc(kids: &[String]) -> String {
    let x = URL_SAFE_NO_PAD.encode([7u8; 32]);
    let keys: Vec<_> = kids
        .iter()
        .map(|k| json!({"kty": "OKP", "crv": "Ed25519", "kid": k, "x": x}))
        .collect();
    json!({ "keys": keys }).to_string()
}

/// A key source that counts its loads, reports each start, and waits for
/// a permit of its gate before answering with the current `kids`.
#[derive(Clone)]
struct Gated {
    loads: Arc<AtomicUsize>,
    kids: Arc<Mutex<Vec<String>>>,
    gate: Arc<Semaphore>,
    started: mpsc::UnboundedSender<()>,
}

impl Gated {
    fn new(kids: &[&str]) -> (Gated, mpsc::UnboundedReceiver<()>) {
        // One message per fetch the test starts: bounded by the test.
        let (started, rx) = mpsc::unbounded_channel();
        let g = Gated {
            loads: Arc::default(),
            kids: Arc::new(Mutex::new(kids.iter().map(|k| (*k).to_owned()).collect())),
            gate: Arc::new(Semaphore::new(0)),
            started,
        };
        (g, rx)
    }

    fn loads(&self) -> usize {
        self.loads.load(Ordering::SeqCst)
    }
}

impl JwksSource for Gated {
    fn load(&self) -> JwksFuture<'_> {
        Box::pin(async move {
            self.loads.fetch_add(1, Ordering::SeqCst);
            let _ = self.started.send(());
            if let Ok(p) = self.gate.acquire().await {
                p.forget();
            }
            let doc = jwks_doc(&self.kids.lock().unwrap());
            Jwks::parse(&doc)
        })
    }
}

/// A deadline on what must not wait: with the paused clock it is reached
/// at once if anything blocks.
const HANG_GUARD: Duration = Duration::from_secs(3600);

const LIMITS: Limits = Limits {
    min_refresh: Duration::from_secs(30),
    fetch_timeout: Duration::from_secs(10),
};

fn cache(source: &Gated) -> Arc<KeyCache> {
    Arc::new(KeyCache::new(Arc::new(source.clone())))
}

/// A `kid` nobody has.
fn random_kid() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    URL_SAFE_NO_PAD.encode(b)
}

#[tokio::test(start_paused = true)]
async fn two_hundred_unknown_kids_cost_one_fetch() {
    let (source, mut started) = Gated::new(&["k1"]);
    let cache = cache(&source);
    let storm: Vec<_> = (0..200)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.key_for(Some(&random_kid()), "EdDSA", LIMITS).await })
        })
        .collect();
    started.recv().await.unwrap();
    source.gate.add_permits(1000);
    for t in storm {
        assert!(matches!(t.await.unwrap(), Err(VerifyError::UnknownKey)));
    }
    assert_eq!(source.loads(), 1);
    // Within the interval, more unknown kids fetch nothing; known ones work.
    let at = Instant::now();
    assert!(matches!(
        cache.key_for(Some("nobody"), "EdDSA", LIMITS).await,
        Err(VerifyError::UnknownKey)
    ));
    assert!(cache.key_for(Some("k1"), "EdDSA", LIMITS).await.is_ok());
    assert_eq!(at.elapsed(), Duration::ZERO, "something waited");
    assert_eq!(source.loads(), 1);
    // After it, one unknown kid may look again: the key was rotated in.
    tokio::time::advance(LIMITS.min_refresh).await;
    source.kids.lock().unwrap().push("k2".into());
    assert!(cache.key_for(Some("k2"), "EdDSA", LIMITS).await.is_ok());
    assert_eq!(source.loads(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_cached_kid_never_waits_for_a_refresh() {
    let (source, mut started) = Gated::new(&["k1"]);
    let cache = cache(&source);
    source.gate.add_permits(1);
    assert!(cache.key_for(Some("k1"), "EdDSA", LIMITS).await.is_ok());
    started.recv().await.unwrap();
    // A refresh for a new kid, held at the source.
    let eager = Limits {
        min_refresh: Duration::ZERO,
        ..LIMITS
    };
    let waiting = {
        let cache = cache.clone();
        tokio::spawn(async move { cache.key_for(Some("k2"), "EdDSA", eager).await })
    };
    started.recv().await.unwrap();
    let at = Instant::now();
    for _ in 0..10 {
        // Were it to wait for the held fetch, the paused clock would jump
        // to this deadline rather than hang.
        let known = tokio::time::timeout(HANG_GUARD, cache.key_for(Some("k1"), "EdDSA", eager));
        assert!(known.await.expect("a cached kid waited").is_ok());
    }
    assert_eq!(at.elapsed(), Duration::ZERO, "a cached kid waited");
    assert!(!waiting.is_finished());
    // The refresh brings the new key to the token that waited for it.
    source.kids.lock().unwrap().push("k2".into());
    source.gate.add_permits(1);
    assert!(waiting.await.unwrap().is_ok());
    assert_eq!(source.loads(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_hung_source_fails_its_waiters_by_the_deadline_and_is_tried_again_later() {
    let (source, _started) = Gated::new(&["k1"]);
    let cache = cache(&source);
    // The gate stays shut: the first load never answers.
    let at = Instant::now();
    match cache.key_for(Some("k1"), "EdDSA", LIMITS).await {
        Err(VerifyError::Unavailable(why)) => assert!(why.contains("10s"), "{why}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
    let waited = at.elapsed();
    assert!(waited >= LIMITS.fetch_timeout, "{waited:?}");
    assert!(waited < LIMITS.min_refresh, "{waited:?}");
    // Too soon for another load: refused at once.
    let at = Instant::now();
    assert!(matches!(
        cache.key_for(Some("k1"), "EdDSA", LIMITS).await,
        Err(VerifyError::Unavailable(_))
    ));
    assert_eq!(at.elapsed(), Duration::ZERO);
    assert_eq!(source.loads(), 1);
    // Later the source answers again, and the cache loads.
    tokio::time::advance(LIMITS.min_refresh).await;
    source.gate.add_permits(1);
    assert!(cache.key_for(Some("k1"), "EdDSA", LIMITS).await.is_ok());
    assert_eq!(source.loads(), 2);
}

/// Over real HTTP: a JWKS server on 127.0.0.1:0 that counts its requests
/// and answers each when the test lets it.
#[cfg(feature = "remote-keys")]
mod over_http {
    use ring::signature::{Ed25519KeyPair, KeyPair};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::resource::JwksUrl;
    use crate::resource::jwt::JwtVerifier;
    use crate::resource::token::TokenVerifier;

    const ISS: &str = "https://auth.test";
    const AUD: &str = "https://mcp.test/mcp";

    struct JwksServer {
        url: String,
        hits: Arc<AtomicUsize>,
        arrived: mpsc::UnboundedReceiver<()>,
        gate: Arc<Semaphore>,
        doc: Arc<Mutex<String>>,
    }

    async fn jwks_server(doc: String) -> JwksServer {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(Semaphore::new(0));
        let doc = Arc::new(Mutex::new(doc));
        // One message per request the test sends: bounded by the test.
        let (tx, arrived) = mpsc::unbounded_channel();
        let (h, g, d) = (hits.clone(), gate.clone(), doc.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut tcp, _)) = listener.accept().await else {
                    return;
                };
                let (h, g, d, tx) = (h.clone(), g.clone(), d.clone(), tx.clone());
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tcp.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    h.fetch_add(1, Ordering::SeqCst);
                    let _ = tx.send(());
                    if let Ok(p) = g.acquire().await {
                        p.forget();
                    }
                    let body = d.lock().unwrap().clone();
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tcp.write_all(resp.as_bytes()).await;
                });
            }
        });
        JwksServer {
            url,
            hits,
            arrived,
            gate,
            doc,
        }
    }

    struct Signer(Ed25519KeyPair);

    impl Signer {
        fn new() -> Signer {
            let rng = ring::rand::SystemRandom::new();
            let pk8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
            Signer(Ed25519KeyPair::from_pkcs8(pk8.as_ref()).unwrap())
        }

        fn jwks(&self, kids: &[&str]) -> String {
            let x = URL_SAFE_NO_PAD.encode(self.0.public_key().as_ref());
            let keys: Vec<_> = kids
                .iter()
                .map(|k| json!({"kty": "OKP", "crv": "Ed25519", "kid": k, "x": x}))
                .collect();
            json!({ "keys": keys }).to_string()
        }

        fn token(&self, kid: &str) -> String {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let b64 = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
            let input = format!(
                "{}.{}",
                b64(json!({"alg": "EdDSA", "typ": "at+jwt", "kid": kid})),
                b64(json!({"iss": ISS, "aud": AUD, "sub": "alice", "exp": now + 300}))
            );
            let sig = self.0.sign(input.as_bytes());
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
        }
    }

    /// A deadline for what must not wait at all: reached only if it did.
    const NO_WAIT: Duration = Duration::from_secs(5);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_storm_of_random_kids_costs_one_fetch_and_known_kids_never_wait() {
        let signer = Arc::new(Signer::new());
        let mut server = jwks_server(signer.jwks(&["k1"])).await;
        let verifier = Arc::new(JwtVerifier::new(JwksUrl::new(&server.url), ISS, AUD));
        let storm: Vec<_> = (0..200)
            .map(|_| {
                let (verifier, signer) = (verifier.clone(), signer.clone());
                tokio::spawn(async move { verifier.verify(&signer.token(&random_kid())).await })
            })
            .collect();
        server.arrived.recv().await.unwrap();
        server.gate.add_permits(1000);
        for t in storm {
            assert!(matches!(t.await.unwrap(), Err(VerifyError::UnknownKey)));
        }
        assert_eq!(server.hits.load(Ordering::SeqCst), 1);
        let ok = verifier.verify(&signer.token("k1")).await.unwrap();
        assert_eq!(ok.subject.as_deref(), Some("alice"));
        assert_eq!(server.hits.load(Ordering::SeqCst), 1);

        // A verifier that refreshes for every unknown kid: while its fetch
        // is held at the server, a known kid is verified all the same.
        let mut server = jwks_server(signer.jwks(&["k1"])).await;
        let verifier = Arc::new(
            JwtVerifier::new(JwksUrl::new(&server.url), ISS, AUD)
                .min_refresh_interval(Duration::ZERO),
        );
        server.gate.add_permits(1);
        verifier.verify(&signer.token("k1")).await.unwrap();
        server.arrived.recv().await.unwrap();
        let held = {
            let (verifier, signer) = (verifier.clone(), signer.clone());
            tokio::spawn(async move { verifier.verify(&signer.token("k2")).await })
        };
        server.arrived.recv().await.unwrap();
        for _ in 0..5 {
            let token = signer.token("k1");
            let known = tokio::time::timeout(NO_WAIT, verifier.verify(&token)).await;
            assert!(known.expect("a known kid waited").is_ok());
        }
        assert!(!held.is_finished());
        *server.doc.lock().unwrap() = signer.jwks(&["k1", "k2"]);
        server.gate.add_permits(1);
        assert!(held.await.unwrap().is_ok());
        assert_eq!(server.hits.load(Ordering::SeqCst), 2);
    }
}
