//! A hand-written HTTP/1.1 client on `std::net::TcpStream` for the load drivers: prebuilt
//! POST requests and keep-alive connections that read `Content-Length`, chunked and
//! read-to-close bodies, and the JSON-RPC messages in a JSON or SSE body.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::echo::show;
pub use crate::era::{MODERN_VERSION, PROTOCOL_VERSION};

/// Longest wait for any single connect, read or write before the run is failed.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// The most a connection buffers of one response (head and body), in bytes; a larger one
/// fails the read, so a server cannot exhaust the driver's memory.
pub const MAX_RESPONSE: usize = 64 * 1024 * 1024;

/// Where the server listens and what every request carries in its request line and `Host`.
#[derive(Clone)]
pub struct Endpoint {
    /// The server's address.
    pub addr: SocketAddr,
    /// The `Host` header.
    pub host: String,
    /// The path of the MCP endpoint, such as `/mcp`.
    pub path: String,
    /// Stateless 2026-07-28 requests (no session; `_meta` and the `Mcp-Method`/`Mcp-Name`
    /// headers on every request) instead of a 2025-11-25 session.
    pub modern: bool,
}

/// The `_meta` every 2026-07-28 request of the driver carries.
pub const MODERN_META: &str = r#""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"http-load","version":"0"},"io.modelcontextprotocol/clientCapabilities":{}}"#;

/// Status and headers of a response; its body is in [`Conn::body`].
pub struct Head {
    /// The status code.
    pub status: u16,
    /// `Content-Type: text/event-stream`.
    pub sse: bool,
    /// `Transfer-Encoding: chunked`.
    pub chunked: bool,
    /// The `Mcp-Session-Id` header.
    pub session: Option<String>,
    /// `Connection: close`, or a body that ran to the end of the connection.
    pub close: bool,
}

/// One keep-alive connection with its receive buffer and the last response body (de-chunked).
pub struct Conn {
    /// The socket, for writing requests.
    pub stream: TcpStream,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// The body of the last response read.
    pub body: Vec<u8>,
    /// While [`Conn::try_response`] parses: never read, flag `starved` instead.
    buffered_only: bool,
    starved: bool,
}

impl Conn {
    /// Connects to `addr` with TCP_NODELAY and [`IO_TIMEOUT`] for the connect and for every
    /// read and write.
    pub fn open(addr: SocketAddr) -> Result<Self, String> {
        Self::open_within(addr, IO_TIMEOUT)
    }

    /// [`Conn::open`] with `timeout` for the connect and for every read and write.
    pub fn open_within(addr: SocketAddr, timeout: Duration) -> Result<Self, String> {
        let stream = TcpStream::connect_timeout(&addr, timeout)
            .map_err(|e| format!("connecting to {addr}: {e}"))?;
        stream
            .set_nodelay(true)
            .and_then(|()| stream.set_read_timeout(Some(timeout)))
            .and_then(|()| stream.set_write_timeout(Some(timeout)))
            .map_err(|e| format!("setting socket options: {e}"))?;
        Ok(Self {
            stream,
            buf: vec![0; 16 * 1024],
            pos: 0,
            len: 0,
            body: Vec::with_capacity(4096),
            buffered_only: false,
            starved: false,
        })
    }

