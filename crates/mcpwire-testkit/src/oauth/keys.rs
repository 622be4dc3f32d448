//! Signing keys of a test authorization server (Ed25519, P-256 and RSA),
//! their JWKS, and signed JWT access tokens.

use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use serde_json::{Value, json};

/// The issuer the resource-server tests trust.
pub const ISSUER: &str = "https://auth.test";

/// The test-only RSA key (PKCS#8 DER).
pub const RSA_PK8: &[u8] = include_bytes!("../../auth_keys/rsa_test_key.pk8");

/// The public JWK of [`RSA_PK8`], kid `rsa-1`.
pub const RSA_JWK: &str = include_str!("../../auth_keys/rsa_test_key.public.jwk.json");

/// The signing keys of one test's authorization server: fresh Ed25519 and
/// P-256 keys, and the fixed RSA key.
pub struct Keys {
    /// An Ed25519 key (kid `ed-1` in [`Keys::jwks`]).
    pub ed: Ed25519KeyPair,
    /// A P-256 key (kid `ec-1`).
    pub ec: EcdsaKeyPair,
    /// The RSA key of [`RSA_PK8`] (kid `rsa-1`).
    pub rsa: RsaKeyPair,
}

impl Default for Keys {
    fn default() -> Self {
        Keys::new()
    }
}

impl Keys {
    /// Fresh keys.
    pub fn new() -> Self {
        let rng = SystemRandom::new();
        let ed = Ed25519KeyPair::generate_pkcs8(&rng).expect("an Ed25519 key");
        let ec_alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let ec = EcdsaKeyPair::generate_pkcs8(ec_alg, &rng).expect("a P-256 key");
        Keys {
            ed: Ed25519KeyPair::from_pkcs8(ed.as_ref()).expect("the Ed25519 key reads back"),
            ec: EcdsaKeyPair::from_pkcs8(ec_alg, ec.as_ref(), &rng)
                .expect("the P-256 key reads back"),
            rsa: RsaKeyPair::from_pkcs8(RSA_PK8).expect("the test RSA key reads"),
        }
    }

    /// The public JWK of the Ed25519 key under `kid`.
    pub fn ed_jwk(&self, kid: &str) -> Value {
        let x = URL_SAFE_NO_PAD.encode(self.ed.public_key().as_ref());
        json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": x})
    }

    /// The public JWK of the P-256 key under `kid`.
    pub fn ec_jwk(&self, kid: &str) -> Value {
        let p = self.ec.public_key().as_ref();
        json!({"kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig",
               "x": URL_SAFE_NO_PAD.encode(&p[1..33]), "y": URL_SAFE_NO_PAD.encode(&p[33..65])})
    }

    /// The JWKS of all three keys, kids `ed-1`, `ec-1` and `rsa-1`.
    pub fn jwks(&self) -> Value {
        let rsa: Value = serde_json::from_str(RSA_JWK).expect("the RSA JWK is JSON");
        json!({"keys": [self.ed_jwk("ed-1"), self.ec_jwk("ec-1"), rsa]})
    }
}

/// `v` serialized and Base64url-encoded without padding.
pub fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

/// Now, in seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("the clock is past 1970")
        .as_secs()
}

/// A JWT of `claims` signed with `alg` ("EdDSA", "ES256", "RS256") under
/// `kid`, typed `at+jwt`.
///
/// ```
/// use mcpwire_testkit::oauth::{Keys, sign};
/// let token = sign(&Keys::new(), "EdDSA", "ed-1", &serde_json::json!({"sub": "alice"}));
/// assert_eq!(token.split('.').count(), 3);
/// ```
pub fn sign(keys: &Keys, alg: &str, kid: &str, claims: &Value) -> String {
    sign_with_header(
        keys,
        &json!({"alg": alg, "typ": "at+jwt", "kid": kid}),
        claims,
    )
}

/// A JWT of `claims` with `header`, signed with the key for its `alg`;
/// panics on an `alg` without a key.
pub fn sign_with_header(keys: &Keys, header: &Value, claims: &Value) -> String {
    let alg = header["alg"].as_str().expect("the header names its alg");
    let input = format!("{}.{}", b64(header), b64(claims));
    let sig = match alg {
        "EdDSA" => keys.ed.sign(input.as_bytes()).as_ref().to_vec(),
        "ES256" => keys
            .ec
            .sign(&SystemRandom::new(), input.as_bytes())
            .expect("ES256 signs")
            .as_ref()
            .to_vec(),
        "RS256" => {
            let mut sig = vec![0; keys.rsa.public().modulus_len()];
            keys.rsa
                .sign(
                    &signature::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    input.as_bytes(),
                    &mut sig,
                )
                .expect("RS256 signs");
            sig
        }
        other => panic!("no signer for {other}"),
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}
