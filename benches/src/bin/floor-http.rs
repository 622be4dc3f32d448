//! The floor for Streamable HTTP: a raw axum JSON POST route at `/mcp` with an `echo` tool and no MCP framework, bounding what any HTTP server can reach.
//!
//! Usage: `floor-http [--port 8080]` (binds 127.0.0.1, TCP_NODELAY on every connection).
//!
//! One `serde_json::Value` parse and one serialisation per request, answered as a plain
//! `application/json` body: `initialize` (no `Mcp-Session-Id`, no sessions at all),
//! `server/discover` (2026-07-28 requests need no more: their `_meta` costs only the parse), `ping`,
//! `tools/list`, `tools/call` `echo`; notifications and responses get 202 with no body; any other
//! method gets -32601. The runtime is tokio's multi-thread one, as a production server would use
//! (pinned to one core, it has one worker).

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::serve::ListenerExt;
use serde_json::{Value, json};

fn main() -> std::io::Result<()> {
    let mut port = 8080u16;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next().map(|v| v.parse())) {
            ("--port", Some(Ok(p))) => port = p,
            _ => {
                eprintln!("usage: floor-http [--port PORT]");
                std::process::exit(2);
            }
        }
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .build()?
        .block_on(async {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await?
                .tap_io(|tcp| {
                    let _ = tcp.set_nodelay(true);
                });
            axum::serve(listener, Router::new().route("/mcp", post(mcp))).await
        })
}

async fn mcp(body: Bytes) -> Response {
    let msg: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            let err = error(Value::Null, -32700, &format!("parse error: {e}"));
            return (StatusCode::BAD_REQUEST, json_body(&err)).into_response();
        }
    };
    match (msg.get("id"), msg.get("method").and_then(Value::as_str)) {
        (Some(id), Some(method)) => json_body(&handle(id.clone(), method, msg.get("params"))),
        // Notifications and responses.
        _ => StatusCode::ACCEPTED.into_response(),
    }
}

fn json_body(v: &Value) -> Response {
    let bytes = serde_json::to_vec(v).expect("a Value always serialises");
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

fn handle(id: Value, method: &str, params: Option<&Value>) -> Value {
    let result = match method {
        "initialize" => {
            let version = params
                .and_then(|p| p.get("protocolVersion"))
                .and_then(Value::as_str)
                .unwrap_or("2025-11-25");
            json!({
                "protocolVersion": version,
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "floor-http", "version": env!("CARGO_PKG_VERSION")},
            })
        }
        "server/discover" => json!({
            "resultType": "complete",
            "supportedVersions": ["2026-07-28"],
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "floor-http", "version": env!("CARGO_PKG_VERSION")},
        }),
        "ping" => json!({}),
        "tools/list" => json!({"tools": [{
            "name": "echo",
            "description": "Returns its text argument unchanged",
            "inputSchema": {
                "type": "object",
                "properties": {"text": {"type": "string"}},
                "required": ["text"],
            },
        }]}),
        "tools/call" => {
            let name = params.and_then(|p| p.get("name")).and_then(Value::as_str);
            let text = params
                .and_then(|p| p.get("arguments"))
                .and_then(|a| a.get("text"))
                .and_then(Value::as_str);
            match (name, text) {
                (Some("echo"), Some(text)) => json!({"content": [{"type": "text", "text": text}]}),
                (Some("echo"), None) => {
                    return error(id, -32602, "echo needs a string argument `text`");
                }
                _ => return error(id, -32602, "unknown tool"),
            }
        }
        _ => return error(id, -32601, "method not found"),
    };
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}
