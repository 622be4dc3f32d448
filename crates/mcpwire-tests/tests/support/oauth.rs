//! What the OAuth tests share (`auth_*.rs`; each test file includes the
//! modules of `tests/support/` it needs): the testkit's keys, tokens,
//! protected server and authorization server, and the names the tests use
//! with them.
#![allow(unused_imports)]

pub use std::collections::BTreeMap;
pub use std::convert::Infallible;
pub use std::sync::atomic::{AtomicUsize, Ordering};
pub use std::sync::{Arc, Mutex};
pub use std::time::{Duration, SystemTime};

pub use base64::Engine;
pub use base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub use mcpwire::auth::{
    BearerAuth, Jwks, JwksFile, JwksFuture, JwksSource, JwtVerifier, ProtectedResourceMetadata,
    VerifiedToken, serve_listener,
};
pub use mcpwire::server::{Server, ToolRoute};
pub use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
pub use mcpwire_testkit::http::child::refused_url;
pub use mcpwire_testkit::http::{Bound, bind};
pub use mcpwire_testkit::oauth::*;
pub use reqwest::StatusCode;
pub use ring::rand::SystemRandom;
pub use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
pub use serde_json::{Value, json};
