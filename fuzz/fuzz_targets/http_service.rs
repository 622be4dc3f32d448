//! The Streamable HTTP server as a tower `Service`, driven by a sequence
//! of HTTP requests the fuzzer builds (structure-aware, with `arbitrary`):
//! method, Host, Origin, Content-Type, Accept, `Mcp-Session-Id`,
//! `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`, `Last-Event-ID`, and a
//! body from the JSON-RPC grammar or raw bytes. No sockets: requests go
//! straight into the service on a current-thread runtime built once.
//!
//! Checks: nothing panics or hangs; every status is one the server means
//! to send; every JSON answer is a JSON-RPC response; and afterwards the
//! same service still serves: an `initialize`, then a `ping` in that
//! session, answered 200, and a 2026-07-28 `tools/list` answered 200.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::Arbitrary;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use libfuzzer_sys::fuzz_target;
use mcpwire::server::Server;
use mcpwire::transport::http_server::{Body, HostPolicy, HttpConfig, StreamableHttp};
use mcpwire_fuzz::grammar::{self, Revision, Text};
use mcpwire_types::{Incoming, Message};
use serde_json::{Value, json};
use tower_service::Service;

/// Most requests in one input.
const MAX_REQUESTS: usize = 16;

#[derive(Arbitrary, Debug)]
enum HttpMethod {
    Post,
    Get,
    Delete,
    Put,
}

#[derive(Arbitrary, Debug)]
enum SessionId {
    None,
    Latest,
    First,
    Other(Text),
}

