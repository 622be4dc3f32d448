//! `axum_mount`: the MCP endpoint and the app's own routes on one server,
//! sharing the greeting count.

use mcpwire::client::Client;
use mcpwire::transport::http_client::HttpClientTransport;
use serde_json::json;

use super::common::Served;
use super::text;

fn stats(app: &Served) -> String {
    let answer = app.http("GET", "/stats", &[], "");
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body
}

async fn connect(app: &Served) -> Client {
    let transport = HttpClientTransport::builder(app.url.as_str())
        .build()
        .unwrap();
    Client::builder("axum-mount-test", "1")
        .connect(transport)
        .await
        .unwrap_or_else(|e| panic!("connecting to {}: {e}; stderr: {}", app.url, app.log_text()))
}

#[tokio::test]
async fn the_app_routes_and_the_mcp_endpoint_share_one_server() {
    let app = Served::start("axum_mount", &["127.0.0.1:0"]);
    let health = app.http("GET", "/health", &[], "");
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    assert_eq!(stats(&app), "greetings: 0");

    let c = connect(&app).await;
    assert_eq!(c.server_info().name, "axum-mount");
    let tools = c.list_tools().await.unwrap();
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0].name, "greet");
    for name in ["Ada", "Grace"] {
        let r = c.call_tool("greet", json!({"name": name})).await.unwrap();
        assert_eq!(text(&r), format!("Hello, {name}!"));
    }
    // The app's route sees what the MCP tool counted.
    assert_eq!(stats(&app), "greetings: 2");

    // Arguments that do not fit: an error result, and nothing counted.
    let r = c.call_tool("greet", json!({"nom": "Ada"})).await.unwrap();
    assert!(r.is_error(), "{r:?}");
    assert_eq!(stats(&app), "greetings: 2");
    let r = c
        .call_tool("greet", json!({"name": "Linus"}))
        .await
        .unwrap();
    assert_eq!(text(&r), "Hello, Linus!");
    assert_eq!(stats(&app), "greetings: 3");
    c.close().await;
}

#[test]
fn unknown_paths_and_foreign_hosts_are_refused_and_the_app_keeps_serving() {
    let app = Served::start("axum_mount", &["127.0.0.1:0"]);
    let missing = app.http("GET", "/nope", &[], "");
    assert_eq!(missing.status, 404, "{missing:?}");

    // A page on another site reaching the endpoint through DNS rebinding
    // names its own host: the endpoint refuses it before reading the body.
    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "raw", "version": "0"}}
    })
    .to_string();
    let mcp_headers = [
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
    ];
    let mut foreign = mcp_headers.to_vec();
    foreign.push(("Host", "evil.example:80"));
    let refused = app.http("POST", "/mcp", &foreign, &initialize);
    assert_eq!(refused.status, 403, "{refused:?}");

    // The same request from a loopback host is served, and so is the app.
    let served = app.http("POST", "/mcp", &mcp_headers, &initialize);
    assert_eq!(served.status, 200, "{served:?}");
    assert!(served.body.contains("\"protocolVersion\""), "{served:?}");
    assert_eq!(app.http("GET", "/health", &[], "").body, "ok");
    assert_eq!(stats(&app), "greetings: 0");
}