    /// Reads once more, unless only buffered bytes may be parsed (then fails with `starved` set).
    fn more(&mut self) -> io::Result<()> {
        if self.buffered_only {
            self.starved = true;
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "response incomplete",
            ));
        }
        self.fill()
    }

    /// A whole response if one is already buffered (its body in `self.body`); never reads.
    pub fn try_response(&mut self) -> io::Result<Option<Head>> {
        let start = self.pos;
        self.buffered_only = true;
        self.starved = false;
        let r = self.read_response();
        self.buffered_only = false;
        match r {
            Err(_) if self.starved => {
                self.pos = start; // parsed again from the start once more bytes are in
                Ok(None)
            }
            r => r.map(Some),
        }
    }

    /// Reads once more (after moving unread bytes to the front, growing a full buffer up to
    /// [`MAX_RESPONSE`]).
    pub fn fill(&mut self) -> io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.pos = 0;
        }
        if self.len == self.buf.len() {
            if self.len >= MAX_RESPONSE {
                return Err(too_large());
            }
            let grown = (self.buf.len() * 2).min(MAX_RESPONSE);
            self.buf.resize(grown, 0);
        }
        loop {
            match self.stream.read(&mut self.buf[self.len..]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "server closed the connection",
                    ));
                }
                Ok(n) => {
                    self.len += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Buffers at least `n` unread bytes.
    fn want(&mut self, n: usize) -> io::Result<()> {
        while self.len - self.pos < n {
            self.more()?;
        }
        Ok(())
    }

    /// The next line (without `\r\n`) as a range of `buf`, valid until the next `fill`.
    fn line(&mut self) -> io::Result<(usize, usize)> {
        loop {
            if let Some(i) = self.buf[self.pos..self.len]
                .iter()
                .position(|&b| b == b'\n')
            {
                let start = self.pos;
                self.pos += i + 1;
                let end = if i > 0 && self.buf[start + i - 1] == b'\r' {
                    start + i - 1
                } else {
                    start + i
                };
                return Ok((start, end));
            }
            self.more()?;
        }
    }

    /// Reads one whole response; its body ends up in `self.body`.
    pub fn read_response(&mut self) -> io::Result<Head> {
        let bad = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
        loop {
            let (a, b) = self.line()?;
            let status_line = &self.buf[a..b];
            let status = status_line
                .split(|&c| c == b' ')
                .nth(1)
                .and_then(|s| std::str::from_utf8(s).ok()?.parse::<u16>().ok())
                .filter(|_| status_line.starts_with(b"HTTP/1."))
                .ok_or_else(|| bad(format!("bad status line: {}", show(status_line))))?;
            let mut head = Head {
                status,
                sse: false,
                chunked: false,
                session: None,
                close: false,
            };
            let mut length = None;
            loop {
                let (a, b) = self.line()?;
                if a == b {
                    break;
                }
                let line = &self.buf[a..b];
                let Some(colon) = line.iter().position(|&c| c == b':') else {
                    return Err(bad(format!("bad header line: {}", show(line))));
                };
                let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
                let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
                let lower = || String::from_utf8_lossy(value).to_ascii_lowercase();
                if is("content-length") {
                    length = Some(
                        std::str::from_utf8(value)
                            .ok()
                            .and_then(|v| v.parse::<usize>().ok())
                            .ok_or_else(|| bad(format!("bad Content-Length: {}", show(value))))?,
                    );
                } else if is("transfer-encoding") {
                    head.chunked = lower().contains("chunked");
                } else if is("content-type") {
                    head.sse = lower().starts_with("text/event-stream");
                } else if is("mcp-session-id") {
                    head.session = Some(String::from_utf8_lossy(value).into_owned());
                } else if is("connection") {
                    head.close = lower().contains("close");
                }
            }
            if (100..200).contains(&status) {
                continue; // 100 Continue and friends: the real response follows
            }
            self.body.clear();
            if head.chunked {
                loop {
                    let (a, b) = self.line()?;
                    let size = &self.buf[a..b];
                    let hex = size.split(|&c| c == b';').next().unwrap_or_default();
                    let n = std::str::from_utf8(hex)
                        .ok()
                        .and_then(|h| usize::from_str_radix(h.trim(), 16).ok())
                        .ok_or_else(|| bad(format!("bad chunk size: {}", show(size))))?;
                    if n > MAX_RESPONSE.saturating_sub(self.body.len()) {
                        return Err(too_large());
                    }
                    if n == 0 {
                        // Trailers, up to the empty line.
                        loop {
                            let (a, b) = self.line()?;
                            if a == b {
                                break;
                            }
                        }
                        break;
                    }
                    self.want(n + 2)?;
                    self.body
                        .extend_from_slice(&self.buf[self.pos..self.pos + n]);
                    self.pos += n + 2;
                }
            } else if let Some(n) = length {
                if n > MAX_RESPONSE {
                    return Err(too_large());
                }
                self.want(n)?;
                self.body
                    .extend_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
            } else if status != 204 && status != 304 {
                // No framing: the body runs to the end of the connection (always read blocking).
                head.close = true;
                loop {
                    if self.body.len() + (self.len - self.pos) > MAX_RESPONSE {
                        return Err(too_large());
                    }
                    self.body.extend_from_slice(&self.buf[self.pos..self.len]);
                    self.pos = self.len;
                    match self.fill() {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                        Err(e) => return Err(e),
                    }
                }
            }
            return Ok(head);
        }
    }
}

/// The error of a response past [`MAX_RESPONSE`].
fn too_large() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("a response larger than {MAX_RESPONSE} bytes"),
    )
}

