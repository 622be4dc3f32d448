//! Keeping N calls in flight over an async transport the caller brings
//! (an MCP client over HTTP, say): N workers on this thread, each starting
//! its next call as soon as its last one is answered, tallied like the
//! stdio and HTTP drivers tally theirs.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

// tokio's clock is std's unless a test pauses it.
use tokio::time::Instant;

use crate::stats::{Outcome, Tally};

/// How many answers a worker counts between calls of the progress callback.
pub const PROGRESS_STEP: usize = 64;

/// Makes `calls` calls of `call` with `concurrency` workers on the current thread (a tokio
/// runtime must be running), each worker starting its next call once its last one is answered.
/// A [`Outcome::Failed`] call after which `closed()` is true ends its worker (the transport is
/// gone). `progress` is told how many more calls were answered, every [`PROGRESS_STEP`] per
/// worker and when a worker ends.
///
/// ```
/// use mcpwire_load::pipeline::run;
/// use mcpwire_load::stats::Outcome;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let tally = run(100, 8, |_| {}, || async { Outcome::Ok }, || false).await;
/// assert_eq!(tally.latencies.len(), 100);
/// # });
/// ```
pub async fn run<C, F, P, S>(
    calls: usize,
    concurrency: usize,
    progress: P,
    call: C,
    closed: S,
) -> Tally
where
    C: Fn() -> F + Clone + 'static,
    F: Future<Output = Outcome> + 'static,
    P: Fn(usize) + Clone + 'static,
    S: Fn() -> bool + Clone + 'static,
{
    let next = Rc::new(Cell::new(0usize));
    let workers = concurrency.max(1).min(calls);
    let start = Instant::now();
    let local = tokio::task::LocalSet::new();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (next, call, progress, closed) =
            (next.clone(), call.clone(), progress.clone(), closed.clone());
        let per_worker = calls / workers + 1;
        set.spawn_local_on(
            async move {
                let mut tally = Tally::with_capacity(per_worker);
                let mut since_tick = 0;
                loop {
                    let i = next.get();
                    if i >= calls {
                        break;
                    }
                    next.set(i + 1);
                    let t = Instant::now();
                    let outcome = call().await;
                    let ns = t.elapsed().as_nanos() as u64;
                    let failed = matches!(outcome, Outcome::Failed(_));
                    tally.record(outcome, ns);
                    if failed && closed() {
                        break;
                    }
                    since_tick += 1;
                    if since_tick == PROGRESS_STEP {
                        progress(since_tick);
                        since_tick = 0;
                    }
                }
                progress(since_tick);
                tally
            },
            &local,
        );
    }
    let mut total = local
        .run_until(async {
            let mut total = Tally::with_capacity(calls);
            while let Some(r) = set.join_next().await {
                if let Ok(worker) = r {
                    total.absorb(worker);
                }
            }
            total
        })
        .await;
    total.elapsed = start.elapsed();
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn every_call_is_made_once_and_counted_by_outcome() {
        let made = Rc::new(Cell::new(0usize));
        let ticks = Rc::new(Cell::new(0usize));
        let (m, t) = (made.clone(), ticks.clone());
        let tally = run(
            300,
            7,
            move |n| t.set(t.get() + n),
            move || {
                let i = m.get();
                m.set(i + 1);
                async move {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    match i % 10 {
                        0 => Outcome::Failed(format!("call {i} failed")),
                        1 => Outcome::ToolError(format!("call {i}: isError")),
                        _ => Outcome::Ok,
                    }
                }
            },
            || false,
        )
        .await;
        assert_eq!(made.get(), 300);
        assert_eq!(ticks.get(), 300, "progress hears of every call");
        assert_eq!((tally.failed, tally.tool_errors), (30, 30));
        assert_eq!(tally.latencies.len(), 270);
        // the first error of whichever worker finished first
        let first = tally.first_error.unwrap();
        assert!(
            first.ends_with(" failed") || first.ends_with(": isError"),
            "{first}"
        );
        // 7 at a time, 1 ms each: 43 rounds of paused time
        assert_eq!(tally.elapsed, Duration::from_millis(43));
    }

    #[tokio::test(start_paused = true)]
    async fn a_closed_transport_ends_the_workers() {
        let made = Rc::new(Cell::new(0usize));
        let m = made.clone();
        let tally = run(
            1_000,
            4,
            |_| {},
            move || {
                m.set(m.get() + 1);
                async { Outcome::Failed("connection closed".into()) }
            },
            || true,
        )
        .await;
        assert_eq!(made.get(), 4, "each worker stops after its first failure");
        assert_eq!(tally.failed, 4);
        assert!(tally.latencies.is_empty());
        // the same work on an open transport is made in full
        let tally = run(10, 4, |_| {}, || async { Outcome::Ok }, || true).await;
        assert_eq!(tally.latencies.len(), 10);
    }

    #[tokio::test]
    async fn no_calls_no_workers() {
        let tally = run(0, 4, |_| {}, || async { Outcome::Ok }, || false).await;
        assert!(tally.latencies.is_empty() && tally.failed == 0);
    }
}
