//! The token endpoint: the authorization-code and refresh-token grants,
//! with the client authentication the registration and the server's
//! metadata call for (`client_secret_basic`, `client_secret_post`, `none`,
//! or `private_key_jwt` with an RFC 7523 assertion signed by [`ClientKey`]).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use serde_json::{Value, json};

use super::dpop::{DPOP_NONCE_HEADER, DpopKey, USE_DPOP_NONCE, proof_nonce};
use super::fetch::{JsonResponse, form_encode, oauth_error, post_form};
use super::observe::Stage;
use super::pkce::random_token;
use super::store::now_secs;
use super::{AuthError, ClientRegistration, ServerMetadata, TokenSet, check_server_url};

/// The `client_assertion_type` of RFC 7523 §2.2.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A private key that authenticates the client at the token endpoint
/// with `private_key_jwt` (RFC 7523): ES256 (P-256) or RS256.
pub struct ClientKey {
    kid: Option<String>,
    signer: Signer,
}

enum Signer {
    Es256(EcdsaKeyPair),
    Rs256(RsaKeyPair),
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKey")
            .field("alg", &self.alg())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl ClientKey {
    /// An ES256 key from its PKCS#8 DER encoding.
    pub fn es256_pkcs8(der: &[u8]) -> Result<ClientKey, AuthError> {
        let pair = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            der,
            &SystemRandom::new(),
        )
        .map_err(|e| AuthError::Key(format!("not a PKCS#8 P-256 private key: {e}")))?;
        Ok(ClientKey {
            kid: None,
            signer: Signer::Es256(pair),
        })
    }

    /// An RS256 key from its PKCS#8 DER encoding.
    pub fn rs256_pkcs8(der: &[u8]) -> Result<ClientKey, AuthError> {
        let pair = RsaKeyPair::from_pkcs8(der)
            .map_err(|e| AuthError::Key(format!("not a PKCS#8 RSA private key: {e}")))?;
        Ok(ClientKey {
            kid: None,
            signer: Signer::Rs256(pair),
        })
    }

    /// A key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) and the
    /// algorithm, `ES256` or `RS256`.
    ///
    /// ```
    /// use mcpwire_oauth::client::ClientKey;
    /// assert!(ClientKey::from_pem("not a key", "ES256").is_err());
    /// ```
    pub fn from_pem(pem: &str, alg: &str) -> Result<ClientKey, AuthError> {
        let body: String = pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::trim)
            .collect();
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|e| AuthError::Key(format!("the PEM body is not base64: {e}")))?;
        match alg {
            "ES256" => ClientKey::es256_pkcs8(&der),
            "RS256" => ClientKey::rs256_pkcs8(&der),
            other => Err(AuthError::Key(format!(
                "the algorithm {other:?} is not supported; use ES256 or RS256"
            ))),
        }
    }

    /// Names the key (`kid` of the assertion's header).
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> ClientKey {
        self.kid = Some(kid.into());
        self
    }

    /// The JWS algorithm.
    pub fn alg(&self) -> &'static str {
        match self.signer {
            Signer::Es256(_) => "ES256",
            Signer::Rs256(_) => "RS256",
        }
    }

    /// A signed client assertion (RFC 7523 §3) of `client_id` for the
    /// authorization server `audience` (its issuer identifier), valid for
    /// five minutes.
    pub fn assertion(&self, client_id: &str, audience: &str) -> Result<String, AuthError> {
        let now = now_secs();
        let mut header = json!({"alg": self.alg(), "typ": "JWT"});
        if let Some(kid) = &self.kid {
            header["kid"] = json!(kid);
        }
        let claims = json!({
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "jti": random_token(16)?,
            "iat": now,
            "exp": now + 300,
        });
        super::jws::compact(&header, &claims, |input| {
            let rng = SystemRandom::new();
            match &self.signer {
                Signer::Es256(k) => Ok(k
                    .sign(&rng, input)
                    .map_err(|_| AuthError::Key("ES256 signing failed".to_owned()))?
                    .as_ref()
                    .to_vec()),
                Signer::Rs256(k) => {
                    let mut out = vec![0; k.public().modulus_len()];
                    k.sign(&signature::RSA_PKCS1_SHA256, &rng, input, &mut out)
                        .map_err(|_| AuthError::Key("RS256 signing failed".to_owned()))?;
                    Ok(out)
                }
            }
        })
    }
}

