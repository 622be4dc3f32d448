//! The Streamable HTTP server with event stores of the user's own, over
//! real TCP: one whose every answer waits still resumes a stream with
//! exactly the events the client missed; one that fails, or never
//! answers, still serves the live stream, and a resumption it cannot
//! serve gets a clear 503 rather than a hang.

mod support {
    pub mod http_server;
}

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use mcpwire::transport::http_server::{
    BoxFuture, EventStore, EventStoreError, InMemoryEventStore, Replay,
};
use support::http_server::*;

/// How a test store answers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    /// After yielding once to the runtime, doing its work only then, as a
    /// store across a network would.
    Later,
    /// With an error, whose text must not reach clients.
    Fail,
    /// Never.
    Never,
}

/// What the failing store says; no client may read it.
const SECRET: &str = "redis at 10.0.0.7:6379 refused AUTH";

/// An event store around the in-memory one, answering as told.
#[derive(Debug)]
struct Store {
    inner: Arc<InMemoryEventStore>,
    answer: Answer,
    /// Answers given after waiting.
    waited: Arc<AtomicUsize>,
}

impl Store {
    fn new(answer: Answer) -> Arc<Store> {
        Arc::new(Store {
            inner: Arc::new(InMemoryEventStore::default()),
            answer,
            waited: Arc::new(AtomicUsize::new(0)),
        })
    }

    fn answer<T: Send + 'static>(
        &self,
        work: impl FnOnce(&InMemoryEventStore) -> BoxFuture<Result<T, EventStoreError>> + Send + 'static,
    ) -> BoxFuture<Result<T, EventStoreError>> {
        let (inner, waited) = (self.inner.clone(), self.waited.clone());
        match self.answer {
            Answer::Later => Box::pin(async move {
                tokio::task::yield_now().await;
                let r = work(&inner).await;
                waited.fetch_add(1, Ordering::SeqCst);
                r
            }),
            Answer::Fail => Box::pin(std::future::ready(Err(EventStoreError::Backend(
                SECRET.into(),
            )))),
            Answer::Never => Box::pin(std::future::pending()),
        }
    }
}

impl EventStore for Store {
    fn append(
        &self,
        session: &str,
        stream: u64,
        data: Bytes,
    ) -> BoxFuture<Result<String, EventStoreError>> {
        let session = session.to_owned();
        self.answer(move |s| s.append(&session, stream, data))
    }

    fn replay_after(
        &self,
        session: &str,
        last_event_id: &str,
    ) -> BoxFuture<Result<Option<Replay>, EventStoreError>> {
        let (session, last) = (session.to_owned(), last_event_id.to_owned());
        self.answer(move |s| s.replay_after(&session, &last))
    }

    fn finish_stream(&self, session: &str, stream: u64) -> BoxFuture<Result<(), EventStoreError>> {
        let session = session.to_owned();
        self.answer(move |s| s.finish_stream(&session, stream))
    }

    fn forget_stream(&self, session: &str, stream: u64) -> BoxFuture<Result<(), EventStoreError>> {
        let session = session.to_owned();
        self.answer(move |s| s.forget_stream(&session, stream))
    }

    fn forget_session(&self, session: &str) -> BoxFuture<Result<(), EventStoreError>> {
        let session = session.to_owned();
        self.answer(move |s| s.forget_session(&session))
    }
}

fn call(id: u64, steps: u64, ms: u64, tag: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
        "name": "steps", "arguments": {"steps": steps, "ms": ms, "tag": tag},
        "_meta": {"progressToken": tag}}})
}

/// The JSON messages among `events`, leaving out priming events.
fn messages(events: &[(Option<String>, String)]) -> Vec<Value> {
    events
        .iter()
        .filter(|e| !e.1.is_empty())
        .map(|e| serde_json::from_str(&e.1).unwrap())
        .collect()
}

