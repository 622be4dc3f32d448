//! The verified identity reaches tool and resource handlers through the
//! `Auth` extractor over HTTP, in both eras and both answer forms; sessions
//! are bound to the principal that opened them; the token itself never
//! reaches a handler. Values a layer attaches reach `Extension`.

mod support {
    pub mod oauth;
}

use mcpwire::auth::Auth;
use mcpwire::engine::Extensions;
use mcpwire::server::{Context, Extension, FromContext, ResourceRoute};
use mcpwire::types::TaskSupport;
use support::oauth::*;

/// Everything a handler can see about the request, as JSON.
fn seen(cx: &Context) -> Value {
    let token = Option::<Auth>::from_context(cx).expect("an optional extractor never fails");
    let auth = token.as_ref().map(|a| {
        json!({
            "subject": a.subject,
            "client_id": a.client_id,
            "scopes": a.scopes,
            "issuer": a.issuer,
            "audience": a.audience,
            "expires": a.expires_at.is_some(),
            "claims": a.claims,
        })
    });
    json!({
        "auth": auth,
        "principal": cx.extensions().principal(),
        // Debug views of all a handler holds, to look for the token in.
        "debug": format!("{:?} {:?} {:?} {:?}", token, cx.extensions(), cx.meta(), cx),
    })
}

/// Who is calling, for callers that must be signed in.
#[mcpwire::tool]
fn subject(auth: Auth) -> String {
    auth.subject.clone().unwrap_or_default()
}

/// What a layer in front of the server attached.
#[derive(Clone)]
struct Tenant(&'static str);

/// The tenant a layer attached to the request.
#[mcpwire::tool]
fn tenant(tenant: Extension<Tenant>, fallback: Option<Extension<u32>>) -> String {
    let Extension(Tenant(name)) = tenant;
    format!("{name} {:?}", fallback.map(|f| f.0))
}

fn whoami_server() -> Server {
    Server::builder("whoami", "1")
        .tool(subject_tool())
        .tool(tenant_tool())
        .tool(ToolRoute::typed("whoami", |cx: Context, _: ()| async move {
            // With a progress token, this makes the answer an SSE stream.
            cx.progress(1.0, Some(2.0), Some("looking")).await;
            seen(&cx).to_string()
        }))
        .tool(
            ToolRoute::typed("whoami_later", |cx: Context, _: ()| async move {
                seen(&cx).to_string()
            })
            .task_support(TaskSupport::Optional),
        )
        .resource(ResourceRoute::new(
            "whoami://me",
            "me",
            |cx: Context, _uri: String, _vars: std::collections::HashMap<String, String>| async move {
                seen(&cx).to_string()
            },
        ))
        .build().unwrap()
}

async fn start_whoami(keys: &Keys) -> Protected {
    let jwks = Jwks::parse(&keys.jwks().to_string()).unwrap();
    protect_server(whoami_server(), |resource| {
        auth_for(resource, JwtVerifier::new(jwks, ISSUER, resource))
    })
    .await
}

/// A signed token for `sub` with `scope` for the resource `aud`, and extra
/// claims.
fn token_for(keys: &Keys, aud: &str, sub: &str, scope: &str, extra: Value) -> String {
    let mut claims = json!({"iss": ISSUER, "aud": aud, "sub": sub, "scope": scope,
        "iat": now(), "exp": now() + 300});
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    sign(keys, "ES256", "ec-1", &claims)
}

/// The JSON-RPC message answering a request, from a JSON or SSE body.
async fn answer(r: reqwest::Response) -> (bool, Value) {
    let sse = r
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("text/event-stream"));
    let text = r.text().await.unwrap();
    if !sse {
        return (false, serde_json::from_str(&text).unwrap());
    }
    let found = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .find(|m| m.get("result").is_some() || m.get("error").is_some())
        .unwrap_or_else(|| panic!("no answer in the stream: {text}"));
    (true, found)
}

