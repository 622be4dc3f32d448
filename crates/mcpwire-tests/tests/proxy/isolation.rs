//! The shared 2026-07-28 process serves many callers and never passes one
//! caller's messages to another: results and progress by the proxy's own
//! ids, nothing that names no request, no requests to a client.

use super::*;

/// The `_meta` of a 2026-07-28 request, asking for logs.
fn meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/logLevel": "debug",
    })
}

/// A `tools/call` with id 1 and, when given, a progress token.
fn tool_call(tool: &str, args: Value, token: Option<&str>) -> Value {
    let mut meta = meta();
    if let Some(t) = token {
        meta["progressToken"] = json!(t);
    }
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": tool, "arguments": args, "_meta": meta}})
}

/// Every JSON-RPC message in a response body (JSON or SSE).
async fn messages(r: reqwest::Response) -> Vec<Value> {
    let text = tokio::time::timeout(Duration::from_secs(30), r.text())
        .await
        .expect("the answer came")
        .unwrap();
    if let Ok(v) = serde_json::from_str::<Value>(&text) {
        return vec![v];
    }
    text.lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str(d.trim()).ok())
        .collect()
}

/// The one response among `msgs`, and the text of its result.
fn result_text(msgs: &[Value]) -> String {
    let answers: Vec<&Value> = msgs.iter().filter(|m| m.get("method").is_none()).collect();
    assert_eq!(answers.len(), 1, "{msgs:?}");
    assert_eq!(answers[0]["id"], 1, "{msgs:?}");
    answers[0]["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("a result: {msgs:?}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_callers_with_the_same_id_get_only_their_own_progress_and_result() {
    let proxy = Proxy::start_tagged("isolation", HttpProxy::new).await;
    let http = reqwest::Client::new();
    for round in 0..5 {
        let a = tool_call(
            "work",
            json!({"text": format!("alpha{round}")}),
            Some("tok-a"),
        );
        let b = tool_call(
            "work",
            json!({"text": format!("beta{round}")}),
            Some("tok-b"),
        );
        let (ra, rb) = tokio::join!(
            modern_post(&http, &proxy.url, &a).send(),
            modern_post(&http, &proxy.url, &b).send(),
        );
        let (ma, mb) = tokio::join!(messages(ra.unwrap()), messages(rb.unwrap()));
        for (msgs, token, text) in [(&ma, "tok-a", "ALPHA"), (&mb, "tok-b", "BETA")] {
            assert_eq!(result_text(msgs), format!("{text}{round}"));
            let progress: Vec<&Value> = msgs
                .iter()
                .filter(|m| m["method"] == "notifications/progress")
                .collect();
            assert_eq!(progress.len(), 3, "every progress of its own: {msgs:?}");
            assert!(
                progress
                    .iter()
                    .all(|p| p["params"]["progressToken"] == token),
                "only its own token: {msgs:?}"
            );
            let others: Vec<&Value> = msgs
                .iter()
                .filter(|m| m.get("method").is_some() && m["method"] != "notifications/progress")
                .collect();
            assert!(others.is_empty(), "nothing unrelated: {others:?}");
        }
    }
    // A plain request right after.
    let echo = tool_call("echo", json!({"text": "plain"}), None);
    let r = modern_post(&http, &proxy.url, &echo).send().await.unwrap();
    assert_eq!(result_text(&messages(r).await), "plain");
    proxy.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_sent_after_its_callers_answer_reaches_no_other_caller() {
    let proxy = Proxy::start_tagged("isolation", HttpProxy::new).await;
    let http = reqwest::Client::new();
    let file = |name: &str| marker(&format!("isolation-{name}"));
    let (trigger, sent, started) = (file("trigger"), file("sent"), file("started"));
    for f in [&trigger, &sent, &started] {
        let _ = std::fs::remove_file(f);
    }
    // Caller A is answered at once; the server logs for it later.
    let a = tool_call(
        "afterword",
        json!({"text": "secret of A", "trigger": trigger, "then": sent}),
        None,
    );
    let r = modern_post(&http, &proxy.url, &a).send().await.unwrap();
    assert_eq!(result_text(&messages(r).await), "said");

    // Caller B is the only request in flight when that log comes: B's
    // call is held until the log is on its way, so its answer follows the
    // log on the server's stdout.
    let b = tool_call("hold", json!({"started": started, "release": sent}), None);
    let held = modern_post(&http, &proxy.url, &b).send();
    let release = async {
        wait_until("B's call runs in the server", || started.exists()).await;
        std::fs::write(&trigger, "go").unwrap();
    };
    let (r, ()) = tokio::join!(held, release);
    let msgs = messages(r.unwrap()).await;
    assert!(sent.exists(), "the server sent A's log");
    assert_eq!(result_text(&msgs), "released");
    let leaked: Vec<&Value> = msgs.iter().filter(|m| m.get("method").is_some()).collect();
    assert!(leaked.is_empty(), "A's log reached B: {leaked:?}");

    // The shared process keeps serving.
    let echo = tool_call("echo", json!({"text": "after"}), None);
    let r = modern_post(&http, &proxy.url, &echo).send().await.unwrap();
    assert_eq!(result_text(&messages(r).await), "after");
    for f in [&trigger, &sent, &started] {
        let _ = std::fs::remove_file(f);
    }
    proxy.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_process_cannot_send_requests_to_a_caller() {
    let proxy = Proxy::start_tagged("isolation", HttpProxy::new).await;
    let http = reqwest::Client::new();
    let ask = |method: &str| tool_call("ask_client", json!({"method": method}), None);
    let r = modern_post(&http, &proxy.url, &ask("roots/list"))
        .send()
        .await
        .unwrap();
    let msgs = messages(r).await;
    let text = result_text(&msgs);
    assert!(
        text.starts_with("error:") && text.contains("cannot send"),
        "{text}"
    );
    assert!(
        msgs.iter().all(|m| m.get("method").is_none()),
        "no request reached the caller: {msgs:?}"
    );
    // `ping` is the proxy's to answer.
    let r = modern_post(&http, &proxy.url, &ask("ping"))
        .send()
        .await
        .unwrap();
    assert_eq!(result_text(&messages(r).await), "answer: {}");
    proxy.shut_down().await;
}