fn progress(msgs: &[Value]) -> Vec<f64> {
    msgs.iter()
        .filter(|m| m["method"] == "notifications/progress")
        .map(|m| m["params"]["progress"].as_f64().unwrap())
        .collect()
}

async fn resume(s: &Running, session: &str, last: &str) -> Response {
    s.http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", session)
        .header("mcp-protocol-version", "2025-11-25")
        .header("last-event-id", last)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_whose_answers_wait_resumes_exactly_the_missed_events() {
    let store = Store::new(Answer::Later);
    let s = start(HttpConfig::default().event_store(store.clone())).await;
    let session = s.initialize("2025-11-25").await;

    // Read the priming event and the first progress, then hang up while
    // the call goes on.
    let r = s
        .post(Some(&session), &call(1, 4, 60, "waits-resumed"))
        .await;
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let seen = sse_events(r, 1).await;
    assert!(seen.iter().all(|e| e.0.is_some()), "{seen:?}");
    assert_eq!(progress(&messages(&seen)), vec![0.0]);
    let last = seen.last().unwrap().0.clone().unwrap();
    finished("waits-resumed").await;

    // The rest, and nothing already seen.
    let r = resume(&s, &session, &last).await;
    assert_eq!(r.status(), StatusCode::OK);
    let rest = sse_events(r, 4).await;
    assert!(rest.iter().all(|e| e.0.is_some()), "{rest:?}");
    let msgs = messages(&rest);
    assert_eq!(progress(&msgs), vec![1.0, 2.0, 3.0], "{msgs:?}");
    assert_eq!(msgs.len(), 4, "{msgs:?}");
    assert_eq!(msgs[3]["result"]["content"][0]["text"], "4 steps");

    // A GET stream starts with its priming event, which had to wait too.
    let get = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::OK);
    let first = sse_events(get, 0).await;
    assert!(first[0].0.is_some() && first[0].1.is_empty(), "{first:?}");

    // Every answer above came after waiting.
    assert!(store.waited.load(Ordering::SeqCst) >= 8);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_store_serves_the_live_stream_and_refuses_resumption_clearly() {
    let s = start(HttpConfig::default().event_store(Store::new(Answer::Fail))).await;
    let session = s.initialize("2025-11-25").await;

    // Everything arrives live, without ids, since none could be kept.
    let r = s.post(Some(&session), &call(1, 3, 10, "unkept")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let live = sse_events(r, 4).await;
    assert!(live.iter().all(|e| e.0.is_none()), "{live:?}");
    let msgs = messages(&live);
    assert_eq!(progress(&msgs), vec![0.0, 1.0, 2.0]);
    assert_eq!(msgs[3]["result"]["content"][0]["text"], "3 steps");

    // A resumption cannot be served: 503, come back later, and nothing of
    // what the store said.
    let r = resume(&s, &session, "0-1").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], -32000, "{body}");
    assert!(!body.to_string().contains("10.0.0.7"), "{body}");

    // The session goes on.
    let ping = json!({"jsonrpc": "2.0", "id": 2, "method": "ping"});
    assert_eq!(s.post(Some(&session), &ping).await.status(), StatusCode::OK);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_never_answers_costs_a_deadline_not_a_hang() {
    let deadline = Duration::from_millis(200);
    let config = HttpConfig::default()
        .event_store(Store::new(Answer::Never))
        .event_store_timeout(deadline);
    let s = start(config).await;
    let session = s.initialize("2025-11-25").await;

    let r = s.post(Some(&session), &call(1, 2, 10, "never-kept")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let live = sse_events(r, 3).await;
    let msgs = messages(&live);
    assert_eq!(progress(&msgs), vec![0.0, 1.0]);
    assert_eq!(msgs[2]["result"]["content"][0]["text"], "2 steps");

    let asked = std::time::Instant::now();
    let r = resume(&s, &session, "0-1").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"));
    let waited = asked.elapsed();
    assert!(
        waited >= deadline && waited < PATIENCE,
        "answered after {waited:?}"
    );
    s.stop().await;
}
