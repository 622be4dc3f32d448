//! `serve ... --http ADDR --auth-*`: a demo server behind OAuth bearer
//! tokens (JWTs checked against a JWKS) with its protected resource
//! metadata.

use std::net::SocketAddr;
use std::path::PathBuf;

use mcpwire::auth::{
    self, BearerAuth, Jwks, JwksFile, JwksUrl, JwtVerifier, ProtectedResourceMetadata,
};
use mcpwire::server::Server;
use mcpwire::transport::http_server::{HostPolicy, HttpConfig, StreamableHttp};

use crate::cli::AuthArgs;
use crate::exit::{CliError, CliResult, Exit};

/// Where the JWKS comes from.
#[derive(Debug)]
enum KeySource {
    File(PathBuf),
    Url(String),
}

/// Checked `--auth-*` flags.
#[derive(Debug)]
pub struct Protection {
    keys: KeySource,
    issuer: String,
    audience: String,
    scopes: Vec<String>,
}

impl Protection {
    /// `None` without any `--auth-*` flag. Some but not all of the three
    /// required ones, any of them without `--http`, or a JWKS file that
    /// cannot be read are usage errors naming the flag to fix.
    pub fn from_args(args: AuthArgs, http: bool) -> Result<Option<Protection>, CliError> {
        let AuthArgs {
            auth_jwks,
            auth_issuer,
            auth_audience,
            auth_scopes,
        } = args;
        let any = auth_jwks.is_some()
            || auth_issuer.is_some()
            || auth_audience.is_some()
            || !auth_scopes.is_empty();
        if !any {
            return Ok(None);
        }
        if !http {
            return Err(CliError::usage(
                "--auth-* protects an HTTP server: add --http ADDR (stdio has no bearer tokens)",
            ));
        }
        let missing = |flag: &str, what: &str| {
            CliError::usage(format!(
                "--auth-jwks, --auth-issuer and --auth-audience go together: {flag} is missing ({what})"
            ))
        };
        let jwks = auth_jwks.ok_or_else(|| missing("--auth-jwks", "the JWKS file or URL"))?;
        let issuer = auth_issuer.ok_or_else(|| missing("--auth-issuer", "the tokens' issuer"))?;
        let audience = auth_audience.ok_or_else(|| {
            missing(
                "--auth-audience",
                "this server's resource URI, e.g. http://127.0.0.1:8080/mcp",
            )
        })?;
        for (flag, value) in [("--auth-issuer", &issuer), ("--auth-audience", &audience)] {
            if value.trim().is_empty() {
                return Err(CliError::usage(format!("{flag} is empty")));
            }
        }
        let keys = if jwks.starts_with("https://") || jwks.starts_with("http://") {
            KeySource::Url(jwks)
        } else {
            // Read now, so a wrong path or a bad document stops here
            // rather than failing every request.
            let path = PathBuf::from(&jwks);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                CliError::usage(format!("--auth-jwks: cannot read {}: {e}", path.display()))
            })?;
            Jwks::parse(&text).map_err(|e| {
                CliError::usage(format!(
                    "--auth-jwks: {} is not a JWKS: {e}",
                    path.display()
                ))
            })?;
            KeySource::File(path)
        };
        Ok(Some(Protection {
            keys,
            issuer,
            audience,
            scopes: auth_scopes,
        }))
    }

    /// The bearer-token layer: tokens of the issuer for the audience, with
    /// the required scopes; metadata naming the issuer as the
    /// authorization server.
    pub fn layer(self) -> BearerAuth {
        let verifier = match self.keys {
            KeySource::File(path) => JwtVerifier::new(JwksFile(path), &self.issuer, &self.audience),
            KeySource::Url(url) => {
                JwtVerifier::new(JwksUrl::new(url), &self.issuer, &self.audience)
            }
        };
        let mut metadata =
            ProtectedResourceMetadata::new(&self.audience).authorization_server(&self.issuer);
        if !self.scopes.is_empty() {
            metadata = metadata.scopes(self.scopes.iter().cloned());
        }
        BearerAuth::new(verifier, metadata).require_scopes(self.scopes)
    }
}

/// Serves `server` at `http://ADDR/mcp` behind `auth`, with the metadata
/// under `/.well-known/oauth-protected-resource`, until Ctrl-C.
pub async fn serve_protected(server: Server, addr: &str, auth: Protection) -> CliResult {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::connect(format!("serving on {addr}: {e}")))?;
    let local: SocketAddr = listener
        .local_addr()
        .map_err(|e| CliError::connect(format!("serving on {addr}: {e}")))?;
    // As the unprotected server does: loopback names only on loopback.
    let hosts = if local.ip().is_loopback() {
        HostPolicy::loopback()
    } else {
        HostPolicy::default()
    };
    let audience = auth.audience.clone();
    let service = auth.layer().wrap(StreamableHttp::new(
        server,
        HttpConfig::default().hosts(hosts),
    ));
    eprintln!("mcpwire: serving http://{local}/mcp (OAuth bearer tokens for {audience})");
    auth::serve_listener(service, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| CliError::connect(format!("serving on {addr}: {e}")))?;
    Ok(Exit::Ok)
}
