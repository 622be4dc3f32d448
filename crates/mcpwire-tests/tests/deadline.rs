//! The total deadline of outgoing requests: a call whose server reports
//! progress forever ends (10 times its timeout by default), the server is
//! told to stop, and the connection keeps serving. Runs on paused time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcpwire::Error;
use mcpwire::client::Client;
use mcpwire::engine::{EngineConfig, RequestOptions, TotalDeadline};
use mcpwire::server::{Context, Server, ToolRoute};
use mcpwire_types::ContentBlock;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::time::Instant;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Ticks {
    /// Finish after this many seconds; tick forever without it.
    stop_after: Option<u64>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Text {
    text: String,
}

/// A server whose `ticker` tool reports progress every second; each
/// cancellation it sees is sent on the returned channel, with the seconds
/// it ran.
fn ticker_server() -> (Server, mpsc::UnboundedReceiver<u64>) {
    // One message per cancelled call of the test: bounded by the test.
    let (tx, rx) = mpsc::unbounded_channel();
    let server = Server::builder("ticker", "1")
        .tool(ToolRoute::typed("ticker", move |cx: Context, a: Ticks| {
            let tx = tx.clone();
            async move {
                let mut seconds = 0;
                loop {
                    if a.stop_after == Some(seconds) {
                        return format!("done after {seconds} s");
                    }
                    cx.progress(seconds as f64, None, Some("ticking")).await;
                    tokio::select! {
                        _ = cx.cancellation().cancelled() => {
                            let _ = tx.send(seconds);
                            return "cancelled".to_owned();
                        }
                        // The tool's own work, one tick a second, on the
                        // tests' paused clock: not a wait for an event.
                        _ = tokio::time::sleep(Duration::from_secs(1)) => seconds += 1,
                    }
                }
            }
        }))
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .build()
        .unwrap();
    (server, rx)
}

use mcpwire_testkit::memory::connect;

/// Calls `ticker` with progress; the result, how long it took and how many
/// progress notifications arrived.
async fn tick(
    client: &Client,
    stop_after: Option<u64>,
    opts: RequestOptions,
) -> (Result<String, Error>, Duration, usize) {
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let opts = opts.on_progress(move |_| {
        s.fetch_add(1, Ordering::SeqCst);
    });
    let started = Instant::now();
    let call = client
        .call_tool("ticker", json!({"stop_after": stop_after}))
        .options(opts);
    let r = tokio::time::timeout(Duration::from_secs(2 * 3600), call)
        .await
        .expect("the call ended within two hours")
        .map(|r| r.content.iter().filter_map(ContentBlock::as_text).collect());
    (r, started.elapsed(), seen.load(Ordering::SeqCst))
}

/// Checks that `r` is the typed timeout of `tools/call` after `limit`.
fn assert_timed_out(r: Result<String, Error>, took: Duration, limit: Duration) {
    match r {
        Err(Error::Timeout { method, after }) => {
            assert_eq!(method, "tools/call");
            assert!(
                after >= limit && after < limit + Duration::from_secs(2),
                "{after:?}"
            );
        }
        other => panic!("expected a timeout after {limit:?}, got {other:?}"),
    }
    assert!(took < limit + Duration::from_secs(2), "{took:?}");
}

async fn echo(client: &Client, text: &str) -> String {
    let r = client
        .call_tool("echo", json!({"text": text}))
        .await
        .unwrap();
    r.content.iter().filter_map(ContentBlock::as_text).collect()
}

/// Waits for the server to report a cancellation; returns the seconds the
/// tool ran.
async fn cancelled(rx: &mut mpsc::UnboundedReceiver<u64>) -> u64 {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("the server saw notifications/cancelled")
        .expect("the server runs")
}

#[tokio::test(start_paused = true)]
async fn endless_progress_ends_at_ten_times_the_timeout_by_default() {
    let (server, mut seen_cancel) = ticker_server();
    let client = connect(&server, Client::builder("c", "1")).await;
    let (r, took, progress) = tick(&client, None, RequestOptions::new()).await;
    assert_timed_out(r, took, Duration::from_secs(600));
    assert!(progress >= 599, "progress kept coming: {progress}");
    let ran = cancelled(&mut seen_cancel).await;
    assert!((599..=601).contains(&ran), "the tool ran {ran} s");
    // The connection keeps serving, calls with progress included.
    assert_eq!(echo(&client, "next").await, "next");
    let (r, _, progress) = tick(&client, Some(3), RequestOptions::new()).await;
    assert_eq!(r.unwrap(), "done after 3 s");
    assert_eq!(progress, 3);
}

#[tokio::test(start_paused = true)]
async fn the_total_deadline_follows_the_timeout_and_can_be_set_per_call() {
    let (server, mut seen_cancel) = ticker_server();
    let client = connect(&server, Client::builder("c", "1")).await;

    // 10 times a per-call timeout.
    let opts = RequestOptions::new().timeout(Duration::from_secs(5));
    let (r, took, _) = tick(&client, None, opts).await;
    assert_timed_out(r, took, Duration::from_secs(50));
    cancelled(&mut seen_cancel).await;

    // A fixed cap for one call.
    let opts = RequestOptions::new().max_total(Duration::from_secs(30));
    let (r, took, _) = tick(&client, None, opts).await;
    assert_timed_out(r, took, Duration::from_secs(30));
    cancelled(&mut seen_cancel).await;

    // Turned off for one call: 700 s of progress, past the default cap.
    let opts = RequestOptions::new().total_deadline(TotalDeadline::Unlimited);
    let (r, took, progress) = tick(&client, Some(700), opts).await;
    assert_eq!(r.unwrap(), "done after 700 s");
    assert!(took >= Duration::from_secs(700), "{took:?}");
    assert_eq!(progress, 700);
    assert!(seen_cancel.try_recv().is_err(), "nothing was cancelled");
    assert_eq!(echo(&client, "still").await, "still");
}

#[tokio::test(start_paused = true)]
async fn the_client_builder_and_the_engine_config_set_the_default() {
    let (server, mut seen_cancel) = ticker_server();
    let builder = Client::builder("c", "1")
        .engine(EngineConfig::default().total_deadline(TotalDeadline::Unlimited))
        .total_deadline(TotalDeadline::After(Duration::from_secs(120)));
    let client = connect(&server, builder).await;
    let (r, took, _) = tick(&client, None, RequestOptions::new()).await;
    assert_timed_out(r, took, Duration::from_secs(120));
    cancelled(&mut seen_cancel).await;
    assert_eq!(echo(&client, "after").await, "after");

    // Off for the whole client through the engine settings.
    let config = EngineConfig::default().total_deadline(TotalDeadline::Unlimited);
    let client = connect(&server, Client::builder("c", "1").engine(config)).await;
    let (r, took, _) = tick(&client, Some(650), RequestOptions::new()).await;
    assert_eq!(r.unwrap(), "done after 650 s");
    assert!(took >= Duration::from_secs(650), "{took:?}");
}
