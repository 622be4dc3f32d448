//! `info` and `ping`: who the server is and whether it answers.

use std::time::Instant;

use mcpwire::client::Client;
use mcpwire::server::Era;
use serde_json::{Value, json};

use crate::cli::Plain;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Output, clean, clean_text};

/// The server's identity, revision, era, capabilities and instructions.
pub fn describe(client: &Client) -> Value {
    json!({
        "serverInfo": client.server_info(),
        "protocolVersion": client.protocol_version(),
        "era": era_name(client.era()),
        "capabilities": client.server_capabilities(),
        "instructions": client.instructions(),
    })
}

fn era_name(era: Era) -> &'static str {
    match era {
        Era::Session => "session",
        Era::Stateless => "stateless",
    }
}

/// `info`.
pub async fn info(a: Plain, out: Output) -> CliResult {
    let client = super::connect(a.url, &a.target, out, false).await?;
    // A client pinned to 2026-07-28 does not probe: ask the server now.
    if client.era() == Era::Stateless
        && client.discover_result().is_none()
        && let Err(e) = client.discover().await
    {
        client.close().await;
        return Err(CliError::call("server/discover", e));
    }
    let d = describe(&client);
    client.close().await;
    if out.json {
        out.json(&d);
        return Ok(Exit::Ok);
    }
    let info = &d["serverInfo"];
    let name = format!(
        "{} {}",
        clean(info["name"].as_str().unwrap_or("?")),
        clean(info["version"].as_str().unwrap_or(""))
    );
    let title = info["title"]
        .as_str()
        .map(|t| format!(" ({})", clean(t)))
        .unwrap_or_default();
    println!("{:<14}{}{title}", out.bold("Server"), out.green(&name));
    println!(
        "{:<14}{} ({})",
        out.bold("Protocol"),
        clean(d["protocolVersion"].as_str().unwrap_or("?")),
        d["era"].as_str().unwrap_or("?")
    );
    let caps: Vec<String> = d["capabilities"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let flags: Vec<std::borrow::Cow<str>> = v
                        .as_object()
                        .map(|f| {
                            f.iter()
                                .filter(|(_, b)| b.as_bool() == Some(true))
                                .map(|(n, _)| clean(n))
                                .collect()
                        })
                        .unwrap_or_default();
                    if flags.is_empty() {
                        clean(k).into_owned()
                    } else {
                        format!("{} ({})", clean(k), flags.join(", "))
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    println!(
        "{:<14}{}",
        out.bold("Capabilities"),
        if caps.is_empty() {
            "none".to_owned()
        } else {
            caps.join(", ")
        }
    );
    if let Some(i) = d["instructions"].as_str() {
        println!("{}", out.bold("Instructions"));
        for line in clean_text(i).lines() {
            println!("  {line}");
        }
    }
    Ok(Exit::Ok)
}

/// `ping`: a `ping` request in a session; `server/discover` in the
/// stateless era, which removed `ping`.
pub async fn ping(a: Plain, out: Output) -> CliResult {
    let client = super::connect(a.url, &a.target, out, false).await?;
    let start = Instant::now();
    let r = match client.era() {
        Era::Session => client.ping().await.map_err(|e| CliError::call("ping", e)),
        Era::Stateless => client
            .discover()
            .await
            .map(|_| ())
            .map_err(|e| CliError::call("server/discover", e)),
    };
    let ms = start.elapsed().as_secs_f64() * 1e3;
    client.close().await;
    r?;
    if out.json {
        out.json(&json!({"ok": true, "ms": ms}));
    } else {
        println!("{} in {ms:.2} ms", out.green("pong"));
    }
    Ok(Exit::Ok)
}
