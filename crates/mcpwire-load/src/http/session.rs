//! An MCP session over the HTTP/1.1 client: `initialize`, prebuilt `echo` calls verified
//! answer by answer, and `DELETE` at the end.

use std::io::Write;

use serde_json::{Value, json};

use super::conn::{
    Conn, Endpoint, Head, MODERN_META, PROTOCOL_VERSION, each_message, post_request,
};
use crate::echo::{Echo, check_echo, echo_text, show};

/// How the response bodies of a phase were framed and typed.
#[derive(Clone, Copy, Default)]
pub struct Bodies {
    /// `application/json` bodies.
    pub json: u64,
    /// `text/event-stream` bodies.
    pub sse: u64,
    /// Chunked bodies (of either type).
    pub chunked: u64,
    /// Responses that carried `Connection: close` or no length (the connection was replaced).
    pub closed: u64,
}

impl Bodies {
    /// Adds the counts of `o`.
    pub fn add(&mut self, o: Bodies) {
        self.json += o.json;
        self.sse += o.sse;
        self.chunked += o.chunked;
        self.closed += o.closed;
    }

    /// The counts as a JSON object.
    pub fn to_json(self) -> Value {
        json!({"json": self.json, "sse": self.sse, "chunked": self.chunked, "closed": self.closed})
    }
}

/// `Ok(true)` for a correct `echo` answer to `id` with `text`, `Ok(false)` for a
/// server-initiated message, `Err` otherwise (see [`check_echo`]).
pub fn is_echo_answer(msg: &[u8], id: u64, text: &[u8]) -> Result<bool, String> {
    let found = check_echo(msg, |got| match got == id {
        true => Ok(text),
        false => Err(format!("expected the response to id {id}")),
    })?;
    Ok(matches!(found, Echo::Answer(_)))
}

/// A connection and the MCP session on it.
pub struct Session {
    ep: Endpoint,
    /// The connection the session's requests go over.
    pub conn: Conn,
    /// The `Mcp-Session-Id` the server issued, if any.
    pub id: Option<String>,
    /// How this session's call answers were framed.
    pub bodies: Bodies,
    scratch: Vec<u8>,
}

impl Session {
    /// Connects (or reuses `conn`), sends `initialize` and `notifications/initialized`; for a
    /// stateless endpoint, sends `server/discover` instead and holds no session.
    pub fn open(ep: &Endpoint, conn: Option<Conn>) -> Result<Self, String> {
        let conn = match conn {
            Some(c) => c,
            None => Conn::open(ep.addr)?,
        };
        let mut s = Session {
            ep: ep.clone(),
            conn,
            id: None,
            bodies: Bodies::default(),
            scratch: Vec::new(),
        };
        let (method, init, answered_at) = if ep.modern {
            let init = format!(
                r#"{{"jsonrpc":"2.0","id":0,"method":"server/discover","params":{{{MODERN_META}}}}}"#
            );
            ("server/discover", init, "/result/supportedVersions")
        } else {
            let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "http-load", "version": "0"},
            }});
            ("initialize", init.to_string(), "/result/protocolVersion")
        };
        let mut req = Vec::new();
        post_request(ep, None, (method, None), init.as_bytes(), &mut req);
        let head = s.exchange(&req).map_err(|e| format!("{method}: {e}"))?;
        let body = &s.conn.body;
        if head.status != 200 {
            return Err(format!("{method} answered {}: {}", head.status, show(body)));
        }
        let answered = each_message(head.sse, body, &mut s.scratch, |m| {
            let v: Value = serde_json::from_slice(m)
                .map_err(|e| format!("unparsable {method} answer ({e}): {}", show(m)))?;
            if v.get("method").is_some() {
                return Ok(false);
            }
            if v.get("id") != Some(&json!(0)) || v.pointer(answered_at).is_none() {
                return Err(format!("bad {method} answer: {}", show(m)));
            }
            Ok(true)
        })?;
        if !answered {
            return Err(format!("no {method} answer in: {}", show(body)));
        }
        if ep.modern {
            return Ok(s);
        }
        s.id = head.session;
        req.clear();
        post_request(
            ep,
            s.id.as_deref(),
            ("notifications/initialized", None),
            br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            &mut req,
        );
        let head = s
            .exchange(&req)
            .map_err(|e| format!("notifications/initialized: {e}"))?;
        if head.status != 202 {
            return Err(format!(
                "notifications/initialized answered {}, expected 202: {}",
                head.status,
                show(&s.conn.body)
            ));
        }
        Ok(s)
    }

    /// A new connection to session `id`, opened on another connection (no handshake): its
    /// calls run beside those of the first.
    pub fn join(ep: &Endpoint, id: Option<String>) -> Result<Self, String> {
        Ok(Session {
            ep: ep.clone(),
            conn: Conn::open(ep.addr)?,
            id,
            bodies: Bodies::default(),
            scratch: Vec::new(),
        })
    }

    /// Writes one prebuilt request and reads its response; replaces the connection if the server closes it.
    fn exchange(&mut self, req: &[u8]) -> Result<Head, String> {
        self.conn
            .stream
            .write_all(req)
            .map_err(|e| format!("writing request: {e}"))?;
        let head = self
            .conn
            .read_response()
            .map_err(|e| format!("reading response: {e}"))?;
        self.settle(&head)?;
        Ok(head)
    }

    /// After a response: replaces the connection if the server is closing it.
    pub fn settle(&mut self, head: &Head) -> Result<(), String> {
        if head.close {
            self.bodies.closed += 1;
            let fresh = Conn::open(self.ep.addr)?;
            let old = std::mem::replace(&mut self.conn, fresh);
            self.conn.body = old.body;
        }
        Ok(())
    }

    /// Writes request `i` of `calls`.
    pub fn send(&mut self, calls: &Calls, i: usize) -> Result<(), String> {
        self.conn
            .stream
            .write_all(calls.request(i))
            .map_err(|e| format!("writing request: {e}"))
    }

    /// Verifies `head` and the body in `conn.body` as the answer to request `i` of `calls`.
    pub fn verify_call(&mut self, head: &Head, calls: &Calls, i: usize) -> Result<(), String> {
        let body = &self.conn.body;
        if head.status != 200 {
            return Err(format!(
                "tools/call answered {}: {}",
                head.status,
                show(body)
            ));
        }
        let b = &mut self.bodies;
        if head.sse {
            b.sse += 1;
        } else {
            b.json += 1;
        }
        if head.chunked {
            b.chunked += 1;
        }
        let (id, text) = (calls.first_id + i as u64, calls.text(i));
        if !each_message(head.sse, body, &mut self.scratch, |m| {
            is_echo_answer(m, id, text)
        })? {
            return Err(format!("no answer to id {id} in: {}", show(body)));
        }
        Ok(())
    }

    /// Ends the session with DELETE when the server issued an id (any answer is fine); gives back the connection.
    pub fn close(mut self) -> Option<Conn> {
        let Some(id) = self.id.take() else {
            return Some(self.conn);
        };
        let req = format!(
            "DELETE {} HTTP/1.1\r\nHost: {}\r\nMcp-Session-Id: {id}\r\n\
             MCP-Protocol-Version: {PROTOCOL_VERSION}\r\n\r\n",
            self.ep.path, self.ep.host
        );
        self.exchange(req.as_bytes()).ok().map(|_| self.conn)
    }
}

