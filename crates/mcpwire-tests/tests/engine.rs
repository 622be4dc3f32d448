//! The JSON-RPC engine against a raw peer over an in-memory duplex: framing
//! errors, concurrency, ordering, cancellation, timeouts, progress, panics.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpwire::Error;
use mcpwire::engine::{self, EngineConfig, Peer, Reply, RequestContext, RequestOptions, Service};
use mcpwire::transport::memory;
use mcpwire_testkit::{RawPeer, eventually};
use mcpwire_types::{ErrorCode, Notification, Request};
use serde_json::{Value, json};

/// A test service: `echo` returns its params, `sleep` waits, `panic` panics,
/// `fail` returns a local error; notifications are recorded in order.
#[derive(Default)]
struct TestService {
    notes: Mutex<Vec<String>>,
    concurrent: AtomicUsize,
    max_seen: AtomicUsize,
    cancelled: AtomicUsize,
}

impl Service for TestService {
    async fn handle_request(&self, req: Request, cx: RequestContext) -> Result<Reply, Error> {
        match req.method.as_str() {
            // A typed result, written straight into the response.
            "typed" => Ok(Reply::typed(Typed {
                n: 7,
                tags: vec!["a"],
            })),
            // One that JSON cannot hold: its map keys are not strings.
            "unwritable" => Ok(Reply::typed(std::collections::BTreeMap::from([(
                vec![1u8],
                1u8,
            )]))),
            _ => self.answer(req, cx).await.map(Reply::from),
        }
    }
    async fn handle_notification(&self, n: Notification, _peer: &Peer) {
        // Vary the handling time so reordering would show.
        let i: u64 = n.params.as_ref().and_then(|p| p["i"].as_u64()).unwrap_or(0);
        tokio::time::sleep(Duration::from_millis((10 - i % 10) / 2)).await;
        self.notes.lock().unwrap().push(format!("{}:{i}", n.method));
    }
}

#[derive(serde::Serialize)]
struct Typed {
    n: u32,
    tags: Vec<&'static str>,
}

impl TestService {
    async fn answer(&self, req: Request, cx: RequestContext) -> Result<Value, Error> {
        match req.method.as_str() {
            "echo" => Ok(req.params.unwrap_or(Value::Null)),
            "sleep" => {
                let now = self.concurrent.fetch_add(1, Ordering::SeqCst) + 1;
                self.max_seen.fetch_max(now, Ordering::SeqCst);
                let ms = req
                    .params
                    .as_ref()
                    .and_then(|p| p["ms"].as_u64())
                    .unwrap_or(50);
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(ms)) => {}
                    _ = cx.cancel.cancelled() => { self.cancelled.fetch_add(1, Ordering::SeqCst); }
                }
                self.concurrent.fetch_sub(1, Ordering::SeqCst);
                Ok(json!({"slept": ms}))
            }
            "panic" => panic!("secret panic text"),
            "fail" => Err(Error::internal("database password is hunter2")),
            "ask" => cx.peer.request("echo", Some(json!({"back": true}))).await,
            _ => Err(Error::method_not_found(&req.method)),
        }
    }
}

/// How long a test waits for what the engine does in the background.
const PATIENCE: Duration = Duration::from_secs(5);

fn start(config: EngineConfig) -> (Arc<TestService>, Peer, RawPeer) {
    let (a, b) = memory::duplex();
    let svc = Arc::new(TestService::default());
    let (peer, driver) = engine::connect(svc.clone(), a, config);
    tokio::spawn(driver);
    (svc, peer, RawPeer::new(b))
}

