//! Waiting for an event a test can only observe from outside (a counter, a
//! file, a process that exits) without sleeping a fixed time: poll until it
//! holds, and fail with what was awaited once the patience runs out.
//!
//! Under paused tokio time (`#[tokio::test(start_paused = true)]`) the
//! polls cost no wall-clock time, and the deadline still holds.

use std::future::Future;
use std::time::Duration;

use tokio::sync::broadcast;

/// How often [`eventually`] and [`eventually_blocking`] look again.
pub const POLL_EVERY: Duration = Duration::from_millis(10);

/// Polls `check` until it holds; panics with `what` once `patience` has
/// passed.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let done = Arc::new(AtomicBool::new(false));
/// let d = done.clone();
/// tokio::spawn(async move { d.store(true, Ordering::SeqCst) });
/// mcpwire_testkit::eventually(Duration::from_secs(5), "the task ran", || async {
///     done.load(Ordering::SeqCst)
/// })
/// .await;
/// # }
/// ```
pub async fn eventually<F, Fut>(patience: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + patience;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up after {patience:?} waiting for: {what}"
        );
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// [`eventually`] for tests without a runtime: blocks the thread between
/// polls.
///
/// ```
/// use std::time::Duration;
/// let start = std::time::Instant::now();
/// mcpwire_testkit::eventually_blocking(Duration::from_secs(5), "a moment passed", || {
///     start.elapsed() > Duration::from_millis(20)
/// });
/// ```
pub fn eventually_blocking(patience: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + patience;
    while !check() {
        assert!(
            std::time::Instant::now() < deadline,
            "gave up after {patience:?} waiting for: {what}"
        );
        std::thread::sleep(POLL_EVERY);
    }
}

/// Awaits `fut`, panicking with `what` if it takes longer than `patience`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// let n = mcpwire_testkit::within(Duration::from_secs(1), "an answer", async { 42 }).await;
/// assert_eq!(n, 42);
/// # }
/// ```
pub async fn within<F: Future>(patience: Duration, what: &str, fut: F) -> F::Output {
    match tokio::time::timeout(patience, fut).await {
        Ok(out) => out,
        Err(_) => panic!("gave up after {patience:?} waiting for: {what}"),
    }
}

/// The first item of `rx` that `pick` maps to `Some`, skipping the others;
/// panics with `what` after `patience`, or when the channel closes.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// let (tx, mut rx) = tokio::sync::broadcast::channel(8);
/// for n in [1, 2, 3] {
///     tx.send(n).unwrap();
/// }
/// let even = mcpwire_testkit::next_matching(&mut rx, Duration::from_secs(1), "an even number", |n| {
///     (n % 2 == 0).then_some(*n)
/// })
/// .await;
/// assert_eq!(even, 2);
/// # }
/// ```
pub async fn next_matching<T, R>(
    rx: &mut broadcast::Receiver<T>,
    patience: Duration,
    what: &str,
    mut pick: impl FnMut(&T) -> Option<R>,
) -> R
where
    T: Clone,
{
    within(patience, what, async {
        loop {
            match rx.recv().await {
                Ok(item) => {
                    if let Some(r) = pick(&item) {
                        return r;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => {
                    panic!("the channel closed while waiting for: {what}")
                }
            }
        }
    })
    .await
}
