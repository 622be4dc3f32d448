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
    /// The extra scopes of tools, in the order first named.
    tool_scopes: Vec<(String, Vec<String>)>,
}

/// Whether `s` is an OAuth scope token (RFC 6749 §3.3): printable ASCII
/// without space, `"` or `\`.
fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e))
}

/// Parses the `--auth-tool-scope TOOL=SCOPE[,SCOPE...]` values, merging
/// the scopes of a tool named more than once.
fn tool_scopes(values: &[String]) -> Result<Vec<(String, Vec<String>)>, CliError> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for v in values {
        let bad = |why: &str| {
            CliError::usage(format!(
                "--auth-tool-scope {v:?}: {why}; expected TOOL=SCOPE[,SCOPE...], e.g. close_ticket=tickets:write"
            ))
        };
        let (tool, scopes) = v.split_once('=').ok_or_else(|| bad("no `=`"))?;
        let tool = tool.trim();
        if tool.is_empty() {
            return Err(bad("the tool name is empty"));
        }
        let scopes: Vec<String> = scopes.split(',').map(|s| s.trim().to_owned()).collect();
        if let Some(s) = scopes.iter().find(|s| !is_scope_token(s)) {
            return Err(bad(&format!(
                "{s:?} is not a scope (printable ASCII without spaces, quotes or backslashes)"
            )));
        }
        let i = match out.iter().position(|(t, _)| t == tool) {
            Some(i) => i,
            None => {
                out.push((tool.to_owned(), Vec::new()));
                out.len() - 1
            }
        };
        for s in scopes {
            if !out[i].1.contains(&s) {
                out[i].1.push(s);
            }
        }
    }
    Ok(out)
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
            auth_tool_scopes,
        } = args;
        let any = auth_jwks.is_some()
            || auth_issuer.is_some()
            || auth_audience.is_some()
            || !auth_scopes.is_empty()
            || !auth_tool_scopes.is_empty();
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
        let tool_scopes = tool_scopes(&auth_tool_scopes)?;
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
            tool_scopes,
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
        // The metadata names every scope, the tools' too.
        let mut known = self.scopes.clone();
        for s in self.tool_scopes.iter().flat_map(|(_, s)| s) {
            if !known.contains(s) {
                known.push(s.clone());
            }
        }
        if !known.is_empty() {
            metadata = metadata.scopes(known);
        }
        // Calls of these tools need their scopes on top.
        let mut layer = BearerAuth::new(verifier, metadata).require_scopes(self.scopes);
        for (tool, scopes) in self.tool_scopes {
            layer = layer.tool_scopes(tool, scopes);
        }
        layer
    }
}

/// Serves `server` on `listener` (at `/mcp`) behind `auth`, with the
/// metadata under `/.well-known/oauth-protected-resource`, until Ctrl-C.
/// `config` is the transport's, shared state included; `note` ends the
/// line that says where it serves.
pub async fn serve_protected(
    server: Server,
    config: HttpConfig,
    listener: tokio::net::TcpListener,
    auth: Protection,
    note: &str,
) -> CliResult {
    let local: SocketAddr = listener
        .local_addr()
        .map_err(|e| CliError::connect(format!("serving: {e}")))?;
    // As the unprotected server does: loopback names only on loopback.
    let hosts = if local.ip().is_loopback() {
        HostPolicy::loopback()
    } else {
        HostPolicy::default()
    };
    let audience = auth.audience.clone();
    let service = auth
        .layer()
        .wrap(StreamableHttp::new(server, config.hosts(hosts)));
    eprintln!("mcpwire: serving http://{local}/mcp (OAuth bearer tokens for {audience}){note}");
    auth::serve_listener(service, listener, crate::stop::requested())
        .await
        .map_err(|e| CliError::connect(format!("serving on {local}: {e}")))?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(values: &[&str]) -> Result<Vec<(String, Vec<String>)>, CliError> {
        tool_scopes(&values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn tool_scopes_parse_merge_and_refuse_what_is_not_a_scope() {
        let got = parse(&[
            "close_ticket=tickets:write",
            "admin=a, b",
            "close_ticket=audit",
        ])
        .unwrap();
        assert_eq!(
            got,
            [
                (
                    "close_ticket".to_owned(),
                    vec!["tickets:write".to_owned(), "audit".to_owned()]
                ),
                ("admin".to_owned(), vec!["a".to_owned(), "b".to_owned()]),
            ]
        );
        for bad in [
            "close_ticket",
            "=x",
            "t=",
            "t=a,,b",
            "t=a b",
            "t=a\"b",
            "t=caf\u{e9}",
        ] {
            let e = parse(&[bad]).unwrap_err();
            assert_eq!(e.exit, crate::exit::Exit::Usage, "{bad}");
            assert!(
                e.message.contains("--auth-tool-scope"),
                "{bad}: {}",
                e.message
            );
        }
    }
}
