//! Raw HTTP/1.1 of the soak scenarios: requests with any headers, the JSON-RPC bodies they
//! carry, the messages of an answer, and the plain client that keeps calling `echo` while a
//! scenario attacks the server.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use mcpwire_load::echo::show;
use mcpwire_load::http::{
    Conn, Endpoint, MODERN_META, MODERN_VERSION, PROTOCOL_VERSION, each_message,
};
use mcpwire_load::http::{Session, is_echo_answer};

/// The endpoint `/mcp` of a server on `addr`, in the 2025-11-25 (sessions) or 2026-07-28
/// (stateless) revision.
pub fn endpoint(addr: SocketAddr, modern: bool) -> Endpoint {
    Endpoint {
        addr,
        host: addr.to_string(),
        path: "/mcp".to_owned(),
        modern,
    }
}

/// A POST of `body` to the endpoint with the usual MCP headers plus `extra`.
pub fn post(ep: &Endpoint, extra: &[(&str, &str)], body: &str) -> Vec<u8> {
    let version = if ep.modern {
        MODERN_VERSION
    } else {
        PROTOCOL_VERSION
    };
    let mut out = Vec::with_capacity(body.len() + 300);
    write!(
        out,
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: {version}\r\n",
        ep.path, ep.host
    )
    .expect("write to Vec");
    for (k, v) in extra {
        write!(out, "{k}: {v}\r\n").expect("write to Vec");
    }
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to Vec");
    out
}

/// A DELETE ending `session`.
pub fn delete(ep: &Endpoint, session: &str) -> Vec<u8> {
    format!(
        "DELETE {} HTTP/1.1\r\nHost: {}\r\nMcp-Session-Id: {session}\r\n\
         MCP-Protocol-Version: {PROTOCOL_VERSION}\r\n\r\n",
        ep.path, ep.host
    )
    .into_bytes()
}

/// A `tools/call` body; `progress` asks for progress with that token; `modern` adds the
/// 2026-07-28 `_meta`.
pub fn call_body(id: u64, tool: &str, args: &Value, progress: Option<u64>, modern: bool) -> String {
    let mut meta = String::new();
    if let Some(token) = progress {
        meta = format!(r#","_meta":{{"progressToken":{token}}}"#);
    }
    if modern {
        // The stateless revision's `_meta` replaces any other (the soak asks for no progress there).
        meta = format!(",{MODERN_META}");
    }
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"{tool}","arguments":{args}{meta}}}}}"#
    )
}

/// A `notifications/cancelled` body for request `id`.
pub fn cancel_body(id: u64) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","method":"notifications/cancelled","params":{{"requestId":{id},"reason":"soak"}}}}"#
    )
}

/// The status of an answer and the JSON-RPC messages of its body.
pub struct Answer {
    pub status: u16,
    pub messages: Vec<Value>,
    /// The server is closing the connection.
    pub closing: bool,
}

impl Answer {
    /// The response (not a notification) to request `id`, if the body holds it.
    pub fn response(&self, id: u64) -> Option<&Value> {
        self.messages
            .iter()
            .find(|m| m.get("method").is_none() && m["id"] == json!(id))
    }

    /// The text of the first content block of the result of the response to `id`.
    pub fn text(&self, id: u64) -> Option<&str> {
        self.response(id)?["result"]["content"][0]["text"].as_str()
    }
}

/// Writes `req` on `conn` and reads the whole answer.
pub fn exchange(conn: &mut Conn, req: &[u8]) -> Result<Answer, String> {
    conn.stream
        .write_all(req)
        .map_err(|e| format!("writing the request: {e}"))?;
    let head = conn
        .read_response()
        .map_err(|e| format!("reading the answer: {e}"))?;
    let mut messages = Vec::new();
    let mut scratch = Vec::new();
    let parsed = each_message(head.sse, &conn.body, &mut scratch, |m| {
        if !m.trim_ascii().is_empty() {
            messages.push(
                serde_json::from_slice(m)
                    .map_err(|e| format!("unparsable message ({e}): {}", show(m)))?,
            );
        }
        Ok(false)
    });
    // A refusal's body need not be JSON-RPC.
    if (200..300).contains(&head.status) {
        parsed?;
    }
    Ok(Answer {
        status: head.status,
        messages,
        closing: head.close,
    })
}

/// What the plain client saw.
#[derive(Default, Debug)]
pub struct PlainStats {
    /// Calls made.
    pub requests: u64,
    /// Calls without their right answer.
    pub lost: u64,
    /// The slowest call that succeeded, with the new connection it needed, if any.
    pub slowest: Duration,
    /// The first failure, in words.
    pub first_error: Option<String>,
}

/// A client that keeps calling `echo` on a session of its own while a scenario runs.
pub struct Plain {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<PlainStats>,
}

/// How the plain client behaves.
#[derive(Clone, Copy)]
pub struct PlainPace {
    /// Pause after each call.
    pub pause: Duration,
    /// A new TCP connection every this many calls, so that new connections are shown to get in.
    pub reconnect_every: u64,
    /// How long one call may take.
    pub timeout: Duration,
}

impl Plain {
    /// Starts calling `echo` on `ep` from a thread of its own.
    pub fn start(ep: Endpoint, pace: PlainPace) -> Plain {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || plain_loop(&ep, pace, &flag));
        Plain { stop, handle }
    }

    /// Stops it after its current call; what it saw.
    pub fn finish(self) -> PlainStats {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.join().unwrap_or_else(|_| PlainStats {
            lost: 1,
            first_error: Some("the plain client panicked".to_owned()),
            ..PlainStats::default()
        })
    }
}