#[derive(Arbitrary, Debug)]
enum Host {
    Localhost,
    LocalhostPort(u16),
    V4,
    V6,
    Foreign,
    Absent,
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Origin {
    Local,
    Foreign,
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum ContentType {
    Json,
    JsonCharset,
    Text,
    Absent,
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Accept {
    Both,
    JsonOnly,
    SseOnly,
    Any,
    Absent,
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Derived {
    /// What the body says.
    FromBody,
    Absent,
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Req {
    method: HttpMethod,
    session: SessionId,
    version: Option<Revision>,
    host: Host,
    origin: Option<Origin>,
    content_type: ContentType,
    accept: Accept,
    mcp_method: Derived,
    mcp_name: Derived,
    last_event_id: Option<Text>,
    body: grammar::Body,
}

#[derive(Arbitrary, Debug)]
struct Input {
    stateless: bool,
    requests: Vec<Req>,
}

/// How long one request may take before it counts as hung.
const DEADLINE: Duration = Duration::from_secs(5);

struct Fixture {
    runtime: tokio::runtime::Runtime,
    server: Server,
    /// Whether a stateless server answers a batch: see [`batches_answered`].
    stateless_batches_answered: bool,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let runtime = mcpwire_fuzz::runtime();
        let server = mcpwire_fuzz::server::echo_server();
        let stateless_batches_answered = runtime.block_on(batches_answered(&server));
        Fixture {
            runtime,
            server,
            stateless_batches_answered,
        }
    })
}

/// Known and reported: a stateless server takes a batch on the strength of
/// the protocol version header (2025-03-26 when absent), but its fresh
/// engine has negotiated nothing and refuses the batch with an error that
/// has no id, which never reaches the POST waiting for its answers; the
/// POST waits forever. Until that is fixed, inputs that send a stateless
/// server a batch are skipped; once a batch is answered, they are fuzzed.
async fn batches_answered(server: &Server) -> bool {
    let mut svc = StreamableHttp::new(server.clone(), HttpConfig::default().stateless(true));
    let batch = json!([{"jsonrpc": "2.0", "id": 1, "method": "ping"}]);
    let answered = tokio::time::timeout(Duration::from_secs(2), svc.call(post(&batch, None, None)))
        .await
        .is_ok();
    svc.close_all();
    answered
}

/// Whether `req` is one the known stateless batch hang would catch.
fn hits_known_hang(input: &Input, req: &Req) -> bool {
    input.stateless
        && matches!(req.method, HttpMethod::Post)
        && matches!(Incoming::parse(&req.body.bytes()), Incoming::Batch(_))
        && !fixture().stateless_batches_answered
}

fn raw(bytes: &[u8]) -> Option<HeaderValue> {
    HeaderValue::from_bytes(bytes).ok()
}

fn text(s: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(s).ok()
}

fn build(req: &Req, sessions: &[String]) -> Request<Full<Bytes>> {
    let method = match req.method {
        HttpMethod::Post => Method::POST,
        HttpMethod::Get => Method::GET,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Put => Method::PUT,
    };
    let mut r = Request::builder()
        .method(method)
        .uri("/mcp")
        .body(Full::new(Bytes::from(req.body.bytes())))
        .expect("a request");
    let h = r.headers_mut();
    let mut set = |name: &'static str, value: Option<HeaderValue>| {
        if let Some(v) = value {
            h.insert(name, v);
        }
    };
    set(
        "host",
        match &req.host {
            Host::Localhost => text("localhost"),
            Host::LocalhostPort(p) => text(&format!("localhost:{p}")),
            Host::V4 => text("127.0.0.1:8080"),
            Host::V6 => text("[::1]:8080"),
            Host::Foreign => text("evil.example"),
            Host::Absent => None,
            Host::Raw(b) => raw(b),
        },
    );
    set(
        "origin",
        match &req.origin {
            None => None,
            Some(Origin::Local) => text("http://localhost:5173"),
            Some(Origin::Foreign) => text("https://evil.example"),
            Some(Origin::Raw(b)) => raw(b),
        },
    );
    set(
        "content-type",
        match &req.content_type {
            ContentType::Json => text("application/json"),
            ContentType::JsonCharset => text("application/json; charset=utf-8"),
            ContentType::Text => text("text/plain"),
            ContentType::Absent => None,
            ContentType::Raw(b) => raw(b),
        },
    );
    set(
        "accept",
        match &req.accept {
            Accept::Both => text("application/json, text/event-stream"),
            Accept::JsonOnly => text("application/json"),
            Accept::SseOnly => text("text/event-stream"),
            Accept::Any => text("*/*"),
            Accept::Absent => None,
            Accept::Raw(b) => raw(b),
        },
    );
    set(
        "mcp-session-id",
        match &req.session {
            SessionId::None => None,
            SessionId::Latest => sessions.last().and_then(|s| text(s)),
            SessionId::First => sessions.first().and_then(|s| text(s)),
            SessionId::Other(t) => text(&t.0),
        },
    );
    set(
        "mcp-protocol-version",
        req.version.as_ref().and_then(|v| text(v.as_str())),
    );
    let envelope = req.body.envelope();
    set(
        "mcp-method",
        match &req.mcp_method {
            Derived::FromBody => envelope.and_then(|e| e.msg.method()).and_then(text),
            Derived::Absent => None,
            Derived::Raw(b) => raw(b),
        },
    );
    set(
        "mcp-name",
        match &req.mcp_name {
            Derived::FromBody => envelope
                .and_then(|e| e.msg.target())
                .map(|t| mcpwire::fuzz_api::encode_header_value(&t))
                .and_then(|t| text(&t)),
            Derived::Absent => None,
            Derived::Raw(b) => raw(b),
        },
    );
    set(
        "last-event-id",
        req.last_event_id.as_ref().and_then(|t| text(&t.0)),
    );
    r
}

/// The statuses the server sends on purpose.
const EXPECTED: &[StatusCode] = &[
    StatusCode::OK,
    StatusCode::ACCEPTED,
    StatusCode::BAD_REQUEST,
    StatusCode::FORBIDDEN,
    StatusCode::NOT_FOUND,
    StatusCode::METHOD_NOT_ALLOWED,
    StatusCode::NOT_ACCEPTABLE,
    StatusCode::CONFLICT,
    StatusCode::PAYLOAD_TOO_LARGE,
    StatusCode::UNSUPPORTED_MEDIA_TYPE,
    StatusCode::SERVICE_UNAVAILABLE,
];

/// Checks one answer; returns its JSON body, when it has one.
async fn check(response: Response<Body>, what: &str) -> Option<Value> {
    let status = response.status();
    assert!(
        EXPECTED.contains(&status),
        "{what}: unexpected status {status}"
    );
    let json = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !json {
        // An SSE stream may never end: it is dropped unread.
        return None;
    }
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a JSON body reads")
        .to_bytes();
    match Incoming::parse(&bytes) {
        Incoming::Message(Message::Response(_)) | Incoming::Batch(_) => {}
        other => panic!("{what}: the JSON answer {bytes:?} is not a response but {other:?}"),
    }
    Some(serde_json::from_slice(&bytes).expect("a response is JSON"))
}

fn post(body: &Value, session: Option<&str>, modern: Option<&str>) -> Request<Full<Bytes>> {
    let mut r = Request::builder()
        .method(Method::POST)
        .uri("/mcp")
        .header("host", "localhost:8080")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(s) = session {
        r = r.header("mcp-session-id", s);
    }
    if let Some(method) = modern {
        r = r
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", method);
    }
    r.body(Full::new(Bytes::from(body.to_string())))
        .expect("a request")
}

/// One request, with a deadline.
async fn call(svc: &mut StreamableHttp, req: Request<Full<Bytes>>, what: &str) -> Response<Body> {
    match tokio::time::timeout(DEADLINE, svc.call(req)).await {
        Ok(r) => r.expect("infallible"),
        Err(_) => panic!("{what}: no answer within {DEADLINE:?}"),
    }
}

/// The service still serves a plain client.
async fn still_serves(svc: &mut StreamableHttp, stateless: bool) {
    let init = json!({"jsonrpc": "2.0", "id": "final-init", "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "fuzz", "version": "1"}}});
    let r = call(svc, post(&init, None, None), "final initialize").await;
    assert_eq!(r.status(), StatusCode::OK, "initialize after the sequence");
    let session = r
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(
        session.is_none(),
        stateless,
        "a session id unless stateless"
    );
    check(r, "final initialize").await;
    let ping = json!({"jsonrpc": "2.0", "id": "final-ping", "method": "ping"});
    let r = call(svc, post(&ping, session.as_deref(), None), "final ping").await;
    assert_eq!(r.status(), StatusCode::OK, "ping after the sequence");
    let answer = check(r, "final ping").await.expect("a JSON answer");
    assert_eq!(answer["id"], "final-ping");
    assert_eq!(answer["result"], json!({}));
    let list = json!({"jsonrpc": "2.0", "id": "final-list", "method": "tools/list", "params": {
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                  "io.modelcontextprotocol/clientInfo": {"name": "fuzz", "version": "1"},
                  "io.modelcontextprotocol/clientCapabilities": {}}}});
    let r = call(
        svc,
        post(&list, None, Some("tools/list")),
        "final tools/list",
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "a 2026-07-28 request after the sequence"
    );
    let answer = check(r, "final tools/list").await.expect("a JSON answer");
    assert!(answer["result"]["tools"].is_array(), "{answer}");
}

fuzz_target!(|input: Input| {
    let f = fixture();
    f.runtime.block_on(async {
        let config = HttpConfig::default()
            .hosts(HostPolicy::loopback())
            .body_limit(64 * 1024)
            .max_sessions(4 * MAX_REQUESTS)
            .stateless(input.stateless);
        let mut svc = StreamableHttp::new(f.server.clone(), config);
        let mut sessions: Vec<String> = Vec::new();
        for (i, req) in input.requests.iter().take(MAX_REQUESTS).enumerate() {
            if hits_known_hang(&input, req) {
                continue;
            }
            let r = call(
                &mut svc,
                build(req, &sessions),
                &format!("request {i}: {req:?}"),
            )
            .await;
            if let Some(id) = r
                .headers()
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
            {
                sessions.push(id.to_owned());
            }
            check(r, &format!("request {i}")).await;
        }
        still_serves(&mut svc, input.stateless).await;
        svc.close_all();
    });
});
