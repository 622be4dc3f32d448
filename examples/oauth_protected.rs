//! An MCP server behind OAuth 2.1 bearer tokens: every request needs a
//! valid token with the scope `mcp:tools`, and the `stats` tool also needs
//! `mcp:admin`. Tools take who is calling as an `Auth` parameter.
//!
//! ```text
//! cargo run -p mcpwire-examples --example oauth_protected                  # on 127.0.0.1:8080
//! cargo run -p mcpwire-examples --example oauth_protected -- 127.0.0.1:0   # on a free port
//! ```
//!
//! At start it makes up two random tokens, then prints the MCP endpoint
//! (the first line on stdout), the tokens as `ALICE_TOKEN=...` (scope
//! `mcp:tools`) and `ROOT_TOKEN=...` (`mcp:tools mcp:admin`), and how to
//! call it, for example with the `http_client` example:
//!
//! ```text
//! MCP_BEARER_TOKEN=$ALICE_TOKEN cargo run -p mcpwire-examples --example http_client -- http://127.0.0.1:8080/mcp whoami '{}'
//! ```
//!
//! Without a token the server answers 401 with a `WWW-Authenticate`
//! challenge naming its RFC 9728 metadata document; with a token that
//! lacks a scope, 403 `insufficient_scope`.
//!
//! The tokens here are checked by [`DevTokens`], a [`TokenVerifier`] that
//! knows them by heart: fine on your machine, never in production. There,
//! let your authorization server issue JWTs, and check them against its
//! keys with `JwtVerifier::new(JwksUrl::new(jwks_url), issuer, resource)`
//! (or `IntrospectionVerifier` for opaque tokens), and name the server in
//! the metadata with `.authorization_server(issuer)`, so that clients know
//! where to get tokens.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use mcpwire::auth::{
    Auth, BearerAuth, ProtectedResourceMetadata, TokenVerifier, VerifiedToken, VerifyError,
    VerifyFuture,
};
use mcpwire::server::Server;
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use serde_json::{Value, json};

/// The scope every request needs.
const SCOPE_TOOLS: &str = "mcp:tools";

/// The scope the `stats` tool needs on top.
const SCOPE_ADMIN: &str = "mcp:admin";

/// How many random bytes make a token (hex-encoded: twice as many
/// characters).
const TOKEN_BYTES: usize = 32;

/// How many times `whoami` answered, for `stats`.
static WHOAMI_CALLS: AtomicU64 = AtomicU64::new(0);

/// Says who is calling: the token's subject and scopes.
#[mcpwire::tool(read_only)]
fn whoami(auth: Option<Auth>) -> String {
    WHOAMI_CALLS.fetch_add(1, Ordering::Relaxed);
    match auth {
        Some(token) => format!(
            "{} with scopes {}",
            token.subject.as_deref().unwrap_or("nobody"),
            token.scopes.join(" ")
        ),
        // Behind `BearerAuth` no request gets here without a token.
        None => "an anonymous caller".to_owned(),
    }
}

/// How many times `whoami` was called (needs the scope mcp:admin).
#[mcpwire::tool(read_only)]
fn stats() -> String {
    format!("whoami calls: {}", WHOAMI_CALLS.load(Ordering::Relaxed))
}

/// A [`TokenVerifier`] that accepts a fixed set of tokens, each standing
/// for the claims it was made with. For local development only.
struct DevTokens {
    tokens: HashMap<String, VerifiedToken>,
}

impl TokenVerifier for DevTokens {
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
        // The refusal's text goes back to the client in the challenge, so
        // it says no more than that the token is not good.
        Box::pin(async move { self.tokens.get(token).cloned().ok_or(VerifyError::Inactive) })
    }
}

/// The claims of a token issued to `subject` with `scopes`, for `resource`.
fn claims(subject: &str, scopes: &[&str], resource: &str) -> VerifiedToken {
    let claims: BTreeMap<String, Value> = [
        ("sub", json!(subject)),
        ("scope", json!(scopes.join(" "))),
        ("aud", json!(resource)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    VerifiedToken::from_claims(claims)
}

/// A fresh random token, hex-encoded.
fn random_token() -> Result<String, String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| format!("the system gave no random bytes for a token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            let url = format!("http://{}/mcp", listener.local_addr()?);

            let alice = random_token()?;
            let root = random_token()?;
            let verifier = DevTokens {
                tokens: HashMap::from([
                    (alice.clone(), claims("alice", &[SCOPE_TOOLS], &url)),
                    (root.clone(), claims("root", &[SCOPE_TOOLS, SCOPE_ADMIN], &url)),
                ]),
            };
            let metadata = ProtectedResourceMetadata::new(url.as_str())
                .scopes([SCOPE_TOOLS, SCOPE_ADMIN])
                .name("oauth_protected example");
            let auth = BearerAuth::new(verifier, metadata.clone())
                .require_scopes([SCOPE_TOOLS])
                .tool_scopes("stats", [SCOPE_ADMIN]);

            let server = Server::builder("oauth-protected", env!("CARGO_PKG_VERSION"))
                .tool(whoami_tool())
                .tool(stats_tool())
                .build()?;
            let service = auth.wrap(StreamableHttp::new(server, HttpConfig::default()));

            let mut out = std::io::stdout().lock();
            writeln!(out, "{url}")?;
            writeln!(out, "ALICE_TOKEN={alice}")?;
            writeln!(out, "ROOT_TOKEN={root}")?;
            writeln!(out)?;
            writeln!(out, "Call it with a token:")?;
            writeln!(
                out,
                "  MCP_BEARER_TOKEN={alice} cargo run -p mcpwire-examples --example http_client -- {url} whoami '{{}}'"
            )?;
            writeln!(
                out,
                "  MCP_BEARER_TOKEN={root} cargo run -p mcpwire-examples --example http_client -- {url} stats '{{}}'"
            )?;
            writeln!(out, "See the challenge without one, and the metadata:")?;
            writeln!(
                out,
                "  curl -i -X POST {url} -H 'Content-Type: application/json' -d '{{}}'"
            )?;
            writeln!(out, "  curl {}", metadata.metadata_url())?;
            out.flush()?;
            drop(out);

            // The MCP endpoint at /mcp and the metadata under
            // /.well-known/oauth-protected-resource, with the connection
            // limits of `HttpConfig::default()`.
            mcpwire::auth::serve_listener(service, listener, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
            Ok::<_, Box<dyn std::error::Error>>(())
        })?;
    Ok(())
}
