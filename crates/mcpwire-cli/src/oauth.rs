//! OAuth for URL targets: the credential file, the browser step, and the
//! provider the HTTP transport asks when a server wants authorization.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mcpwire::auth_client::{
    AuthError, Authorize, FileStore, LoopbackAuthorize, OAuthClient, OAuthConfig, Url,
    check_server_url,
};
use mcpwire::transport::http_client::AuthFuture;

use crate::exit::CliError;

/// How long the browser flow of a verb waits for the redirect.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(300);
/// Overrides the loopback port the browser is sent back to.
const REDIRECT_PORT_ENV: &str = "MCPWIRE_REDIRECT_PORT";
/// The loopback port of the redirect URI: fixed, because the URI is
/// registered with the authorization server and must match on every run.
const DEFAULT_REDIRECT_PORT: u16 = 33418;
/// Overrides where credentials are kept.
const CREDENTIALS_ENV: &str = "MCPWIRE_CREDENTIALS";

/// The credential file: `$MCPWIRE_CREDENTIALS`, else
/// `$XDG_CONFIG_HOME/mcpwire/credentials.json`, else
/// `~/.config/mcpwire/credentials.json`.
pub fn credentials_path() -> Result<PathBuf, CliError> {
    if let Some(p) = std::env::var_os(CREDENTIALS_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .ok_or_else(|| {
            CliError::usage(format!(
                "cannot tell where to keep OAuth credentials: set {CREDENTIALS_ENV} or HOME"
            ))
        })?;
    Ok(config.join("mcpwire").join("credentials.json"))
}

/// The settings of every OAuth client of the command: `url`'s, with the
/// credential file as its store.
pub fn config(url: &str) -> Result<OAuthConfig, CliError> {
    Ok(OAuthConfig::new(url).store(Arc::new(FileStore::new(credentials_path()?))))
}

/// The OAuth client of `config`, for `url`.
pub fn client(config: OAuthConfig, url: &str) -> Result<OAuthClient, CliError> {
    OAuthClient::new(config)
        .map_err(|e| CliError::usage(format!("cannot use OAuth with {url}: {e}")))
}

/// The OAuth client of a verb's connection to `url`: stored tokens are
/// used and refreshed, but a new authorization is refused (the verb then
/// logs in, on a terminal, and connects again). The flag tells whether
/// the server asked for one.
pub fn stored(url: &str) -> Result<(Arc<OAuthClient>, Arc<AtomicBool>), CliError> {
    let asked = Arc::new(AtomicBool::new(false));
    let config = config(url)?.authorize(Arc::new(Refuse {
        asked: asked.clone(),
    }));
    Ok((Arc::new(client(config, url)?), asked))
}

/// Authorizes with the server at `url` now: prints the authorization URL
/// (and with `launch`, opens a browser on it), waits up to `wait` for the
/// redirect, and stores the tokens. Returns the issuer.
pub async fn login(url: &str, launch: bool, wait: Duration) -> Result<String, CliError> {
    let opener = Arc::new(move |u: &Url| open_url(u, launch));
    let port = match std::env::var(REDIRECT_PORT_ENV) {
        Ok(p) => p.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(|| {
            CliError::usage(format!("{REDIRECT_PORT_ENV}={p} is not a port number"))
        })?,
        Err(_) => DEFAULT_REDIRECT_PORT,
    };
    let config = config(url)?
        .redirect_uri(format!("http://127.0.0.1:{port}/callback"))
        .authorize(Arc::new(LoopbackAuthorize::new(opener).timeout(wait)));
    let key = client(config, url)?
        .login()
        .await
        .map_err(|e| CliError::connect(format!("authorization with {url} failed: {e}")))?;
    Ok(key.issuer)
}

/// Shows the authorization URL, and on a terminal opens a browser on it.
/// Only an `https` URL, or `http` on a loopback host, is shown or opened:
/// the library refuses the others already, this is the last guard before
/// the desktop's opener, which would run `file:` or custom schemes too.
fn open_url(url: &Url, launch: bool) -> Result<(), String> {
    check_server_url("authorization endpoint", url.as_str()).map_err(|e| e.to_string())?;
    eprintln!("Open this URL in a browser to authorize mcpwire:\n  {url}");
    if !launch {
        return Ok(());
    }
    if !launch_browser(url.as_str()) {
        eprintln!("(could not start a browser; open the URL yourself)");
    }
    Ok(())
}

/// The authorization step of a verb's connection: never, but noted.
#[derive(Debug)]
struct Refuse {
    asked: Arc<AtomicBool>,
}

impl Authorize for Refuse {
    fn authorize<'a>(&'a self, _: &'a Url, _: &'a str) -> AuthFuture<'a, Result<Url, AuthError>> {
        self.asked.store(true, Ordering::Relaxed);
        Box::pin(async move {
            Err(AuthError::Authorize(
                "the server needs a new authorization".into(),
            ))
        })
    }
}

/// Starts the user's browser on `url` (`$BROWSER`, else `open` on macOS and
/// `xdg-open` elsewhere), without waiting for it; false if it could not be
/// started.
pub fn launch_browser(url: &str) -> bool {
    let browser = std::env::var("BROWSER").ok().filter(|b| !b.is_empty());
    let program = browser.as_deref().unwrap_or(if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    });
    std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opener_refuses_what_is_not_https_or_loopback_http() {
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,hi",
            "mcpwire-evil://run",
            "http://example.com/authorize",
        ] {
            // Refused before anything is shown (and so before a launch,
            // which this test does not ask for, lest a broken guard run it).
            let e = open_url(&Url::parse(bad).unwrap(), false).unwrap_err();
            assert!(e.contains("authorization endpoint"), "{bad}: {e}");
        }
        for good in [
            "https://as.example/authorize?x=1",
            "http://127.0.0.1:9/authorize",
        ] {
            assert!(
                open_url(&Url::parse(good).unwrap(), false).is_ok(),
                "{good}"
            );
        }
    }
}
