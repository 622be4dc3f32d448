//! The verbs that serve rather than call: the demo servers, the demo
//! flows that drive them (the support desk agent, the traced SQL query),
//! and the transport proxy.

use std::ffi::OsString;
use std::sync::Arc;

use mcpwire::proxy;
use mcpwire::transport::child::ChildProcess;
use mcpwire::transport::http_server::Tunnel;
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use mcpwire_demos::demo::{self, DemoStep, TempDb};
use mcpwire_demos::sql_demo;

use mcpwire_demos::sqlite::SqlConfig;

use super::protect::{Protection, serve_protected};
use super::shared;
use crate::cli::{AuthArgs, Demo, DemoFlow, DemoServer, Proxy, Serve};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::Output;

/// `serve support-desk|sqlite [--db PATH | --sample] [--http ADDR
/// [--redis URL] [--auth-jwks ...]]`.
pub async fn serve(args: Serve) -> CliResult {
    let (http, auth, redis) = match &args.server {
        DemoServer::SupportDesk {
            http, auth, redis, ..
        } => (http.clone(), auth.clone(), redis.redis.clone()),
        DemoServer::Sqlite { http, redis, .. } => {
            (http.clone(), AuthArgs::default(), redis.redis.clone())
        }
    };
    // Bad flags are reported before any database is opened or created.
    let redis = shared::redis_url(redis, http.is_some())?;
    let auth = Protection::from_args(auth, http.is_some())?;
    // So is a Redis that cannot be reached: an instance does not start
    // with state it cannot share.
    let redis = match &redis {
        Some(url) => Some((shared::connect(url).await?, shared::redact(url))),
        None => None,
    };
    let built = match &args.server {
        DemoServer::SupportDesk { db, .. } => mcpwire_demos::support_desk::builder(db),
        DemoServer::Sqlite { db: Some(db), .. } => {
            mcpwire_demos::sqlite::builder(db, SqlConfig::default())
        }
        DemoServer::Sqlite { sample: true, .. } => {
            mcpwire_demos::sqlite::sample_builder(SqlConfig::default())
        }
        // clap requires one of the two.
        DemoServer::Sqlite { .. } => {
            return Err(CliError::usage("serve sqlite needs --db FILE or --sample"));
        }
    };
    let builder = built.map_err(|e| CliError::usage(e.to_string()))?;
    let (builder, config, shared_note) = match &redis {
        Some((state, shown)) => (
            state.server(builder),
            state.http(HttpConfig::default()),
            format!(", sharing state through the Redis at {shown}"),
        ),
        None => (builder, HttpConfig::default(), String::new()),
    };
    let server = builder
        .build()
        .map_err(|e| CliError::usage(e.to_string()))?;
    let Some(addr) = http else {
        server
            .serve_stdio()
            .await
            .map_err(|e| CliError::protocol(format!("serving stdio: {e}")))?;
        return Ok(Exit::Ok);
    };
    let (listener, local) = listen(&addr).await?;
    match auth {
        Some(auth) => serve_protected(server, config, listener, auth, &shared_note).await,
        None => {
            eprintln!("mcpwire: serving http://{local}/mcp{shared_note}");
            StreamableHttp::new(server, config)
                .serve_listener(listener, crate::stop::requested())
                .await
                .map_err(|e| CliError::connect(format!("serving on {addr}: {e}")))?;
            Ok(Exit::Ok)
        }
    }
}

/// `demo [--db PATH]`: starts `mcpwire serve support-desk` as a child
/// process over stdio and walks through the agent flow; `demo sql` runs
/// the traced SQL query instead.
pub async fn demo(args: Demo, out: Output) -> CliResult {
    if let Some(DemoFlow::Sql) = args.flow {
        return demo_sql(out).await;
    }
    let temp;
    let db = match args.db {
        Some(db) => db,
        None => {
            temp = TempDb::new().map_err(|e| CliError::usage(e.to_string()))?;
            temp.path().to_path_buf()
        }
    };
    let command: Vec<OsString> = vec![
        current_exe()?.into(),
        "serve".into(),
        "support-desk".into(),
        "--db".into(),
        db.into(),
    ];
    let report = demo::run(&command, &mut *human_output(out))
        .await
        .map_err(|e| CliError::protocol(format!("the demo failed: {e}")))?;
    if out.json {
        out.json(&serde_json::json!({
            "steps": steps_json(&report.steps),
            "ticketClosed": report.ticket_closed,
            "totalMs": report.total.as_secs_f64() * 1e3,
        }));
    }
    Ok(Exit::Ok)
}

/// `demo sql`: starts `mcpwire serve sqlite --sample` as a child process
/// over stdio and runs the traced query.
async fn demo_sql(out: Output) -> CliResult {
    let command: Vec<OsString> = vec![
        current_exe()?.into(),
        "serve".into(),
        "sqlite".into(),
        "--sample".into(),
    ];
    let report = sql_demo::run(&command, &mut *human_output(out))
        .await
        .map_err(|e| CliError::protocol(format!("the demo failed: {e}")))?;
    if out.json {
        out.json(&serde_json::json!({
            "steps": steps_json(&report.steps),
            "query": sql_demo::QUERY,
            "params": [sql_demo::USER_ID],
            "server": report.server,
            "protocolVersion": report.protocol_version,
            "columns": report.answer.columns,
            "rows": report.answer.rows,
            "totalMs": report.total.as_secs_f64() * 1e3,
        }));
    }
    Ok(Exit::Ok)
}