/// What the `whoami` tool (or resource) reported, from its answer.
fn reported(msg: &Value) -> Value {
    let text = msg["result"]["content"][0]["text"]
        .as_str()
        .or_else(|| msg["result"]["contents"][0]["text"].as_str())
        .unwrap_or_else(|| panic!("no text in {msg}"));
    serde_json::from_str(text).unwrap()
}

/// A client of one 2025-11-25 (or older) session.
struct Session {
    http: reqwest::Client,
    url: String,
    version: &'static str,
    id: String,
    next: u64,
}

impl Session {
    fn post(&self, body: &Value, token: Option<&str>) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", self.version)
            .body(body.to_string());
        if !self.id.is_empty() {
            req = req.header("mcp-session-id", &self.id);
        }
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        req
    }

    /// Opens a session with `token`.
    async fn open(url: &str, version: &'static str, token: Option<&str>) -> Session {
        let mut s = Session {
            http: reqwest::Client::new(),
            url: url.to_string(),
            version,
            id: String::new(),
            next: 1,
        };
        let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": version, "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"}}});
        let r = s.post(&init, token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        s.id = r.headers()["mcp-session-id"].to_str().unwrap().to_string();
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let r = s.post(&note, token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        s
    }

    /// Sends `method` with `params`; with `progress`, asks for progress.
    async fn request(
        &mut self,
        method: &str,
        mut params: Value,
        progress: bool,
        token: Option<&str>,
    ) -> reqwest::Response {
        if progress {
            params["_meta"] = json!({"progressToken": "p"});
        }
        self.next += 1;
        let body = json!({"jsonrpc": "2.0", "id": self.next, "method": method, "params": params});
        self.post(&body, token).send().await.unwrap()
    }

    async fn whoami(&mut self, progress: bool, token: Option<&str>) -> reqwest::Response {
        let params = json!({"name": "whoami", "arguments": {}});
        self.request("tools/call", params, progress, token).await
    }
}

/// A stateless (2026-07-28) request declaring the tasks extension.
async fn modern(url: &str, method: &str, name: &str, params: Value, token: &str) -> Value {
    let mut params = params;
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities":
            {"extensions": {"io.modelcontextprotocol/tasks": {}}},
    });
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let r = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", method)
        .header("mcp-name", name)
        .header("authorization", format!("Bearer {token}"))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    answer(r).await.1
}

/// A stateless (2026-07-28) `tools/call` of `whoami`.
async fn modern_whoami(url: &str, progress: bool, token: Option<&str>) -> reqwest::Response {
    let mut meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    if progress {
        meta["progressToken"] = json!("p");
    }
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "whoami", "arguments": {}, "_meta": meta}});
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", "whoami")
        .body(body.to_string());
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    req.send().await.unwrap()
}

/// A token of `alice`, through the `desk-app` client of tenant `t1`, with
/// `scope`: what [`assert_alice`] expects to see.
fn alice_token(keys: &Keys, aud: &str, scope: &str) -> String {
    let extra = json!({"client_id": "desk-app", "tenant": "t1"});
    token_for(keys, aud, "alice", scope, extra)
}

fn assert_alice(seen: &Value, scopes: &[&str]) {
    let auth = &seen["auth"];
    assert_eq!(auth["subject"], "alice", "{seen}");
    assert_eq!(auth["client_id"], "desk-app", "{seen}");
    assert_eq!(auth["issuer"], ISSUER);
    assert_eq!(auth["scopes"], json!(scopes));
    assert_eq!(auth["expires"], true);
    assert_eq!(auth["claims"]["tenant"], "t1");
    assert_eq!(auth["claims"]["sub"], "alice");
}

