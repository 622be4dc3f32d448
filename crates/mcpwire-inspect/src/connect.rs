//! How the inspector's client is made and connects: what it declares
//! (sampling, elicitation and roots answered by the person at the page,
//! MCP Apps), and why a connection failed, in words the page shows.

use std::sync::Arc;
use std::time::Duration;

use mcpwire::client::{Client, ClientBuilder};
use mcpwire::engine::EngineConfig;
use mcpwire::transport::http_client::{HttpClientTransport, ReconnectPolicy};
use mcpwire::transport::{ChildProcess, StderrMode};
use mcpwire::types::{ClientCapabilities, ErrorCode};
use serde_json::json;

use crate::apps::{APP_MIME_TYPE, APPS_EXTENSION};
use crate::asks::{AskError, Asks};
use crate::oauth::LOGIN_WAIT;
use crate::servers::{Slot, Target};
use crate::tap::Tapped;

/// The inspector's name towards servers.
const CLIENT_NAME: &str = "mcpwire-inspect";

/// What the inspector declares: sampling and elicitation (both modes),
/// answered by the person at the page; roots, which the page sets; and
/// the MCP Apps extension.
fn capabilities() -> ClientCapabilities {
    serde_json::from_value(json!({
        "sampling": {},
        "elicitation": {"form": {}, "url": {}},
        "roots": {"listChanged": true},
        "extensions": {APPS_EXTENSION: {"mimeTypes": [APP_MIME_TYPE]}},
    }))
    .unwrap_or_default()
}

/// The rejection a server gets when the person (or the clock) said no.
fn refused(what: &str, e: AskError) -> mcpwire::Error {
    match e {
        AskError::Refused(why) if why.is_empty() => mcpwire::Error::rpc(
            ErrorCode(-1),
            format!("the user rejected the {what} request"),
        ),
        AskError::Refused(why) => mcpwire::Error::rpc(ErrorCode(-1), why),
        other => mcpwire::Error::rpc(ErrorCode(-1), format!("{what}: {other}")),
    }
}

/// Puts server `server`'s request `method` to the person, and reads the
/// answer as the result type `R`.
async fn ask<P: serde::Serialize, R: serde::de::DeserializeOwned>(
    asks: Arc<Asks>,
    server: u32,
    method: &'static str,
    params: P,
) -> Result<R, mcpwire::Error> {
    let what = method.split('/').next().unwrap_or(method);
    let answer = asks
        .ask(server, method, serde_json::to_value(params)?)
        .await
        .map_err(|e| refused(what, e))?;
    serde_json::from_value(answer).map_err(|e| {
        mcpwire::Error::rpc(
            ErrorCode(-1),
            format!("the answer to {method} does not fit: {e}"),
        )
    })
}

/// The client of `slot`, whose requests that need a person go to the page.
pub(crate) fn builder(slot: &Arc<Slot>, asks: &Arc<Asks>, timeout: Duration) -> ClientBuilder {
    let server = slot.id;
    let (sampling, elicit, roots) = (asks.clone(), asks.clone(), asks.clone());
    Client::builder(CLIENT_NAME, env!("CARGO_PKG_VERSION"))
        .mode(slot.mode.client_mode())
        .probe_timeout(timeout.min(Duration::from_secs(10)))
        .engine(EngineConfig::default().request_timeout(timeout))
        .on_sampling(move |params| ask(sampling.clone(), server, "sampling/createMessage", params))
        .on_elicitation_with_urls(move |params| {
            ask(elicit.clone(), server, "elicitation/create", params)
        })
        // The roots the page offers (set in its Notifications view) are
        // put to the person each time the server lists them.
        .roots(Vec::new())
        .on_roots(move |offered| {
            ask(
                roots.clone(),
                server,
                "roots/list",
                json!({ "roots": offered }),
            )
        })
        .capabilities(capabilities())
}

/// Connects `slot`'s client within `timeout`; when an HTTP server asks for
/// an OAuth login, logs in (the user has [`LOGIN_WAIT`] to authorize) and
/// connects again.
pub(crate) async fn connect_or_login(
    slot: &Arc<Slot>,
    asks: &Arc<Asks>,
    timeout: Duration,
) -> Result<Client, String> {
    let first = connect_within(slot, asks, timeout).await;
    let auth = match (&first, &slot.auth) {
        (Err(_), Some(auth)) if auth.asked() => auth.clone(),
        _ => return first,
    };
    let url = slot.target.describe();
    match tokio::time::timeout(LOGIN_WAIT + timeout, auth.login()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("the OAuth login with {url} failed: {e}")),
        Err(_) => return Err(format!("the OAuth login with {url} took too long")),
    }
    connect_within(slot, asks, timeout).await
}

/// One try at connecting, within `timeout`.
async fn connect_within(
    slot: &Arc<Slot>,
    asks: &Arc<Asks>,
    timeout: Duration,
) -> Result<Client, String> {
    let connecting = connect(slot, builder(slot, asks, timeout), timeout);
    match tokio::time::timeout(timeout, connecting).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {timeout:?}")),
    }
}

/// Connects `slot`'s client; the error says why not, as the page shows it
/// (the HTTP status, or the child's exit and the last lines of its stderr).
pub(crate) async fn connect(
    slot: &Slot,
    builder: ClientBuilder,
    timeout: Duration,
) -> Result<Client, String> {
    match &slot.target {
        Target::Http { url, headers } => {
            let mut b = HttpClientTransport::builder(url.clone())
                .timeout(timeout)
                .reconnect(ReconnectPolicy {
                    initial_delay: Duration::from_millis(200),
                    max_delay: Duration::from_secs(2),
                    max_attempts: 1,
                });
            for (k, v) in headers {
                b = b.header(k.clone(), v.clone());
            }
            if let Some(auth) = &slot.auth {
                b = b.auth(auth.provider());
            }
            let transport = b.build().map_err(|e| format!("cannot use {url}: {e}"))?;
            builder
                .connect(Tapped::new(transport, slot.log.clone()))
                .await
                .map_err(|e| format!("cannot connect to {url}: {e}"))
        }
        Target::Tcp { addr } => {
            let max_frame = EngineConfig::default().max_message_size;
            let transport = mcpwire::transport::tcp::connect(addr.as_str(), max_frame)
                .await
                .map_err(|e| format!("cannot connect to tcp://{addr}: {e}"))?;
            builder
                .connect(Tapped::new(transport, slot.log.clone()))
                .await
                .map_err(|e| format!("cannot connect to tcp://{addr}: {e}"))
        }
        #[cfg(unix)]
        Target::Unix { path } => {
            let max_frame = EngineConfig::default().max_message_size;
            let transport = mcpwire::transport::unix::connect(path, max_frame)
                .await
                .map_err(|e| format!("cannot connect to unix://{path}: {e}"))?;
            builder
                .connect(Tapped::new(transport, slot.log.clone()))
                .await
                .map_err(|e| format!("cannot connect to unix://{path}: {e}"))
        }
        #[cfg(not(unix))]
        Target::Unix { path } => Err(format!("unix://{path}: Unix sockets exist on Unix only")),
        Target::Stdio { program, args, env } => {
            let mut child = ChildProcess::new(program)
                .args(args)
                .stderr(StderrMode::Tracing)
                .shutdown_grace(Duration::from_millis(500));
            for (k, v) in env {
                child = child.env(k, v);
            }
            let transport = child
                .spawn()
                .map_err(|e| format!("cannot start {program}: {e}"))?;
            builder
                .connect(Tapped::new(transport, slot.log.clone()))
                .await
                .map_err(|e| format!("cannot connect to {program}: {e}"))
        }
    }
}
