//! Keys and tokens of the protected scenarios: an Ed25519 key made for the run, its public half
//! as a JWKS (written to a file, or served on loopback, as slowly as asked), and access tokens
//! signed with it.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{Value, json};

/// The issuer of every token (`--auth-issuer`).
pub const ISSUER: &str = "https://auth.soak.test";
/// The key id the JWKS publishes.
pub const KID: &str = "soak-1";
/// The scope every token grants.
pub const SCOPE: &str = "mcp:tools";
/// JWKS requests served at once; more are dropped.
const MAX_JWKS_CONNECTIONS: usize = 32;

/// The signing key and its JWKS document.
pub struct Keys {
    pair: Ed25519KeyPair,
    /// `{"keys": [the public key as an OKP JWK with kid KID]}`.
    pub jwks: String,
}

impl Keys {
    /// A fresh key.
    pub fn new() -> Result<Keys, String> {
        let rng = ring::rand::SystemRandom::new();
        let pk8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|e| format!("making a key: {e}"))?;
        let pair = Ed25519KeyPair::from_pkcs8(pk8.as_ref())
            .map_err(|e| format!("reading the key: {e}"))?;
        let x = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
        let jwks =
            json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": KID, "x": x}]})
                .to_string();
        Ok(Keys { pair, jwks })
    }

    /// An access token for audience `aud` and subject `sub`, valid for an hour, naming key `kid`.
    pub fn token(&self, aud: &str, sub: &str, kid: &str) -> String {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let header = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": kid});
        let claims = json!({"iss": ISSUER, "aud": aud, "sub": sub, "scope": SCOPE,
            "iat": now, "exp": now + 3600});
        let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let input = format!("{}.{}", b64(&header), b64(&claims));
        let sig = self.pair.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }
}

/// A small xorshift generator for key ids nobody published.
pub struct Noise(u64);

impl Noise {
    /// Seeded from the clock.
    pub fn new() -> Noise {
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Noise(seed | 1)
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A JWKS served over HTTP on 127.0.0.1 after a delay, counting its requests.
pub struct JwksServer {
    /// `http://127.0.0.1:PORT/jwks.json`.
    pub url: String,
    hits: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl JwksServer {
    /// Serves `doc` to every request, each answered after `delay`.
    pub fn start(doc: String, delay: Duration) -> Result<JwksServer, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| format!("binding the JWKS server: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("JWKS address: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("JWKS listener: {e}"))?;
        let hits = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (hits.clone(), stop.clone());
        let handle = std::thread::spawn(move || serve(listener, doc, delay, &h, &s));
        Ok(JwksServer {
            url: format!("http://{addr}/jwks.json"),
            hits,
            stop,
            handle: Some(handle),
        })
    }

    /// Requests received so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn serve(
    listener: TcpListener,
    doc: String,
    delay: Duration,
    hits: &Arc<AtomicU64>,
    stop: &AtomicBool,
) {
    let active = Arc::new(AtomicUsize::new(0));
    let doc = Arc::new(doc);
    while !stop.load(Ordering::SeqCst) {
        let Ok((mut s, _)) = listener.accept() else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if active.load(Ordering::SeqCst) >= MAX_JWKS_CONNECTIONS {
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let (doc, hits, active) = (doc.clone(), hits.clone(), active.clone());
        std::thread::spawn(move || {
            let _ = s.set_nonblocking(false);
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut got = Vec::new();
            let mut buf = [0u8; 2048];
            while !got.windows(4).any(|w| w == b"\r\n\r\n") && got.len() < 16 * 1024 {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            hits.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(delay);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{doc}",
                doc.len()
            );
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcpwire::auth::{Jwks, JwtVerifier, TokenVerifier};

    fn verify(keys: &Keys, token: &str) -> Result<Option<String>, String> {
        let verifier = JwtVerifier::new(
            Jwks::parse(&keys.jwks).unwrap(),
            ISSUER,
            "http://127.0.0.1:1/mcp",
        );
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(verifier.verify(token))
            .map(|t| t.subject)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_tokens_pass_the_servers_own_verifier_and_unknown_kids_do_not() {
        let keys = Keys::new().unwrap();
        let aud = "http://127.0.0.1:1/mcp";
        assert_eq!(
            verify(&keys, &keys.token(aud, "alice", KID)),
            Ok(Some("alice".to_owned()))
        );
        assert!(verify(&keys, &keys.token(aud, "alice", "kid-0123")).is_err());
        assert!(verify(&keys, &keys.token("http://elsewhere/mcp", "alice", KID)).is_err());
        // Another run's key is not this one's.
        let other = Keys::new().unwrap();
        assert!(verify(&keys, &other.token(aud, "alice", KID)).is_err());
    }

    #[test]
    fn the_jwks_server_answers_after_its_delay_and_counts() {
        let server =
            JwksServer::start("{\"keys\": []}".to_owned(), Duration::from_millis(50)).unwrap();
        let addr = server
            .url
            .trim_start_matches("http://")
            .trim_end_matches("/jwks.json")
            .to_owned();
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /jwks.json HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let started = std::time::Instant::now();
        let mut got = String::new();
        s.read_to_string(&mut got).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert!(
            got.starts_with("HTTP/1.1 200") && got.ends_with("{\"keys\": []}"),
            "{got}"
        );
        assert_eq!(server.hits(), 1);
    }
}
