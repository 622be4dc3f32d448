//! PKCE (RFC 7636) with the S256 method only, and the random values of the
//! flow (verifier, `state`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};

use super::{AuthError, ServerMetadata};

/// A PKCE verifier and its S256 challenge.
#[derive(Clone)]
pub struct Pkce {
    verifier: String,
    challenge: String,
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce").finish_non_exhaustive()
    }
}

impl Pkce {
    /// A fresh verifier of 43 characters (32 random bytes) and its
    /// challenge.
    ///
    /// ```
    /// let p = mcpwire_oauth::client::Pkce::new().unwrap();
    /// assert_eq!(p.verifier().len(), 43);
    /// assert_eq!(p.method(), "S256");
    /// ```
    pub fn new() -> Result<Pkce, AuthError> {
        Ok(Pkce::from_verifier(random_token(32)?))
    }

    /// The PKCE pair of a given verifier.
    pub fn from_verifier(verifier: String) -> Pkce {
        let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
        let challenge = URL_SAFE_NO_PAD.encode(digest.as_ref());
        Pkce {
            verifier,
            challenge,
        }
    }

    /// The `code_verifier` of the token request.
    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    /// The `code_challenge` of the authorization request.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// The `code_challenge_method`: always `S256`.
    pub fn method(&self) -> &'static str {
        "S256"
    }
}

/// Refuses an authorization server whose metadata does not list S256 in
/// `code_challenge_methods_supported` (an absent list means no PKCE, which
/// the MCP specification says to refuse). The 2025-03-26 default endpoints
/// have no metadata to check.
pub(crate) fn require_s256(meta: &ServerMetadata) -> Result<(), AuthError> {
    if meta.fallback {
        return Ok(());
    }
    match &meta.code_challenge_methods_supported {
        Some(m) if m.iter().any(|x| x == "S256") => Ok(()),
        other => Err(AuthError::PkceUnsupported {
            issuer: meta.issuer.clone(),
            advertised: match other {
                Some(m) => format!("{m:?}"),
                None => "absent".to_owned(),
            },
        }),
    }
}

/// `bytes` random bytes, base64url without padding.
pub(crate) fn random_token(bytes: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| AuthError::Key("the system random generator failed".to_owned()))?;
    Ok(URL_SAFE_NO_PAD.encode(&buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned());
        assert_eq!(p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn s256_is_required() {
        let mut m = ServerMetadata {
            issuer: "https://as".into(),
            ..ServerMetadata::default()
        };
        assert!(require_s256(&m).unwrap_err().to_string().contains("absent"));
        m.code_challenge_methods_supported = Some(vec!["plain".into()]);
        assert!(require_s256(&m).is_err());
        m.code_challenge_methods_supported = Some(vec!["plain".into(), "S256".into()]);
        assert!(require_s256(&m).is_ok());
        assert!(require_s256(&ServerMetadata::defaults("http://x")).is_ok());
    }
}
