//! Two server instances sharing one session store, each on its own port,
//! as replicas behind a load balancer would: a session opened on one is
//! served by the other, a change made on one is followed by the other, a
//! DELETE on one ends the session on both, and a store that cannot answer
//! gets 503 with `Retry-After`, never a guess.
//!
//! The shared store here lives in this process (two instances of the
//! server, one store); the Redis store is tested the same way, across
//! processes, in crates/mcpwire-redis.

mod support {
    pub mod http_server;
}

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mcpwire::server::{
    BoxFuture, InMemorySessionStore, SessionRecord, SessionStore, SessionStoreError,
};
use mcpwire::types::LoggingLevel;
use support::http_server::*;

/// An in-memory store that says it is shared, and can be made to fail.
#[derive(Default)]
struct Shared {
    inner: InMemorySessionStore,
    down: AtomicBool,
}

impl Shared {
    fn check(&self) -> Result<(), SessionStoreError> {
        if self.down.load(Ordering::Relaxed) {
            Err(SessionStoreError::Backend("connection refused".into()))
        } else {
            Ok(())
        }
    }
}

fn failed<T: Send + 'static>(e: SessionStoreError) -> BoxFuture<Result<T, SessionStoreError>> {
    Box::pin(std::future::ready(Err(e)))
}

impl SessionStore for Shared {
    fn save(&self, id: &str, r: SessionRecord) -> BoxFuture<Result<(), SessionStoreError>> {
        match self.check() {
            Ok(()) => self.inner.save(id, r),
            Err(e) => failed(e),
        }
    }
    fn load(&self, id: &str) -> BoxFuture<Result<Option<SessionRecord>, SessionStoreError>> {
        match self.check() {
            Ok(()) => self.inner.load(id),
            Err(e) => failed(e),
        }
    }
    fn remove(&self, id: &str) -> BoxFuture<Result<(), SessionStoreError>> {
        match self.check() {
            Ok(()) => self.inner.remove(id),
            Err(e) => failed(e),
        }
    }
    fn is_shared(&self) -> bool {
        true
    }
}

/// The test server, with a tool that logs at info level.
fn replica(store: Arc<Shared>) -> Server {
    Server::builder("shared-test", "1")
        .session_store(store)
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(ToolRoute::typed(
            "chatty",
            |cx: Context, a: Text| async move {
                cx.log(LoggingLevel::Info, None, "about to answer").await;
                a.text
            },
        ))
        .build()
        .unwrap()
}

async fn pair() -> (Arc<Shared>, Running, Running) {
    let store = Arc::new(Shared::default());
    let a = start_with(replica(store.clone()), HttpConfig::default()).await;
    let b = start_with(replica(store.clone()), HttpConfig::default()).await;
    (store, a, b)
}

fn call(id: u64, tool: &str, text: &str) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":tool,"arguments":{"text":text}}})
}

#[tokio::test]
async fn a_session_opened_on_one_instance_is_served_by_the_other() {
    let (_store, a, b) = pair().await;
    let sid = a.initialize("2025-11-25").await;
    assert_eq!(b.svc.session_count(), 0);
    let r = b.post(Some(&sid), &call(1, "echo", "hello")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "hello");
    // B picked the session up; a second request reuses it.
    assert_eq!(b.svc.session_count(), 1);
    let r = b.post(Some(&sid), &call(2, "echo", "again")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(b.svc.session_count(), 1);
    // The revision negotiated on A holds on B: a batch is refused there
    // as it would be on A (2025-11-25 has no batches).
    let r = b
        .post(
            Some(&sid),
            &json!([call(3, "echo", "x"), call(4, "echo", "y")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_log_level_set_on_one_instance_holds_on_the_other() {
    let (_store, a, b) = pair().await;
    let sid = a.initialize("2025-11-25").await;
    // Before any level is set, the info log comes first: an SSE answer.
    let r = a.post(Some(&sid), &call(1, "chatty", "one")).await;
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    drop(r);
    let set =
        json!({"jsonrpc":"2.0","id":2,"method":"logging/setLevel","params":{"level":"error"}});
    let r = b.post(Some(&sid), &set).await;
    assert_eq!(r.status(), StatusCode::OK);
    // On A, the info log is now held back: the answer is plain JSON.
    let r = a.post(Some(&sid), &call(3, "chatty", "two")).await;
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "two");
}

#[tokio::test]
async fn a_delete_on_one_instance_ends_the_session_on_both() {
    let (_store, a, b) = pair().await;
    let sid = a.initialize("2025-11-25").await;
    assert_eq!(
        b.post(Some(&sid), &call(1, "echo", "x")).await.status(),
        StatusCode::OK
    );
    let r = a
        .http
        .delete(&a.url)
        .header("mcp-session-id", &sid)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = b.post(Some(&sid), &call(2, "echo", "y")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(b.svc.session_count(), 0, "B ended its copy too");
}

#[tokio::test]
async fn a_session_of_another_principal_is_not_picked_up() {
    let store = Arc::new(Shared::default());
    let mut record = SessionRecord::default();
    record.protocol_version = Some(mcpwire::types::ProtocolVersion::V2025_11_25);
    record.principal = Some("alice".into());
    store.save("feedface", record).await.unwrap();
    let b = start_with(replica(store.clone()), HttpConfig::default()).await;
    // No principal (no auth layer): alice's session is unknown here.
    let r = b.post(Some("feedface"), &call(1, "echo", "x")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(b.svc.session_count(), 0);
}

#[tokio::test]
async fn a_store_that_cannot_answer_gets_503_and_service_comes_back() {
    let (store, a, b) = pair().await;
    let sid = a.initialize("2025-11-25").await;
    store.down.store(true, Ordering::Relaxed);
    let r = b.post(Some(&sid), &call(1, "echo", "x")).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"));
    let body: Value = r.json().await.unwrap();
    let text = body.to_string();
    assert!(!text.contains("connection refused"), "leaked: {text}");
    // A stateless 2026-07-28 request needs no session: still served.
    let r = call_modern(
        &b.url,
        "echo",
        &json!({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"text":"on"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    store.down.store(false, Ordering::Relaxed);
    let r = b.post(Some(&sid), &call(2, "echo", "back")).await;
    assert_eq!(r.status(), StatusCode::OK);
}
