//! Custom headers from tool parameters (2026-07-28) over real HTTP: an
//! mcpwire HTTP server behind an axum middleware that records every POST's
//! headers and, like a server that validates `Mcp-Param-*`, rejects a
//! `tools/call` whose headers disagree with its annotated arguments with
//! `400` and `-32020`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mcpwire::client::{Client, ClientMode};
use mcpwire::server::{Server, ToolRoute};
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::transport::http_server::{HostPolicy, HttpConfig, StreamableHttp};
use mcpwire_types::{ErrorCode, ProtocolVersion};
use serde_json::{Map, Value, json};

/// One POST the server received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    /// The `mcp-*` headers, by lowercase name.
    headers: HashMap<String, String>,
    /// Whether the gate rejected it with -32020.
    rejected: bool,
}

impl Seen {
    /// The `mcp-param-*` headers, sorted.
    fn params(&self) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|(k, _)| k.starts_with("mcp-param-"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        p.sort();
        p
    }
}

/// What the middleware knows and records.
#[derive(Default)]
struct Gate {
    seen: Mutex<Vec<Seen>>,
    /// The annotations the server currently expects, by tool: header name
    /// and argument name.
    expect: Mutex<HashMap<String, Vec<(String, String)>>>,
    /// Reject every tools/call, whatever its headers.
    always_reject: Mutex<bool>,
}

impl Gate {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn calls(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == "tools/call")
            .collect()
    }

    fn methods(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.method).collect()
    }

    /// Why a tools/call's headers disagree with its body, if they do.
    fn mismatch(&self, headers: &HashMap<String, String>, msg: &Value) -> Option<String> {
        if *self.always_reject.lock().unwrap() {
            return Some("this server rejects every call".into());
        }
        let tool = msg.pointer("/params/name")?.as_str()?;
        let args = msg.pointer("/params/arguments");
        let expect = self.expect.lock().unwrap().get(tool).cloned()?;
        for (header, arg) in expect {
            let want = match args.and_then(|a| a.get(&arg)) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => Some(other.to_string()),
            };
            let got = headers
                .get(&format!("mcp-param-{}", header.to_ascii_lowercase()))
                .map(|v| decode(v));
            if got != want {
                return Some(format!(
                    "Mcp-Param-{header} is {got:?}, the body has {want:?}"
                ));
            }
        }
        None
    }
}

/// A header value with the Base64 sentinel form decoded.
fn decode(v: &str) -> String {
    let Some(b64) = v
        .strip_prefix("=?base64?")
        .and_then(|r| r.strip_suffix("?="))
    else {
        return v.to_owned();
    };
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in b64.bytes().filter(|&c| c != b'=') {
        let d = ALPHABET.iter().position(|&a| a == c).expect("base64 digit") as u32;
        bits = (bits << 6) | d;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

/// Records each POST and rejects mismatched tool calls; everything else
/// goes on to the MCP endpoint.
async fn gate(State(g): State<Arc<Gate>>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let msg: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let headers: HashMap<String, String> = parts
        .headers
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("mcp-"))
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let method = msg["method"].as_str().unwrap_or("").to_owned();
    let rejection = (method == "tools/call")
        .then(|| g.mismatch(&headers, &msg))
        .flatten();
    g.seen.lock().unwrap().push(Seen {
        method,
        headers,
        rejected: rejection.is_some(),
    });
    if let Some(why) = rejection {
        let body = json!({"jsonrpc": "2.0", "id": msg["id"], "error": {
            "code": -32020, "message": format!("Header mismatch: {why}")
        }});
        return (
            axum::http::StatusCode::BAD_REQUEST,
            [("content-type", "application/json")],
            body.to_string(),
        )
            .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// A tool that answers with its arguments, under `schema`.
fn tool(name: &str, schema: Value) -> ToolRoute {
    ToolRoute::typed(name, |_cx, a: Value| async move { a.to_string() })
        .input_schema(object(schema))
}

/// The schema of `route`, mirroring region, count, dry run, greeting and a
/// nested zone.
fn route_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "count": {"type": "integer", "x-mcp-header": "Count"},
            "dry": {"type": ["boolean", "null"], "x-mcp-header": "DryRun"},
            "greeting": {"type": "string", "x-mcp-header": "Greeting"},
            "target": {"type": "object", "properties": {
                "zone": {"type": "string", "x-mcp-header": "Zone"}
            }},
            "note": {"type": "string"}
        },
        "required": ["region"]
    })
}

