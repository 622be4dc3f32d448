//! The stdio fast path of `bench`: a dedicated thread drives the server's
//! pipes directly with `mcpwire-load`'s stdio driver, the same one the
//! `stdio-load` benchmark uses. The era and revision come from a regular
//! client that connected first, so the handshake matches what every other
//! verb speaks.

use std::time::Duration;

use mcpwire_load::stats::Tally;
use mcpwire_load::stdio::{ClientInfo, Handshake, Server, Spawn, ToolCalls};
use serde_json::Value;

/// Who `bench` says it is, in `initialize` or the stateless `_meta`.
const CLIENT: ClientInfo<'static> = ClientInfo {
    name: "mcpwire-bench",
    version: env!("CARGO_PKG_VERSION"),
};

/// What the fast path needs to know.
pub struct Plan {
    /// The server command and its arguments.
    pub argv: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// `Some(revision)`: open a session with `initialize`; `None`: speak
    /// 2026-07-28, with `_meta` on every call.
    pub session: Option<String>,
    /// The tool to call.
    pub tool: String,
    /// Its arguments.
    pub args: Value,
    /// How long the server may send nothing before it is stopped.
    pub timeout: Duration,
}

/// Runs the warm-up and the measured phase on a fresh server process,
/// telling `progress` how many measured calls were answered as they are.
pub fn run(
    plan: &Plan,
    warmup: usize,
    calls: usize,
    concurrency: usize,
    mut progress: impl FnMut(usize),
) -> Result<Tally, String> {
    let spec = Spawn {
        env: &plan.env,
        ..Spawn::new(&plan.argv)
    };
    let (mut server, t0) = Server::spawn(&spec)?;
    let watchdog = server.watchdog(plan.timeout);
    let stateless = plan.session.is_none().then_some(CLIENT);
    let r = (|| {
        let handshake = match &plan.session {
            Some(version) => Handshake::Initialize {
                version,
                client: CLIENT,
            },
            None => Handshake::None,
        };
        server.handshake(&handshake, t0)?;
        if warmup > 0 {
            let warm = ToolCalls::new(1, warmup, &plan.tool, &plan.args, stateless);
            server.run(&warm, concurrency, &mut |_| {})?;
        }
        let measured = ToolCalls::new(1 + warmup as u64, calls, &plan.tool, &plan.args, stateless);
        server.run(&measured, concurrency, &mut progress)
    })();
    drop(watchdog);
    let _ = server.shutdown();
    r
}
