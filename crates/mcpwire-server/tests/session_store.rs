//! Session state behind a trait: the server writes what each session
//! negotiated through to its `SessionStore` (the handshake, the log level,
//! subscriptions), bounds the subscriptions one session may hold, and
//! forgets the session when its connection ends.

mod support;

use std::sync::{Arc, Mutex};

use mcpwire_server::{
    BoxFuture, InMemorySessionStore, MAX_SUBSCRIPTIONS_PER_SESSION, ResourceRoute, Server,
    SessionRecord, SessionStore, SessionStoreError,
};
use mcpwire_types::{LoggingLevel, ProtocolVersion};
use serde_json::json;
use support::{DEADLINE, INVALID_PARAMS, Wire};
use tokio::sync::Notify;

/// An in-memory store that remembers which sessions it saw, and says when
/// one was removed.
#[derive(Default)]
struct Watched {
    inner: InMemorySessionStore,
    ids: Mutex<Vec<String>>,
    removed: Notify,
}

impl SessionStore for Watched {
    fn save(&self, id: &str, record: SessionRecord) -> BoxFuture<Result<(), SessionStoreError>> {
        let mut ids = self.ids.lock().unwrap();
        if !ids.iter().any(|i| i == id) {
            ids.push(id.to_owned());
        }
        self.inner.save(id, record)
    }

    fn load(&self, id: &str) -> BoxFuture<Result<Option<SessionRecord>, SessionStoreError>> {
        self.inner.load(id)
    }

    fn remove(&self, id: &str) -> BoxFuture<Result<(), SessionStoreError>> {
        let done = self.inner.remove(id);
        self.removed.notify_one();
        done
    }
}

impl Watched {
    fn only_id(&self) -> String {
        let ids = self.ids.lock().unwrap();
        assert_eq!(ids.len(), 1, "{ids:?}");
        ids[0].clone()
    }

    async fn record(&self) -> SessionRecord {
        self.load(&self.only_id())
            .await
            .unwrap()
            .expect("the session is stored")
    }
}

fn server(store: Arc<Watched>) -> Server {
    Server::builder("stored", "1.0.0")
        .resource(ResourceRoute::new("memo://a", "a", |_cx, _u, _v| async {
            "a".to_string()
        }))
        .session_store(store)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_session_is_written_through_and_forgotten_when_it_ends() {
    let store = Arc::new(Watched::default());
    let server = server(store.clone());
    let mut wire = Wire::connect(&server);
    wire.initialize().await;
    let record = store.record().await;
    assert_eq!(record.protocol_version, Some(ProtocolVersion::V2025_11_25));
    assert_eq!(
        record.client_info.as_ref().map(|c| c.name.as_str()),
        Some("raw")
    );
    assert!(record.client_capabilities.is_some());
    assert_eq!(record.log_level, None);

    wire.ok("logging/setLevel", json!({"level": "warning"}))
        .await;
    wire.ok("resources/subscribe", json!({"uri": "memo://a"}))
        .await;
    let record = store.record().await;
    assert_eq!(record.log_level, Some(LoggingLevel::Warning));
    assert!(record.subscriptions.contains("memo://a"));
    // The record is plain data: it survives a trip through JSON.
    let json = serde_json::to_value(&record).unwrap();
    assert_eq!(json["logLevel"], "warning");
    assert_eq!(
        serde_json::from_value::<SessionRecord>(json).unwrap(),
        record
    );

    wire.ok("resources/unsubscribe", json!({"uri": "memo://a"}))
        .await;
    assert!(store.record().await.subscriptions.is_empty());

    let removed = store.removed.notified();
    wire.close();
    tokio::time::timeout(DEADLINE, removed)
        .await
        .expect("the session was removed when it ended");
    assert!(store.inner.is_empty());
}

#[tokio::test]
async fn subscriptions_per_session_are_bounded() {
    let store = Arc::new(Watched::default());
    let server = server(store.clone());
    let mut wire = Wire::connect(&server);
    wire.initialize().await;
    for i in 0..MAX_SUBSCRIPTIONS_PER_SESSION {
        wire.ok("resources/subscribe", json!({"uri": format!("memo://{i}")}))
            .await;
    }
    let answer = wire
        .call("resources/subscribe", json!({"uri": "memo://one-too-many"}))
        .await;
    assert_eq!(answer["error"]["code"], INVALID_PARAMS);
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("Too many subscriptions"), "{message}");
    // Nothing already held was lost, and a held one may be renewed.
    let record = store.record().await;
    assert_eq!(record.subscriptions.len(), MAX_SUBSCRIPTIONS_PER_SESSION);
    assert!(!record.subscriptions.contains("memo://one-too-many"));
    wire.ok("resources/subscribe", json!({"uri": "memo://0"}))
        .await;
    // Room again after an unsubscribe.
    wire.ok("resources/unsubscribe", json!({"uri": "memo://1"}))
        .await;
    wire.ok("resources/subscribe", json!({"uri": "memo://one-too-many"}))
        .await;
    wire.ok("ping", json!({})).await;
}

/// Updates of a subscribed resource still reach the session.
#[tokio::test]
async fn a_subscribed_session_hears_of_updates() {
    let store = Arc::new(Watched::default());
    let server = server(store);
    let mut wire = Wire::connect(&server);
    wire.initialize().await;
    wire.ok("resources/subscribe", json!({"uri": "memo://a"}))
        .await;
    server.resource_updated("memo://b");
    server.resource_updated("memo://a");
    let update = wire.notification("notifications/resources/updated").await;
    assert_eq!(update["params"]["uri"], "memo://a");
}
