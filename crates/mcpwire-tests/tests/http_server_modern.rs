//! The Streamable HTTP server's 2026-07-28 rules over real TCP: no
//! session, standard and `Mcp-Param-*` headers checked against the body,
//! and a closed stream cancelling its request.

mod support {
    pub mod http_server;
}

use support::http_server::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_2026_requests_need_no_session_and_check_their_headers() {
    let s = start(HttpConfig::default()).await;
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let post = |body: Value, method: &'static str, name: Option<&'static str>| {
        let mut req = s
            .http
            .post(&s.url)
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", method);
        if let Some(n) = name {
            req = req.header("mcp-name", n);
        }
        req.body(body.to_string()).send()
    };
    let call = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"modern"},"_meta":meta}});
    let r = post(call.clone(), "tools/call", Some("echo"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("mcp-session-id").is_none());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"]["resultType"], "complete");
    assert_eq!(body["result"]["content"][0]["text"], "modern");
    // What the server refuses, and how: headers that disagree with the
    // body, an unknown method, a request without its `_meta`.
    let list = json!({"jsonrpc":"2.0","id":3,"method":"tools/list"});
    let ping = json!({"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta":meta}});
    // (why, body, Mcp-Method, Mcp-Name, status, JSON-RPC code)
    #[rustfmt::skip]
    let refused = [
        ("Mcp-Method disagrees", &call, "tools/list", Some("echo"),  400, -32020),
        ("Mcp-Name disagrees",   &call, "tools/call", Some("other"), 400, -32020),
        ("Mcp-Name missing",     &call, "tools/call", None,          400, -32020),
        ("unknown method",       &ping, "ping",       None,          404, -32601),
        ("no _meta",             &list, "tools/list", None,          400, -32602),
    ];
    for (why, body, method, name, status, code) in refused {
        let r = post(body.clone(), method, name).await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{why}");
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["error"]["code"], code, "{why}: {answer}");
        // And the next plain request is served.
        let r = post(call.clone(), "tools/call", Some("echo"))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "after {why}");
    }
    // No GET stream and nothing to DELETE.
    let r = s
        .http
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_param_headers_must_mirror_the_arguments_a_tool_marks() {
    let s = start(HttpConfig::default()).await;
    let call = |args: Value, headers: &[(&str, &str)]| {
        let body = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{
            "name": "regional", "arguments": args,
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
            },
        }});
        let mut req = s
            .http
            .post(&s.url)
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.body(body.to_string()).send()
    };
    let ok = |r: reqwest::Response| async move {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["result"]["resultType"], "complete", "{v}");
    };
    let refused = |r: reqwest::Response, why: &'static str| async move {
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{why}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], -32020, "{why}: {v}");
        assert_eq!(v["id"], 1, "{why}: {v}");
    };
    // Matching headers, Base64-encoded where the value needs it; an
    // integer compares as a number; an encoded Mcp-Name is decoded.
    let args = json!({"region": "Hello, 世界", "limit": 42});
    let headers = [
        ("mcp-name", "=?base64?cmVnaW9uYWw=?="),
        ("mcp-param-region", "=?base64?SGVsbG8sIOS4lueVjA==?="),
        ("Mcp-Param-Limit", "42.0"),
    ];
    ok(call(args.clone(), &headers).await.unwrap()).await;
    // No marked argument, no header needed.
    ok(call(json!({}), &[("mcp-name", "regional")]).await.unwrap()).await;
    refused(
        call(
            args.clone(),
            &[("mcp-name", "regional"), ("mcp-param-limit", "42")],
        )
        .await
        .unwrap(),
        "a missing header",
    )
    .await;
    refused(
        call(
            json!({"region": "eu"}),
            &[("mcp-name", "regional"), ("mcp-param-region", "us")],
        )
        .await
        .unwrap(),
        "a disagreeing header",
    )
    .await;
    refused(
        call(
            json!({"region": "Hello"}),
            &[
                ("mcp-name", "regional"),
                ("mcp-param-region", "=?base64?SGVsbG8?="),
            ],
        )
        .await
        .unwrap(),
        "unpadded Base64",
    )
    .await;
    refused(
        call(json!({}), &[("mcp-name", "=?base64?!!?=")])
            .await
            .unwrap(),
        "a malformed Mcp-Name",
    )
    .await;
    // The server keeps serving after the refusals.
    ok(call(args, &headers).await.unwrap()).await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_stateless_request_stream_cancels_the_request() {
    use std::sync::atomic::Ordering;
    let s = start(HttpConfig::default()).await;
    let hold = |steps: u64, tag: &str| {
        let body = json!({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{
            "name": "hold", "arguments": {"steps": steps, "ms": 0, "tag": tag},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "progressToken": "p",
            },
        }});
        call_modern(&s.url, "hold", &body)
    };
    let ended_after = |before: usize, what: &'static str| {
        eventually(PATIENCE, what, move || async move {
            HELD_ENDED.load(Ordering::SeqCst) > before
        })
    };
    // A streamed answer: the client reads the first event, then hangs up.
    let before = HELD_ENDED.load(Ordering::SeqCst);
    let mut r = hold(1, "streamed").await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    while !seen.contains("notifications/progress") {
        let chunk = r.chunk().await.unwrap().expect("the progress event");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(r);
    ended_after(before, "the streamed request to end").await;
    // A plain JSON answer still pending when the client gives up.
    let before = HELD_ENDED.load(Ordering::SeqCst);
    let pending = tokio::spawn(hold(0, "pending"));
    started("pending").await;
    pending.abort();
    ended_after(before, "the pending request to end").await;
    // The server still answers.
    let r = s.post(None, &init_body("2025-11-25")).await;
    assert_eq!(r.status(), StatusCode::OK);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_outlives_its_request_never_reaches_a_later_one() {
    let s = start(HttpConfig::default()).await;
    // Both calls use id 7, as two unrelated clients may.
    let call = |tool: &'static str, steps: u64, ms: u64, token: &'static str| {
        let body = json!({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{
            "name": tool, "arguments": {"steps": steps, "ms": ms},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "progressToken": token,
            },
        }});
        call_modern(&s.url, tool, &body)
    };
    // The first answers at once, and its handler reports progress later.
    let r = call("linger", 0, 300, "first").await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["result"]["content"][0]["text"], "lingering");
    // The second streams for longer than that; the late progress of the
    // first must not land on its stream.
    let r = call("steps", 3, 250, "second").await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let text = r.text().await.unwrap();
    assert!(text.contains("3 steps"), "{text}");
    assert_eq!(text.matches("notifications/progress").count(), 3, "{text}");
    assert!(
        !text.contains("late") && !text.contains("\"first\""),
        "another request's progress reached this stream: {text}"
    );
    s.stop().await;
}
