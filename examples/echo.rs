//! The benchmark server: `echo` and `add` over stdio, HTTP, TCP or a Unix
//! socket.
//!
//! ```text
//! cargo run --release -p mcpwire-examples --example echo -- stdio
//! cargo run --release -p mcpwire-examples --example echo -- http 127.0.0.1:8080   # at /mcp
//! cargo run --release -p mcpwire-examples --example echo -- http 127.0.0.1:8080 --redis redis://127.0.0.1:6379
//! cargo run --release -p mcpwire-examples --example echo -- tcp 127.0.0.1:7000
//! cargo run --release -p mcpwire-examples --example echo -- unix /tmp/echo.sock
//! ```
//!
//! Over HTTP, TCP and a Unix socket it prints where it listens on stdout
//! once it does (`http://ADDR/mcp`, `tcp://ADDR`, `unix://PATH`); give
//! port 0 (`http 127.0.0.1:0`) to let the system pick a free one. With `--redis
//! URL` (or `MCPWIRE_REDIS_URL`), its sessions, streams and notifications
//! live in that Redis, so that several instances serve one endpoint behind
//! a load balancer.

use mcpwire::redis::{REDIS_URL_ENV, RedisOptions, RedisState};
use mcpwire::server::{BuildError, Server, ServerBuilder, SocketConfig};
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};

/// Returns the text it is given, unchanged.
#[mcpwire::tool]
async fn echo(
    /// The text to send back.
    text: String,
) -> String {
    text
}

/// Adds two numbers and returns the sum as text.
#[mcpwire::tool]
async fn add(
    /// The first addend.
    a: f64,
    /// The second addend.
    b: f64,
) -> f64 {
    a + b
}

fn builder() -> ServerBuilder {
    Server::builder("mcpwire-echo", env!("CARGO_PKG_VERSION"))
        .instructions("Echoes text back and adds numbers.")
        .tool(echo_tool())
        .tool(add_tool())
}

fn server() -> Result<Server, BuildError> {
    builder().build()
}

/// Serves Streamable HTTP on `addr` until Ctrl-C, sharing its state through
/// the Redis at `redis` if given. Once it listens it prints its endpoint,
/// `http://ADDR/mcp`, as one line on stdout: with port 0 the system picks a
/// free port, and whoever started the server reads it there.
async fn serve_http(addr: &str, redis: Option<String>) -> Result<(), Box<dyn std::error::Error>> {
    let (server, config) = match redis {
        Some(url) => {
            // An instance does not start with state it cannot share.
            let shared = RedisState::connect(&url, RedisOptions::default()).await?;
            (
                shared.server(builder()).build()?,
                shared.http(HttpConfig::default()),
            )
        }
        None => (server()?, HttpConfig::default()),
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("http://{}/mcp", listener.local_addr()?);
    StreamableHttp::new(server, config)
        .serve_listener(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Serves newline-delimited JSON-RPC on TCP at `addr` until Ctrl-C, after
/// printing `tcp://ADDR` as one line on stdout.
async fn serve_tcp(addr: &str) -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("tcp://{}", listener.local_addr()?);
    server()?
        .serve_tcp_listener(listener, SocketConfig::default(), ctrl_c())
        .await;
    Ok(())
}

/// Serves newline-delimited JSON-RPC on an owner-only Unix socket created
/// at `path` (which must not exist) until Ctrl-C, after printing
/// `unix://PATH` as one line on stdout; then removes the socket.
#[cfg(unix)]
async fn serve_unix(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let socket = mcpwire::server::UnixSocketListener::bind(path)?;
    println!("unix://{}", socket.path().display());
    server()?
        .serve_unix_listener(socket, SocketConfig::default(), ctrl_c())
        .await?;
    Ok(())
}

/// Unix sockets are a Unix feature.
#[cfg(not(unix))]
async fn serve_unix(_path: &str) -> Result<(), Box<dyn std::error::Error>> {
    Err("unix sockets exist on Unix systems only".into())
}

async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

/// Prints the usage on stderr and exits with status 2.
fn usage(problem: &str) -> ! {
    eprintln!(
        "usage: echo stdio | echo http [ADDR] [--redis URL] | echo tcp ADDR | echo unix PATH   ({problem})"
    );
    std::process::exit(2);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "stdio".to_owned());
    match mode.as_str() {
        // One thread: a stdio server has one client, and a single-threaded
        // runtime avoids cross-thread wake-ups on every message.
        "stdio" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(server()?.serve_stdio())?,
        "http" => {
            let (mut addr, mut redis) = (None, None);
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--redis" => {
                        redis = Some(args.next().unwrap_or_else(|| usage("--redis needs a URL")))
                    }
                    _ if addr.is_none() => addr = Some(arg),
                    other => usage(&format!("unexpected argument {other:?}")),
                }
            }
            // The flag wins; the variable is read only over HTTP.
            let redis =
                redis.or_else(|| std::env::var(REDIS_URL_ENV).ok().filter(|u| !u.is_empty()));
            let addr = addr.unwrap_or_else(|| "127.0.0.1:8080".to_owned());
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(serve_http(&addr, redis))?
        }
        "tcp" | "unix" => {
            let Some(place) = args.next() else {
                usage(&format!("{mode} needs an address"))
            };
            if let Some(extra) = args.next() {
                usage(&format!("unexpected argument {extra:?}"));
            }
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            if mode == "tcp" {
                runtime.block_on(serve_tcp(&place))?
            } else {
                runtime.block_on(serve_unix(&place))?
            }
        }
        other => usage(&format!("unknown mode {other:?}")),
    }
    Ok(())
}