#[tokio::test]
async fn bad_frames_get_json_rpc_errors_and_the_engine_keeps_serving() {
    let (_svc, _peer, mut raw) = start(EngineConfig::default());
    let cases: &[(&str, i32, Value)] = &[
        ("{oops", -32700, Value::Null),
        ("\"just a string\"", -32600, Value::Null),
        ("[]", -32600, Value::Null),
        (
            r#"{"jsonrpc":"1.0","id":5,"method":"echo"}"#,
            -32600,
            json!(5),
        ),
        (r#"{"jsonrpc":"2.0","id":5}"#, -32600, json!(5)),
        (
            r#"{"jsonrpc":"2.0","id":[1],"method":"echo"}"#,
            -32600,
            Value::Null,
        ),
        (
            r#"[{"jsonrpc":"2.0","id":1,"method":"echo"}]"#,
            -32600,
            Value::Null,
        ),
        (
            r#"{"jsonrpc":"2.0","id":"x","method":"nope"}"#,
            -32601,
            json!("x"),
        ),
    ];
    for (line, code, id) in cases {
        raw.send_text(line).await;
        let reply = raw.recv().await;
        assert_eq!(reply["error"]["code"], json!(code), "{line} -> {reply}");
        assert_eq!(reply["id"], *id, "{line} -> {reply}");
    }
    // Invalid UTF-8 on the wire.
    raw.send_bytes(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}")
        .await;
    assert_eq!(raw.recv().await["error"]["code"], json!(-32700));
    // Still serving.
    raw.send_text(r#"{"jsonrpc":"2.0","id":9,"method":"echo","params":{"a":1}}"#)
        .await;
    assert_eq!(
        raw.recv().await,
        json!({"jsonrpc":"2.0","id":9,"result":{"a":1}})
    );
}

#[tokio::test]
async fn panics_and_local_failures_become_internal_errors_without_details() {
    let (_svc, _peer, mut raw) = start(EngineConfig::default());
    raw.send_text(r#"{"jsonrpc":"2.0","id":1,"method":"panic"}"#)
        .await;
    let reply = raw.recv().await;
    assert_eq!(reply["error"]["code"], json!(-32603));
    assert!(!reply.to_string().contains("secret"));
    raw.send_text(r#"{"jsonrpc":"2.0","id":2,"method":"fail"}"#)
        .await;
    let reply = raw.recv().await;
    assert_eq!(
        reply["error"],
        json!({"code": -32603, "message": "Internal error"})
    );
    raw.send_text(r#"{"jsonrpc":"2.0","id":3,"method":"echo","params":[1]}"#)
        .await;
    assert_eq!(raw.recv().await["result"], json!([1]));
}

#[tokio::test]
async fn a_typed_result_is_written_once_and_one_json_cannot_hold_is_an_internal_error() {
    let (_svc, _peer, mut raw) = start(EngineConfig::default());
    raw.send_text(r#"{"jsonrpc":"2.0","id":1,"method":"typed"}"#)
        .await;
    let reply = raw.recv().await;
    assert_eq!(
        reply,
        json!({"jsonrpc": "2.0", "id": 1, "result": {"n": 7, "tags": ["a"]}})
    );
    raw.send_text(r#"{"jsonrpc":"2.0","id":"u","method":"unwritable"}"#)
        .await;
    let reply = raw.recv().await;
    assert_eq!(reply["id"], "u");
    assert_eq!(
        reply["error"],
        json!({"code": -32603, "message": "Internal error"})
    );
    // The connection goes on.
    raw.send_text(r#"{"jsonrpc":"2.0","id":3,"method":"echo","params":[1]}"#)
        .await;
    assert_eq!(raw.recv().await["result"], json!([1]));
}

// The handlers' sleeps are the work under test: on paused time they take
// no wall-clock time and always the same virtual time.
#[tokio::test(start_paused = true)]
async fn requests_run_concurrently_up_to_the_bound() {
    let (svc, _peer, mut raw) = start(EngineConfig::default().max_concurrency(3));
    for i in 0..6 {
        raw.send_text(&format!(
            r#"{{"jsonrpc":"2.0","id":{i},"method":"sleep","params":{{"ms":60}}}}"#
        ))
        .await;
    }
    let mut ids: Vec<i64> = Vec::new();
    for _ in 0..6 {
        ids.push(raw.recv().await["id"].as_i64().unwrap());
    }
    ids.sort();
    assert_eq!(ids, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(svc.max_seen.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn notifications_are_handled_in_arrival_order() {
    let (svc, _peer, mut raw) = start(EngineConfig::default());
    for i in 0..20 {
        raw.send_text(&format!(
            r#"{{"jsonrpc":"2.0","method":"note","params":{{"i":{i}}}}}"#
        ))
        .await;
    }
    eventually(PATIENCE, "all 20 notifications handled", || async {
        svc.notes.lock().unwrap().len() == 20
    })
    .await;
    let notes = svc.notes.lock().unwrap().clone();
    let want: Vec<String> = (0..20).map(|i| format!("note:{i}")).collect();
    assert_eq!(notes, want);
}

#[tokio::test]
async fn cancelled_notification_fires_the_handler_token_and_no_response_is_sent() {
    let (svc, _peer, mut raw) = start(EngineConfig::default());
    raw.send_text(r#"{"jsonrpc":"2.0","id":"long","method":"sleep","params":{"ms":5000}}"#)
        .await;
    eventually(PATIENCE, "the handler started", || async {
        svc.concurrent.load(Ordering::SeqCst) == 1
    })
    .await;
    raw.send_text(
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"long"}}"#,
    )
    .await;
    raw.send_text(r#"{"jsonrpc":"2.0","id":2,"method":"echo","params":{}}"#)
        .await;
    let reply = raw.recv().await;
    assert_eq!(
        reply["id"],
        json!(2),
        "the cancelled request must not be answered"
    );
    eventually(PATIENCE, "the handler saw its token fire", || async {
        svc.cancelled.load(Ordering::SeqCst) == 1
    })
    .await;
    assert_eq!(svc.concurrent.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn responses_with_unknown_ids_are_ignored() {
    let (_svc, _peer, mut raw) = start(EngineConfig::default());
    raw.send_text(r#"{"jsonrpc":"2.0","id":424242,"result":{}}"#)
        .await;
    raw.send_text(r#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"ok":true}}"#)
        .await;
    assert_eq!(raw.recv().await["result"], json!({"ok": true}));
}

#[tokio::test]
async fn error_responses_with_a_null_id_are_not_answered() {
    let (_svc, _peer, mut raw) = start(EngineConfig::default());
    // What a peer (this engine included) answers to a line it cannot
    // parse. Answering it in turn would start an endless exchange of
    // errors between two peers.
    raw.send_text(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#)
        .await;
    raw.send_text(
        r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}}"#,
    )
    .await;
    raw.send_text(r#"{"jsonrpc":"2.0","id":2,"method":"echo","params":{"served":true}}"#)
        .await;
    assert_eq!(
        raw.recv().await,
        json!({"jsonrpc":"2.0","id":2,"result":{"served":true}}),
        "the next line out answers the echo, not the error responses"
    );
}

#[tokio::test(start_paused = true)]
async fn outgoing_requests_are_correlated_and_time_out_with_a_cancel() {
    let (_svc, peer, mut raw) = start(EngineConfig::default());
    let p = peer.clone();
    let call = tokio::spawn(async move { p.request("ping", None).await });
    let req = raw.recv().await;
    assert_eq!(req["method"], "ping");
    raw.send(&json!({"jsonrpc":"2.0","id":req["id"],"result":{"pong":1}}))
        .await;
    assert_eq!(call.await.unwrap().unwrap(), json!({"pong": 1}));

    let p = peer.clone();
    let call = tokio::spawn(async move {
        p.request_with(
            "slow",
            None,
            RequestOptions::new().timeout(Duration::from_millis(100)),
        )
        .await
    });
    let req = raw.recv().await;
    let err = call.await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    let cancel = raw.recv().await;
    assert_eq!(cancel["method"], "notifications/cancelled");
    assert_eq!(cancel["params"]["requestId"], req["id"]);
}

// The pauses between progress notifications are what is tested: on paused
// time they fall exactly where they are written, whatever the load.
#[tokio::test(start_paused = true)]
async fn progress_resets_the_timeout_but_not_the_total_cap() {
    let (_svc, peer, mut raw) = start(EngineConfig::default());
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let p = peer.clone();
    let call = tokio::spawn(async move {
        p.request_with(
            "work",
            Some(json!({})),
            RequestOptions::new()
                .timeout(Duration::from_millis(150))
                .on_progress(move |_| {
                    s.fetch_add(1, Ordering::SeqCst);
                }),
        )
        .await
    });
    let req = raw.recv().await;
    let token = req["params"]["_meta"]["progressToken"].clone();
    assert!(!token.is_null());
    for i in 0..4 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        raw.send(&json!({"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":token,"progress":i}})).await;
    }
    raw.send(&json!({"jsonrpc":"2.0","id":req["id"],"result":{"done":true}}))
        .await;
    assert_eq!(call.await.unwrap().unwrap(), json!({"done": true}));
    assert_eq!(seen.load(Ordering::SeqCst), 4);

    let p = peer.clone();
    let call = tokio::spawn(async move {
        p.request_with(
            "work",
            None,
            RequestOptions::new()
                .timeout(Duration::from_millis(150))
                .max_total(Duration::from_millis(250))
                .on_progress(|_| {}),
        )
        .await
    });
    let req = raw.recv().await;
    let token = req["params"]["_meta"]["progressToken"].clone();
    for i in 0..5 {
        tokio::time::sleep(Duration::from_millis(80)).await;
        raw.send(&json!({"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":token,"progress":i}})).await;
    }
    let err = call.await.unwrap().unwrap_err();
    match err {
        Error::Timeout { after, .. } => assert!(after < Duration::from_millis(400), "{after:?}"),
        other => panic!("expected a timeout, got {other}"),
    }
}

#[tokio::test]
async fn closing_the_peer_side_fails_pending_calls_at_once() {
    let (_svc, peer, mut raw) = start(EngineConfig::default());
    let p = peer.clone();
    let call = tokio::spawn(async move { p.request("never", None).await });
    assert_eq!(raw.recv().await["method"], "never", "the request was sent");
    drop(raw);
    let err = tokio::time::timeout(Duration::from_secs(1), call)
        .await
        .expect("fails at once")
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::Closed(_)), "{err}");
    assert!(peer.is_closed());
    assert!(matches!(
        peer.request("x", None).await,
        Err(Error::Closed(_))
    ));
}

#[tokio::test]
async fn a_handler_can_call_back_into_the_peer() {
    let (_svc, _peer, mut raw) = start(EngineConfig::default());
    raw.send_text(r#"{"jsonrpc":"2.0","id":1,"method":"ask"}"#)
        .await;
    let back = raw.recv().await;
    assert_eq!(back["method"], "echo");
    raw.send(&json!({"jsonrpc":"2.0","id":back["id"],"result":{"answer":42}}))
        .await;
    let reply = raw.recv().await;
    assert_eq!(
        reply,
        json!({"jsonrpc":"2.0","id":1,"result":{"answer":42}})
    );
}

#[tokio::test]
async fn oversized_messages_get_an_error_and_the_next_message_is_served() {
    let (a, b) = memory::duplex_with_limit(1024);
    let svc = Arc::new(TestService::default());
    let (_peer, driver) = engine::connect(svc, a, EngineConfig::default());
    tokio::spawn(driver);
    let mut raw = RawPeer::new(b);
    // The raw end accepts big frames; only the engine's end is limited.
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"echo","params":{{"t":"{}"}}}}"#,
        "x".repeat(5000)
    );
    raw.send_text(&big).await;
    let reply = raw.recv().await;
    assert_eq!(reply["error"]["code"], json!(-32600));
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exceeds")
    );
    raw.send_text(r#"{"jsonrpc":"2.0","id":2,"method":"echo","params":{}}"#)
        .await;
    assert_eq!(raw.recv().await["id"], json!(2));
    let _ = ErrorCode::INVALID_REQUEST;
}

/// Handles notifications in order, each only once the gate lets it.
struct Gated {
    gate: tokio::sync::Semaphore,
    handled: AtomicUsize,
}

impl Service for Gated {
    async fn handle_request(&self, req: Request, _cx: RequestContext) -> Result<Reply, Error> {
        Err(Error::method_not_found(&req.method))
    }

    async fn handle_notification(&self, _n: Notification, _peer: &Peer) {
        if let Ok(p) = self.gate.acquire().await {
            p.forget();
        }
        self.handled.fetch_add(1, Ordering::SeqCst);
    }
}

// On paused time the half second the sender is given passes at once when
// nothing else can run: the engine had every chance to read more.
#[tokio::test(start_paused = true)]
async fn a_flood_of_notifications_waits_for_the_handler_instead_of_queueing_without_end() {
    let (a, b) = memory::duplex();
    let svc = Arc::new(Gated {
        gate: tokio::sync::Semaphore::new(0),
        handled: AtomicUsize::new(0),
    });
    let (_peer, driver) = engine::connect(svc.clone(), a, EngineConfig::default());
    tokio::spawn(driver);
    let mut raw = RawPeer::new(b);
    const N: usize = 20_000;
    let mut writer = tokio::spawn(async move {
        for i in 0..N {
            raw.send_text(&format!(
                r#"{{"jsonrpc":"2.0","method":"notifications/message","params":{{"i":{i}}}}}"#
            ))
            .await;
        }
        raw
    });
    // While the handler is stuck, the engine stops reading once its queue
    // is full, so the sender cannot get all 20,000 (1.3 MB) through.
    assert!(
        tokio::time::timeout(Duration::from_millis(500), &mut writer)
            .await
            .is_err(),
        "the engine read a flood its handler could not keep up with"
    );
    assert_eq!(svc.handled.load(Ordering::SeqCst), 0);
    // Once the handler moves, every one of them is handled, none lost.
    svc.gate.add_permits(N);
    let mut raw = tokio::time::timeout(Duration::from_secs(20), writer)
        .await
        .expect("the sender was let through")
        .unwrap();
    eventually(
        Duration::from_secs(20),
        "every notification handled",
        || async { svc.handled.load(Ordering::SeqCst) == N },
    )
    .await;
    raw.send_text(r#"{"jsonrpc":"2.0","id":1,"method":"nope"}"#)
        .await;
    assert_eq!(raw.recv().await["error"]["code"], json!(-32601));
}
