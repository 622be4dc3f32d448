//! The endpoint mounted in an axum router beside other routes.

use mcpwire::client::Client;
use mcpwire::server::{Server, ToolRoute};
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::transport::http_server::{HostPolicy, HttpConfig, StreamableHttp};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use std::future::IntoFuture;

#[derive(Deserialize, JsonSchema)]
struct Text {
    text: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_router_serves_mcp_beside_other_routes() {
    let server = Server::builder("routed", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .build()
        .unwrap();
    let mcp = StreamableHttp::new(
        server,
        HttpConfig::default()
            .hosts(HostPolicy::loopback())
            .legacy_sse(true),
    );
    let app = axum::Router::new()
        .route("/health", axum::routing::get(|| async { "ok" }))
        .merge(mcp.router("/api/mcp"));
    let served = mcpwire_testkit::http::bind().await.serve(|listener, stop| {
        axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .into_future()
    });

    let health = reqwest::get(served.url("/health"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(health, "ok");
    for url in [served.url("/api/mcp"), served.url("/sse")] {
        let t = HttpClientTransport::builder(url.clone()).build().unwrap();
        let client = Client::builder("c", "1").connect(t).await.unwrap();
        let r = client
            .call_tool("echo", json!({"text": "routed"}))
            .await
            .unwrap();
        assert_eq!(mcpwire_testkit::text(&r), "routed", "{url}");
        client.close().await;
    }
    // The router keeps the host policy.
    let r = reqwest::Client::new()
        .post(served.url("/api/mcp"))
        .header("host", "evil.example")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::FORBIDDEN);
    served.stop().await.unwrap();
}
