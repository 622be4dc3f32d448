//! The URIs a client names, against a real server over an in-memory
//! duplex, in both eras: a URI over the length cap is refused with `-32602`
//! and a short message by every method that takes one, nothing the session
//! holds is lost, and the next plain request is served.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcpwire::Error;
use mcpwire::client::{Client, ClientMode, ServerNotification};
use mcpwire::server::{
    DEFAULT_MAX_URI_LENGTH, QUOTED_URI_CHARS, ResourceRoute, Server, ServerBuilder, TemplateRoute,
};
use mcpwire_testkit::memory;
use mcpwire_types::{
    CompleteReference, ErrorCode, ErrorObject, ResourceContents, ResourceTemplateReference,
    SubscriptionFilter,
};
use serde_json::json;

/// A megabyte of ticket number: the old matcher needed about twenty
/// minutes for it.
fn huge_ticket() -> String {
    format!("ticket://{}", "7".repeat(1 << 20))
}

/// A server with one resource and one template that counts its reads.
fn builder(reads: &Arc<AtomicUsize>) -> ServerBuilder {
    let reads = reads.clone();
    Server::builder("uris", "1.0.0")
        .resource(ResourceRoute::new(
            "memo://readme",
            "readme",
            |_cx, _uri, _vars| async { "Read me".to_string() },
        ))
        .template(
            TemplateRoute::new("ticket://{ticket_id}", "ticket", move |_cx, _uri, vars| {
                reads.fetch_add(1, Ordering::SeqCst);
                let id = &vars["ticket_id"];
                let text = if id.len() <= 10 {
                    format!("ticket {id}")
                } else {
                    format!("ticket of {} digits", id.len())
                };
                async move { text }
            })
            .unwrap()
            .complete("ticket_id", |typed: String| async move {
                ["41", "42"]
                    .iter()
                    .filter(|v| v.starts_with(&typed))
                    .map(|v| v.to_string())
                    .collect()
            }),
        )
}

async fn connect(server: &Server, mode: ClientMode) -> Client {
    memory::connect(server, Client::builder("c", "1").mode(mode)).await
}

