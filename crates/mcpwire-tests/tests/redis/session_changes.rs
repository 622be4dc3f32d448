//! Session changes told between instances through Redis: a resource
//! subscription made through one instance is known to the instance that
//! holds the session's GET stream, which then passes the resource's
//! updates on to the client.

use std::time::Duration;

use mcpwire::server::{ResourceRoute, Server};
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use mcpwire_redis::{RedisOptions, RedisState};
use mcpwire_testkit::http::serve_http;
use mcpwire_testkit::http::sse::parse;
use mcpwire_testkit::parts::RedisServer;
use serde_json::{Value, json};

const PATIENCE: Duration = Duration::from_secs(10);

async fn instance(redis: &str) -> (Server, mcpwire_testkit::http::Served<std::io::Result<()>>) {
    let shared = RedisState::connect(redis, RedisOptions::default())
        .await
        .unwrap();
    let server = shared
        .server(Server::builder("memos", "1").resource(ResourceRoute::new(
            "memo://a",
            "a",
            |_cx, _u, _v| async { "a".to_string() },
        )))
        .build()
        .unwrap();
    let served = serve_http(StreamableHttp::new(
        server.clone(),
        shared.http(HttpConfig::default()),
    ))
    .await;
    (server, served)
}

async fn post(url: &str, session: Option<&str>, body: Value) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_string());
    if let Some(s) = session {
        req = req
            .header("mcp-session-id", s)
            .header("mcp-protocol-version", "2025-11-25");
    }
    req.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_made_on_one_instance_reaches_the_get_stream_on_another() {
    let redis = RedisServer::start();
    let (server_a, a) = instance(&redis.url()).await;
    let (_server_b, b) = instance(&redis.url()).await;
    let init = json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
        "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}});
    let r = post(&a.mcp_url(), None, init).await;
    let sid = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let done = json!({"jsonrpc":"2.0","method":"notifications/initialized"});
    assert_eq!(post(&a.mcp_url(), Some(&sid), done).await.status(), 202);
    // The GET stream is held by B.
    let mut get = reqwest::Client::new()
        .get(b.mcp_url())
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &sid)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    // The subscription is made through A.
    let sub =
        json!({"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"uri":"memo://a"}});
    assert_eq!(post(&a.mcp_url(), Some(&sid), sub).await.status(), 200);
    // An update announced on A reaches the client through B's stream: B
    // was told of the subscription. (The update is announced again until
    // it arrives: the subscription and the update travel on different
    // channels.)
    let mut buf = String::new();
    let found = mcpwire_testkit::within(PATIENCE, "the update on B's stream", async {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tokio::select! {
                _ = tick.tick() => server_a.resource_updated("memo://a"),
                chunk = get.chunk() => {
                    let chunk = chunk.unwrap().expect("the GET stream ended");
                    buf.push_str(&String::from_utf8_lossy(&chunk));
                    while let Some(end) = buf.find("\n\n") {
                        let block: String = buf.drain(..end + 2).collect();
                        if let Some((_, data)) = parse(&block)
                            && !data.is_empty()
                        {
                            let m: Value = serde_json::from_str(&data).unwrap();
                            if m["method"] == "notifications/resources/updated" {
                                return m;
                            }
                        }
                    }
                }
            }
        }
    })
    .await;
    assert_eq!(found["params"]["uri"], "memo://a");
}
