//! The HTTP driver against a small in-process MCP server on 127.0.0.1:0
//! that answers as JSON or SSE, closes connections, or answers wrongly, so
//! sessions and the multi-session loop run over real sockets.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use mcpwire_load::http::bench::measure;
use mcpwire_load::http::{Calls, Endpoint, Session, run_calls};
use mcpwire_load::options::{Driver, Invocation, parse};
use serde_json::{Value, json};

/// How the fake server answers calls.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Json,
    /// SSE with a notification before the answer.
    Sse,
    /// JSON with `Connection: close`, then the connection is closed.
    Close,
    /// JSON with the text reversed.
    Wrong,
    /// 500 for every call.
    Fail,
}

/// Starts the fake server; returns its endpoint.
fn serve(mode: Mode, modern: bool) -> Endpoint {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || connection(conn, mode));
        }
    });
    endpoint(addr, modern)
}

fn endpoint(addr: SocketAddr, modern: bool) -> Endpoint {
    Endpoint {
        addr,
        host: addr.to_string(),
        path: "/mcp".into(),
        modern,
    }
}

/// Serves one connection until the client closes it.
fn connection(conn: TcpStream, mode: Mode) {
    let mut w = conn.try_clone().unwrap();
    let mut r = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let method = line.split(' ').next().unwrap_or("").to_owned();
        let mut length = 0;
        loop {
            let mut h = String::new();
            r.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some(v) = h.strip_prefix("Content-Length: ") {
                length = v.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        r.read_exact(&mut body).unwrap();
        let (status, ctype, payload, close) = answer(&method, &body, mode);
        let mut head = format!(
            "HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\nmcp-session-id: s1\r\n",
            payload.len()
        );
        if close {
            head += "connection: close\r\n";
        }
        head += "\r\n";
        // One write: a second small one would wait for the delayed ACK of the first.
        w.write_all((head + &payload).as_bytes()).unwrap();
        if close {
            return;
        }
    }
}

fn answer(method: &str, body: &[u8], mode: Mode) -> (&'static str, &'static str, String, bool) {
    if method == "DELETE" {
        return ("200 OK", "application/json", String::new(), false);
    }
    let msg: Value = serde_json::from_slice(body).unwrap();
    let result = match msg["method"].as_str().unwrap_or("") {
        "initialize" => json!({"protocolVersion": "2025-11-25", "capabilities": {}}),
        "server/discover" => json!({"supportedVersions": ["2026-07-28"]}),
        "notifications/initialized" => {
            return ("202 Accepted", "application/json", String::new(), false);
        }
        _ => {
            let text = msg["params"]["arguments"]["text"].as_str().unwrap_or("");
            let text: String = match mode {
                Mode::Wrong => text.chars().rev().collect(),
                _ => text.to_owned(),
            };
            json!({"content": [{"type": "text", "text": text}]})
        }
    };
    let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": result}).to_string();
    let is_call = msg["method"] == "tools/call";
    match mode {
        Mode::Fail if is_call => (
            "500 Internal Server Error",
            "text/plain",
            "boom".into(),
            false,
        ),
        Mode::Sse if is_call => (
            "200 OK",
            "text/event-stream",
            format!(
                "data: {{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}}\n\ndata: {reply}\n\n"
            ),
            false,
        ),
        Mode::Close if is_call => ("200 OK", "application/json", reply, true),
        _ => ("200 OK", "application/json", reply, false),
    }
}

/// Opens `k` sessions and `per` calls for each, ids unique across them.
fn sessions(ep: &Endpoint, k: usize, per: usize) -> (Vec<Session>, Vec<Calls>) {
    let sessions: Vec<Session> = (0..k).map(|_| Session::open(ep, None).unwrap()).collect();
    let calls = sessions
        .iter()
        .enumerate()
        .map(|(j, s)| Calls::new(ep, s.id.as_deref(), 1 + (j * per) as u64, per, 32))
        .collect();
    (sessions, calls)
}

#[test]
fn many_sessions_are_driven_at_once_and_every_call_timed() {
    for (mode, modern) in [(Mode::Json, false), (Mode::Sse, false), (Mode::Json, true)] {
        let ep = serve(mode, modern);
        let (mut s, calls) = sessions(&ep, 3, 50);
        assert_eq!(s[0].id.as_deref(), (!modern).then_some("s1"));
        let mut latencies = Vec::new();
        run_calls(&mut s, &calls, Some(&mut latencies)).unwrap();
        assert_eq!(latencies.len(), 150);
        let (json, sse) = s
            .iter()
            .fold((0, 0), |(j, e), s| (j + s.bodies.json, e + s.bodies.sse));
        match mode {
            Mode::Sse => assert_eq!((json, sse), (0, 150)),
            _ => assert_eq!((json, sse), (150, 0)),
        }
        // one session alone takes the blocking path
        let (mut one, calls) = sessions(&ep, 1, 20);
        run_calls(&mut one, &calls, None).unwrap();
        assert_eq!(one[0].bodies.json + one[0].bodies.sse, 20);
    }
}

#[test]
fn a_server_that_closes_each_connection_is_followed_to_a_new_one() {
    let ep = serve(Mode::Close, false);
    let (mut s, calls) = sessions(&ep, 2, 10);
    let mut latencies = Vec::new();
    run_calls(&mut s, &calls, Some(&mut latencies)).unwrap();
    assert_eq!(latencies.len(), 20);
    assert_eq!(s[0].bodies.closed + s[1].bodies.closed, 20);
}

#[test]
fn wrong_answers_end_the_run_and_say_which_session() {
    let ep = serve(Mode::Wrong, false);
    let (mut s, calls) = sessions(&ep, 2, 5);
    let e = run_calls(&mut s, &calls, None).unwrap_err();
    assert!(
        e.starts_with("session ") && e.contains("differs from the text sent"),
        "{e}"
    );
    let ep = serve(Mode::Fail, false);
    let (mut s, calls) = sessions(&ep, 1, 5);
    let e = run_calls(&mut s, &calls, None).unwrap_err();
    assert!(e.contains("tools/call answered 500: boom"), "{e}");
    // calls for the wrong number of sessions are refused before anything is sent
    let ep = serve(Mode::Json, false);
    let (mut s, mut calls) = sessions(&ep, 2, 5);
    calls.pop();
    assert_eq!(
        run_calls(&mut s, &calls, None).unwrap_err(),
        "2 sessions but calls for 1"
    );
    // and the same sessions then run their calls
    let (_, calls) = sessions(&ep, 2, 5);
    run_calls(&mut s, &calls, None).unwrap();
}

#[test]
fn a_server_that_already_runs_is_measured_at_its_url() {
    for modern in [false, true] {
        let ep = serve(Mode::Json, modern);
        let url = format!("http://{}/mcp", ep.addr);
        let mut line =
            format!("--url {url} --calls 40 --warmup 4 --sessions 1,4 --runs 2 --driver-cpu none");
        if modern {
            line += " --era 2026-07-28";
        }
        let Ok(Invocation::Measure(o)) = parse(Driver::Http, line.split(' ').map(String::from))
        else {
            panic!("{line}");
        };
        let row = measure(&o).unwrap();
        assert_eq!(row["url"], url.as_str());
        assert_eq!(row["per_run"].as_array().map(Vec::len), Some(2));
        let phases = row["phases"].as_array().unwrap();
        assert_eq!(phases.len(), 2);
        for p in phases {
            assert!(p["calls_per_s"].as_f64().unwrap() > 0.0, "{p}");
            assert_eq!(p["bodies"]["json"], 40, "{p}");
            // the driver did not start the server: it knows nothing of its CPU or memory
            assert!(p["server_busy"].is_null(), "{p}");
        }
        assert!(row["peak_rss_kib"].is_null());
    }
}
