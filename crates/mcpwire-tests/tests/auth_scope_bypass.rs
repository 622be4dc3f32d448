//! The per-tool scope check against messages crafted to be read one way
//! by the check and another by the engine: junk in keys nobody reads,
//! repeated envelope keys, escapes, batches and stateless requests. Each
//! case is sent with a token that lacks the tool's scope, to a real server
//! over HTTP on 127.0.0.1, and must not run the tool.

mod support {
    pub mod oauth;
}

use support::oauth::*;

/// A protected server whose `admin` tool needs `mcp:admin` and counts its
/// runs.
struct Desk {
    running: Protected,
    keys: Keys,
    admin_runs: Arc<AtomicUsize>,
}

impl Desk {
    async fn start() -> Desk {
        let keys = Keys::new();
        let jwks = Jwks::parse(&keys.jwks().to_string()).unwrap();
        let admin_runs = Arc::new(AtomicUsize::new(0));
        let runs = admin_runs.clone();
        let server = Server::builder("bypass-test", "1")
            .tool(ToolRoute::typed(
                "echo",
                |_cx, a: Text| async move { a.text },
            ))
            .tool(ToolRoute::typed("admin", move |_cx, _a: Text| {
                runs.fetch_add(1, Ordering::SeqCst);
                async move { "admin ran".to_owned() }
            }))
            .build()
            .unwrap();
        let running = protect_server(server, |resource| {
            auth_for(resource, JwtVerifier::new(jwks, ISSUER, resource))
        })
        .await;
        Desk {
            running,
            keys,
            admin_runs,
        }
    }

    fn bearer(&self, scope: &str) -> String {
        let token = sign(&self.keys, "EdDSA", "ed-1", &self.running.claims(scope));
        format!("Bearer {token}")
    }

    async fn post(&self, body: Vec<u8>, version: &str, session: Option<&str>) -> reqwest::Response {
        let mut req = self
            .running
            .http
            .post(&self.running.resource)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", version)
            .header("authorization", self.bearer("mcp:tools"))
            .body(body);
        if let Some(s) = session {
            req = req.header("mcp-session-id", s);
        }
        req.send().await.unwrap()
    }

    /// Opens a session of `version` with a token lacking `mcp:admin`.
    async fn session(&self, version: &str) -> String {
        let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": version, "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"}}});
        let r = self
            .post(init.to_string().into_bytes(), version, None)
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let id = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
        let done = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let r = self
            .post(done.to_string().into_bytes(), version, Some(&id))
            .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        id
    }
}

/// The stateless `_meta` of a 2026-07-28 request.
fn modern_meta() -> &'static str {
    r#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#
}

/// A 2026-07-28 `tools/call` of `admin`, with `extra` spliced in after the
/// envelope's keys (raw JSON text, so that it may be malformed).
fn modern_admin_call(extra: &[u8]) -> Vec<u8> {
    let mut v = format!(
        r#"{{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{{"name":"admin","arguments":{{"text":"x"}},"_meta":{}}}"#,
        modern_meta()
    )
    .into_bytes();
    v.extend_from_slice(extra);
    v.push(b'}');
    v
}

/// What a refused case must get: either the parse or shape error from the
/// endpoint (the engine never ran it), or the scope challenge.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Verdict {
    Code(i64),
    InsufficientScope,
}

async fn assert_refused(desk: &Desk, what: &str, r: reqwest::Response, want: Verdict) {
    let status = r.status();
    let challenge = (status == StatusCode::FORBIDDEN).then(|| challenge(&r));
    let body: Value = r.json().await.unwrap_or(Value::Null);
    match want {
        Verdict::Code(code) => {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
            assert_eq!(body["error"]["code"], code, "{what}: {body}");
        }
        Verdict::InsufficientScope => {
            assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
            let challenge = challenge.unwrap_or_default();
            assert_eq!(challenge["error"], "insufficient_scope", "{what}");
            assert!(challenge["scope"].contains("mcp:admin"), "{what}");
        }
    }
    assert_eq!(
        desk.admin_runs.load(Ordering::SeqCst),
        0,
        "{what}: the admin tool ran without its scope"
    );
}

