//! The per-tool scope check against what the engine runs: arbitrary bodies
//! go through `BearerAuth` in front of a real `StreamableHttp`, with a
//! token that holds the server-wide scope but not the one the `admin`
//! tool needs. Whatever the body (junk keys, repeated keys, escapes,
//! batches, notifications, stateless requests), the `admin` tool must never
//! run; `echo` may.
//!
//! The first byte picks the protocol revision the request claims and whether
//! it goes to an open 2025-03-26 session (where batches are allowed); the
//! body bytes are the fuzzer's own.
#![no_main]

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use libfuzzer_sys::fuzz_target;
use mcpwire::auth::{
    BearerAuth, BearerAuthService, ProtectedResourceMetadata, TokenVerifier, VerifiedToken,
    VerifyError, VerifyFuture,
};
use mcpwire::server::{Context, Server, ToolRoute};
use mcpwire::types::{CallToolResult, Tool};
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};
use serde_json::json;
use tower_service::Service;

/// Runs of the tool the token may not call.
static ADMIN_RUNS: AtomicUsize = AtomicUsize::new(0);

/// Accepts one token, `basic`, with the server-wide scope only.
struct OneToken;

impl TokenVerifier for OneToken {
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
        Box::pin(async move {
            if token != "basic" {
                return Err(VerifyError::Inactive);
            }
            let claims = [
                ("sub".to_owned(), json!("fuzz")),
                ("iss".to_owned(), json!("https://auth.test")),
                ("scope".to_owned(), json!("mcp:tools")),
            ];
            Ok(VerifiedToken::from_claims(claims.into_iter().collect()))
        })
    }
}

/// A tool that takes any object and answers `text`, counting its runs in
/// `runs` when given.
fn tool(name: &'static str, runs: Option<&'static AtomicUsize>) -> ToolRoute {
    ToolRoute::new(
        Tool::new(name, json!({"type": "object"})),
        move |_cx: Context, _args: serde_json::Map<String, serde_json::Value>| async move {
            if let Some(r) = runs {
                r.fetch_add(1, Ordering::SeqCst);
            }
            Ok::<_, mcpwire::Error>(CallToolResult::text(name))
        },
    )
}

struct Fixture {
    rt: tokio::runtime::Runtime,
    service: BearerAuthService<StreamableHttp>,
    session: String,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let server = Server::builder("fuzz-auth", "1")
            .tool(tool("echo", None))
            .tool(tool("admin", Some(&ADMIN_RUNS)))
            .build().unwrap();
        let auth = BearerAuth::new(
            OneToken,
            ProtectedResourceMetadata::new("http://127.0.0.1/mcp")
                .authorization_server("https://auth.test"),
        )
        .require_scopes(["mcp:tools"])
        .tool_scopes("admin", ["mcp:admin"]);
        let mut service = auth.wrap(StreamableHttp::new(server, HttpConfig::default()));
        let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-03-26", "capabilities": {},
            "clientInfo": {"name": "fuzz", "version": "1"}}});
        let session = rt.block_on(async {
            let r = service
                .call(request(init.to_string().into_bytes(), "2025-03-26", None))
                .await
                .expect("infallible");
            let id = r.headers()["mcp-session-id"]
                .to_str()
                .expect("a session id")
                .to_owned();
            let done = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
            let _ = service
                .call(request(done.to_string().into_bytes(), "2025-03-26", Some(&id)))
                .await;
            id
        });
        Fixture { rt, service, session }
    })
}

fn request(body: Vec<u8>, version: &str, session: Option<&str>) -> Request<Full<Bytes>> {
    let mut b = Request::post("/mcp")
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("authorization", "Bearer basic")
        .header("mcp-protocol-version", version);
    if let Some(s) = session {
        b = b.header("mcp-session-id", s);
    }
    if version == "2026-07-28" {
        b = b.header("mcp-method", "tools/call").header("mcp-name", "admin");
    }
    b.body(Full::new(Bytes::from(body))).expect("a request")
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks where the request goes; the rest is the body.
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    if body.len() > 64 * 1024 {
        return;
    }
    let f = fixture();
    let body = body.to_vec();
    let req = match pick % 3 {
        // A 2026-07-28 request, with no session.
        0 => request(body, "2026-07-28", None),
        // The open 2025-03-26 session, where batches are served.
        1 => request(body, "2025-03-26", Some(&f.session)),
        // No version header and no session.
        _ => {
            let mut r = request(body, "2025-03-26", None);
            r.headers_mut().remove("mcp-protocol-version");
            r
        }
    };
    let mut service = f.service.clone();
    f.rt.block_on(async {
        let r = service.call(req).await.expect("infallible");
        // Read the whole answer, so that anything it ran has run.
        let _ = r.into_body().collect().await;
        // Let spawned handlers (streamed answers) get their turn.
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
    });
    assert_eq!(
        ADMIN_RUNS.load(Ordering::SeqCst),
        0,
        "the admin tool ran for a token without its scope"
    );
});