/// The `echo` calls of one session, prebuilt as complete HTTP requests in one buffer.
pub struct Calls {
    bytes: Vec<u8>,
    /// `starts[i]..starts[i + 1]` is request `i`; `n + 1` entries.
    starts: Vec<usize>,
    /// Offset in `bytes` of request `i`'s text argument (`size` bytes, no escapes needed).
    text_at: Vec<usize>,
    size: usize,
    first_id: u64,
}

impl Calls {
    /// `n` calls for `session` with ids from `first_id`, each with `size` bytes of text
    /// (see [`echo_text`]).
    pub fn new(ep: &Endpoint, session: Option<&str>, first_id: u64, n: usize, size: usize) -> Self {
        let mut bytes = Vec::with_capacity(n * (size + 330));
        let mut starts = Vec::with_capacity(n + 1);
        let mut text_at = Vec::with_capacity(n);
        let mut body = Vec::with_capacity(size + 110);
        for i in 0..n {
            let id = first_id + i as u64;
            body.clear();
            let _ = write!(
                body,
                r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"echo","arguments":{{"text":""#
            );
            let text_in_body = body.len();
            echo_text(id, size, &mut body);
            body.extend_from_slice(b"\"}");
            if ep.modern {
                body.push(b',');
                body.extend_from_slice(MODERN_META.as_bytes());
            }
            body.extend_from_slice(b"}}");
            starts.push(bytes.len());
            let at = post_request(ep, session, ("tools/call", Some("echo")), &body, &mut bytes);
            text_at.push(at + text_in_body);
        }
        starts.push(bytes.len());
        Self {
            bytes,
            starts,
            text_at,
            size,
            first_id,
        }
    }

    /// How many calls there are.
    pub fn len(&self) -> usize {
        self.text_at.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.text_at.is_empty()
    }

    fn request(&self, i: usize) -> &[u8] {
        &self.bytes[self.starts[i]..self.starts[i + 1]]
    }

    fn text(&self, i: usize) -> &[u8] {
        &self.bytes[self.text_at[i]..self.text_at[i] + self.size]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_text_is_an_error() {
        let msg = br#"{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"no"}]}}"#;
        assert!(is_echo_answer(msg, 3, b"yes").is_err());
        let e = is_echo_answer(msg, 4, b"no").unwrap_err();
        assert!(e.contains("expected the response to id 4"), "{e}");
        assert_eq!(is_echo_answer(msg, 3, b"no"), Ok(true));
        let note = br#"{"jsonrpc":"2.0","method":"notifications/message"}"#;
        assert_eq!(is_echo_answer(note, 3, b"no"), Ok(false));
    }
}
