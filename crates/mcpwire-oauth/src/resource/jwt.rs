//! JWT access tokens checked against a JWKS (RS256, ES256, EdDSA), with
//! the keys cached and refreshed, rate-limited, when a token names an
//! unknown `kid` (see the `cache` module).

mod cache;

use super::token::TokenChecks;
use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};

use super::token::{TokenVerifier, VerifiedToken, VerifyError, VerifyFuture};

/// Why a JWKS could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JwksError {
    /// The JWKS file could not be read.
    #[error("cannot read the JWKS file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The document is not a JWKS (`{"keys": [...]}`).
    #[error("the JWKS is not valid JSON of the form {{\"keys\": [...]}}: {0}")]
    Parse(#[from] serde_json::Error),
    /// A custom source failed.
    #[error("the JWKS could not be fetched: {0}")]
    Fetch(String),
}

/// A JSON Web Key Set, parsed to the signing keys mcpwire can use.
///
/// Keys of other types, curves or uses (`"use": "enc"`) are skipped.
#[derive(Debug, Clone, Default)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Debug, Clone)]
struct Jwk {
    kid: Option<String>,
    alg: Option<String>,
    key: KeyMaterial,
}

#[derive(Debug, Clone)]
enum KeyMaterial {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    P256 { point: Vec<u8> },
    Ed25519 { x: Vec<u8> },
}

impl KeyMaterial {
    /// The JWS `alg` this key verifies.
    fn alg(&self) -> &'static str {
        match self {
            KeyMaterial::Rsa { .. } => "RS256",
            KeyMaterial::P256 { .. } => "ES256",
            KeyMaterial::Ed25519 { .. } => "EdDSA",
        }
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            KeyMaterial::Rsa { n, e } => RsaPublicKeyComponents { n, e }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, msg, sig)
                .is_ok(),
            KeyMaterial::P256 { point } => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(msg, sig)
                    .is_ok()
            }
            KeyMaterial::Ed25519 { x } => UnparsedPublicKey::new(&signature::ED25519, x)
                .verify(msg, sig)
                .is_ok(),
        }
    }
}

#[derive(serde::Deserialize)]
struct RawJwks {
    keys: Vec<serde_json::Map<String, serde_json::Value>>,
}

impl Jwks {
    /// Parses a JWKS document.
    ///
    /// ```
    /// let jwks = mcpwire_oauth::resource::Jwks::parse(r#"{"keys": [{"kty": "OKP", "crv": "Ed25519",
    ///     "kid": "k1", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#).unwrap();
    /// assert_eq!(jwks.len(), 1);
    /// ```
    pub fn parse(json: &str) -> Result<Self, JwksError> {
        let raw: RawJwks = serde_json::from_str(json)?;
        let keys = raw.keys.iter().filter_map(parse_jwk).collect();
        Ok(Jwks { keys })
    }

    /// How many usable signing keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set holds no usable signing key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn find(&self, kid: Option<&str>, alg: &str) -> Option<&Jwk> {
        let mut fits = self
            .keys
            .iter()
            .filter(|k| k.key.alg() == alg && k.alg.as_deref().is_none_or(|a| a == alg));
        match kid {
            Some(kid) => fits.find(|k| k.kid.as_deref() == Some(kid)),
            // Without a kid, only an unambiguous key is used.
            None => {
                let first = fits.next()?;
                fits.next().is_none().then_some(first)
            }
        }
    }
}

fn parse_jwk(m: &serde_json::Map<String, serde_json::Value>) -> Option<Jwk> {
    let s = |k: &str| m.get(k).and_then(|v| v.as_str());
    let b = |k: &str| s(k).and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
    if s("use").is_some_and(|u| u != "sig") {
        return None;
    }
    let key = match (s("kty")?, s("crv")) {
        ("RSA", _) => KeyMaterial::Rsa {
            n: b("n")?,
            e: b("e")?,
        },
        ("EC", Some("P-256")) => {
            let (x, y) = (b("x")?, b("y")?);
            if x.len() != 32 || y.len() != 32 {
                return None;
            }
            let mut point = vec![4u8];
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            KeyMaterial::P256 { point }
        }
        ("OKP", Some("Ed25519")) => KeyMaterial::Ed25519 { x: b("x")? },
        _ => return None,
    };
    Some(Jwk {
        kid: s("kid").map(String::from),
        alg: s("alg").map(String::from),
        key,
    })
}

