//! Helpers for the CLI tests: run `mcpwire`, find or build the peers, and
//! watch with `mcpwire watch`. Servers run as child processes on addresses
//! the testkit hands out.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mcpwire_testkit::http::child::ChildServer;
use serde_json::Value;

/// The repository root.
pub use mcpwire_testkit::repo_root;

/// What one run of `mcpwire` did.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// The run of a finished process.
    pub fn from_output(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Stdout parsed as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {self:?}"))
    }

    /// Asserts the exit code, showing the whole run when it differs.
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(self.code, code, "unexpected exit code: {self:#?}");
        self
    }
}

/// Runs `mcpwire ARGS` with stdin closed (so: no terminal).
pub fn mcpwire<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out: Output = Command::new(env!("CARGO_BIN_EXE_mcpwire"))
        .args(args)
        .current_dir(repo_root())
        .stdin(Stdio::null())
        .output()
        .expect("running mcpwire");
    Run::from_output(out)
}

/// The echo example, built (once per test binary) with the profile of the
/// tests.
pub fn echo() -> PathBuf {
    static ECHO: OnceLock<PathBuf> = OnceLock::new();
    ECHO.get_or_init(|| {
        let exe = std::env::current_exe().expect("test binary path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target profile dir");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-q", "-p", "mcpwire-examples", "--example", "echo"])
            .current_dir(repo_root());
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("running cargo build");
        assert!(status.success(), "building the echo example failed");
        let path = profile_dir.join("examples/echo");
        assert!(path.exists(), "{} missing after the build", path.display());
        path
    })
    .clone()
}

/// A server process, killed on drop, listening on an address the testkit
/// handed out.
pub struct Server {
    child: ChildServer,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `echo http ADDR` and waits until it accepts connections.
    pub fn echo_http() -> Server {
        Server::listen(|addr| {
            let mut c = Command::new(echo());
            c.arg("http").arg(addr.to_string());
            c
        })
    }

    /// Starts the command `make` builds for a fresh loopback address and
    /// waits until it accepts connections there.
    pub fn listen(make: impl FnMut(SocketAddr) -> Command) -> Server {
        let child = ChildServer::start("cli-server", make);
        Server {
            addr: child.addr(),
            child,
        }
    }

    /// The MCP endpoint URL.
    pub fn url(&self) -> String {
        self.child.mcp_url()
    }
}

/// How long a test waits for `mcpwire watch` to print what it waits for.
pub const WATCH_PATIENCE: Duration = Duration::from_secs(10);

/// A running `mcpwire watch --json`: its stdout lines arrive on a channel
/// as they are printed.
pub struct Watch {
    child: std::process::Child,
    lines: mpsc::Receiver<Value>,
    /// The lines received so far.
    pub seen: Vec<Value>,
}

impl Watch {
    /// Starts `mcpwire watch --json ARGS` and waits until it is watching
    /// (it says so on stderr).
    pub fn start(args: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mcpwire"))
            .args(["watch", "--json"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning mcpwire watch");
        let (tx, lines) = mpsc::channel();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                let v: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            let n = stderr.read_line(&mut line).expect("reading stderr");
            assert!(n > 0, "mcpwire watch ended before watching");
            if line.contains("watching") {
                break;
            }
        }
        // Keep reading stderr, so that the watch never blocks on it.
        std::thread::spawn(move || {
            let _ = stderr.read_to_end(&mut Vec::new());
        });
        Watch {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits up to `patience` for a line `wanted` picks, keeping every line
    /// in [`Watch::seen`]; whether one came.
    pub fn wait_for(&mut self, patience: Duration, wanted: impl Fn(&Value) -> bool) -> bool {
        let deadline = Instant::now() + patience;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(v) => {
                    let hit = wanted(&v);
                    self.seen.push(v);
                    if hit {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
        false
    }

    /// Interrupts it (SIGINT); its exit code and every line it printed.
    pub fn interrupt(mut self) -> (i32, Vec<Value>) {
        // It says it is watching just before it starts listening for
        // Ctrl-C: wait until it catches SIGINT, or the signal kills it.
        let pid = self.child.id();
        mcpwire_testkit::eventually_blocking(
            WATCH_PATIENCE,
            "mcpwire watch to catch SIGINT",
            || catches_sigint(pid),
        );
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(status.success());
        let code = self
            .child
            .wait()
            .expect("waiting for mcpwire")
            .code()
            .unwrap_or(-1);
        // The reader ends with stdout, once the process is gone.
        self.seen.extend(self.lines.iter());
        (code, self.seen)
    }
}

/// Whether the process `pid` has a handler for SIGINT (its `SigCgt` mask
/// in `/proc/PID/status`, on Linux).
fn catches_sigint(pid: u32) -> bool {
    const SIGINT: u32 = 2;
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            let mask = status.lines().find_map(|l| l.strip_prefix("SigCgt:"))?;
            u64::from_str_radix(mask.trim(), 16).ok()
        })
        .is_some_and(|mask| mask & (1 << (SIGINT - 1)) != 0)
}

/// Starts `mcpwire watch --json ARGS`, waits until it is watching and has
/// printed a line `until` picks (at once when `until` is `None`),
/// interrupts it (SIGINT), and returns its exit code and stdout lines.
pub fn watch_then_interrupt(
    args: &[&str],
    until: Option<&dyn Fn(&Value) -> bool>,
) -> (i32, Vec<Value>) {
    let mut watch = Watch::start(args);
    if let Some(until) = until {
        assert!(
            watch.wait_for(WATCH_PATIENCE, until),
            "mcpwire watch never printed the line awaited: {:?}",
            watch.seen
        );
    }
    watch.interrupt()
}

/// Reads the endpoint a server started with port 0 prints as the first
/// line of its (piped) stdout once it listens; `what` names it in the
/// failure.
pub fn endpoint_of(child: &mut std::process::Child, what: &str) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("reading {what}'s stdout: {e}"));
    let url = line.trim().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
        "{what} printed {line:?} instead of its endpoint"
    );
    url
}
