//! Tests of [`Stream`] against stores that answer at once, later, never,
//! or with an error: the order of events, their ids, and what the reader
//! gets when the store fails.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::server::InMemoryEventStore;
use crate::server::events::Replay;

/// How a test store answers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    /// After yielding once to the runtime, doing its work only then.
    Later,
    /// Never.
    Never,
    /// With an error.
    Fail,
}

/// A store around the in-memory one that answers as told, and counts
/// the calls made of it.
#[derive(Debug)]
struct Test {
    inner: Arc<InMemoryEventStore>,
    answer: Answer,
    appends: AtomicUsize,
    forgets: AtomicUsize,
}

impl Test {
    fn new(answer: Answer) -> Arc<Test> {
        Arc::new(Test {
            inner: Arc::new(InMemoryEventStore::default()),
            answer,
            appends: AtomicUsize::new(0),
            forgets: AtomicUsize::new(0),
        })
    }

    fn answer<T: Send + 'static>(
        &self,
        work: impl FnOnce(&InMemoryEventStore) -> BoxFuture<Result<T, EventStoreError>> + Send + 'static,
    ) -> BoxFuture<Result<T, EventStoreError>> {
        let inner = self.inner.clone();
        match self.answer {
            Answer::Later => Box::pin(async move {
                tokio::task::yield_now().await;
                work(&inner).await
            }),
            Answer::Never => Box::pin(std::future::pending()),
            Answer::Fail => Box::pin(std::future::ready(Err(EventStoreError::Backend(
                "down".into(),
            )))),
        }
    }
}

impl EventStore for Test {
    fn append(
        &self,
        session: &str,
        stream: u64,
        data: Bytes,
    ) -> BoxFuture<Result<String, EventStoreError>> {
        self.appends.fetch_add(1, Ordering::SeqCst);
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

    fn forget_stream(&self, session: &str, stream: u64) -> BoxFuture<Result<(), EventStoreError>> {
        self.forgets.fetch_add(1, Ordering::SeqCst);
        let session = session.to_owned();
        self.answer(move |s| s.forget_stream(&session, stream))
    }

    fn forget_session(&self, session: &str) -> BoxFuture<Result<(), EventStoreError>> {
        let session = session.to_owned();
        self.answer(move |s| s.forget_session(&session))
    }
}

const LONG: Duration = Duration::from_secs(60);

fn stream(
    store: Arc<dyn EventStore>,
    timeout: Duration,
    budget: usize,
) -> (Arc<Stream>, mcpwire_rpc::queue::Receiver<Item>) {
    Stream::new(7, Arc::from("s"), store, timeout, budget, false)
}

/// Reads `n` items, failing the test if they take more than 5 s.
async fn take(rx: &mut mcpwire_rpc::queue::Receiver<Item>, n: usize) -> Vec<Item> {
    let mut out = Vec::new();
    for _ in 0..n {
        let item = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
        out.push(item.expect("an item in time").expect("the stream is open"));
    }
    out
}

fn text(i: usize) -> Bytes {
    Bytes::from(format!("{{\"n\":{i}}}"))
}

#[test]
fn a_store_that_answers_at_once_is_called_in_place() {
    // No runtime here: a task could not even be spawned.
    let (s, mut rx) = stream(Arc::new(InMemoryEventStore::default()), LONG, 1 << 20);
    s.push(text(0), false);
    s.push(text(1), true);
    let a = rx.try_recv().expect("delivered at once");
    let b = rx.try_recv().expect("delivered at once");
    assert_eq!(
        (a.id.as_deref(), b.id.as_deref()),
        (Some("7-1"), Some("7-2"))
    );
    assert!(b.last && !s.is_unstored());
}

#[tokio::test]
async fn a_store_that_answers_later_keeps_the_order_and_the_ids() {
    let store = Test::new(Answer::Later);
    let (s, mut rx) = stream(store.clone(), LONG, 1 << 20);
    for i in 0..50 {
        s.push(text(i), i == 49);
    }
    // Nothing goes out before the store gave it its id.
    assert!(rx.try_recv().is_none());
    let items = take(&mut rx, 50).await;
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item.data, text(i));
        // The priming event is 7-0.
        assert_eq!(item.id.as_deref(), Some(format!("7-{}", i + 1).as_str()));
    }
    assert_eq!(s.start_sse().await.as_deref(), Some("7-0"));
    // The store holds them in the same order.
    let kept = store.inner.replay_after("s", "7-0").await.unwrap().unwrap();
    let kept: Vec<Bytes> = kept.events.into_iter().map(|e| e.data).collect();
    assert_eq!(kept, (0..50).map(text).collect::<Vec<_>>());
    assert!(!s.is_unstored());
}