#[tokio::test]
async fn tools_see_the_identity_in_a_session_as_json_and_as_sse() {
    let keys = Keys::new();
    let s = start_whoami(&keys).await;
    let token = alice_token(&keys, &s.resource, "mcp:tools");
    let mut session = Session::open(&s.resource, "2025-11-25", Some(&token)).await;

    let (sse, msg) = answer(session.whoami(false, Some(&token)).await).await;
    assert!(!sse, "no progress asked: a plain JSON answer");
    assert_alice(&reported(&msg), &["mcp:tools"]);

    let (sse, msg) = answer(session.whoami(true, Some(&token)).await).await;
    assert!(sse, "progress before the result makes the answer a stream");
    assert_alice(&reported(&msg), &["mcp:tools"]);

    // Each request carries its own token's claims: a refreshed token of
    // the same subject with more scopes shows them.
    let wider = alice_token(&keys, &s.resource, "mcp:tools mcp:admin");
    let (_, msg) = answer(session.whoami(false, Some(&wider)).await).await;
    assert_alice(&reported(&msg), &["mcp:tools", "mcp:admin"]);

    // Resource handlers see it too.
    let params = json!({"uri": "whoami://me"});
    let r = session
        .request("resources/read", params, false, Some(&token))
        .await;
    let (_, msg) = answer(r).await;
    assert_alice(&reported(&msg), &["mcp:tools"]);
}

#[tokio::test]
async fn tools_see_the_identity_in_stateless_requests_as_json_and_as_sse() {
    let keys = Keys::new();
    let s = start_whoami(&keys).await;
    let token = alice_token(&keys, &s.resource, "mcp:tools");

    let (sse, msg) = answer(modern_whoami(&s.resource, false, Some(&token)).await).await;
    assert!(!sse);
    assert_alice(&reported(&msg), &["mcp:tools"]);

    let (sse, msg) = answer(modern_whoami(&s.resource, true, Some(&token)).await).await;
    assert!(sse);
    assert_alice(&reported(&msg), &["mcp:tools"]);

    // `azp` names the client when `client_id` is absent.
    let other = token_for(
        &keys,
        &s.resource,
        "carol",
        "mcp:tools",
        json!({"azp": "cli"}),
    );
    let (_, msg) = answer(modern_whoami(&s.resource, false, Some(&other)).await).await;
    let seen = reported(&msg);
    assert_eq!(seen["auth"]["subject"], "carol");
    assert_eq!(seen["auth"]["client_id"], "cli");
}

#[tokio::test]
async fn a_batch_delivered_through_the_session_carries_the_identity() {
    let keys = Keys::new();
    let s = start_whoami(&keys).await;
    let token = alice_token(&keys, &s.resource, "mcp:tools");
    // 2025-03-26 is the revision with batches; they reach the engine
    // through the session's queue rather than inline.
    let session = Session::open(&s.resource, "2025-03-26", Some(&token)).await;
    let batch = json!([
        {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
         "params": {"name": "whoami", "arguments": {}}},
        {"jsonrpc": "2.0", "id": 8, "method": "resources/read",
         "params": {"uri": "whoami://me"}},
    ]);
    let r = session.post(&batch, Some(&token)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    let answers: Vec<Value> = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(a)) => a,
        _ => text
            .lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .filter_map(|d| serde_json::from_str::<Value>(d).ok())
            .flat_map(|v| match v {
                Value::Array(a) => a,
                one => vec![one],
            })
            .collect(),
    };
    assert_eq!(answers.len(), 2, "{text}");
    for a in &answers {
        assert_alice(&reported(a), &["mcp:tools"]);
    }
}

#[tokio::test]
async fn without_the_auth_layer_handlers_see_no_identity() {
    let served = mcpwire_testkit::http::serve_mcp(whoami_server(), HttpConfig::default()).await;
    let url = served.mcp_url();

    let mut session = Session::open(&url, "2025-11-25", None).await;
    for progress in [false, true] {
        let (_, msg) = answer(session.whoami(progress, None).await).await;
        let seen = reported(&msg);
        assert_eq!(seen["auth"], Value::Null, "{seen}");
        assert_eq!(seen["principal"], Value::Null, "{seen}");
        let (_, msg) = answer(modern_whoami(&url, progress, None).await).await;
        assert_eq!(reported(&msg)["auth"], Value::Null);
    }
}

