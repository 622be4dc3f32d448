//! Servers run as child processes (the CLI, the interop peers): a fresh
//! loopback address for each, and a start-up that waits until the child
//! accepts connections, trying another address if it lost the one it got.
//!
//! A child cannot be handed a bound socket, so the address is one the
//! system just handed out for `127.0.0.1:0` and released; this process
//! never hands the same one out twice.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a child server may take to accept connections.
pub const LISTEN_PATIENCE: Duration = Duration::from_secs(30);

/// How many fresh addresses [`ChildServer::start`] tries before it fails.
pub const START_ATTEMPTS: usize = 5;

/// A free loopback address for a child process to listen on: one the
/// system handed out for `127.0.0.1:0`, released for the child, and never
/// handed out twice by this process.
pub fn child_addr() -> SocketAddr {
    static HANDED_OUT: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    loop {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("a bound listener has no address: {e}"));
        let mut taken = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
        if !taken.contains(&addr.port()) {
            taken.push(addr.port());
            return addr;
        }
    }
}

/// A URL on a loopback port nothing listens on (a fresh [`child_addr`]
/// that no child was started on), followed by `path`: for tests of a
/// refused connection.
///
/// ```
/// let url = mcpwire_testkit::http::child::refused_url("/mcp");
/// assert!(std::net::TcpStream::connect(url.trim_start_matches("http://").trim_end_matches("/mcp")).is_err());
/// ```
pub fn refused_url(path: &str) -> String {
    format!("http://{}{path}", child_addr())
}

/// A server process, killed when dropped; its output goes to a log file
/// shown when it fails to start.
pub struct ChildServer {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl ChildServer {
    /// Starts the command `make` builds for a fresh [`child_addr`] and
    /// waits until it accepts connections there; if the child exits first
    /// (another process took the port in between), tries a new address,
    /// up to [`START_ATTEMPTS`] times. `name` names it in the log file
    /// and in failures.
    pub fn start(name: &str, mut make: impl FnMut(SocketAddr) -> Command) -> ChildServer {
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            let addr = child_addr();
            let log = std::env::temp_dir().join(format!(
                "mcpwire-test-{name}-{}-{}.log",
                std::process::id(),
                addr.port()
            ));
            let file = std::fs::File::create(&log)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
            let out = file
                .try_clone()
                .unwrap_or_else(|e| panic!("cannot share {}: {e}", log.display()));
            let child = make(addr)
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(file)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
            let mut server = ChildServer { child, addr, log };
            match server.wait_listening() {
                Ok(()) => return server,
                Err(why) => failures.push(why),
            }
        }
        panic!("{name} never listened:\n{}", failures.join("\n"));
    }

    /// Waits until the child accepts connections while still running:
    /// then the listener is the child's.
    fn wait_listening(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + LISTEN_PATIENCE;
        loop {
            let accepts = TcpStream::connect(self.addr).is_ok();
            match self.child.try_wait() {
                Ok(None) if accepts => return Ok(()),
                Ok(None) => {}
                Ok(Some(status)) => {
                    return Err(format!(
                        "exited with {status} on {}: {}",
                        self.addr,
                        self.log_text()
                    ));
                }
                Err(e) => return Err(format!("cannot watch the child: {e}")),
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return Err(format!(
                    "not listening on {} after {LISTEN_PATIENCE:?}: {}",
                    self.addr,
                    self.log_text()
                ));
            }
            std::thread::sleep(crate::eventually::POLL_EVERY);
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The MCP endpoint: `http://127.0.0.1:PORT/mcp`.
    pub fn mcp_url(&self) -> String {
        self.url("/mcp")
    }

    /// What the child wrote so far, stdout and stderr together.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
