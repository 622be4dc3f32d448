//! JWT verification (`auth::JwtVerifier`) of arbitrary token strings
//! against a fixed JWKS: the repository's RSA test key and an Ed25519 key
//! made from a fixed seed.
//!
//! Checks: nothing panics, and a token verifies only when it is byte for
//! byte one of the validly signed tokens minted here, which are also the
//! `valid-*` seeds (checked at start-up, so the seeds cannot go stale).
//!
//! Run with `MCPWIRE_FUZZ_WRITE_JWT_SEEDS=DIR` to write every seed (valid
//! and invalid variants) into DIR and carry on.
#![no_main]

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use mcpwire::auth::{Jwks, JwtVerifier, TokenVerifier};
use ring::signature::{Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::{Value, json};

const ISSUER: &str = "https://auth.fuzz.example";
const AUDIENCE: &str = "https://mcp.fuzz.example/mcp";
/// 2100-01-01: the valid tokens stay valid.
const FAR_FUTURE: u64 = 4_102_444_800;
const RSA_PK8: &[u8] = include_bytes!("../../crates/mcpwire-testkit/auth_keys/rsa_test_key.pk8");
const RSA_JWK: &str =
    include_str!("../../crates/mcpwire-testkit/auth_keys/rsa_test_key.public.jwk.json");
const ED_SEED: [u8; 32] = *b"mcpwire-fuzz-ed25519-test-key-01";

/// The checked-in valid seeds, by file name.
const VALID_SEEDS: &[(&str, &str)] = &[
    (
        "valid-rs256.jwt",
        include_str!("../seeds/jwt_verify/valid-rs256.jwt"),
    ),
    (
        "valid-eddsa.jwt",
        include_str!("../seeds/jwt_verify/valid-eddsa.jwt"),
    ),
    (
        "valid-eddsa-no-kid.jwt",
        include_str!("../seeds/jwt_verify/valid-eddsa-no-kid.jwt"),
    ),
    (
        "valid-rs256-aud-list.jwt",
        include_str!("../seeds/jwt_verify/valid-rs256-aud-list.jwt"),
    ),
];

struct Keys {
    rsa: RsaKeyPair,
    ed: Ed25519KeyPair,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Keys {
    fn new() -> Self {
        Keys {
            rsa: RsaKeyPair::from_pkcs8(RSA_PK8).expect("the RSA test key"),
            ed: Ed25519KeyPair::from_seed_unchecked(&ED_SEED).expect("the Ed25519 seed"),
        }
    }

    fn jwks(&self) -> Jwks {
        let rsa: Value = serde_json::from_str(RSA_JWK).expect("the RSA test JWK");
        let ed = json!({
            "kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "use": "sig",
            "x": b64(self.ed.public_key().as_ref()),
        });
        Jwks::parse(&json!({"keys": [rsa, ed]}).to_string()).expect("the JWKS parses")
    }

    /// Signs `header.claims` with the key `header.alg` names (a wrong key
    /// for any other `alg`).
    fn sign(&self, header: &Value, claims: &Value) -> String {
        let signed = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = if header["alg"] == "RS256" {
            let mut sig = vec![0; self.rsa.public().modulus_len()];
            self.rsa
                .sign(
                    &RSA_PKCS1_SHA256,
                    &ring::rand::SystemRandom::new(),
                    signed.as_bytes(),
                    &mut sig,
                )
                .expect("RSA signing");
            sig
        } else {
            self.ed.sign(signed.as_bytes()).as_ref().to_vec()
        };
        format!("{signed}.{}", b64(&sig))
    }
}

fn claims() -> Value {
    json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "exp": FAR_FUTURE, "scope": "mcp:tools"})
}

fn rs256() -> Value {
    json!({"alg": "RS256", "kid": "rsa-1", "typ": "JWT"})
}

fn eddsa() -> Value {
    json!({"alg": "EdDSA", "kid": "ed-1", "typ": "JWT"})
}