/// This program, to start again as a demo's server.
fn current_exe() -> Result<std::path::PathBuf, CliError> {
    std::env::current_exe()
        .map_err(|e| CliError::connect(format!("cannot find the mcpwire executable: {e}")))
}

/// Where a demo prints its steps: stdout, or stderr under --json, where
/// stdout carries one JSON document.
fn human_output(out: Output) -> Box<dyn std::io::Write> {
    if out.json {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout())
    }
}

/// A demo's steps for --json.
fn steps_json(steps: &[DemoStep]) -> Vec<serde_json::Value> {
    (steps.iter())
        .map(|s| {
            serde_json::json!({
                "step": s.number,
                "title": s.title,
                "ms": s.elapsed.as_secs_f64() * 1e3,
                "summary": s.summary,
            })
        })
        .collect()
}

/// `proxy --listen ADDR [--max-sessions N] [--auth-*|--allow-unauthenticated]
/// [--redis URL] -- CMD...` or `proxy URL`.
pub async fn proxy(args: Proxy) -> CliResult {
    match (args.listen, args.url) {
        (Some(addr), None) => {
            let Some((program, rest)) = args.command.split_first() else {
                return Err(CliError::usage(
                    "proxy --listen ADDR needs the stdio server after `--`",
                ));
            };
            let auth = Protection::from_args(args.auth, true)?;
            if auth.is_none() && !args.allow_unauthenticated && !is_loopback(&addr).await? {
                return Err(CliError::usage(format!(
                    "refusing to serve on {addr} without authentication: anyone who can reach it \
                     could use the server. Add --auth-jwks FILE|URL --auth-issuer ISS \
                     --auth-audience AUD to require OAuth bearer tokens, or \
                     --allow-unauthenticated if the network is trusted (or listen on 127.0.0.1)"
                )));
            }
            let redis = match shared::redis_url(args.redis, true)? {
                Some(url) => Some((shared::connect_redis(&url).await?, shared::redact(&url))),
                None => None,
            };
            let child = ChildProcess::new(program).args(rest);
            let max = args.max_sessions.unwrap_or(proxy::DEFAULT_MAX_SESSIONS);
            let mut server = proxy::HttpProxy::new(child).max_sessions(max);
            let guarded = if let Some(auth) = auth {
                server = server.bearer_auth(auth.layer());
                " (OAuth bearer tokens required)"
            } else {
                ""
            };
            let shared_note = match redis {
                Some((redis, shown)) => {
                    let tunnel = mcpwire::redis::RedisTunnel::connect(redis).await;
                    let note = format!(
                        ", as instance {} of those sharing the Redis at {shown}",
                        tunnel.instance()
                    );
                    server = server.tunnel(Arc::new(tunnel));
                    note
                }
                None => String::new(),
            };
            let (listener, local) = listen(&addr).await?;
            eprintln!(
                "mcpwire: serving `{}` on http://{local}/mcp{guarded}, at most {max} sessions{shared_note}",
                args.command.join(" ")
            );
            server
                .serve_listener(listener, crate::stop::requested())
                .await
                .map_err(|e| CliError::connect(e.to_string()))?;
        }
        (None, Some(url)) => {
            if !args.command.is_empty() {
                return Err(CliError::usage("proxy URL takes no command after `--`"));
            }
            let listen_only = args.max_sessions.is_some()
                || args.allow_unauthenticated
                || args.redis.is_some()
                || Protection::from_args(args.auth, true)?.is_some();
            if listen_only {
                return Err(CliError::usage(
                    "--max-sessions, --allow-unauthenticated, --redis and --auth-* apply to proxy --listen only",
                ));
            }
            let headers = args
                .headers
                .iter()
                .map(|h| match h.split_once(':') {
                    Some((k, v)) => Ok((k.trim().to_owned(), v.trim().to_owned())),
                    None => Err(CliError::usage(format!(
                        "a header is `Name: value`, not {h:?}"
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            // stdout carries the protocol: everything else goes to stderr.
            proxy::serve_url_over_stdio(&url, &headers)
                .await
                .map_err(|e| CliError::connect(e.to_string()))?;
        }
        _ => {
            return Err(CliError::usage(
                "proxy takes either --listen ADDR -- CMD... or a URL",
            ));
        }
    }
    Ok(Exit::Ok)
}

/// Whether every address `addr` names is a loopback one (checked before
/// anything is bound).
async fn is_loopback(addr: &str) -> Result<bool, CliError> {
    let resolved: Vec<_> = tokio::net::lookup_host(addr)
        .await
        .map_err(|e| CliError::usage(format!("--listen {addr}: {e}")))?
        .collect();
    Ok(!resolved.is_empty() && resolved.iter().all(|a| a.ip().is_loopback()))
}

/// Binds `addr` and prints the endpoint's URL on stdout: the hand-off to
/// whoever started this process (with port 0, the port the system picked).
async fn listen(addr: &str) -> Result<(tokio::net::TcpListener, std::net::SocketAddr), CliError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::connect(format!("serving on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| CliError::connect(format!("serving on {addr}: {e}")))?;
    println!("http://{local}/mcp");
    Ok((listener, local))
}