/// One `echo` call on a session (or stateless); `Err` says what went wrong.
pub fn echo_once(
    conn: &mut Conn,
    ep: &Endpoint,
    session: Option<&str>,
    id: u64,
) -> Result<(), String> {
    let text = format!("plain-{id}");
    let body = call_body(id, "echo", &json!({"text": text}), None, ep.modern);
    let mut headers = Vec::new();
    if let Some(s) = session {
        headers.push(("Mcp-Session-Id", s));
    }
    if ep.modern {
        headers.push(("Mcp-Method", "tools/call"));
        headers.push(("Mcp-Name", "echo"));
    }
    conn.stream
        .write_all(&post(ep, &headers, &body))
        .map_err(|e| format!("writing call {id}: {e}"))?;
    let head = conn
        .read_response()
        .map_err(|e| format!("reading the answer to call {id}: {e}"))?;
    if head.status != 200 {
        return Err(format!(
            "call {id} answered {}: {}",
            head.status,
            show(&conn.body)
        ));
    }
    let mut scratch = Vec::new();
    if !each_message(head.sse, &conn.body, &mut scratch, |m| {
        is_echo_answer(m, id, text.as_bytes())
    })? {
        return Err(format!("no answer to call {id} in: {}", show(&conn.body)));
    }
    if head.close {
        *conn = Conn::open(ep.addr)?;
    }
    Ok(())
}

fn plain_loop(ep: &Endpoint, pace: PlainPace, stop: &AtomicBool) -> PlainStats {
    let mut st = PlainStats::default();
    let fail = |st: &mut PlainStats, e: String| {
        st.lost += 1;
        st.first_error.get_or_insert(e);
    };
    let mut id = 1u64;
    let mut current: Option<(Conn, Option<String>)> = None;
    while !stop.load(Ordering::SeqCst) {
        // Every connection may wait for the server to accept it as long as a call may take.
        let (conn, session) = match current.take() {
            Some(c) => c,
            None => match Conn::open_within(ep.addr, pace.timeout)
                .and_then(|c| Session::open(ep, Some(c)))
            {
                Ok(mut s) => {
                    let sid = s.id.take();
                    (s.conn, sid)
                }
                Err(e) => {
                    st.requests += 1;
                    fail(&mut st, format!("opening the plain session: {e}"));
                    std::thread::sleep(pace.pause.max(Duration::from_millis(100)));
                    continue;
                }
            },
        };
        let mut conn = conn;
        let started = Instant::now();
        if id.is_multiple_of(pace.reconnect_every.max(1)) {
            match Conn::open_within(ep.addr, pace.timeout) {
                Ok(c) => conn = c,
                Err(e) => {
                    st.requests += 1;
                    fail(&mut st, e);
                    id += 1;
                    continue;
                }
            }
        }
        st.requests += 1;
        match echo_once(&mut conn, ep, session.as_deref(), id) {
            Ok(()) => {
                st.slowest = st.slowest.max(started.elapsed());
                current = Some((conn, session));
            }
            // The session is opened again on a new connection.
            Err(e) => fail(&mut st, e),
        }
        id += 1;
        std::thread::sleep(pace.pause);
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    /// Serves one answer with `head` (status line and headers) and `body` to whatever request
    /// comes, on a free port.
    fn canned(head: &str, body: &str) -> SocketAddr {
        let response = format!("{head}\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 1024];
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut buf).unwrap();
                got.extend_from_slice(&buf[..n]);
            }
            s.write_all(response.as_bytes()).unwrap();
        });
        addr
    }

    #[test]
    fn an_sse_answer_yields_its_response_past_notifications() {
        let addr = canned(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream",
            "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}\n\n\
             data: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}}\n\n",
        );
        let mut c = Conn::open(addr).unwrap();
        let a = exchange(&mut c, &post(&endpoint(addr, false), &[], "{}")).unwrap();
        assert_eq!(a.status, 200);
        assert_eq!(a.messages.len(), 2);
        assert_eq!(a.text(7), Some("hi"));
        assert!(a.response(8).is_none());
    }

    #[test]
    fn a_refusal_may_have_any_body_but_a_success_must_be_json_rpc() {
        let addr = canned("HTTP/1.1 401 Unauthorized", "nope");
        let mut c = Conn::open(addr).unwrap();
        let a = exchange(&mut c, &post(&endpoint(addr, false), &[], "{}")).unwrap();
        assert_eq!((a.status, a.messages.len()), (401, 0));
        let addr = canned("HTTP/1.1 200 OK", "nope");
        let mut c = Conn::open(addr).unwrap();
        let e = exchange(&mut c, &post(&endpoint(addr, false), &[], "{}")).err();
        assert!(e.is_some_and(|e| e.contains("unparsable")));
    }

    #[test]
    fn bodies_are_json_rpc_with_progress_and_the_stateless_meta() {
        let v: Value =
            serde_json::from_str(&call_body(3, "wait", &json!({"ms": 1}), Some(3), false)).unwrap();
        assert_eq!(v["params"]["_meta"]["progressToken"], 3);
        assert_eq!(v["params"]["arguments"]["ms"], 1);
        let v: Value = serde_json::from_str(&call_body(4, "echo", &json!({}), None, true)).unwrap();
        assert_eq!(
            v["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
            "2026-07-28"
        );
        let v: Value = serde_json::from_str(&cancel_body(5)).unwrap();
        assert_eq!(v["params"]["requestId"], 5);
        let req = String::from_utf8(post(
            &endpoint("127.0.0.1:9".parse().unwrap(), false),
            &[("X-A", "b")],
            "{}",
        ))
        .unwrap();
        assert!(
            req.contains("\r\nX-A: b\r\n") && req.ends_with("Content-Length: 2\r\n\r\n{}"),
            "{req}"
        );
    }
}