/// The tokens that verify, under the names of their seed files.
fn valid(keys: &Keys) -> Vec<(&'static str, String)> {
    let mut aud_list = claims();
    aud_list["aud"] = json!(["https://other.example", AUDIENCE]);
    vec![
        ("valid-rs256.jwt", keys.sign(&rs256(), &claims())),
        ("valid-eddsa.jwt", keys.sign(&eddsa(), &claims())),
        (
            "valid-eddsa-no-kid.jwt",
            keys.sign(&json!({"alg": "EdDSA"}), &claims()),
        ),
        ("valid-rs256-aud-list.jwt", keys.sign(&rs256(), &aud_list)),
    ]
}

/// Tokens that must not verify, one for each check.
fn invalid(keys: &Keys) -> Vec<(&'static str, String)> {
    let with = |k: &str, v: Value| {
        let mut c = claims();
        c[k] = v;
        c
    };
    let good = keys.sign(&eddsa(), &claims());
    let mut flipped = good.clone().into_bytes();
    let last = flipped.len() - 2;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    let unsigned = format!(
        "{}.{}.",
        b64(br#"{"alg":"none"}"#),
        b64(claims().to_string().as_bytes())
    );
    vec![
        (
            "expired.jwt",
            keys.sign(&eddsa(), &with("exp", json!(1_000_000_000))),
        ),
        (
            "not-yet-valid.jwt",
            keys.sign(&eddsa(), &with("nbf", json!(FAR_FUTURE))),
        ),
        (
            "wrong-issuer.jwt",
            keys.sign(&eddsa(), &with("iss", json!("https://evil.example"))),
        ),
        (
            "wrong-audience.jwt",
            keys.sign(&rs256(), &with("aud", json!("https://evil.example"))),
        ),
        (
            "unknown-kid.jwt",
            keys.sign(&json!({"alg": "EdDSA", "kid": "nope"}), &claims()),
        ),
        (
            "crit.jwt",
            keys.sign(&json!({"alg": "EdDSA", "crit": ["b64"]}), &claims()),
        ),
        (
            "hs256.jwt",
            keys.sign(&json!({"alg": "HS256", "kid": "rsa-1"}), &claims()),
        ),
        (
            "alg-key-mismatch.jwt",
            keys.sign(&json!({"alg": "RS256", "kid": "ed-1"}), &claims()),
        ),
        ("alg-none.jwt", unsigned),
        (
            "bad-signature.jwt",
            String::from_utf8(flipped).expect("ASCII"),
        ),
        (
            "two-parts.jwt",
            good.rsplit_once('.')
                .map_or_else(String::new, |(head, _)| head.to_owned()),
        ),
        ("four-parts.jwt", format!("{good}.x")),
    ]
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    verifier: JwtVerifier,
    valid: Vec<String>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let keys = Keys::new();
        let valid = valid(&keys);
        if let Some(dir) = std::env::var_os("MCPWIRE_FUZZ_WRITE_JWT_SEEDS") {
            let dir = std::path::PathBuf::from(dir);
            for (name, token) in valid.iter().chain(invalid(&keys).iter()) {
                std::fs::write(dir.join(name), token).expect("writing a seed");
            }
        }
        for ((name, minted), (seed_name, seed)) in valid.iter().zip(VALID_SEEDS) {
            assert_eq!(name, seed_name);
            assert_eq!(
                minted, seed,
                "fuzz/seeds/jwt_verify/{name} is stale: rewrite the seeds with MCPWIRE_FUZZ_WRITE_JWT_SEEDS"
            );
        }
        let verifier = JwtVerifier::new(keys.jwks(), ISSUER, AUDIENCE);
        let runtime = mcpwire_fuzz::runtime();
        for (name, token) in &valid {
            let verdict = runtime.block_on(verifier.verify(token));
            assert!(verdict.is_ok(), "{name} must verify: {verdict:?}");
        }
        for (name, token) in invalid(&keys) {
            let verdict = runtime.block_on(verifier.verify(&token));
            assert!(verdict.is_err(), "{name} must not verify");
        }
        Fixture {
            runtime,
            verifier,
            valid: valid.into_iter().map(|(_, t)| t).collect(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let token = String::from_utf8_lossy(data);
    let verdict = f.runtime.block_on(f.verifier.verify(&token));
    if verdict.is_ok() {
        assert!(
            f.valid.iter().any(|v| v.as_str() == token),
            "a token that was never signed verified: {token:?}"
        );
    }
});