/// The shortest time between two key reloads of a [`JwtVerifier`] unless
/// set with [`JwtVerifier::min_refresh_interval`].
const DEFAULT_MIN_REFRESH: Duration = Duration::from_secs(30);
/// The longest a key reload may take unless set with
/// [`JwtVerifier::jwks_fetch_timeout`].
const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The boxed future a [`JwksSource`] returns.
pub type JwksFuture<'a> = Pin<Box<dyn Future<Output = Result<Jwks, JwksError>> + Send + 'a>>;

/// Where a [`JwtVerifier`] gets its keys. Called once at first use and
/// again (rate-limited) when a token names a key the cached set lacks.
///
/// Implemented for [`Jwks`] (a fixed set) and [`JwksFile`]; implement it to
/// fetch `jwks_uri` with the HTTP client of your choice.
pub trait JwksSource: Send + Sync + 'static {
    /// Loads the current key set.
    fn load(&self) -> JwksFuture<'_>;
}

impl JwksSource for Jwks {
    fn load(&self) -> JwksFuture<'_> {
        let keys = self.clone();
        Box::pin(async move { Ok(keys) })
    }
}

/// A JWKS read from a file, re-read on every refresh (so rotating the
/// file's keys takes effect without a restart).
#[derive(Debug, Clone)]
pub struct JwksFile(pub PathBuf);

impl JwksSource for JwksFile {
    fn load(&self) -> JwksFuture<'_> {
        Box::pin(async move {
            let path = self.0.clone();
            let read = tokio::task::spawn_blocking(move || std::fs::read_to_string(path)).await;
            let text = read
                .unwrap_or_else(|e| Err(std::io::Error::other(e)))
                .map_err(|source| JwksError::Read {
                    path: self.0.clone(),
                    source,
                })?;
            Jwks::parse(&text)
        })
    }
}