#[tokio::test]
async fn the_priming_id_is_awaited_when_the_store_answers_later() {
    let store = Test::new(Answer::Later);
    let (s, _rx) = Stream::new(3, Arc::from("s"), store, LONG, 1 << 20, true);
    assert_eq!(s.start_sse().await.as_deref(), Some("3-0"));
}

#[tokio::test]
async fn a_failing_store_still_delivers_everything_without_ids() {
    let store = Test::new(Answer::Fail);
    let (s, mut rx) = stream(store.clone(), LONG, 1 << 20);
    for i in 0..5 {
        s.push(text(i), i == 4);
    }
    let items = take(&mut rx, 5).await;
    assert!(items.iter().all(|i| i.id.is_none()), "{items:?}");
    assert_eq!(items[4].data, text(4));
    assert!(s.is_unstored());
    // The priming event failed; nothing more was asked of the store but
    // to forget the stream rather than finish it.
    assert_eq!(store.appends.load(Ordering::SeqCst), 1);
    assert_eq!(store.forgets.load(Ordering::SeqCst), 1);
    assert_eq!(s.start_sse().await, None);
}

#[tokio::test(start_paused = true)]
async fn a_store_that_never_answers_is_given_up_on_at_the_deadline() {
    let store = Test::new(Answer::Never);
    let (s, mut rx) = stream(store.clone(), Duration::from_secs(2), 1 << 20);
    let started = tokio::time::Instant::now();
    s.push(text(0), false);
    s.push(text(1), false);
    let items = take(&mut rx, 2).await;
    assert!(items.iter().all(|i| i.id.is_none()));
    assert_eq!(started.elapsed(), Duration::from_secs(2));
    // Once failed, the stream does not wait for the store again.
    s.push(text(2), false);
    assert_eq!(rx.try_recv().map(|i| i.data), Some(text(2)));
    assert_eq!(store.appends.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn events_waiting_past_the_budget_stop_the_wait_for_the_store() {
    let store = Test::new(Answer::Never);
    let (s, mut rx) = stream(store, LONG, 100);
    for i in 0..20 {
        s.push(text(i), false);
    }
    // Long before the deadline, all are sent, in order, without ids.
    let items = take(&mut rx, 20).await;
    assert!(items.iter().enumerate().all(|(n, i)| i.data == text(n)));
    assert!(items.iter().all(|i| i.id.is_none()));
    assert!(s.is_unstored());
}

#[tokio::test]
async fn an_id_that_would_break_the_sse_framing_is_refused() {
    #[derive(Debug)]
    struct Crooked;
    impl EventStore for Crooked {
        fn append(&self, _: &str, _: u64, _: Bytes) -> BoxFuture<Result<String, EventStoreError>> {
            Box::pin(std::future::ready(Ok("1\ndata: forged".to_owned())))
        }
        fn replay_after(
            &self,
            _: &str,
            _: &str,
        ) -> BoxFuture<Result<Option<Replay>, EventStoreError>> {
            Box::pin(std::future::ready(Ok(None)))
        }
        fn forget_stream(&self, _: &str, _: u64) -> BoxFuture<Result<(), EventStoreError>> {
            Box::pin(std::future::ready(Ok(())))
        }
        fn forget_session(&self, _: &str) -> BoxFuture<Result<(), EventStoreError>> {
            Box::pin(std::future::ready(Ok(())))
        }
    }
    let (s, mut rx) = stream(Arc::new(Crooked), LONG, 1 << 20);
    s.push(text(0), false);
    let item = take(&mut rx, 1).await.remove(0);
    assert_eq!((item.id, item.data), (None, text(0)));
    assert!(s.is_unstored());
}
