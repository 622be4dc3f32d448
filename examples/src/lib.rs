//! Shared helpers for the mcpwire examples, and the README's Rust snippets,
//! compiled as doctests so that the README cannot drift from the API.

use mcpwire::server::Server;
use mcpwire::transport::ChildProcess;
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};

/// Serves `server` as an example server's command line asks (the same
/// one `echo` speaks; `echo.rs` keeps its own copy, being built on its own
/// by the conformance harness too): `stdio` (the
/// default) or `http [ADDR]` (default `127.0.0.1:8080`), on one thread: a
/// single-threaded runtime avoids cross-thread wake-ups on every message.
///
/// Over HTTP it prints the endpoint, `http://ADDR/mcp`, as one line on
/// stdout once it listens (with port 0 the system picks a free port, and
/// whoever started the server reads it there), then serves until Ctrl-C.
/// An unknown mode prints the usage on stderr and exits with status 2.
pub fn serve_from_args(name: &str, server: Server) -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "stdio".to_owned());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match mode.as_str() {
        "stdio" => runtime.block_on(server.serve_stdio())?,
        "http" => {
            let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
            runtime.block_on(serve_http(server, &addr))?
        }
        other => {
            eprintln!("usage: {name} stdio | {name} http [ADDR]   (unknown mode {other:?})");
            std::process::exit(2);
        }
    }
    Ok(())
}

/// Serves Streamable HTTP on `addr` until Ctrl-C, after printing the
/// endpoint as one line on stdout.
async fn serve_http(server: Server, addr: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("http://{}/mcp", listener.local_addr()?);
    StreamableHttp::new(server, HttpConfig::default())
        .serve_listener(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

/// Another example of this package, ready to spawn as a child process with
/// `args`: the binary built next to the running one when there is one
/// (cargo puts a package's examples in one directory, so after `cargo
/// build -p mcpwire-examples --examples`, or any `cargo test -p
/// mcpwire-examples`, it starts at once), else `cargo run -q -p
/// mcpwire-examples --example NAME -- ARGS`.
pub fn sibling_example(name: &str, args: &[&str]) -> ChildProcess {
    let sibling = std::env::current_exe()
        .map(|exe| exe.with_file_name(format!("{name}{}", std::env::consts::EXE_SUFFIX)));
    if let Ok(path) = sibling
        && path.is_file()
    {
        return ChildProcess::new(path).args(args.iter().copied());
    }
    // `cargo run` hands this program the package's manifest variables. A
    // nested cargo that saw them would count them as changed inputs of the
    // build scripts that watch them, and rebuild those crates and all above
    // them on the next plain build; so it gets them removed.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let run = ChildProcess::new(cargo)
        .args([
            "run",
            "-q",
            "-p",
            "mcpwire-examples",
            "--example",
            name,
            "--",
        ])
        .args(args.iter().copied())
        .env_clear();
    std::env::vars_os()
        .filter(|(key, _)| {
            !key.to_str()
                .is_some_and(|k| k.starts_with("CARGO_PKG_") || k.starts_with("CARGO_MANIFEST_"))
        })
        .fold(run, |run, (key, value)| run.env(key, value))
}

/// The README, whose `rust` blocks `cargo test --doc` compiles (and runs,
/// unless a block says `no_run`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct Readme;

/// The guide's chapters (`docs/src`), compiled the same way.
#[cfg(doctest)]
pub mod guide {
    /// A first stdio server.
    #[doc = include_str!("../../docs/src/first-server.md")]
    pub struct FirstServer;
    /// HTTP and axum.
    #[doc = include_str!("../../docs/src/http.md")]
    pub struct Http;
    /// State and extractors.
    #[doc = include_str!("../../docs/src/state.md")]
    pub struct State;
    /// Input from the client in both eras.
    #[doc = include_str!("../../docs/src/input.md")]
    pub struct Input;
    /// Tasks, skills and OAuth.
    #[doc = include_str!("../../docs/src/tasks-skills-oauth.md")]
    pub struct TasksSkillsOauth;
    /// Testing a server.
    #[doc = include_str!("../../docs/src/testing.md")]
    pub struct Testing;
    /// Deploying.
    #[doc = include_str!("../../docs/src/deploying.md")]
    pub struct Deploying;
}
