//! Helpers shared by the example tests: where the built examples are, a
//! served example that printed its endpoint, and plain HTTP requests.
// Each test binary uses a different subset.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// The longest an example may take to start listening, or to print a line
/// the test waits for.
pub const LINE_DEADLINE: Duration = Duration::from_secs(30);

/// The longest a plain HTTP exchange with an example may take.
pub const HTTP_DEADLINE: Duration = Duration::from_secs(10);

/// The largest answer [`http`] reads.
pub const MAX_HTTP_ANSWER: u64 = 1 << 20;

/// The path of a built example: `cargo test -p mcpwire-examples` builds
/// the examples before it runs the integration tests of their package, next
/// to the test binaries. A test target picked with `--test` alone builds no
/// example, so an example older than its source fails here rather than
/// testing stale code.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let path = dir.join("examples").join(name);
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("{name}.rs"));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let (built, written) = (modified(&path), modified(&source));
    assert!(
        built.is_some() && built >= written,
        "{} is {} {}: run the tests with `cargo test -p mcpwire-examples` (which builds the \
         examples), not with `--test` alone",
        path.display(),
        if built.is_some() {
            "older than"
        } else {
            "not built from"
        },
        source.display()
    );
    path
}

/// Runs the example `name` with `args` and `env` to its end, stdin closed.
pub fn run(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let path = example(name);
    Command::new(&path)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", path.display()))
}

/// An example server started on `127.0.0.1:0`; killed on drop.
///
/// The example binds, then prints its MCP endpoint as the first line on
/// stdout: reading that line is the hand-off, with no port chosen ahead
/// and no polling.
pub struct Served {
    child: Child,
    lines: mpsc::Receiver<String>,
    log: Arc<Mutex<String>>,
    /// The MCP endpoint the example printed, `http://127.0.0.1:PORT/mcp`.
    pub url: String,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Served {
    /// Starts the example `name` with `args` (which should make it listen
    /// on `127.0.0.1:0`) and waits for the endpoint it prints.
    pub fn start(name: &str, args: &[&str]) -> Served {
        let path = example(name);
        let mut child = Command::new(&path)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {}: {e}", path.display()));
        let log = Arc::<Mutex<String>>::default();
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            // Reads to the end, so the example never blocks on a full pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut served = Served {
            child,
            lines,
            log,
            url: String::new(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let url = served.line();
        let addr = url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/mcp"))
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "{name} printed {url:?}, not http://ADDR/mcp; stderr: {}",
                    served.log_text()
                )
            });
        served.url = url;
        served.addr = addr;
        served
    }

    /// The next line the example prints on stdout, within [`LINE_DEADLINE`].
    pub fn line(&mut self) -> String {
        match self.lines.recv_timeout(LINE_DEADLINE) {
            Ok(line) => line,
            Err(e) => panic!(
                "no line on stdout within {LINE_DEADLINE:?} ({e}; exit: {:?}); stderr: {}",
                self.child.try_wait(),
                self.log_text()
            ),
        }
    }

    /// What the example wrote to stderr so far.
    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Sends one plain HTTP/1.1 request to the example; see [`http`].
    pub fn http(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        http(self.addr, method, path, headers, body)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer: status, headers (names in lower case) and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// The first value of the header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one HTTP/1.1 request with `Connection: close` (and `Host` set to
/// `addr` unless `headers` names one) and reads the whole answer, at most
/// [`MAX_HTTP_ANSWER`] bytes within [`HTTP_DEADLINE`]. For answers with a
/// `Content-Length` or that end with the connection, not chunked ones.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = TcpStream::connect_timeout(&addr, HTTP_DEADLINE).expect("connecting");
    stream.set_read_timeout(Some(HTTP_DEADLINE)).unwrap();
    stream.set_write_timeout(Some(HTTP_DEADLINE)).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {addr}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).expect("sending");
    let mut raw = Vec::new();
    stream
        .take(MAX_HTTP_ANSWER)
        .read_to_end(&mut raw)
        .expect("reading the answer");
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// Runs `program` with `args` in `cwd`, writes `stdin` to it and closes
/// it, and waits for its end at most `deadline`: past that it is killed
/// and the test fails with what it printed so far.
pub fn run_within(
    program: &Path,
    args: &[&str],
    cwd: &Path,
    stdin: &[u8],
    deadline: Duration,
) -> Output {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the child");
    rt.block_on(async {
        let mut child = tokio::process::Command::new(program)
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {}: {e}", program.display()));
        let mut input = child.stdin.take().expect("piped stdin");
        let mut out = child.stdout.take().expect("piped stdout");
        let mut err = child.stderr.take().expect("piped stderr");
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let ended = tokio::time::timeout(deadline, async {
            // A program that exits without reading all its input is the
            // test's business, not a broken pipe here.
            let write = async {
                let _ = input.write_all(stdin).await;
                drop(input);
            };
            let (_, _, _, status) = tokio::join!(
                write,
                out.read_to_end(&mut stdout),
                err.read_to_end(&mut stderr),
                child.wait()
            );
            status.expect("waiting for the child")
        })
        .await;
        let Ok(status) = ended else {
            let _ = child.kill().await;
            panic!(
                "{} {args:?} did not end within {deadline:?}; stdout: {}; stderr: {}",
                program.display(),
                String::from_utf8_lossy(&stdout),
                String::from_utf8_lossy(&stderr)
            )
        };
        Output {
            status,
            stdout,
            stderr,
        }
    })
}
