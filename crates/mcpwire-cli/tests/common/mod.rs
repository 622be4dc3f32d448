//! Helpers for the CLI tests: run `mcpwire`, find or build the peers.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

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

/// A server process killed on drop.
pub struct Server {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `echo http ADDR` on a free port in 4400-4499 and waits until
    /// it accepts connections.
    pub fn echo_http() -> Server {
        Server::listen(|addr| {
            let mut c = Command::new(echo());
            c.arg("http").arg(addr.to_string());
            c
        })
    }

    /// Starts the command `make` builds for a free port in 4400-4499 (the
    /// first that binds and then accepts connections within 20 s).
    ///
    /// A port is handed to one test of this binary only: between the probe
    /// and the server's own bind, a test running beside it would otherwise
    /// see the port free too, and its server would lose the race while the
    /// other's answered for it.
    pub fn listen(mut make: impl FnMut(SocketAddr) -> Command) -> Server {
        static TAKEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
        for port in 4400..4500u16 {
            {
                let mut taken = TAKEN.lock().unwrap_or_else(|p| p.into_inner());
                if taken.contains(&port) {
                    continue;
                }
                taken.push(port);
            }
            let Ok(l) = TcpListener::bind(("127.0.0.1", port)) else {
                continue;
            };
            let addr = l.local_addr().expect("local addr");
            drop(l);
            let mut child = make(addr)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawning a server");
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(20) {
                // Answering while alive: the listener is this child's.
                if TcpStream::connect(addr).is_ok() && matches!(child.try_wait(), Ok(None)) {
                    return Server { child, addr };
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("no server came up on any port in 4400-4499");
    }

    /// The MCP endpoint URL.
    pub fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `mcpwire watch --json ARGS`, waits until it is watching,
/// interrupts it (SIGINT), and returns its exit code and stdout lines.
pub fn watch_then_interrupt(args: &[&str]) -> (i32, Vec<Value>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcpwire"))
        .args(["watch", "--json"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning mcpwire watch");
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
    // Let the server's acknowledgement (stateless) arrive.
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("running kill");
    assert!(status.success());
    let code = child
        .wait()
        .expect("waiting for mcpwire")
        .code()
        .unwrap_or(-1);
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let lines = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    (code, lines)
}