#[tokio::test]
async fn a_session_serves_only_the_subject_that_opened_it() {
    let keys = Keys::new();
    let s = start_whoami(&keys).await;
    let alice = token_for(&keys, &s.resource, "alice", "mcp:tools", json!({}));
    let bob = token_for(&keys, &s.resource, "bob", "mcp:tools", json!({}));
    let mut session = Session::open(&s.resource, "2025-11-25", Some(&alice)).await;

    // Bob naming Alice's session is told it does not exist: the same 404
    // as for a made-up session id.
    let r = session.whoami(false, Some(&bob)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let bob_body: Value = r.json().await.unwrap();
    let real_id = std::mem::replace(&mut session.id, "0".repeat(32));
    let r = session.whoami(false, Some(&bob)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let unknown_body: Value = r.json().await.unwrap();
    assert_eq!(bob_body, unknown_body);
    session.id = real_id;

    // Nor can he open its GET stream or end it.
    let auth = format!("Bearer {bob}");
    let get = s
        .http
        .get(&s.resource)
        .header("accept", "text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .header("mcp-session-id", &session.id)
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::NOT_FOUND);
    let delete = s
        .http
        .delete(&s.resource)
        .header("mcp-protocol-version", "2025-11-25")
        .header("mcp-session-id", &session.id)
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::NOT_FOUND);

    // Alice's session is untouched, also with a fresh token of hers.
    let (_, msg) = answer(session.whoami(false, Some(&alice)).await).await;
    assert_eq!(reported(&msg)["auth"]["subject"], "alice");
    let again = token_for(
        &keys,
        &s.resource,
        "alice",
        "mcp:tools",
        json!({"jti": "2"}),
    );
    let (_, msg) = answer(session.whoami(false, Some(&again)).await).await;
    assert_eq!(reported(&msg)["auth"]["subject"], "alice");
}

/// A POST of `body` straight into the service, with `extensions` attached
/// as a layer in front would.
async fn handle(
    service: &StreamableHttp,
    body: &Value,
    session: Option<&str>,
    extensions: Option<Extensions>,
) -> http::Response<mcpwire::transport::http_server::Body> {
    let mut req = http::Request::post("/mcp")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25");
    if let Some(id) = session {
        req = req.header("mcp-session-id", id);
    }
    let mut req = req
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .unwrap();
    if let Some(e) = extensions {
        req.extensions_mut().insert(e);
    }
    service.handle(req).await
}

#[tokio::test]
async fn a_session_opened_without_a_principal_refuses_requests_with_one_and_back() {
    let service = StreamableHttp::new(whoami_server(), HttpConfig::default());
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}});
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "whoami", "arguments": {}}});
    let signed_in = || Extensions::new().with_principal("alice");

    let open = handle(&service, &init, None, None).await;
    let anonymous = open.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    let r = handle(&service, &call, Some(&anonymous), Some(signed_in())).await;
    assert_eq!(r.status(), http::StatusCode::NOT_FOUND);
    let r = handle(&service, &call, Some(&anonymous), None).await;
    assert_eq!(r.status(), http::StatusCode::OK);

    let open = handle(&service, &init, None, Some(signed_in())).await;
    let alices = open.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    let r = handle(&service, &call, Some(&alices), None).await;
    assert_eq!(r.status(), http::StatusCode::NOT_FOUND);
    let other = Extensions::new().with_principal("mallory");
    let r = handle(&service, &call, Some(&alices), Some(other)).await;
    assert_eq!(r.status(), http::StatusCode::NOT_FOUND);
    let r = handle(&service, &call, Some(&alices), Some(signed_in())).await;
    assert_eq!(r.status(), http::StatusCode::OK);
    assert_eq!(service.session_count(), 2, "refusals end no session");
}

