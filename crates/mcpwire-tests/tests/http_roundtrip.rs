//! The mcpwire client against the mcpwire server over real HTTP: both
//! Streamable HTTP and the legacy HTTP+SSE transport, with progress,
//! server-to-client requests, list changes on the GET stream, and session
//! teardown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcpwire::client::{Client, ServerNotification};
use mcpwire::engine::RequestOptions;
use mcpwire::server::{Context, Server, ToolRoute};
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use mcpwire_testkit::http::{Served, serve_http};
use mcpwire_testkit::{eventually, next_matching, text};
use mcpwire_types::{ElicitRequestFormParams, ElicitRequestParams, ElicitResult};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

/// How long a test waits for what happens in the background.
const PATIENCE: Duration = Duration::from_secs(5);

#[derive(Deserialize, JsonSchema)]
struct Text {
    text: String,
}

fn server() -> Server {
    Server::builder("roundtrip", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(ToolRoute::typed(
            "work",
            |cx: Context, a: Text| async move {
                for i in 0..3 {
                    cx.progress(i as f64, Some(3.0), None).await;
                }
                cx.info("working").await;
                a.text.to_uppercase()
            },
        ))
        .tool(ToolRoute::typed(
            "ask",
            |cx: Context, _a: Text| async move {
                let form = ElicitRequestFormParams::new(
                    "Name?",
                    json!({"type":"object","properties":{"name":{"type":"string"}}}),
                );
                let r = cx.elicit(ElicitRequestParams::Form(form)).await?;
                Ok::<_, mcpwire::Error>(r.content.unwrap_or_default()["name"].to_string())
            },
        ))
        .build()
        .unwrap()
}

async fn start(
    config: HttpConfig,
) -> (String, Server, Served<std::io::Result<()>>, StreamableHttp) {
    let server = server();
    let svc = StreamableHttp::new(server.clone(), config);
    let served = serve_http(svc.clone()).await;
    (served.origin(), server, served, svc)
}

async fn exercise(client: &Client) {
    assert_eq!(
        text(
            &client
                .call_tool("echo", json!({"text": "über"}))
                .await
                .unwrap()
        ),
        "über"
    );
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let r = client
        .call_tool("work", json!({"text": "abc"}))
        .options(RequestOptions::new().on_progress(move |_| {
            s.fetch_add(1, Ordering::SeqCst);
        }))
        .await
        .unwrap();
    assert_eq!(text(&r), "ABC");
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    let r = client.call_tool("ask", json!({"text": ""})).await.unwrap();
    assert_eq!(text(&r), "\"Ada\"");
    let calls = (0..30).map(|i| async move {
        let r = client
            .call_tool("echo", json!({"text": format!("n{i}")}))
            .await
            .unwrap();
        assert_eq!(text(&r), format!("n{i}"));
    });
    futures_util::future::join_all(calls).await;
}

fn builder() -> mcpwire::client::ClientBuilder {
    // Sessions: the tests that want the stateless era say so.
    Client::builder("roundtrip-client", "1")
        .mode(mcpwire::client::ClientMode::Legacy)
        .on_elicitation(|_p| async move {
            let mut m = serde_json::Map::new();
            m.insert("name".into(), json!("Ada"));
            Ok(ElicitResult::accept(m))
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamable_http_end_to_end() {
    let (base, server, stop, svc) = start(HttpConfig::default()).await;
    let transport = HttpClientTransport::builder(format!("{base}/mcp"))
        .build()
        .unwrap();
    let handle = transport.handle();
    let client = builder().connect(transport).await.unwrap();
    assert!(handle.session_id().is_some());
    assert!(!handle.is_legacy());
    exercise(&client).await;

    // Server-initiated messages reach the client on the GET stream.
    let mut notes = client.notifications();
    eventually(PATIENCE, "the GET stream to open", || async {
        handle.has_standalone_stream()
    })
    .await;
    server.add_tool(ToolRoute::typed(
        "late",
        |_cx, a: Text| async move { a.text },
    ));
    next_matching(
        &mut notes,
        PATIENCE,
        "list_changed on the GET stream",
        |n| matches!(n, ServerNotification::ToolsListChanged).then_some(()),
    )
    .await;

    assert_eq!(svc.session_count(), 1);
    client.close().await;
    eventually(PATIENCE, "DELETE to end the session", || async {
        svc.session_count() == 0
    })
    .await;
    stop.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_http_sse_end_to_end() {
    let (base, _server, stop, svc) = start(HttpConfig::default().legacy_sse(true)).await;
    // Pointed at the legacy endpoint, the client's POST is refused and it
    // falls back to the 2024-11-05 transport, as the spec describes.
    let transport = HttpClientTransport::builder(format!("{base}/sse"))
        .build()
        .unwrap();
    let handle = transport.handle();
    let client = builder()
        .protocol_version(mcpwire_types::ProtocolVersion::V2024_11_05)
        .connect(transport)
        .await
        .unwrap();
    assert!(handle.is_legacy());
    assert_eq!(client.protocol_version().as_str(), "2024-11-05");
    assert_eq!(
        text(
            &client
                .call_tool("echo", json!({"text": "old"}))
                .await
                .unwrap()
        ),
        "old"
    );
    let calls = (0..20).map(|i| {
        let c = &client;
        async move {
            assert_eq!(
                text(
                    &c.call_tool("echo", json!({"text": format!("{i}")}))
                        .await
                        .unwrap()
                ),
                format!("{i}")
            )
        }
    });
    futures_util::future::join_all(calls).await;
    assert_eq!(svc.session_count(), 1);
    client.close().await;
    eventually(
        PATIENCE,
        "closing the stream to end the session",
        || async { svc.session_count() == 0 },
    )
    .await;
    stop.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_follows_changes_over_http_in_both_eras() {
    use mcpwire::client::ClientMode;
    use mcpwire::server::{Era, ResourceRoute};
    use mcpwire_types::SubscriptionFilter;

    let (base, server, stop, _svc) = start(HttpConfig::default()).await;
    server.add_resource(ResourceRoute::new("memo://a", "a", |_cx, _u, _v| async {
        "a".to_string()
    }));
    for (mode, era) in [
        (ClientMode::Auto, Era::Stateless),
        (ClientMode::Legacy, Era::Session),
    ] {
        let transport = HttpClientTransport::builder(format!("{base}/mcp"))
            .build()
            .unwrap();
        let handle = transport.handle();
        let client = builder().mode(mode).connect(transport).await.unwrap();
        assert_eq!(client.era(), era);
        let filter = SubscriptionFilter {
            tools_list_changed: Some(true),
            resource_subscriptions: Some(vec!["memo://a".into()]),
            ..Default::default()
        };
        let mut sub = client.listen(filter.clone()).await.unwrap();
        assert_eq!(sub.agreed(), &filter, "{era:?}");
        // In a session, changes travel on the GET stream: wait for it.
        eventually(PATIENCE, "the GET stream to open", || async {
            era == Era::Stateless || handle.has_standalone_stream()
        })
        .await;
        server.resource_updated("memo://a");
        let n = tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .expect("in time")
            .expect("live");
        assert!(
            matches!(&n, ServerNotification::ResourceUpdated { uri } if uri == "memo://a"),
            "{era:?}: {n:?}"
        );
        // Requests still flow beside the open subscription.
        exercise(&client).await;
        sub.close().await;
        client.close().await;
    }
    stop.stop().await.unwrap();
}