#[tokio::test]
async fn stateless_calls_that_hide_the_tool_never_run_it() {
    let desk = Desk::start().await;
    let deep = {
        let mut v = b",\"x\":".to_vec();
        v.extend(std::iter::repeat_n(b'[', 200));
        v.extend(std::iter::repeat_n(b']', 200));
        v
    };
    let cases: Vec<(&str, Vec<u8>, Verdict)> = vec![
        (
            "invalid UTF-8 in an extra key",
            modern_admin_call(b",\"x\":\"\xff\xfe\""),
            Verdict::Code(-32700),
        ),
        (
            "a lone surrogate in an extra key",
            modern_admin_call(br#","x":"\ud800""#),
            Verdict::Code(-32700),
        ),
        (
            "200 levels of nesting in an extra key",
            modern_admin_call(&deep),
            Verdict::Code(-32700),
        ),
        (
            "params given twice, the allowed tool last",
            modern_admin_call(br#","params":{"name":"echo","arguments":{"text":"x"}}"#),
            Verdict::Code(-32600),
        ),
        (
            "method given twice",
            modern_admin_call(br#","method":"ping""#),
            Verdict::Code(-32600),
        ),
        (
            "a byte-order mark",
            [&b"\xEF\xBB\xBF"[..], &modern_admin_call(b"")].concat(),
            Verdict::Code(-32700),
        ),
        (
            "the tool name spelled with escapes",
            format!(
                r#"{{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{{"name":"adm\u0069n","arguments":{{"text":"x"}},"_meta":{}}}}}"#,
                modern_meta()
            )
            .into_bytes(),
            Verdict::InsufficientScope,
        ),
        (
            "the method spelled with escapes",
            format!(
                r#"{{"jsonrpc":"2.0","id":7,"method":"tools\/c\u0061ll","params":{{"name":"admin","arguments":{{"text":"x"}},"_meta":{}}}}}"#,
                modern_meta()
            )
            .into_bytes(),
            Verdict::InsufficientScope,
        ),
        (
            "a tool name that is not a string",
            format!(
                r#"{{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{{"name":["admin"],"arguments":{{"text":"x"}},"_meta":{}}}}}"#,
                modern_meta()
            )
            .into_bytes(),
            Verdict::InsufficientScope,
        ),
    ];
    for (what, body, want) in cases {
        let r = desk.post(body, "2026-07-28", None).await;
        assert_refused(&desk, what, r, want).await;
    }
    // Everyone else is still served, and the allowed tool still runs.
    desk.running.assert_serving(&desk.keys).await;
    // With the scope, the tool runs: the refusals above were about scope.
    let r = desk
        .running
        .call("admin", Some(&desk.bearer("mcp:tools mcp:admin")))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(desk.admin_runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn batches_in_a_2025_03_26_session_that_hide_the_tool_never_run_it() {
    let desk = Desk::start().await;
    let session = desk.session("2025-03-26").await;
    let echo = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"a"}}}"#;
    let cases: Vec<(&str, String, Verdict)> = vec![
        (
            "the tool behind an allowed call",
            format!(
                r#"[{echo},{{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{{"name":"admin","arguments":{{"text":"b"}}}}}}]"#
            ),
            Verdict::InsufficientScope,
        ),
        (
            "an element repeating params",
            format!(
                r#"[{echo},{{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{{"name":"admin","arguments":{{"text":"b"}}}},"params":{{"name":"echo","arguments":{{"text":"b"}}}}}}]"#
            ),
            Verdict::Code(-32600),
        ),
        (
            "an element with a lone surrogate in an extra key",
            format!(
                r#"[{echo},{{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{{"name":"admin","arguments":{{"text":"b"}}}},"x":"\udfff"}}]"#
            ),
            Verdict::Code(-32700),
        ),
        (
            "the tool as a notification",
            r#"[{"jsonrpc":"2.0","method":"tools/call","params":{"name":"admin","arguments":{"text":"b"}}}]"#
                .to_owned(),
            Verdict::InsufficientScope,
        ),
    ];
    for (what, body, want) in cases {
        let r = desk
            .post(body.into_bytes(), "2025-03-26", Some(&session))
            .await;
        assert_refused(&desk, what, r, want).await;
    }
    // The session still serves an allowed batch.
    let r = desk
        .post(
            format!("[{echo}]").into_bytes(),
            "2025-03-26",
            Some(&session),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body[0]["result"]["content"][0]["text"], "a", "{body}");
    desk.running.assert_serving(&desk.keys).await;
}
