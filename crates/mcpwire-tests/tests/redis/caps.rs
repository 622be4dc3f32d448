//! The session cap counted over every instance sharing one Redis: two
//! instances with a cap of two sessions refuse a third whichever instance
//! it reaches, and take one again once a session is ended.

use mcpwire::server::{Server, ToolRoute};
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use mcpwire_redis::{RedisOptions, RedisState};
use mcpwire_testkit::http::serve_http;
use mcpwire_testkit::parts::RedisServer;
use serde_json::json;

async fn instance(redis: &str) -> mcpwire_testkit::http::Served<std::io::Result<()>> {
    let shared = RedisState::connect(redis, RedisOptions::default())
        .await
        .unwrap();
    let server = shared
        .server(Server::builder("capped", "1").tool(ToolRoute::typed(
            "noop",
            |_cx, _a: serde_json::Map<String, serde_json::Value>| async { "ok" },
        )))
        .build()
        .unwrap();
    let config = shared.http(HttpConfig::default().max_sessions(2));
    serve_http(StreamableHttp::new(server, config)).await
}

async fn initialize(http: &reqwest::Client, url: &str) -> reqwest::Response {
    http.post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(
            json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
                "protocolVersion":"2025-11-25","capabilities":{},
                "clientInfo":{"name":"t","version":"0"}}})
            .to_string(),
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cap_counts_every_instances_sessions() {
    let redis = RedisServer::start();
    let (a, b) = (instance(&redis.url()).await, instance(&redis.url()).await);
    let http = reqwest::Client::new();
    let first = initialize(&http, &a.mcp_url()).await;
    assert_eq!(first.status(), 200);
    let first = first.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(initialize(&http, &b.mcp_url()).await.status(), 200);
    // A holds one session itself, but the two instances hold two.
    let refused = initialize(&http, &a.mcp_url()).await;
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().contains_key("retry-after"));
    // Ending a session (through the other instance) makes room.
    let r = http
        .delete(b.mcp_url())
        .header("mcp-session-id", &first)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(initialize(&http, &a.mcp_url()).await.status(), 200);
}
