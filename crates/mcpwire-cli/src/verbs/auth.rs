//! `auth login|logout|status URL`: the stored OAuth credentials of an
//! HTTP server.

use std::time::{SystemTime, UNIX_EPOCH};

use mcpwire::auth_client::OAuthClient;
use serde_json::json;

use crate::cli::{Auth, AuthAction, AuthTarget};
use crate::exit::{CliError, CliResult, Exit};
use crate::oauth;
use crate::output::{Output, clean};
use crate::target::seconds;

/// Runs `auth`.
pub async fn run(a: Auth, out: Output) -> CliResult {
    match a.action {
        AuthAction::Login(t) => login(t, out).await,
        AuthAction::Logout(t) => logout(&t, out),
        AuthAction::Status(t) => status(&t, out),
    }
}

async fn login(t: AuthTarget, out: Output) -> CliResult {
    let wait = seconds(t.timeout, "--timeout")?;
    let issuer = oauth::login(&t.url, out.interactive, wait).await?;
    if out.json {
        println!(
            "{}",
            json!({ "url": t.url, "issuer": issuer, "authorized": true })
        );
    } else {
        println!("Authorized with {} by {}.", t.url, clean(&issuer));
    }
    Ok(Exit::Ok)
}

/// An OAuth client that only reads and edits the stored credentials.
fn stored(url: &str) -> Result<OAuthClient, CliError> {
    oauth::client(oauth::config(url)?, url)
}

fn logout(t: &AuthTarget, out: Output) -> CliResult {
    let removed = stored(&t.url)?
        .logout()
        .map_err(|e| CliError::usage(format!("cannot forget the credentials: {e}")))?;
    if out.json {
        println!("{}", json!({ "url": t.url, "removed": removed }));
    } else if removed == 0 {
        println!("No credentials were stored for {}.", t.url);
    } else {
        println!("Forgot the credentials of {} ({removed} issuer(s)).", t.url);
    }
    Ok(Exit::Ok)
}

fn status(t: &AuthTarget, out: Output) -> CliResult {
    let entries = stored(&t.url)?
        .credentials()
        .map_err(|e| CliError::usage(format!("cannot read the credentials: {e}")))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let rows: Vec<_> = entries
        .iter()
        .map(|(key, creds)| {
            let tokens = creds.tokens.as_ref();
            json!({
                "issuer": key.issuer,
                "resource": key.resource,
                "clientId": creds.client.as_ref().map(|c| c.client_id.clone()),
                "scopes": tokens.map(|t| t.scope.clone()).unwrap_or_default(),
                "expiresIn": tokens.and_then(|t| t.expires_at).map(|at| at as i64 - now as i64),
                "refreshToken": tokens.is_some_and(|t| t.refresh_token.is_some()),
                "authorized": tokens.is_some(),
            })
        })
        .collect();
    if out.json {
        println!("{}", json!({ "url": t.url, "credentials": rows }));
    } else if rows.is_empty() {
        println!("Not authorized with {} (no stored credentials).", t.url);
    } else {
        for r in &rows {
            let expiry = match r["expiresIn"].as_i64() {
                Some(s) if s <= 0 => "expired".to_owned(),
                Some(s) => format!("expires in {s}s"),
                None => "no expiry given".to_owned(),
            };
            println!(
                "{}: {} ({}, scopes: {}, refresh token: {})",
                clean(r["issuer"].as_str().unwrap_or_default()),
                if r["authorized"] == true {
                    "authorized"
                } else {
                    "registered only"
                },
                expiry,
                r["scopes"]
                    .as_array()
                    .map(|s| s
                        .iter()
                        .filter_map(|v| v.as_str())
                        .map(clean)
                        .collect::<Vec<_>>()
                        .join(" "))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "none".into()),
                if r["refreshToken"] == true {
                    "yes"
                } else {
                    "no"
                },
            );
        }
    }
    Ok(Exit::Ok)
}