/// An mcpwire server behind the gate; returns the server (to change its
/// tools), the gate and the endpoint URL.
async fn serve(tools: Vec<ToolRoute>) -> (Server, Arc<Gate>, String) {
    let server = Server::builder("param-headers", "1")
        .tools(tools)
        .build()
        .unwrap();
    let mcp = StreamableHttp::new(
        server.clone(),
        HttpConfig::default().hosts(HostPolicy::loopback()),
    );
    let g = Arc::new(Gate::default());
    let app = mcp
        .router("/mcp")
        .layer(axum::middleware::from_fn_with_state(g.clone(), gate));
    let bound = mcpwire_testkit::http::bind().await;
    let url = bound.mcp_url();
    let listener = bound.into_listener();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (server, g, url)
}

async fn connect(url: &str, mode: ClientMode) -> Client {
    let t = HttpClientTransport::builder(url).build().unwrap();
    Client::builder("c", "1")
        .mode(mode)
        .connect(t)
        .await
        .unwrap()
}

const MODERN: ClientMode = ClientMode::Pinned(ProtocolVersion::V2026_07_28);

use mcpwire_testkit::text;

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = p
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotated_arguments_travel_in_mcp_param_headers_and_invalid_tools_are_left_out() {
    let (_server, g, url) = serve(vec![
        tool("route", route_schema()),
        tool("plain", json!({"type": "object", "properties": {"a": {"type": "string"}}})),
        tool(
            "bad_number",
            json!({"type": "object", "properties": {"score": {"type": "number", "x-mcp-header": "Score"}}}),
        ),
        tool(
            "bad_items",
            json!({"type": "object", "properties": {"list": {"type": "array",
                "items": {"type": "string", "x-mcp-header": "Item"}}}}),
        ),
        tool(
            "bad_duplicate",
            json!({"type": "object", "properties": {
                "a": {"type": "string", "x-mcp-header": "Same"},
                "b": {"type": "string", "x-mcp-header": "same"}}}),
        ),
    ])
    .await;
    g.expect.lock().unwrap().insert(
        "route".into(),
        vec![
            ("Region".into(), "region".into()),
            ("Count".into(), "count".into()),
            ("DryRun".into(), "dry".into()),
            ("Greeting".into(), "greeting".into()),
        ],
    );
    let client = connect(&url, MODERN).await;

    // tools/list leaves out the tools whose annotations break the spec, and
    // passes the others' schemas on untouched.
    let tools = client.list_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["route", "plain"]);
    assert_eq!(Value::Object(tools[0].input_schema.clone()), route_schema());

    let r = client
        .call_tool(
            "route",
            json!({"region": "us-west1", "count": 42, "dry": false, "greeting": "Hello, 世界",
                   "target": {"zone": " z "}, "note": "not mirrored"}),
        )
        .await
        .unwrap();
    assert_eq!(r.is_error, None, "{}", text(&r));
    let call = g.calls().pop().unwrap();
    assert_eq!(call.headers["mcp-method"], "tools/call");
    assert_eq!(call.headers["mcp-name"], "route");
    assert_eq!(
        call.params(),
        pairs(&[
            ("mcp-param-count", "42"),
            ("mcp-param-dryrun", "false"),
            ("mcp-param-greeting", "=?base64?SGVsbG8sIOS4lueVjA==?="),
            ("mcp-param-region", "us-west1"),
            ("mcp-param-zone", "=?base64?IHog?="),
        ])
    );

    // Null and absent arguments send no header.
    client
        .call_tool("route", json!({"region": "eu", "dry": null}))
        .await
        .unwrap();
    assert_eq!(
        g.calls().pop().unwrap().params(),
        pairs(&[("mcp-param-region", "eu")])
    );

    // A tool without annotations gets none.
    client.call_tool("plain", json!({"a": "x"})).await.unwrap();
    assert_eq!(g.calls().pop().unwrap().params(), []);

    // A rejected tool is not called at all, and the error says why.
    let before = g.calls().len();
    let e = client
        .call_tool("bad_number", json!({"score": 1.5}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS), "{e}");
    assert!(e.to_string().contains("bad_number"), "{e}");
    assert!(e.to_string().contains("type \"number\""), "{e}");
    // So is a call whose annotated argument cannot be mirrored.
    let e = client
        .call_tool(
            "route",
            json!({"region": "eu", "count": 9007199254740993_i64}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS), "{e}");
    assert!(e.to_string().contains("Mcp-Param-Count"), "{e}");
    assert_eq!(g.calls().len(), before);

    // The transport keeps serving.
    client
        .call_tool("route", json!({"region": "ap"}))
        .await
        .unwrap();
    assert!(g.seen().iter().all(|s| !s.rejected));
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_mismatch_relists_the_tools_and_retries_once() {
    let unannotated = json!({"type": "object", "properties": {"region": {"type": "string"}}});
    let (server, g, url) = serve(vec![tool("route", unannotated)]).await;
    let client = connect(&url, MODERN).await;
    let tools = client.list_tools().await.unwrap();
    assert_eq!(tools.len(), 1);

    // The server starts to mirror region after the client listed the tools.
    server.add_tool(tool("route", route_schema()));
    g.expect
        .lock()
        .unwrap()
        .insert("route".into(), vec![("Region".into(), "region".into())]);
    let r = client
        .call_tool("route", json!({"region": "eu-north1"}))
        .await
        .unwrap();
    assert!(text(&r).contains("eu-north1"), "{}", text(&r));
    assert_eq!(
        g.methods(),
        ["tools/list", "tools/call", "tools/list", "tools/call"]
    );
    let calls = g.calls();
    assert!(calls[0].rejected);
    assert_eq!(calls[0].params(), []);
    assert!(!calls[1].rejected);
    assert_eq!(
        calls[1].params(),
        pairs(&[("mcp-param-region", "eu-north1")])
    );

    // A server that keeps rejecting gets exactly one retry, then the caller
    // sees its -32020.
    *g.always_reject.lock().unwrap() = true;
    let before = g.seen().len();
    let e = client
        .call_tool("route", json!({"region": "eu"}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::HEADER_MISMATCH), "{e}");
    let after: Vec<String> = g.methods()[before..].to_vec();
    assert_eq!(after, ["tools/call", "tools/list", "tools/call"]);
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_before_any_listing_lists_the_tools_first() {
    let (_server, g, url) = serve(vec![tool("route", route_schema())]).await;
    g.expect
        .lock()
        .unwrap()
        .insert("route".into(), vec![("Region".into(), "region".into())]);
    let client = connect(&url, MODERN).await;
    client
        .call_tool("route", json!({"region": "us-east1"}))
        .await
        .unwrap();
    client
        .call_tool("route", json!({"region": "us-east2"}))
        .await
        .unwrap();
    // Listed once, on the transport's own, before the first call.
    assert_eq!(g.methods(), ["tools/list", "tools/call", "tools/call"]);
    let calls = g.calls();
    assert_eq!(
        calls[0].params(),
        pairs(&[("mcp-param-region", "us-east1")])
    );
    assert_eq!(
        calls[1].params(),
        pairs(&[("mcp-param-region", "us-east2")])
    );
    assert!(g.seen().iter().all(|s| !s.rejected));
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_of_earlier_revisions_are_left_alone() {
    let bad = json!({"type": "object", "properties": {"score": {"type": "number", "x-mcp-header": "Score"}}});
    let (_server, g, url) =
        serve(vec![tool("route", route_schema()), tool("bad_number", bad)]).await;
    let client = connect(&url, ClientMode::Legacy).await;
    let tools = client.list_tools().await.unwrap();
    assert_eq!(tools.len(), 2, "x-mcp-header belongs to 2026-07-28");
    client
        .call_tool("route", json!({"region": "eu"}))
        .await
        .unwrap();
    client
        .call_tool("bad_number", json!({"score": 1.5}))
        .await
        .unwrap();
    assert!(g.calls().iter().all(|c| c.params().is_empty()));
    client.close().await;
}