#[tokio::test]
async fn the_token_never_reaches_the_handler() {
    let keys = Keys::new();
    let s = start_whoami(&keys).await;
    let token = alice_token(&keys, &s.resource, "mcp:tools");
    let signature = token.rsplit('.').next().unwrap().to_string();
    let mut session = Session::open(&s.resource, "2025-11-25", Some(&token)).await;
    let mut everything = Vec::new();
    for progress in [false, true] {
        let (_, msg) = answer(session.whoami(progress, Some(&token)).await).await;
        everything.push(reported(&msg));
        let (_, msg) = answer(modern_whoami(&s.resource, progress, Some(&token)).await).await;
        everything.push(reported(&msg));
    }
    for seen in everything {
        assert_eq!(seen["auth"]["subject"], "alice");
        let text = seen.to_string();
        assert!(
            !text.contains(&token),
            "the token reached the handler: {text}"
        );
        assert!(
            !text.contains(&signature),
            "the signature reached the handler"
        );
        assert!(!text.to_ascii_lowercase().contains("bearer"), "{text}");
    }
}

#[tokio::test]
async fn a_stateless_task_is_seen_only_by_its_subject_and_runs_as_them() {
    let keys = Keys::new();
    let s = start_whoami(&keys).await;
    let alice = alice_token(&keys, &s.resource, "mcp:tools");
    let bob = token_for(&keys, &s.resource, "bob", "mcp:tools", json!({}));
    let call = json!({"name": "whoami_later", "arguments": {}});
    let created = modern(&s.resource, "tools/call", "whoami_later", call, &alice).await;
    assert_eq!(created["result"]["resultType"], "task", "{created}");
    let id = created["result"]["taskId"].as_str().unwrap().to_string();
    let by_id = json!({"taskId": id});

    // Bob cannot see, update or cancel it: it does not exist for him.
    for method in ["tasks/get", "tasks/cancel", "tasks/update"] {
        let mut params = by_id.clone();
        if method == "tasks/update" {
            params["inputResponses"] = json!({});
        }
        let msg = modern(&s.resource, method, &id, params, &bob).await;
        let error = msg["error"]["message"].as_str().unwrap_or_default();
        assert!(error.contains("Task not found"), "{method}: {msg}");
    }

    // Alice sees it finish, and its handler ran with her identity.
    let done = Mutex::new(Value::Null);
    mcpwire_testkit::eventually(Duration::from_secs(5), "the task to complete", || async {
        let got = modern(&s.resource, "tasks/get", &id, by_id.clone(), &alice).await;
        let completed = got["result"]["status"] == "completed";
        *done.lock().unwrap() = got;
        completed
    })
    .await;
    let done = done.into_inner().unwrap();
    let text = done["result"]["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no finished task result: {done}"));
    let seen: Value = serde_json::from_str(text).unwrap();
    assert_alice(&seen, &["mcp:tools"]);
}

