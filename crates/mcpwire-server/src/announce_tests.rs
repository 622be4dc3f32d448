//! Tests of the [`Announcer`] against buses that publish at once, later,
//! never, or with an error.

use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::StreamExt;

use super::*;
use crate::{EventStream, InProcessBus};

/// How a test bus publishes.
#[derive(Clone, Copy, PartialEq)]
enum Answer {
    /// After yielding once to the runtime, publishing only then.
    Later,
    /// Never.
    Never,
    /// With an error, every other time.
    FailEveryOther,
}

/// A bus around the in-process one that publishes as told, and counts the
/// publishes asked of it.
struct Test {
    inner: Arc<InProcessBus>,
    answer: Answer,
    asked: AtomicUsize,
}

impl Test {
    fn new(answer: Answer) -> Arc<Test> {
        Arc::new(Test {
            inner: Arc::new(InProcessBus::with_capacity(4096)),
            answer,
            asked: AtomicUsize::new(0),
        })
    }
}

impl NotificationBus for Test {
    fn publish(&self, event: ServerEvent) -> BoxFuture<Result<(), BusError>> {
        let n = self.asked.fetch_add(1, Ordering::SeqCst);
        let inner = self.inner.clone();
        match self.answer {
            Answer::Later => Box::pin(async move {
                tokio::task::yield_now().await;
                inner.publish(event).await
            }),
            Answer::Never => Box::pin(std::future::pending()),
            Answer::FailEveryOther if n % 2 == 1 => {
                Box::pin(std::future::ready(Err(BusError::Backend("down".into()))))
            }
            Answer::FailEveryOther => inner.publish(event),
        }
    }

    fn subscribe(&self) -> EventStream {
        self.inner.subscribe()
    }
}

fn updated(i: usize) -> ServerEvent {
    ServerEvent::ResourceUpdated(format!("memo://{i}"))
}

/// Reads `n` events, failing the test if they take more than 5 s.
async fn read(events: &mut EventStream, n: usize) -> Vec<ServerEvent> {
    let mut out = Vec::new();
    for _ in 0..n {
        let next = tokio::time::timeout(Duration::from_secs(5), events.next()).await;
        out.push(next.expect("an event in time").expect("the bus is open"));
    }
    out
}

#[test]
fn the_in_process_bus_publishes_in_place() {
    // No runtime here: a task could not even be spawned.
    let bus = Arc::new(InProcessBus::default());
    let mut events = bus.subscribe();
    let announcer = Announcer::new(bus);
    announcer.announce(ServerEvent::ToolsChanged);
    assert_eq!(
        events.next().now_or_never(),
        Some(Some(ServerEvent::ToolsChanged))
    );
}

#[tokio::test]
async fn a_bus_that_publishes_later_keeps_the_order() {
    let bus = Test::new(Answer::Later);
    let mut events = bus.subscribe();
    let announcer = Announcer::new(bus.clone());
    for i in 0..100 {
        announcer.announce(updated(i));
    }
    // Only the first was asked of the bus; the rest wait behind it.
    assert_eq!(bus.asked.load(Ordering::SeqCst), 1);
    assert_eq!(
        read(&mut events, 100).await,
        (0..100).map(updated).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_failed_publish_does_not_stop_the_next() {
    let bus = Test::new(Answer::FailEveryOther);
    let mut events = bus.subscribe();
    let announcer = Announcer::new(bus);
    for i in 0..4 {
        announcer.announce(updated(i));
    }
    assert_eq!(read(&mut events, 2).await, vec![updated(0), updated(2)]);
}

#[tokio::test(start_paused = true)]
async fn a_bus_that_never_publishes_is_given_up_on_and_its_backlog_bounded() {
    let bus = Test::new(Answer::Never);
    let announcer = Announcer::new(bus.clone());
    let started = tokio::time::Instant::now();
    for i in 0..MAX_UNPUBLISHED_EVENTS + 10 {
        announcer.announce(updated(i));
    }
    assert_eq!(bus.asked.load(Ordering::SeqCst), 1);
    tokio::time::sleep(PUBLISH_TIMEOUT + Duration::from_millis(1)).await;
    // The first was given up on; the second is under way.
    assert_eq!(bus.asked.load(Ordering::SeqCst), 2);
    assert!(started.elapsed() > PUBLISH_TIMEOUT);
    // Each waits its turn; past the bound, the newest were dropped.
    tokio::time::sleep(PUBLISH_TIMEOUT * (MAX_UNPUBLISHED_EVENTS as u32 + 5)).await;
    assert_eq!(bus.asked.load(Ordering::SeqCst), 1 + MAX_UNPUBLISHED_EVENTS);
}
