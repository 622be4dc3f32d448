//! The Streamable HTTP server over real TCP: status codes for bad requests,
//! sessions, JSON and SSE answers, the GET stream, resumption, reaping,
//! stateless mode, batches, and graceful shutdown.

mod support {
    pub mod http_server;
}

use support::http_server::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_answers_sessions_and_notifications() {
    let s = start(HttpConfig::default()).await;
    let id = s.initialize("2025-11-25").await;
    let r = s.post(Some(&id), &json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "hi");
    // Unknown tool: a JSON-RPC error in a 200 answer.
    let body: Value = s
        .post(
            Some(&id),
            &json!({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nope"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"]["code"], -32602);
    // DELETE ends the session; it is then unknown.
    let r = s
        .http
        .delete(&s.url)
        .header("mcp-session-id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = s
        .post(Some(&id), &json!({"jsonrpc":"2.0","id":3,"method":"ping"}))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_the_status_the_spec_names() {
    let s = start(HttpConfig::default().body_limit(1024)).await;
    let id = s.initialize("2025-11-25").await;
    let ping = json!({"jsonrpc":"2.0","id":1,"method":"ping"});
    // No session id: 400. Unknown session: 404.
    assert_eq!(s.post(None, &ping).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        s.post(Some("deadbeef"), &ping).await.status(),
        StatusCode::NOT_FOUND
    );
    // Content-Type and Accept.
    let r = s
        .http
        .post(&s.url)
        .header("content-type", "text/plain")
        .header("accept", ACCEPT_BOTH)
        .header("mcp-session-id", &id)
        .body(ping.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = s
        .http
        .post(&s.url)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("mcp-session-id", &id)
        .body(ping.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
    let r = s
        .http
        .get(&s.url)
        .header("accept", "application/json")
        .header("mcp-session-id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
    // An unknown protocol version header: 400.
    let r = s
        .http
        .post(&s.url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT_BOTH)
        .header("mcp-session-id", &id)
        .header("mcp-protocol-version", "1999-01-01")
        .body(ping.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Unparsable JSON: 400 with a -32700 body.
    let r = s
        .http
        .post(&s.url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT_BOTH)
        .header("mcp-session-id", &id)
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], -32700);
    // Too large: 413.
    let big = json!({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x".repeat(4096)}}});
    assert_eq!(
        s.post(Some(&id), &big).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // A batch on 2025-11-25: 400.
    let batch = json!([{"jsonrpc":"2.0","id":5,"method":"ping"}]);
    assert_eq!(
        s.post(Some(&id), &batch).await.status(),
        StatusCode::BAD_REQUEST
    );
    // PUT: 405.
    assert_eq!(
        s.http.put(&s.url).send().await.unwrap().status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    // Still serving.
    let body: Value = s.post(Some(&id), &ping).await.json().await.unwrap();
    assert_eq!(body["result"], json!({}));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_binds_refuse_foreign_hosts_and_origins() {
    let s = start(HttpConfig::default()).await;
    let init = init_body("2025-11-25");
    let r = s
        .post_with(None, &init, &[("origin", "https://evil.example")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = s.post_with(None, &init, &[("host", "evil.example")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = s
        .post_with(None, &init, &[("origin", "http://localhost:3000")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    s.stop().await;

    // An explicit policy replaces the default.
    let s = start(HttpConfig::default().hosts(HostPolicy {
        hosts: None,
        origins: Some(vec!["https://app.example".into()]),
    }))
    .await;
    assert_eq!(
        s.post_with(None, &init, &[("origin", "https://app.example")])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        s.post_with(None, &init, &[("origin", "http://localhost:1")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    s.stop().await;
}

#[tokio::test]
async fn pages_of_other_origins_are_refused_under_any_policy() {
    // The policy of a server bound to a public address: any Host, and no
    // origin but its own; and a service mounted without a policy at all.
    let public = start(HttpConfig::default().hosts(HostPolicy::default())).await;
    let mounted = StreamableHttp::new(server(), HttpConfig::default());
    let init = init_body("2025-11-25");
    // A page on another loopback port is another origin too.
    let other_port = mcpwire_testkit::http::child::refused_url("");
    for origin in ["https://evil.example", "null", other_port.as_str()] {
        let r = public.post_with(None, &init, &[("origin", origin)]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{origin}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Origin"),
            "{body}"
        );
        let req = http::Request::post("/mcp")
            .header("host", "mcp.example.com")
            .header("origin", origin)
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .body(http_body_util::Full::new(bytes::Bytes::from(
                init.to_string(),
            )))
            .unwrap();
        assert_eq!(
            mounted.handle(req).await.status(),
            StatusCode::FORBIDDEN,
            "{origin}"
        );
    }
    // A page of the server's own origin is served, and so is a program
    // that sends no Origin.
    let own = format!("http://{}", public.addr);
    let r = public
        .http
        .post(&public.url)
        .header("origin", own)
        .header("content-type", "application/json")
        .header("accept", ACCEPT_BOTH)
        .body(init.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    public.initialize("2025-11-25").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_switches_the_answer_to_sse_and_it_can_be_resumed() {
    let s = start(HttpConfig::default()).await;
    let id = s.initialize("2025-11-25").await;
    let call = json!({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"steps","arguments":{"steps":3,"ms":50},"_meta":{"progressToken":"p"}}});
    let r = s.post(Some(&id), &call).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let events = sse_events(r, 4).await;
    // A priming event (id, empty data) comes first.
    assert!(
        events[0].0.is_some() && events[0].1.is_empty(),
        "{events:?}"
    );
    let data: Vec<Value> = events
        .iter()
        .filter(|e| !e.1.is_empty())
        .map(|e| serde_json::from_str(&e.1).unwrap())
        .collect();
    assert_eq!(data.len(), 4);
    assert!(
        data[..3]
            .iter()
            .all(|m| m["method"] == "notifications/progress")
    );
    assert_eq!(data[3]["result"]["content"][0]["text"], "3 steps");

    // Drop the stream after the first progress event, let the call finish
    // unseen, then resume the stream.
    let call = json!({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"steps","arguments":{"steps":4,"ms":60,"tag":"resumed"},"_meta":{"progressToken":"q"}}});
    let r = s.post(Some(&id), &call).await;
    let first = sse_events(r, 1).await;
    let last_id = first.last().unwrap().0.clone().unwrap();
    finished("resumed").await;
    let r = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .header("last-event-id", &last_id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let rest = sse_events(r, 4).await;
    let msgs: Vec<Value> = rest
        .iter()
        .filter(|e| !e.1.is_empty())
        .map(|e| serde_json::from_str(&e.1).unwrap())
        .collect();
    let progress: Vec<f64> = msgs
        .iter()
        .filter(|m| m["method"] == "notifications/progress")
        .map(|m| m["params"]["progress"].as_f64().unwrap())
        .collect();
    assert_eq!(
        progress,
        vec![1.0, 2.0, 3.0],
        "only what came after the last seen event: {msgs:?}"
    );
    assert_eq!(
        msgs.last().unwrap()["result"]["content"][0]["text"],
        "4 steps"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_get_stream_carries_server_initiated_messages() {
    let s = start(HttpConfig::default().keep_alive(Duration::from_millis(100))).await;
    let id = s.initialize("2025-11-25").await;
    let mut get = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::OK);
    // A second GET stream for the same session: 409.
    let r = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let mut text = String::new();
    let mut read_until = async |needle: &str| {
        let what = format!("{needle} on the GET stream");
        mcpwire_testkit::within(PATIENCE, &what, async {
            while !text.contains(needle) {
                let c = get.chunk().await.unwrap().expect("the stream stays open");
                text.push_str(std::str::from_utf8(&c).unwrap());
            }
        })
        .await;
    };
    // A quiet stream carries keep-alive comments.
    read_until(": keep-alive").await;
    s.server.add_tool(ToolRoute::typed(
        "late",
        |_cx, a: Text| async move { a.text },
    ));
    read_until("notifications/tools/list_changed").await;
    drop(get);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_capped_and_idle_ones_reaped() {
    let s = start(
        HttpConfig::default()
            .max_sessions(2)
            .session_idle_timeout(Duration::from_millis(200)),
    )
    .await;
    let a = s.initialize("2025-11-25").await;
    let _b = s.initialize("2025-11-25").await;
    let r = s.post(None, &init_body("2025-11-25")).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().await.unwrap().contains("too many sessions"));
    eventually(PATIENCE, "the idle sessions to be reaped", || async {
        s.svc.session_count() == 0
    })
    .await;
    let r = s
        .post(Some(&a), &json!({"jsonrpc":"2.0","id":1,"method":"ping"}))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "reaped");
    s.initialize("2025-11-25").await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_mode_keeps_no_sessions() {
    let s = start(HttpConfig::default().stateless(true)).await;
    let r = s.post(None, &init_body("2025-11-25")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("mcp-session-id").is_none());
    let body: Value = s.post(None, &json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"free"}}})).await.json().await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "free");
    let r = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    // A batch has no session to be served in: refused at once, where it
    // used to wait forever for an answer that had nowhere to go.
    let batch = json!([{"jsonrpc":"2.0","id":0,"method":"initialize","params":{
        "protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}]);
    let r = tokio::time::timeout(Duration::from_secs(10), s.post(None, &batch))
        .await
        .expect("the batch was answered");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], -32600, "{body}");
    let body: Value = s.post(None, &json!({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"still"}}})).await.json().await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "still");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_work_on_2025_03_26() {
    let s = start(HttpConfig::default()).await;
    let r = s.post(None, &init_body("2025-03-26")).await;
    let id = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let batch = json!([
        {"jsonrpc":"2.0","id":1,"method":"ping"},
        {"jsonrpc":"2.0","method":"notifications/initialized"},
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"b"}}}
    ]);
    let r = s
        .http
        .post(&s.url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT_BOTH)
        .header("mcp-session-id", &id)
        .body(batch.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let items = body.as_array().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(items.len(), 2);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_requests_in_flight() {
    let s = start(HttpConfig::default()).await;
    let id = s.initialize("2025-11-25").await;
    let call = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"steps","arguments":{"steps":3,"ms":100,"tag":"drained"}}});
    let http = s.http.clone();
    let url = s.url.clone();
    let sid = id.clone();
    let in_flight = tokio::spawn(async move {
        http.post(&url)
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .header("mcp-session-id", &sid)
            .body(call.to_string())
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    });
    started("drained").await;
    let addr = s.addr;
    s.stop().await;
    let body = in_flight.await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "3 steps");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_can_end_its_stream_and_answer_on_the_reconnection() {
    let s = start(HttpConfig::default()).await;
    let id = s.initialize("2025-11-25").await;
    let call = json!({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"polled","arguments":{"steps":1,"ms":100},"_meta":{"progressToken":"t"}}});
    let r = s.post(Some(&id), &call).await;
    let ct = r.headers()["content-type"].clone();
    let text = r.text().await.unwrap();
    assert_eq!(ct, "text/event-stream", "{text}");
    assert!(text.contains("retry: 100"), "{text}");
    let last = text
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .unwrap()
        .to_owned();
    // Reconnecting at once: what the handler sends after the end comes
    // on the new stream, whether it was sent before or after.
    let r = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .header("last-event-id", &last)
        .send()
        .await
        .unwrap();
    let events = sse_events(r, 2).await;
    let msgs: Vec<Value> = events
        .iter()
        .filter(|e| !e.1.is_empty())
        .map(|e| serde_json::from_str(&e.1).unwrap())
        .collect();
    assert_eq!(msgs[0]["method"], "notifications/progress", "{msgs:?}");
    assert_eq!(msgs[1]["result"]["content"][0]["text"], "polled 1");
    s.stop().await;
}