/// The JSON-RPC error a request earned.
fn rpc(e: Error) -> ErrorObject {
    match e {
        Error::Rpc(obj) => obj,
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

/// Checks the error a URI of `len` bytes earns over a cap of `max`: the
/// code, the numbers, and a message that quotes only a short prefix.
fn assert_too_long(e: Error, len: usize, max: usize) {
    let e = rpc(e);
    assert_eq!(e.code, ErrorCode::INVALID_PARAMS, "{e:?}");
    let message_chars = e.message.chars().count();
    assert!(
        message_chars <= QUOTED_URI_CHARS + 120,
        "{message_chars} chars"
    );
    assert!(e.message.contains(&format!("{len} bytes")), "{}", e.message);
    assert!(e.message.contains(&format!("{max} bytes")), "{}", e.message);
    assert!(e.message.ends_with('…'), "{}", e.message);
    assert_eq!(
        e.data,
        Some(json!({"uriLength": len, "maxUriLength": max})),
        "{}",
        e.message
    );
}

async fn read_text(client: &Client, uri: &str) -> String {
    let r = client.read_resource(uri).await.expect("the read is served");
    match &r.contents[0] {
        ResourceContents::Text(t) => t.text.clone(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_huge_uri_is_refused_briefly_and_the_next_read_is_served() {
    for mode in [ClientMode::Legacy, ClientMode::Auto] {
        let reads = Arc::new(AtomicUsize::new(0));
        let server = builder(&reads).build().unwrap();
        let client = connect(&server, mode).await;
        let huge = huge_ticket();
        let e = client.read_resource(&huge).await.unwrap_err();
        assert_too_long(e, huge.len(), DEFAULT_MAX_URI_LENGTH);
        assert_eq!(reads.load(Ordering::SeqCst), 0, "no handler saw it");
        assert_eq!(read_text(&client, "ticket://42").await, "ticket 42");
        assert_eq!(read_text(&client, "memo://readme").await, "Read me");
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }
}

#[tokio::test]
async fn the_cap_is_exact_and_settable() {
    let reads = Arc::new(AtomicUsize::new(0));
    let client = connect(&builder(&reads).build().unwrap(), ClientMode::Legacy).await;
    let at_cap = format!(
        "ticket://{}",
        "1".repeat(DEFAULT_MAX_URI_LENGTH - "ticket://".len())
    );
    assert_eq!(
        read_text(&client, &at_cap).await,
        format!("ticket of {} digits", at_cap.len() - 9)
    );
    let over = format!("{at_cap}1");
    let e = client.read_resource(&over).await.unwrap_err();
    assert_too_long(e, over.len(), DEFAULT_MAX_URI_LENGTH);

    let client = connect(
        &builder(&reads).max_uri_length(32).build().unwrap(),
        ClientMode::Auto,
    )
    .await;
    let at_cap = format!("ticket://{}", "2".repeat(23));
    assert_eq!(
        read_text(&client, &at_cap).await,
        "ticket of 23 digits".to_string()
    );
    // A 33-byte URI is shorter than the quoted prefix: quoted whole.
    let e = rpc(client
        .read_resource(&format!("{at_cap}2"))
        .await
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::INVALID_PARAMS);
    assert!(e.message.ends_with(&format!("{at_cap}2")), "{}", e.message);
    assert_eq!(read_text(&client, "ticket://42").await, "ticket 42");
}

#[tokio::test]
async fn subscriptions_and_completion_refuse_huge_uris_and_keep_what_they_hold() {
    let reads = Arc::new(AtomicUsize::new(0));
    let server = builder(&reads).build().unwrap();
    let client = connect(&server, ClientMode::Legacy).await;
    let mut notes = client.notifications();
    client.subscribe("memo://readme").await.unwrap();
    let huge = huge_ticket();
    let e = client.subscribe(&huge).await.unwrap_err();
    assert_too_long(e, huge.len(), DEFAULT_MAX_URI_LENGTH);
    let e = client.unsubscribe(&huge).await.unwrap_err();
    assert_too_long(e, huge.len(), DEFAULT_MAX_URI_LENGTH);
    let huge_ref = CompleteReference::Resource(ResourceTemplateReference { uri: huge.clone() });
    let e = client
        .complete(huge_ref, "ticket_id", "4")
        .await
        .unwrap_err();
    assert_too_long(e, huge.len(), DEFAULT_MAX_URI_LENGTH);

    // The subscription made before still holds.
    server.resource_updated("memo://readme");
    let note = tokio::time::timeout(Duration::from_secs(5), notes.recv())
        .await
        .expect("the update arrives in time")
        .expect("the client is live");
    assert_eq!(
        note,
        ServerNotification::ResourceUpdated {
            uri: "memo://readme".into()
        }
    );
    let template = CompleteReference::Resource(ResourceTemplateReference {
        uri: "ticket://{ticket_id}".into(),
    });
    let c = client.complete(template, "ticket_id", "4").await.unwrap();
    assert_eq!(c.completion.values, ["41", "42"]);
    assert_eq!(read_text(&client, "ticket://41").await, "ticket 41");
}

#[tokio::test]
async fn listen_refuses_a_huge_uri_and_serves_the_next_request() {
    let reads = Arc::new(AtomicUsize::new(0));
    let server = builder(&reads).build().unwrap();
    let client = connect(&server, ClientMode::Auto).await;
    let huge = huge_ticket();
    let filter = |uri: &str| SubscriptionFilter {
        resource_subscriptions: Some(vec!["memo://readme".into(), uri.to_owned()]),
        ..Default::default()
    };
    let e = client.listen(filter(&huge)).await.unwrap_err();
    assert_too_long(e, huge.len(), DEFAULT_MAX_URI_LENGTH);
    let mut sub = client.listen(filter("ticket://42")).await.unwrap();
    server.resource_updated("ticket://42");
    let note = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("the update arrives in time")
        .expect("the subscription is live");
    assert_eq!(
        note,
        ServerNotification::ResourceUpdated {
            uri: "ticket://42".into()
        }
    );
    assert_eq!(read_text(&client, "ticket://42").await, "ticket 42");
}

#[tokio::test]
async fn an_unknown_long_uri_is_quoted_briefly() {
    for (mode, code) in [
        (ClientMode::Legacy, ErrorCode::RESOURCE_NOT_FOUND),
        (ClientMode::Auto, ErrorCode::INVALID_PARAMS),
    ] {
        let reads = Arc::new(AtomicUsize::new(0));
        let client = connect(&builder(&reads).build().unwrap(), mode).await;
        // Under the cap, so it is looked up, and found nowhere.
        let unknown = format!("nothing://{}", "x".repeat(60_000));
        let e = rpc(client.read_resource(&unknown).await.unwrap_err());
        assert_eq!(e.code, code);
        let shown = format!("{}…", &unknown[..QUOTED_URI_CHARS]);
        assert_eq!(e.message, format!("Resource not found: {shown}"));
        assert_eq!(e.data, Some(json!({ "uri": shown })));
        // A short one is still named whole.
        let e = rpc(client.read_resource("nothing://here").await.unwrap_err());
        assert_eq!(e.data, Some(json!({ "uri": "nothing://here" })));
        assert_eq!(read_text(&client, "memo://readme").await, "Read me");
    }
}
