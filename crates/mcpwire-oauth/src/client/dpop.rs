//! DPoP (RFC 9449): the client's ephemeral ES256 key, the proof JWT it
//! signs for each HTTP request (to the token endpoint and to the MCP
//! server), and the nonces servers hand out with `use_dpop_nonce`.
//!
//! One [`DpopKey`] lives as long as its [`OAuthClient`](super::OAuthClient):
//! the tokens it obtains are bound to the key's thumbprint (`cnf.jkt`), so
//! they are useless to anyone who steals them without the key.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Url;
use ring::digest::{SHA256, digest};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};

use super::AuthError;
use super::pkce::random_token;
use super::store::now_secs;

/// The OAuth error code of a server that wants a (new) nonce.
pub(crate) const USE_DPOP_NONCE: &str = "use_dpop_nonce";
/// The response header carrying a server's nonce.
pub(crate) const DPOP_NONCE_HEADER: &str = "dpop-nonce";
/// A nonce the server rejects within this time of issuing it counts as
/// "rejected at once".
const FRESH: Duration = Duration::from_secs(10);
/// How many of its just-issued nonces in a row a server may reject before
/// the client gives up instead of asking again: a server that refuses the
/// nonce it handed out seconds ago will not take the next one either. (A
/// nonce that another request has replaced meanwhile does not count.)
pub(crate) const MAX_FRESH_REJECTIONS: u32 = 1;

/// The key that DPoP-binds this client's tokens, and the nonces the
/// servers it talks to asked for.
///
/// ```
/// use mcpwire_oauth::client::DpopKey;
/// use reqwest::{Method, Url};
/// let key = DpopKey::generate().unwrap();
/// let url = Url::parse("https://mcp.example.com/mcp?x=1").unwrap();
/// let proof = key.proof(&Method::POST, &url, Some("access-token")).unwrap();
/// assert_eq!(proof.split('.').count(), 3);
/// assert_eq!(key.thumbprint().len(), 43);
/// ```
pub struct DpopKey {
    pair: EcdsaKeyPair,
    jwk: Value,
    thumbprint: String,
    nonces: Mutex<HashMap<String, Nonce>>,
}

/// The latest nonce of one server (endpoint).
#[derive(Debug, Clone)]
struct Nonce {
    value: String,
    received: Instant,
    /// How many of this server's fresh nonces were rejected in a row.
    fresh_rejections: u32,
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopKey")
            .field("alg", &"ES256")
            .field("thumbprint", &self.thumbprint)
            .finish_non_exhaustive()
    }
}

impl DpopKey {
    /// A fresh P-256 key pair (ES256), made with the system's random
    /// generator.
    pub fn generate() -> Result<DpopKey, AuthError> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| AuthError::Key("cannot generate a DPoP key".to_owned()))?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .map_err(|_| AuthError::Key("cannot load the generated DPoP key".to_owned()))?;
        // An uncompressed SEC1 point: 0x04 || x || y.
        let point = pair.public_key().as_ref();
        let (x, y) = (&point[1..33], &point[33..65]);
        let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
        // RFC 7638: the required members, in lexicographic order, no spaces.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let thumbprint = URL_SAFE_NO_PAD.encode(digest(&SHA256, canonical.as_bytes()));
        Ok(DpopKey {
            pair,
            jwk: json!({"kty": "EC", "crv": "P-256", "x": x, "y": y}),
            thumbprint,
            nonces: Mutex::new(HashMap::new()),
        })
    }

    /// The public key as a JWK (the `jwk` header of every proof).
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// The JWK SHA-256 thumbprint (RFC 7638) the tokens are bound to
    /// (`cnf.jkt`, and `dpop_jkt` of authorization requests).
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// A proof for one request of `method` to `url`: `htu` is the URL
    /// without query and fragment, `jti` is fresh, `ath` is the hash of
    /// `access_token` when one is presented, and `nonce` is the last one
    /// `url`'s server supplied.
    pub fn proof(
        &self,
        method: &reqwest::Method,
        url: &Url,
        access_token: Option<&str>,
    ) -> Result<String, AuthError> {
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk});
        let mut claims = json!({
            "jti": random_token(16)?,
            "htm": method.as_str(),
            "htu": htu.as_str(),
            "iat": now_secs(),
        });
        if let Some(token) = access_token {
            claims["ath"] = json!(URL_SAFE_NO_PAD.encode(digest(&SHA256, token.as_bytes())));
        }
        if let Some(nonce) = self.nonce(url) {
            claims["nonce"] = json!(nonce);
        }
        super::jws::compact(&header, &claims, |input| {
            self.pair
                .sign(&SystemRandom::new(), input)
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|_| AuthError::Key("signing the DPoP proof failed".to_owned()))
        })
    }

    fn nonces(&self) -> std::sync::MutexGuard<'_, HashMap<String, Nonce>> {
        self.nonces.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The last nonce of `url`'s server.
    pub(crate) fn nonce(&self, url: &Url) -> Option<String> {
        self.nonces().get(&nonce_key(url)).map(|n| n.value.clone())
    }

    /// Records a nonce `url`'s server supplied (in any response).
    pub(crate) fn remember_nonce(&self, url: &Url, value: &str) {
        let mut nonces = self.nonces();
        let entry = nonces.entry(nonce_key(url)).or_insert_with(|| Nonce {
            value: String::new(),
            received: Instant::now(),
            fresh_rejections: 0,
        });
        if entry.value != value {
            entry.value = value.to_owned();
            entry.received = Instant::now();
        }
    }

    /// Handles a `use_dpop_nonce` answer of `url`'s server to a proof that
    /// carried `sent_nonce`, offering `new_nonce`: records it and says
    /// whether to try again. A server that rejects the nonce it just
    /// issued (see [`MAX_FRESH_REJECTIONS`]), or that offers no nonce, gets
    /// an error instead of another request.
    pub(crate) fn nonce_challenge(
        &self,
        url: &Url,
        sent_nonce: Option<&str>,
        new_nonce: Option<&str>,
    ) -> Result<(), String> {
        let server = nonce_key(url);
        let Some(new_nonce) = new_nonce.filter(|n| !n.is_empty()) else {
            return Err(format!(
                "{server} asked for a DPoP nonce (use_dpop_nonce) without sending one in a DPoP-Nonce header"
            ));
        };
        let mut nonces = self.nonces();
        let previous = nonces.get(&server).cloned();
        let rejected_fresh = match (&previous, sent_nonce) {
            (Some(p), Some(sent)) => p.value == sent && p.received.elapsed() < FRESH,
            _ => false,
        };
        let fresh_rejections = if rejected_fresh {
            previous.as_ref().map_or(0, |p| p.fresh_rejections) + 1
        } else {
            0
        };
        if fresh_rejections >= MAX_FRESH_REJECTIONS || sent_nonce == Some(new_nonce) {
            return Err(format!(
                "{server} keeps rejecting the DPoP nonces it just issued (use_dpop_nonce {} times in a row); giving up instead of asking again",
                fresh_rejections + 1
            ));
        }
        nonces.insert(
            server,
            Nonce {
                value: new_nonce.to_owned(),
                received: Instant::now(),
                fresh_rejections,
            },
        );
        Ok(())
    }
}