/// Appends a POST of `body` to `out`, naming `method` (and the tool or resource `name`) in
/// the `Mcp-Method`/`Mcp-Name` headers of a stateless endpoint and `session` in
/// `Mcp-Session-Id`; returns the offset in `out` where the body starts.
pub fn post_request(
    ep: &Endpoint,
    session: Option<&str>,
    (method, name): (&str, Option<&str>),
    body: &[u8],
    out: &mut Vec<u8>,
) -> usize {
    let version = if ep.modern {
        MODERN_VERSION
    } else {
        PROTOCOL_VERSION
    };
    // Writing to a Vec cannot fail.
    let _ = write!(
        out,
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: {version}\r\n",
        ep.path, ep.host
    );
    if ep.modern {
        let _ = write!(out, "Mcp-Method: {method}\r\n");
        if let Some(name) = name {
            let _ = write!(out, "Mcp-Name: {name}\r\n");
        }
    }
    if let Some(s) = session {
        let _ = write!(out, "Mcp-Session-Id: {s}\r\n");
    }
    let _ = write!(out, "Content-Length: {}\r\n\r\n", body.len());
    let at = out.len();
    out.extend_from_slice(body);
    at
}

/// Calls `f` on each JSON-RPC message of a body: the body itself for JSON, the `data` of each
/// event for SSE (events without data are skipped). Stops at the first `Ok(true)` and returns it.
pub fn each_message(
    sse: bool,
    body: &[u8],
    scratch: &mut Vec<u8>,
    mut f: impl FnMut(&[u8]) -> Result<bool, String>,
) -> Result<bool, String> {
    if !sse {
        return f(body);
    }
    scratch.clear();
    for line in body.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            if !scratch.is_empty() && f(scratch)? {
                return Ok(true);
            }
            scratch.clear();
        } else if let Some(data) = line.strip_prefix(b"data:") {
            if !scratch.is_empty() {
                scratch.push(b'\n');
            }
            scratch.extend_from_slice(data.strip_prefix(b" ").unwrap_or(data));
        }
    }
    if !scratch.is_empty() {
        return f(scratch);
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::session::is_echo_answer;
    use std::net::TcpListener;

    /// Serves `canned` bytes to the first connection, after reading whatever the client sends.
    fn canned_conn(canned: impl Into<Vec<u8>>) -> Conn {
        let canned = canned.into();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.write_all(&canned).unwrap();
            let _ = s.read(&mut [0; 64]);
        });
        Conn::open(addr).unwrap()
    }

    #[test]
    fn chunked_sse_then_content_length() {
        let mut c = canned_conn(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\
              mcp-session-id: abc\r\n\r\n\
              7\r\nid: 1\n\n\r\n\
              34\r\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}\n\n\r\n\
              1e\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\r\n\
              35\r\n\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}}\n\n\r\n\
              0\r\nx-trailer: 1\r\n\r\n\
              HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n",
        );
        let head = c.read_response().unwrap();
        assert!(head.sse && head.chunked && !head.close);
        assert_eq!((head.status, head.session.as_deref()), (200, Some("abc")));
        let mut scratch = Vec::new();
        let found = each_message(true, &c.body, &mut scratch, |m| is_echo_answer(m, 7, b"hi"));
        assert_eq!(found, Ok(true));
        let head = c.read_response().unwrap();
        assert_eq!(head.status, 202);
        assert!(c.body.is_empty());
    }

    #[test]
    fn a_body_past_the_bound_is_refused_before_it_is_buffered() {
        let huge_length = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{{}}",
            MAX_RESPONSE + 1
        );
        let huge_chunk =
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nffffffffffffffff\r\n{}";
        for canned in [huge_length.as_str(), huge_chunk] {
            let mut c = canned_conn(canned);
            let e = c.read_response().err().unwrap();
            assert_eq!(e.kind(), io::ErrorKind::InvalidData);
            assert!(e.to_string().contains("larger than"), "{e}");
            assert!(c.body.capacity() < 1 << 20);
        }
        // a plain answer on a new connection is read as before
        let mut c = canned_conn(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
        assert_eq!(c.read_response().unwrap().status, 200);
        assert_eq!(c.body, b"{}");
    }

    #[test]
    fn a_body_without_framing_runs_to_the_close() {
        let mut c =
            canned_conn(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"a\":1}");
        // the canned server closes after the client's first write
        c.stream.write_all(b"x").unwrap();
        let head = c.read_response().unwrap();
        assert!(head.close && !head.sse);
        assert_eq!(c.body, br#"{"a":1}"#);
    }
}
