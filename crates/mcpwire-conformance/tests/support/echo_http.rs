//! The echo example serving Streamable HTTP on a port the system picked,
//! for the tests that drive it with other clients.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// The longest the example may take to start listening.
pub const START_DEADLINE: Duration = Duration::from_secs(30);

/// The echo example serving Streamable HTTP; killed on drop.
pub struct EchoHttp {
    child: Child,
    url: String,
    log: Arc<Mutex<String>>,
}

impl EchoHttp {
    /// Starts `echo http 127.0.0.1:0` and waits for the endpoint it prints
    /// on stdout once it listens: the system picks the port, so no other
    /// process can take it in between.
    pub fn start() -> Self {
        let echo = super::echo();
        let child = Command::new(&echo)
            .args(["http", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {}: {e}", echo.display()));
        let mut server = EchoHttp {
            child,
            url: String::new(),
            log: Arc::default(),
        };
        let stderr = server.child.stderr.take().expect("piped stderr");
        let log = server.log.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut line = String::new();
            while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
                log.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let stdout = server.child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let first = reader.read_line(&mut line).map(|_| line);
            let _ = tx.send(first);
            // Keep reading, so the server never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        match rx.recv_timeout(START_DEADLINE) {
            Ok(Ok(line)) if line.starts_with("http://") => {
                server.url = line.trim().to_owned();
                server
            }
            Ok(Ok(line)) => panic!(
                "echo http printed {line:?} instead of its endpoint (exit: {:?}); stderr: {}",
                server.child.try_wait(),
                server.log_text()
            ),
            Ok(Err(e)) => panic!("reading the endpoint echo http prints: {e}"),
            Err(_) => panic!(
                "echo http did not listen within {START_DEADLINE:?}; stderr: {}",
                server.log_text()
            ),
        }
    }

    /// The MCP endpoint, `http://127.0.0.1:PORT/mcp`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// What the server wrote to stderr so far.
    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for EchoHttp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