/// Whose nonce applies to a request to `url`: nonces are kept per
/// endpoint (URL without query and fragment), so an authorization server
/// and an MCP server on one origin keep theirs apart.
fn nonce_key(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// The `nonce` claim of a proof (unverified: it is our own).
pub(crate) fn proof_nonce(proof: &str) -> Option<String> {
    let claims = proof.split('.').nth(1)?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()?;
    claims.get("nonce")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(jwt: &str, i: usize) -> Value {
        let p = jwt.split('.').nth(i).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
    }

    #[test]
    fn proof_shape_and_signature() {
        let key = DpopKey::generate().unwrap();
        let url = Url::parse("https://rs.example/mcp?a=1#f").unwrap();
        let proof = key
            .proof(&reqwest::Method::POST, &url, Some("tok"))
            .unwrap();
        let header = part(&proof, 0);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert!(header["jwk"].get("d").is_none());
        let claims = part(&proof, 1);
        assert_eq!(claims["htu"], "https://rs.example/mcp");
        assert_eq!(claims["htm"], "POST");
        assert_eq!(
            claims["ath"],
            URL_SAFE_NO_PAD.encode(digest(&SHA256, b"tok"))
        );
        assert!(claims.get("nonce").is_none());
        let (input, sig) = proof.rsplit_once('.').unwrap();
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            key.pair.public_key().as_ref(),
        );
        public
            .verify(input.as_bytes(), &URL_SAFE_NO_PAD.decode(sig).unwrap())
            .unwrap();
        let again = key.proof(&reqwest::Method::POST, &url, None).unwrap();
        assert_ne!(part(&again, 1)["jti"], claims["jti"]);
    }

    #[test]
    fn nonce_rejected_at_once_twice_gives_up() {
        let key = DpopKey::generate().unwrap();
        let url = Url::parse("https://rs.example/mcp").unwrap();
        key.nonce_challenge(&url, None, Some("n1")).unwrap();
        assert_eq!(key.nonce(&url).as_deref(), Some("n1"));
        let proof = key.proof(&reqwest::Method::GET, &url, None).unwrap();
        assert_eq!(proof_nonce(&proof).as_deref(), Some("n1"));
        // A just-issued nonce rejected: no more requests.
        let err = key
            .nonce_challenge(&url, Some("n1"), Some("n2"))
            .unwrap_err();
        assert!(err.contains("keeps rejecting"), "{err}");
        // A nonce another request replaced meanwhile does not count.
        key.remember_nonce(&url, "n3");
        key.nonce_challenge(&url, Some("n1"), Some("n4")).unwrap();
        assert_eq!(key.nonce(&url).as_deref(), Some("n4"));
        assert!(key.nonce_challenge(&url, None, None).is_err());
        // Another server's nonces are its own.
        let other = Url::parse("https://as.example/token").unwrap();
        assert_eq!(key.nonce(&other), None);
    }
}
