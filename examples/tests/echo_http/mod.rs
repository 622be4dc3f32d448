//! The echo example serving Streamable HTTP on a free local port, for the
//! tests that drive it with other clients.

use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::common;

/// The echo example serving Streamable HTTP on a free local port; killed on drop.
pub struct EchoHttp {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl EchoHttp {
    /// Starts `echo http 127.0.0.1:PORT` and waits until the port accepts.
    /// The port is found by binding port 0 and letting it go, so another
    /// process may take it in between: then the server exits and we retry.
    pub fn start() -> Self {
        let echo = common::example("echo");
        let mut last_failure = String::new();
        for _ in 0..5 {
            let addr = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free local port");
            let log = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("http_interop-echo-{}.log", addr.port()));
            let out = File::create(&log).expect("server log file");
            let err = out.try_clone().expect("server log file");
            let child = Command::new(&echo)
                .arg("http")
                .arg(addr.to_string())
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .unwrap_or_else(|e| panic!("spawning {}: {e}", echo.display()));
            let mut server = EchoHttp { child, addr, log };
            match server.wait_until_accepting(Duration::from_secs(30)) {
                Ok(()) => return server,
                Err(why) => last_failure = why,
            }
        }
        panic!("the echo example never served HTTP: {last_failure}");
    }

    fn wait_until_accepting(&mut self, limit: Duration) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "echo http {} exited with {status}: {}",
                    self.addr,
                    self.log_text()
                ));
            }
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if started.elapsed() > limit {
                return Err(format!(
                    "echo http {} did not accept connections within {limit:?}: {}",
                    self.addr,
                    self.log_text()
                ));
            }
            sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for EchoHttp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