/// A grant presented to the token endpoint.
pub(crate) enum Grant<'a> {
    AuthorizationCode {
        code: &'a str,
        verifier: &'a str,
        redirect_uri: &'a str,
    },
    Refresh {
        refresh_token: &'a str,
    },
    /// OAuth 2.1 §4.2 (the client acts for itself).
    ClientCredentials {
        scope: Option<&'a str>,
    },
    /// RFC 7523 §2.1: a JWT (a workload's identity token or an ID-JAG) as
    /// the authorization grant.
    JwtBearer {
        assertion: &'a str,
        scope: Option<&'a str>,
    },
}

/// The `grant_type` of the RFC 7523 JWT bearer grant.
pub(crate) const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

impl Grant<'_> {
    /// The `grant_type` value.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Grant::AuthorizationCode { .. } => "authorization_code",
            Grant::Refresh { .. } => "refresh_token",
            Grant::ClientCredentials { .. } => "client_credentials",
            Grant::JwtBearer { .. } => JWT_BEARER_GRANT,
        }
    }
}

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Basic,
    Post,
    None,
    PrivateKeyJwt,
}

impl Method {
    /// The RFC 7591 name of the method.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::Basic => "client_secret_basic",
            Method::Post => "client_secret_post",
            Method::None => "none",
            Method::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

/// The method for `client` at the server of `meta`: the one registered,
/// else `private_key_jwt` with a key the server accepts, else for a
/// secret the first of basic and post the server lists (basic when it
/// lists none, RFC 8414's default), else `none`.
pub(crate) fn method(meta: &ServerMetadata, client: &ClientRegistration, key: bool) -> Method {
    match client.token_endpoint_auth_method.as_deref() {
        Some("client_secret_basic") if client.client_secret.is_some() => return Method::Basic,
        Some("client_secret_post") if client.client_secret.is_some() => return Method::Post,
        Some("private_key_jwt") if key => return Method::PrivateKeyJwt,
        Some("none") => return Method::None,
        _ => {}
    }
    let listed = meta.token_endpoint_auth_methods_supported.as_deref();
    let lists = |m: &str| listed.is_some_and(|l| l.iter().any(|x| x == m));
    if key && lists("private_key_jwt") {
        return Method::PrivateKeyJwt;
    }
    if client.client_secret.is_some() {
        match listed {
            None => return Method::Basic,
            Some(_) if lists("client_secret_basic") => return Method::Basic,
            Some(_) if lists("client_secret_post") => return Method::Post,
            Some(_) if lists("none") => return Method::None,
            Some(_) => return Method::Basic,
        }
    }
    Method::None
}

/// How many times one token request is sent again with a nonce the
/// server asked for (`use_dpop_nonce`, RFC 9449 §8).
const DPOP_NONCE_RETRIES: usize = 2;

/// Requests tokens. `requested_scope` is what the tokens are assumed to
/// carry when the response names no `scope`. With `dpop`, each request
/// carries a DPoP proof, and a `use_dpop_nonce` answer is retried with the
/// server's nonce (at most [`DPOP_NONCE_RETRIES`] times).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn request(
    http: &reqwest::Client,
    meta: &ServerMetadata,
    client: &ClientRegistration,
    key: Option<&ClientKey>,
    dpop: Option<&DpopKey>,
    grant: Grant<'_>,
    resource: &str,
    requested_scope: &[String],
) -> Result<TokenSet, AuthError> {
    let endpoint = check_server_url("token endpoint", &meta.token_endpoint)?;
    let fail = |reason: String| AuthError::Token {
        endpoint: meta.token_endpoint.clone(),
        reason,
    };
    let stage = match grant {
        Grant::Refresh { .. } => Stage::Refresh,
        _ => Stage::Token,
    };
    let mut pairs: Vec<(&str, String)> = Vec::new();
    match &grant {
        Grant::AuthorizationCode {
            code,
            verifier,
            redirect_uri,
        } => {
            pairs.push(("grant_type", "authorization_code".to_owned()));
            pairs.push(("code", (*code).to_owned()));
            pairs.push(("redirect_uri", (*redirect_uri).to_owned()));
            pairs.push(("code_verifier", (*verifier).to_owned()));
        }
        Grant::Refresh { refresh_token } => {
            pairs.push(("grant_type", "refresh_token".to_owned()));
            pairs.push(("refresh_token", (*refresh_token).to_owned()));
        }
        Grant::ClientCredentials { scope } => {
            pairs.push(("grant_type", grant.name().to_owned()));
            if let Some(scope) = scope {
                pairs.push(("scope", (*scope).to_owned()));
            }
        }
        Grant::JwtBearer { assertion, scope } => {
            pairs.push(("grant_type", grant.name().to_owned()));
            pairs.push(("assertion", (*assertion).to_owned()));
            if let Some(scope) = scope {
                pairs.push(("scope", (*scope).to_owned()));
            }
        }
    }
    pairs.push(("resource", resource.to_owned()));
    let mut headers = Vec::new();
    let auth_method = method(meta, client, key.is_some());
    match auth_method {
        Method::Basic => {
            let secret = client.client_secret.as_deref().unwrap_or_default();
            let raw = format!("{}:{}", form_value(&client.client_id), form_value(secret));
            let value = HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(raw)))
                .map_err(|_| fail("the client credentials cannot form a header".to_owned()))?;
            headers.push((AUTHORIZATION, value));
        }
        Method::Post => {
            pairs.push(("client_id", client.client_id.clone()));
            pairs.push((
                "client_secret",
                client.client_secret.clone().unwrap_or_default(),
            ));
        }
        Method::None => pairs.push(("client_id", client.client_id.clone())),
        Method::PrivateKeyJwt => {
            let key = key.ok_or_else(|| fail("private_key_jwt needs a client key".to_owned()))?;
            pairs.push(("client_id", client.client_id.clone()));
            pairs.push(("client_assertion_type", JWT_BEARER.to_owned()));
            pairs.push((
                "client_assertion",
                key.assertion(&client.client_id, &meta.issuer)?,
            ));
        }
    }
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut nonce_retries = 0;
    let resp = loop {
        let mut headers = headers.clone();
        let sent_nonce = match dpop {
            Some(d) => {
                let proof = d.proof(&reqwest::Method::POST, &endpoint, None)?;
                let nonce = proof_nonce(&proof);
                let value = HeaderValue::from_str(&proof)
                    .map_err(|_| fail("the DPoP proof cannot form a header".to_owned()))?;
                headers.push((HeaderName::from_static("dpop"), value));
                nonce
            }
            None => None,
        };
        let resp = post_form(http, &endpoint, &borrowed, headers, stage).await?;
        let Some(d) = dpop else { break resp };
        let offered = resp
            .headers
            .get(DPOP_NONCE_HEADER)
            .and_then(|v| v.to_str().ok());
        let wants_nonce = resp.status.is_client_error()
            && resp.body.get("error").and_then(Value::as_str) == Some(USE_DPOP_NONCE);
        if !wants_nonce {
            if let Some(n) = offered {
                d.remember_nonce(&endpoint, n);
            }
            break resp;
        }
        if nonce_retries >= DPOP_NONCE_RETRIES {
            return Err(AuthError::DpopNonce {
                server: meta.token_endpoint.clone(),
                reason: format!(
                    "it still asks for a new nonce after {DPOP_NONCE_RETRIES} retries with the nonces it supplied"
                ),
            });
        }
        d.nonce_challenge(&endpoint, sent_nonce.as_deref(), offered)
            .map_err(|reason| AuthError::DpopNonce {
                server: meta.token_endpoint.clone(),
                reason,
            })?;
        nonce_retries += 1;
    };
    if !resp.status.is_success() {
        return Err(rejected(meta, &grant, auth_method, &resp));
    }
    let field = |n: &str| resp.body.get(n).and_then(Value::as_str).map(str::to_owned);
    let Some(access_token) = field("access_token").filter(|t| !t.is_empty()) else {
        return Err(fail("the response has no access_token".to_owned()));
    };
    let expires_at = resp
        .body
        .get("expires_in")
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
        .map(|s| now_secs().saturating_add(s));
    let scope = match field("scope") {
        Some(s) => super::scopes::split(&s),
        None => requested_scope.to_vec(),
    };
    Ok(TokenSet {
        access_token,
        token_type: field("token_type").unwrap_or_else(|| "Bearer".to_owned()),
        refresh_token: field("refresh_token"),
        expires_at,
        scope,
    })
}

