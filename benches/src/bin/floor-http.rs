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
use mcpwire_benches::floor::{answer, error};
use serde_json::Value;

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
        (Some(id), Some(method)) => {
            json_body(&answer("floor-http", id.clone(), method, msg.get("params")))
        }
        // Notifications and responses.
        _ => StatusCode::ACCEPTED.into_response(),
    }
}

fn json_body(v: &Value) -> Response {
    let bytes = serde_json::to_vec(v).expect("a Value always serialises");
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}
