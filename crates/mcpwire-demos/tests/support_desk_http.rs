//! The support desk over Streamable HTTP with several concurrent clients
//! writing to one SQLite database.

mod common;

use std::time::Duration;

use common::{read_text, tool_text};
use mcpwire::client::Client;
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::transport::http_server::HttpConfig;
use mcpwire_demos::demo::TempDb;
use mcpwire_demos::support_desk::{self, Store};
use mcpwire_testkit::http::{Served, serve_mcp};
use serde_json::json;
use tokio::task::JoinSet;

/// Serves the desk on `127.0.0.1:0` until the returned server is dropped.
async fn serve(db: &std::path::Path) -> (String, Served<std::io::Result<()>>) {
    let server = support_desk::server(db).unwrap();
    let served = serve_mcp(server, HttpConfig::default()).await;
    (served.mcp_url(), served)
}

async fn client(url: &str) -> Client {
    let transport = HttpClientTransport::builder(url)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    // A session: the tests subscribe to resources.
    Client::builder("desk-http-test", "1.0")
        .mode(mcpwire::client::ClientMode::Legacy)
        .connect(transport)
        .await
        .expect("connect over HTTP")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_close_and_escalate_different_tickets() {
    let db = TempDb::new().unwrap();
    let (url, stop) = serve(db.path()).await;
    let mut tasks = JoinSet::new();
    for i in 0..4i64 {
        let url = url.clone();
        tasks.spawn(async move {
            let c = client(&url).await;
            let close = c.call_tool(
                "close_ticket",
                json!({"ticket_id": 42 + i, "resolution": format!("Resolved by agent {i}")}),
            );
            let escalate = c.call_tool(
                "escalate_ticket",
                json!({"ticket_id": 46 + i, "reason": format!("Agent {i} needs an engineer")}),
            );
            let (closed, escalated) = tokio::join!(close, escalate);
            let (closed, escalated) = (closed.unwrap(), escalated.unwrap());
            assert_ne!(closed.is_error, Some(true), "{}", tool_text(&closed));
            assert_ne!(escalated.is_error, Some(true), "{}", tool_text(&escalated));
            assert_eq!(closed.structured_content.unwrap()["ticket_id"], 42 + i);
            c.close().await;
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    // Every write landed, each in its own transaction.
    let store = Store::open(db.path()).unwrap();
    for i in 0..4i64 {
        let closed = store.ticket(42 + i).await.unwrap();
        assert_eq!(closed.status, "closed");
        assert_eq!(
            closed.resolution.as_deref(),
            Some(format!("Resolved by agent {i}").as_str())
        );
        let escalated = store.ticket(46 + i).await.unwrap();
        assert_eq!(escalated.status, "escalated");
        assert_eq!(
            escalated.escalations,
            [format!("Agent {i} needs an engineer")]
        );
    }
    // A fresh client sees the result through the server.
    let c = client(&url).await;
    let list = read_text(&c.read_resource("ticket://list").await.unwrap());
    assert!(list.contains("4 open."), "{list}");
    stop.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_closes_of_one_ticket_let_exactly_one_win() {
    let db = TempDb::new().unwrap();
    let (url, stop) = serve(db.path()).await;
    let mut tasks = JoinSet::new();
    for i in 0..6 {
        let url = url.clone();
        tasks.spawn(async move {
            let c = client(&url).await;
            let r = c
                .call_tool(
                    "close_ticket",
                    json!({"ticket_id": 43, "resolution": format!("attempt {i}")}),
                )
                .await
                .unwrap();
            c.close().await;
            r
        });
    }
    let mut wins = 0;
    let mut refusals = 0;
    while let Some(r) = tasks.join_next().await {
        let r = r.unwrap();
        if r.is_error == Some(true) {
            assert!(
                tool_text(&r).contains("Ticket 43 is already closed"),
                "{}",
                tool_text(&r)
            );
            refusals += 1;
        } else {
            wins += 1;
        }
    }
    assert_eq!((wins, refusals), (1, 5));
    // The server keeps serving after the refusals.
    let c = client(&url).await;
    let t = read_text(&c.read_resource("ticket://43").await.unwrap());
    assert!(t.contains("**Status:** closed"), "{t}");
    stop.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_client_hears_of_another_clients_change() {
    use mcpwire::client::ServerNotification;
    let db = TempDb::new().unwrap();
    let (url, stop) = serve(db.path()).await;
    let watcher = client(&url).await;
    let mut rx = watcher.notifications();
    watcher.subscribe("ticket://47").await.unwrap();
    let agent = client(&url).await;
    let r = agent
        .call_tool(
            "close_ticket",
            json!({"ticket_id": 47, "resolution": "Switched SMS provider."}),
        )
        .await
        .unwrap();
    assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
    let seen = common::drain(&mut rx, 1500).await;
    assert!(
        seen.contains(&ServerNotification::ResourceUpdated {
            uri: "ticket://47".into()
        }),
        "{seen:?}"
    );
    assert!(
        seen.contains(&ServerNotification::ResourcesListChanged),
        "{seen:?}"
    );
    let listed = watcher.list_resources().await.unwrap();
    assert!(!listed.iter().any(|r| r.uri == "ticket://47"));
    stop.stop().await.unwrap();
}
