//! Where the JWT of an RFC 7523 JWT bearer grant comes from: a workload
//! identity token (workload identity federation, e.g. a Kubernetes
//! projected service-account token or a CI job's OIDC token) or an
//! identity provider's ID token, fixed, read from a file or an environment
//! variable at each use, or produced by a callback.

use std::path::PathBuf;
use std::sync::Arc;

use super::AuthError;

/// A callback producing a JWT (see [`AssertionSource::callback`]).
pub type AssertionFn = Arc<dyn Fn() -> Result<String, String> + Send + Sync>;

/// Where a JWT assertion comes from. Files and environment variables are
/// read each time a token is requested, so a rotated workload token is
/// picked up.
///
/// ```
/// use mcpwire_oauth::client::AssertionSource;
/// let fixed = AssertionSource::jwt("eyJhbGciOiJFUzI1NiJ9.e30.c2ln");
/// assert_eq!(fixed.read().unwrap(), "eyJhbGciOiJFUzI1NiJ9.e30.c2ln");
/// let k8s = AssertionSource::file("/var/run/secrets/tokens/mcp-token");
/// let ci = AssertionSource::env("MCP_WORKLOAD_TOKEN");
/// assert!(AssertionSource::env("MCPWIRE_SURELY_UNSET_VARIABLE").read().is_err());
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum AssertionSource {
    /// A fixed JWT.
    Jwt(String),
    /// A file holding the JWT (surrounding whitespace is ignored).
    File(PathBuf),
    /// An environment variable holding the JWT.
    Env(String),
    /// A callback returning the JWT, or why it cannot.
    Callback(AssertionFn),
}

impl std::fmt::Debug for AssertionSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AssertionSource::Jwt(_) => f.write_str("Jwt(<redacted>)"),
            AssertionSource::File(p) => f.debug_tuple("File").field(p).finish(),
            AssertionSource::Env(n) => f.debug_tuple("Env").field(n).finish(),
            AssertionSource::Callback(_) => f.write_str("Callback(..)"),
        }
    }
}

impl AssertionSource {
    /// A fixed JWT.
    pub fn jwt(jwt: impl Into<String>) -> AssertionSource {
        AssertionSource::Jwt(jwt.into())
    }

    /// A file holding the JWT, read at each use.
    pub fn file(path: impl Into<PathBuf>) -> AssertionSource {
        AssertionSource::File(path.into())
    }

    /// An environment variable holding the JWT, read at each use.
    pub fn env(name: impl Into<String>) -> AssertionSource {
        AssertionSource::Env(name.into())
    }

    /// A callback returning the JWT.
    pub fn callback(
        f: impl Fn() -> Result<String, String> + Send + Sync + 'static,
    ) -> AssertionSource {
        AssertionSource::Callback(Arc::new(f))
    }

    /// The current JWT. The error names the source, never its content.
    pub fn read(&self) -> Result<String, AuthError> {
        let jwt = match self {
            AssertionSource::Jwt(j) => j.clone(),
            AssertionSource::File(p) => std::fs::read_to_string(p)
                .map_err(|e| AuthError::Assertion(format!("reading {}: {e}", p.display())))?,
            AssertionSource::Env(n) => std::env::var(n).map_err(|_| {
                AuthError::Assertion(format!("the environment variable {n} is not set"))
            })?,
            AssertionSource::Callback(f) => f().map_err(AuthError::Assertion)?,
        };
        let jwt = jwt.trim().to_owned();
        if jwt.split('.').count() != 3 || jwt.contains(char::is_whitespace) {
            let from = match self {
                AssertionSource::Jwt(_) => "the configured assertion".to_owned(),
                AssertionSource::File(p) => p.display().to_string(),
                AssertionSource::Env(n) => format!("${n}"),
                AssertionSource::Callback(_) => "the assertion callback".to_owned(),
            };
            return Err(AuthError::Assertion(format!(
                "{from} does not hold a JWT (three dot-separated parts)"
            )));
        }
        Ok(jwt)
    }
}
