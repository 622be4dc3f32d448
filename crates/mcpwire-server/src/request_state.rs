//! The `requestState` of multi round-trip requests (2026-07-28), sealed so
//! that a stateless server can trust what it gets back.
//!
//! A sealed state carries the answers the server has received so far, the
//! method and target (tool or prompt name, resource URI) it was issued for,
//! and an expiry time. Its wire form is
//! `v1.<base64url(payload JSON)>.<base64url(HMAC-SHA256(key, "v1." + payload))>`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use mcpwire_types::InputResponses;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use mcpwire_rpc::Error;

type HmacSha256 = Hmac<Sha256>;

const VERSION: &str = "v1";

/// How long a sealed state stays valid unless the builder says otherwise.
pub(crate) const DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);

/// What a sealed state holds.
#[derive(Serialize, Deserialize)]
struct Payload {
    /// The method the state was issued for.
    m: String,
    /// The tool or prompt name, or the resource URI.
    t: String,
    /// Expiry, in seconds since the Unix epoch.
    exp: u64,
    /// The answers received so far.
    a: InputResponses,
}

/// The keys and lifetime used to seal and open request states.
pub(crate) struct RequestStateKeys {
    /// Seals with the first; opens with any (key rotation).
    keys: Keys,
    ttl: Duration,
}

/// Fixed keys, or a ring that can change while the server runs.
enum Keys {
    Fixed(Vec<Vec<u8>>),
    Ring(crate::KeyRing),
}

impl std::fmt::Debug for RequestStateKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestStateKeys")
            .field("keys", &self.with_keys(<[Vec<u8>]>::len))
            .field("ttl", &self.ttl)
            .finish()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn invalid(what: &str) -> Error {
    Error::invalid_params(format!("Invalid params: requestState {what}"))
}

impl RequestStateKeys {
    /// Keys as given; an empty list means one random 32-byte key.
    pub(crate) fn new(keys: Vec<Vec<u8>>, ttl: Duration) -> Self {
        let keys = if keys.is_empty() {
            let mut key = vec![0u8; 32];
            getrandom::fill(&mut key).expect("the operating system's random source failed");
            vec![key]
        } else {
            keys
        };
        RequestStateKeys {
            keys: Keys::Fixed(keys),
            ttl,
        }
    }

    /// Keys read from `ring` at each use.
    pub(crate) fn with_ring(ring: crate::KeyRing, ttl: Duration) -> Self {
        RequestStateKeys {
            keys: Keys::Ring(ring),
            ttl,
        }
    }

    /// Runs `f` over the keys now in use.
    fn with_keys<R>(&self, f: impl FnOnce(&[Vec<u8>]) -> R) -> R {
        match &self.keys {
            Keys::Fixed(k) => f(k),
            Keys::Ring(r) => f(&r.keys()),
        }
    }

    fn mac(key: &[u8], signed: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(signed);
        mac
    }

    /// Seals `answers` for a request of `method` on `target`.
    pub(crate) fn seal(
        &self,
        method: &str,
        target: &str,
        answers: &InputResponses,
    ) -> Result<String, Error> {
        let payload = Payload {
            m: method.to_owned(),
            t: target.to_owned(),
            exp: now().saturating_add(self.ttl.as_secs()),
            a: answers.clone(),
        };
        let json = serde_json::to_vec(&payload)?;
        let signed = format!("{VERSION}.{}", b64::encode(&json));
        let tag = self.with_keys(|keys| {
            keys.first()
                .map(|key| Self::mac(key, signed.as_bytes()).finalize().into_bytes())
        });
        let Some(tag) = tag else {
            return Err(Error::internal(
                "no requestState key is loaded yet (the key ring is empty)",
            ));
        };
        Ok(format!("{signed}.{}", b64::encode(&tag)))
    }