#[tokio::test]
async fn a_2024_11_05_sse_session_serves_only_the_principal_that_opened_it() {
    use http_body_util::BodyExt;
    let service = StreamableHttp::new(whoami_server(), HttpConfig::default().legacy_sse(true));
    let mut open = http::Request::get("/sse")
        .header("accept", "text/event-stream")
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    open.extensions_mut()
        .insert(Extensions::new().with_principal("alice"));
    let mut stream = service.handle_legacy_sse(open, "/messages").await;
    let first = stream.body_mut().frame().await.unwrap().unwrap();
    let endpoint = String::from_utf8(first.into_data().unwrap().to_vec()).unwrap();
    let path = endpoint
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .expect("the endpoint event")
        .to_string();
    let post = |principal: Option<&str>| {
        let body = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2024-11-05", "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"}}});
        let mut req = http::Request::post(path.as_str())
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(bytes::Bytes::from(
                body.to_string(),
            )))
            .unwrap();
        if let Some(p) = principal {
            req.extensions_mut()
                .insert(Extensions::new().with_principal(p));
        }
        req
    };
    let r = service
        .handle_legacy_sse(post(Some("bob")), "/messages")
        .await;
    assert_eq!(r.status(), http::StatusCode::NOT_FOUND);
    let r = service.handle_legacy_sse(post(None), "/messages").await;
    assert_eq!(r.status(), http::StatusCode::NOT_FOUND);
    let r = service
        .handle_legacy_sse(post(Some("alice")), "/messages")
        .await;
    assert_eq!(r.status(), http::StatusCode::ACCEPTED);
    // Alice's answer arrives on her stream.
    let answer = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let frame = stream.body_mut().frame().await.unwrap().unwrap();
            if let Ok(data) = frame.into_data() {
                let text = String::from_utf8(data.to_vec()).unwrap();
                if text.contains("protocolVersion") {
                    return text;
                }
            }
        }
    })
    .await
    .expect("the initialize answer on the stream");
    assert!(answer.contains("\"id\":0"), "{answer}");
}

/// The JSON-RPC answer in a response of the service itself.
async fn answer_of(r: http::Response<mcpwire::transport::http_server::Body>) -> Value {
    use http_body_util::BodyExt;
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    serde_json::from_str(&text)
        .ok()
        .or_else(|| {
            text.lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .filter_map(|d| serde_json::from_str::<Value>(d).ok())
                .find(|m| m.get("result").is_some() || m.get("error").is_some())
        })
        .unwrap_or_else(|| panic!("no answer in {text}"))
}

#[tokio::test]
async fn the_auth_extractor_takes_the_verified_caller_or_refuses_anonymous_ones() {
    let keys = Keys::new();
    let s = start_whoami(&keys).await;
    let token = alice_token(&keys, &s.resource, "mcp:tools");
    let mut session = Session::open(&s.resource, "2025-11-25", Some(&token)).await;
    let params = json!({"name": "subject", "arguments": {}});
    let r = session
        .request("tools/call", params.clone(), false, Some(&token))
        .await;
    let (_, msg) = answer(r).await;
    assert_eq!(msg["result"]["content"][0]["text"], "alice", "{msg}");

    // Without the layer, no request carries a token: the handler refuses
    // with an error the client can read.
    let served = mcpwire_testkit::http::serve_mcp(whoami_server(), HttpConfig::default()).await;
    let mut session = Session::open(&served.mcp_url(), "2025-11-25", None).await;
    let (_, msg) = answer(session.request("tools/call", params, false, None).await).await;
    assert_eq!(msg["error"]["code"], -32600, "{msg}");
    let message = msg["error"]["message"].as_str().unwrap();
    assert!(message.contains("no verified access token"), "{msg}");
}

#[tokio::test]
async fn an_extension_a_layer_attached_reaches_the_handler() {
    let service = StreamableHttp::new(whoami_server(), HttpConfig::default());
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}});
    let open = handle(&service, &init, None, None).await;
    let id = open.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "tenant", "arguments": {}}});
    let text = |msg: &Value| msg["result"]["content"][0]["text"].clone();

    let with_tenant = Extensions::new().with(Tenant("acme"));
    let msg = answer_of(handle(&service, &call, Some(&id), Some(with_tenant)).await).await;
    assert_eq!(text(&msg), "acme None", "{msg}");

    let both = Extensions::new().with(Tenant("acme")).with(7u32);
    let msg = answer_of(handle(&service, &call, Some(&id), Some(both)).await).await;
    assert_eq!(text(&msg), "acme Some(7)", "{msg}");

    // Missing, it is a local fault: the server logs which type, and a
    // tool reports it as an `isError` result that says only that much.
    let msg = answer_of(handle(&service, &call, Some(&id), None).await).await;
    assert_eq!(msg["result"]["isError"], true, "{msg}");
    assert_eq!(text(&msg), "Internal error", "{msg}");
}