/// Verifies JWT access tokens: signature against a [`JwksSource`],
/// `iss`, `aud` (the server's canonical URI, RFC 8707), `exp` and `nbf`.
///
/// Only RS256, ES256 and EdDSA (Ed25519) are accepted: `alg: none` and the
/// HMAC algorithms are refused, so a public key can never be used as a
/// shared secret.
///
/// ```
/// use mcpwire_oauth::resource::{Jwks, JwtVerifier};
///
/// let jwks = Jwks::parse(r#"{"keys": []}"#).unwrap();
/// let verifier = JwtVerifier::new(jwks, "https://auth.example.com", "https://mcp.example.com/mcp")
///     .leeway(std::time::Duration::from_secs(30));
/// # let _ = verifier;
/// ```
pub struct JwtVerifier {
    issuers: Vec<String>,
    audience: String,
    leeway: Duration,
    min_refresh: Duration,
    fetch_timeout: Duration,
    keys: cache::KeyCache,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("issuers", &self.issuers)
            .field("audience", &self.audience)
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    /// Accepts tokens signed by a key of `source`, issued by `issuer` for
    /// `audience` (the canonical URI of this MCP server). Leeway 60 s; the
    /// keys are reloaded for an unknown `kid` at most every 30 s, and a
    /// load may take up to 10 s.
    pub fn new(
        source: impl JwksSource,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Self {
        JwtVerifier {
            keys: cache::KeyCache::new(Arc::new(source)),
            issuers: vec![issuer.into()],
            audience: audience.into(),
            leeway: Duration::from_secs(60),
            min_refresh: DEFAULT_MIN_REFRESH,
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
        }
    }

    /// Also accepts tokens from `issuer`.
    ///
    /// ```
    /// # use std::time::{Duration, SystemTime, UNIX_EPOCH};
    /// # use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
    /// # use ring::signature::{Ed25519KeyPair, KeyPair};
    /// # use mcpwire_oauth::resource::{Jwks, JwtVerifier, TokenVerifier, VerifyError};
    /// # /// An authorization server's signing key, and the JWKS it publishes.
    /// # fn keypair() -> (Ed25519KeyPair, Jwks) {
    /// #     let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    /// #     let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    /// #     let jwk = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "kid": "k1",
    /// #         "x": B64.encode(key.public_key().as_ref())});
    /// #     (key, Jwks::parse(&serde_json::json!({"keys": [jwk]}).to_string()).unwrap())
    /// # }
    /// # /// A token with `claims`, signed by `key`.
    /// # fn sign(key: &Ed25519KeyPair, claims: serde_json::Value) -> String {
    /// #     let head = B64.encode(r#"{"alg":"EdDSA","kid":"k1"}"#);
    /// #     let body = B64.encode(claims.to_string());
    /// #     let sig = key.sign(format!("{head}.{body}").as_bytes());
    /// #     format!("{head}.{body}.{}", B64.encode(sig.as_ref()))
    /// # }
    /// # fn now() -> u64 { SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (key, jwks) = keypair();
    /// let resource = "https://mcp.example.com/mcp";
    /// let verifier = JwtVerifier::new(jwks, "https://auth.example.com", resource)
    ///     .also_issuer("https://auth.example.com/v2");
    /// let claims = |iss: &str| serde_json::json!({"iss": iss, "aud": resource, "sub": "u1", "exp": now() + 60});
    /// let moved = sign(&key, claims("https://auth.example.com/v2"));
    /// assert_eq!(verifier.verify(&moved).await.unwrap().issuer.as_deref(), Some("https://auth.example.com/v2"));
    /// let stranger = sign(&key, claims("https://evil.example"));
    /// assert!(matches!(verifier.verify(&stranger).await, Err(VerifyError::Issuer)));
    /// # }
    /// ```
    pub fn also_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// The clock skew allowed on `exp` and `nbf` (default 60 s).
    ///
    /// ```
    /// # use std::time::{Duration, SystemTime, UNIX_EPOCH};
    /// # use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
    /// # use ring::signature::{Ed25519KeyPair, KeyPair};
    /// # use mcpwire_oauth::resource::{Jwks, JwtVerifier, TokenVerifier, VerifyError};
    /// # /// An authorization server's signing key, and the JWKS it publishes.
    /// # fn keypair() -> (Ed25519KeyPair, Jwks) {
    /// #     let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    /// #     let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    /// #     let jwk = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "kid": "k1",
    /// #         "x": B64.encode(key.public_key().as_ref())});
    /// #     (key, Jwks::parse(&serde_json::json!({"keys": [jwk]}).to_string()).unwrap())
    /// # }
    /// # /// A token with `claims`, signed by `key`.
    /// # fn sign(key: &Ed25519KeyPair, claims: serde_json::Value) -> String {
    /// #     let head = B64.encode(r#"{"alg":"EdDSA","kid":"k1"}"#);
    /// #     let body = B64.encode(claims.to_string());
    /// #     let sig = key.sign(format!("{head}.{body}").as_bytes());
    /// #     format!("{head}.{body}.{}", B64.encode(sig.as_ref()))
    /// # }
    /// # fn now() -> u64 { SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (key, jwks) = keypair();
    /// let resource = "https://mcp.example.com/mcp";
    /// // A token that expired 30 seconds ago.
    /// let token = sign(&key, serde_json::json!({
    ///     "iss": "https://auth.example.com", "aud": resource, "exp": now() - 30,
    /// }));
    /// let lenient = JwtVerifier::new(jwks.clone(), "https://auth.example.com", resource)
    ///     .leeway(Duration::from_secs(60));
    /// assert!(lenient.verify(&token).await.is_ok());
    /// let strict = JwtVerifier::new(jwks, "https://auth.example.com", resource).leeway(Duration::ZERO);
    /// assert!(matches!(strict.verify(&token).await, Err(VerifyError::Expired)));
    /// # }
    /// ```
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The shortest time between the starts of two key reloads (default
    /// 30 s): tokens naming unknown `kid`s, however many, cause no more
    /// reloads than that.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::sync::atomic::{AtomicUsize, Ordering};
    /// # use std::time::Duration;
    /// # use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
    /// # use mcpwire_oauth::resource::{Jwks, JwksFuture, JwksSource, JwtVerifier, TokenVerifier, VerifyError};
    /// # /// A token naming key `kid`; its signature is never reached.
    /// # fn token_with_kid(kid: &str) -> String {
    /// #     let head = B64.encode(format!(r#"{{"alg":"EdDSA","kid":"{kid}"}}"#));
    /// #     format!("{head}.{}.{}", B64.encode("{}"), B64.encode([0u8; 64]))
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// /// Keys that count how often they are loaded.
    /// #[derive(Default)]
    /// struct Counted(Arc<AtomicUsize>);
    /// impl JwksSource for Counted {
    ///     fn load(&self) -> JwksFuture<'_> {
    ///         self.0.fetch_add(1, Ordering::Relaxed);
    ///         Box::pin(async { Ok(Jwks::default()) })
    ///     }
    /// }
    /// let source = Counted::default();
    /// let loads = source.0.clone();
    /// let verifier = JwtVerifier::new(source, "https://auth.example.com", "https://mcp.example.com/mcp")
    ///     .min_refresh_interval(Duration::from_secs(3600));
    /// for kid in ["a", "b", "c"] {
    ///     let answer = verifier.verify(&token_with_kid(kid)).await;
    ///     assert!(matches!(answer, Err(VerifyError::UnknownKey)));
    /// }
    /// assert_eq!(loads.load(Ordering::Relaxed), 1); // the first load only
    /// # }
    /// ```
    pub fn min_refresh_interval(mut self, d: Duration) -> Self {
        self.min_refresh = d;
        self
    }

    /// The longest one key reload may take (default 10 s); the tokens
    /// waiting for it are answered by then, and a reload that takes
    /// longer counts as failed. Tokens whose key is cached never wait.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::sync::atomic::{AtomicUsize, Ordering};
    /// # use std::time::Duration;
    /// # use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
    /// # use mcpwire_oauth::resource::{Jwks, JwksFuture, JwksSource, JwtVerifier, TokenVerifier, VerifyError};
    /// # /// A token naming key `kid`; its signature is never reached.
    /// # fn token_with_kid(kid: &str) -> String {
    /// #     let head = B64.encode(format!(r#"{{"alg":"EdDSA","kid":"{kid}"}}"#));
    /// #     format!("{head}.{}.{}", B64.encode("{}"), B64.encode([0u8; 64]))
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// /// A key server that never answers.
    /// struct Hung;
    /// impl JwksSource for Hung {
    ///     fn load(&self) -> JwksFuture<'_> {
    ///         Box::pin(std::future::pending())
    ///     }
    /// }
    /// let verifier = JwtVerifier::new(Hung, "https://auth.example.com", "https://mcp.example.com/mcp")
    ///     .jwks_fetch_timeout(Duration::from_millis(50));
    /// let answer = tokio::time::timeout(Duration::from_secs(5), verifier.verify(&token_with_kid("k1"))).await;
    /// // Answered in time, as "cannot check now" (the layer turns it into 503).
    /// assert!(matches!(answer, Ok(Err(VerifyError::Unavailable(_)))));
    /// # }
    /// ```
    pub fn jwks_fetch_timeout(mut self, d: Duration) -> Self {
        self.fetch_timeout = d;
        self
    }

    async fn key_for(&self, kid: Option<&str>, alg: &str) -> Result<KeyMaterial, VerifyError> {
        let limits = cache::Limits {
            min_refresh: self.min_refresh,
            fetch_timeout: self.fetch_timeout,
        };
        self.keys.key_for(kid, alg, limits).await
    }

    async fn check(&self, token: &str) -> Result<VerifiedToken, VerifyError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(VerifyError::Malformed);
        };
        let decode = |x: &str| {
            URL_SAFE_NO_PAD
                .decode(x)
                .map_err(|_| VerifyError::Malformed)
        };
        #[derive(serde::Deserialize)]
        struct Header {
            alg: String,
            kid: Option<String>,
            /// Extensions the token says must be understood: none are.
            crit: Option<serde_json::Value>,
        }
        let header: Header =
            serde_json::from_slice(&decode(h)?).map_err(|_| VerifyError::Malformed)?;
        if !matches!(header.alg.as_str(), "RS256" | "ES256" | "EdDSA") {
            return Err(VerifyError::Algorithm);
        }
        if header.crit.is_some() {
            return Err(VerifyError::Malformed);
        }
        let sig = decode(s)?;
        let payload = decode(p)?;
        let key = self.key_for(header.kid.as_deref(), &header.alg).await?;
        let signed = &token[..h.len() + 1 + p.len()];
        if !key.verify(signed.as_bytes(), &sig) {
            return Err(VerifyError::Signature);
        }
        let claims: BTreeMap<String, serde_json::Value> =
            serde_json::from_slice(&payload).map_err(|_| VerifyError::Malformed)?;
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let leeway = self.leeway.as_secs();
        let exp = claims
            .get("exp")
            .and_then(|v| v.as_u64())
            .ok_or(VerifyError::Expired)?;
        if now > exp.saturating_add(leeway) {
            return Err(VerifyError::Expired);
        }
        if let Some(nbf) = claims.get("nbf") {
            let nbf = nbf.as_u64().ok_or(VerifyError::Malformed)?;
            if now.saturating_add(leeway) < nbf {
                return Err(VerifyError::NotYetValid);
            }
        }
        let verified = VerifiedToken::from_claims(claims);
        if !verified
            .issuer
            .as_ref()
            .is_some_and(|i| self.issuers.contains(i))
        {
            return Err(VerifyError::Issuer);
        }
        verified.check_audience(&self.audience)?;
        Ok(verified)
    }
}

impl TokenVerifier for JwtVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
        Box::pin(self.check(token))
    }
}