    /// Opens a state sealed by [`seal`](Self::seal) and returns its answers,
    /// or a `-32602` error when it is malformed, forged, issued for another
    /// request, or expired.
    pub(crate) fn open(
        &self,
        state: &str,
        method: &str,
        target: &str,
    ) -> Result<InputResponses, Error> {
        let (signed, tag) = state
            .rsplit_once('.')
            .ok_or_else(|| invalid("is malformed"))?;
        let (version, body) = signed
            .split_once('.')
            .ok_or_else(|| invalid("is malformed"))?;
        if version != VERSION {
            return Err(invalid("has an unknown format"));
        }
        let tag = b64::decode(tag).ok_or_else(|| invalid("is malformed"))?;
        let authentic = self.with_keys(|keys| {
            keys.iter()
                .any(|key| Self::mac(key, signed.as_bytes()).verify_slice(&tag).is_ok())
        });
        if !authentic {
            return Err(invalid("failed verification"));
        }
        let json = b64::decode(body).ok_or_else(|| invalid("is malformed"))?;
        let payload: Payload =
            serde_json::from_slice(&json).map_err(|_| invalid("is malformed"))?;
        if payload.m != method || payload.t != target {
            return Err(invalid("was issued for another request"));
        }
        if now() >= payload.exp {
            return Err(invalid("has expired"));
        }
        Ok(payload.a)
    }
}

/// Unpadded base64url (RFC 4648 §5), canonical: trailing bits must be zero.
mod b64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    pub(super) fn encode(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Decodes canonical unpadded base64url; `None` for anything else.
    pub(super) fn decode(s: &str) -> Option<Vec<u8>> {
        URL_SAFE_NO_PAD.decode(s).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens() {
        let keys = RequestStateKeys::new(vec![b"k".to_vec()], DEFAULT_TTL);
        let s = keys
            .seal("tools/call", "t", &InputResponses::new())
            .unwrap();
        assert!(s.starts_with("v1."));
        assert!(keys.open(&s, "tools/call", "t").unwrap().is_empty());
        assert!(keys.open(&s, "tools/call", "u").is_err());
        let other = RequestStateKeys::new(vec![b"x".to_vec()], DEFAULT_TTL);
        assert!(other.open(&s, "tools/call", "t").is_err());
        let rotated = RequestStateKeys::new(vec![b"x".to_vec(), b"k".to_vec()], DEFAULT_TTL);
        assert!(rotated.open(&s, "tools/call", "t").is_ok());
        let expired = RequestStateKeys::new(vec![b"k".to_vec()], Duration::ZERO);
        let s = expired
            .seal("tools/call", "t", &InputResponses::new())
            .unwrap();
        assert!(expired.open(&s, "tools/call", "t").is_err());
        assert!(keys.open("garbage", "tools/call", "t").is_err());
    }

    #[test]
    fn a_ring_seals_with_its_newest_key_and_opens_with_any() {
        let ring = crate::KeyRing::new(vec![b"old".to_vec()]);
        let keys = RequestStateKeys::with_ring(ring.clone(), DEFAULT_TTL);
        let before = keys
            .seal("tools/call", "t", &InputResponses::new())
            .unwrap();
        ring.set(vec![b"new".to_vec(), b"old".to_vec()]);
        let after = keys
            .seal("tools/call", "t", &InputResponses::new())
            .unwrap();
        assert!(keys.open(&before, "tools/call", "t").is_ok());
        assert!(keys.open(&after, "tools/call", "t").is_ok());
        // Once the old key is retired, what it sealed is refused.
        ring.set(vec![b"new".to_vec()]);
        assert!(keys.open(&before, "tools/call", "t").is_err());
        assert!(keys.open(&after, "tools/call", "t").is_ok());
        // A ring with no key yet refuses to seal, saying why.
        let empty = RequestStateKeys::with_ring(crate::KeyRing::default(), DEFAULT_TTL);
        let e = empty
            .seal("tools/call", "t", &InputResponses::new())
            .unwrap_err();
        assert!(e.to_string().contains("key ring is empty"), "{e}");
    }
}