/// The error of a refused token request: the client's credentials
/// (`invalid_client`), the grant, or anything else.
fn rejected(
    meta: &ServerMetadata,
    grant: &Grant<'_>,
    auth_method: Method,
    resp: &JsonResponse,
) -> AuthError {
    let endpoint = meta.token_endpoint.clone();
    let reason = oauth_error(resp);
    match resp.body.get("error").and_then(Value::as_str) {
        Some("invalid_client") => AuthError::ClientRejected {
            endpoint,
            method: auth_method.name(),
            reason,
        },
        Some(code @ ("invalid_grant" | "unauthorized_client" | "invalid_scope"))
            if !matches!(
                grant,
                Grant::AuthorizationCode { .. } | Grant::Refresh { .. }
            ) =>
        {
            let hint = match code {
                "invalid_grant" => {
                    "the assertion is expired, has the wrong audience or issuer, or is not trusted by this server"
                }
                "unauthorized_client" => "this client may not use this grant at this server",
                _ => "request fewer or other scopes",
            };
            AuthError::GrantRejected {
                endpoint,
                grant: grant.name(),
                reason,
                hint,
            }
        }
        _ => AuthError::Token { endpoint, reason },
    }
}

/// A value form-urlencoded (RFC 6749 §2.3.1 encodes the client id and
/// secret so before joining them for Basic).
fn form_value(v: &str) -> String {
    form_encode(&[("", v)])[1..].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn meta(methods: Option<&[&str]>) -> ServerMetadata {
        ServerMetadata {
            token_endpoint_auth_methods_supported: methods
                .map(|m| m.iter().map(|s| (*s).to_owned()).collect()),
            ..ServerMetadata::default()
        }
    }

    #[test]
    fn method_choice() {
        let secret = ClientRegistration::new("c", Some("s".into()));
        let public = ClientRegistration::new("c", None);
        assert_eq!(method(&meta(None), &secret, false), Method::Basic);
        assert_eq!(
            method(&meta(Some(&["client_secret_post"])), &secret, false),
            Method::Post
        );
        assert_eq!(method(&meta(Some(&["none"])), &secret, false), Method::None);
        assert_eq!(
            method(&meta(Some(&["private_key_jwt"])), &public, true),
            Method::PrivateKeyJwt
        );
        assert_eq!(method(&meta(None), &public, false), Method::None);
        let mut reg = secret.clone();
        reg.token_endpoint_auth_method = Some("client_secret_post".into());
        assert_eq!(
            method(&meta(Some(&["client_secret_basic"])), &reg, false),
            Method::Post
        );
        assert_eq!(form_value("a b:c"), "a+b%3Ac");
    }

    /// Verifies `jwt` with `alg` and `public`; returns its claims.
    fn verify(
        jwt: &str,
        alg: &'static dyn signature::VerificationAlgorithm,
        public: &[u8],
    ) -> Value {
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        signature::UnparsedPublicKey::new(alg, public)
            .verify(input.as_bytes(), &sig)
            .expect("the signature verifies");
        let claims = input.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap()
    }

    #[test]
    fn client_assertions_verify_with_es256_and_rs256() {
        use ring::signature::KeyPair;
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let der = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        let public = EcdsaKeyPair::from_pkcs8(alg, der.as_ref(), &rng)
            .unwrap()
            .public_key()
            .as_ref()
            .to_vec();
        let key = ClientKey::es256_pkcs8(der.as_ref()).unwrap().with_kid("k1");
        let jwt = key.assertion("client-1", "https://as.example").unwrap();
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(jwt.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header, json!({"alg": "ES256", "typ": "JWT", "kid": "k1"}));
        let claims = verify(&jwt, &signature::ECDSA_P256_SHA256_FIXED, &public);
        assert_eq!(claims["iss"], "client-1");
        assert_eq!(claims["sub"], "client-1");
        assert_eq!(claims["aud"], "https://as.example");
        assert!(claims["exp"].as_u64().unwrap() > claims["iat"].as_u64().unwrap());
        assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));

        let rsa_der = include_bytes!("../../testdata/rsa_test_key.pk8");
        let public = RsaKeyPair::from_pkcs8(rsa_der)
            .unwrap()
            .public()
            .as_ref()
            .to_vec();
        let key = ClientKey::rs256_pkcs8(rsa_der).unwrap();
        let jwt = key.assertion("client-2", "https://as.example").unwrap();
        let claims = verify(&jwt, &signature::RSA_PKCS1_2048_8192_SHA256, &public);
        assert_eq!(claims["sub"], "client-2");
        // PEM form, and the wrong kind of key.
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            STANDARD.encode(rsa_der)
        );
        assert_eq!(ClientKey::from_pem(&pem, "RS256").unwrap().alg(), "RS256");
        assert!(ClientKey::from_pem(&pem, "ES256").is_err());
        assert!(ClientKey::from_pem(&pem, "HS256").is_err());
    }
}
