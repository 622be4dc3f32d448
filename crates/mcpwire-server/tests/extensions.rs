//! Extensions as plug-ins: what they declare appears in `initialize` and
//! `server/discover`, their methods are served in the eras their routes
//! name (with cache hints where marked), and an extension that declares
//! nothing has its methods answer `-32601`.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mcpwire_server::{
    BoxFuture, Eras, ExtensionRequest, ExtensionRoute, Server, ServerExtension, Skill, ToolRoute,
};
use mcpwire_types::{CacheHint, CacheScope, Era, ServerCapabilities, TaskSupport};
use serde_json::{Value, json};
use support::{METHOD_NOT_FOUND, Wire, stateless};

const ID: &str = "com.example/clock";

/// `clock/now` (both eras, cacheable) and `clock/reset` (sessions only),
/// declared while `on` holds.
struct Clock {
    on: Arc<AtomicBool>,
}

impl ServerExtension for Clock {
    fn declare(&self, _server: &Server, era: Era, caps: &mut ServerCapabilities) {
        if self.on.load(Ordering::Relaxed) {
            let era = match era {
                Era::Session => "session",
                Era::Stateless => "stateless",
            };
            caps.extensions
                .get_or_insert_with(Default::default)
                .insert(ID.into(), json!({ "era": era }));
        }
    }

    fn routes(&self) -> &[ExtensionRoute] {
        const ROUTES: &[ExtensionRoute] = &[
            ExtensionRoute::new("clock/now", Eras::BOTH).cacheable(),
            ExtensionRoute::new("clock/reset", Eras::SESSION),
        ];
        ROUTES
    }

    fn handle(&self, request: ExtensionRequest) -> BoxFuture<Result<Value, mcpwire_rpc::Error>> {
        let era = request.context.era();
        let zone = request
            .params
            .as_ref()
            .and_then(|p| p.get("zone"))
            .cloned()
            .unwrap_or(Value::Null);
        let method = request.method;
        Box::pin(async move {
            Ok(json!({
                "method": method,
                "zone": zone,
                "stateless": era == Era::Stateless,
            }))
        })
    }
}

fn server(on: bool) -> (Server, Arc<AtomicBool>) {
    let on = Arc::new(AtomicBool::new(on));
    let server = Server::builder("clock", "1.0.0")
        .tool(ToolRoute::new(
            mcpwire_types::Tool::new("t", json!({"type": "object"})),
            |_cx, _a| async { Ok(mcpwire_types::CallToolResult::text("t")) },
        ))
        .extension(Clock { on: on.clone() })
        .cache_hint_for("clock/now", CacheHint::new(5_000, CacheScope::Public))
        .build()
        .unwrap();
    (server, on)
}

#[tokio::test]
async fn an_extension_is_declared_and_served_in_both_eras() {
    let (server, _on) = server(true);
    let mut wire = Wire::connect(&server);
    let init = wire.initialize().await;
    assert_eq!(
        init["capabilities"]["extensions"][ID],
        json!({"era": "session"})
    );
    let now = wire.ok("clock/now", json!({"zone": "UTC"})).await;
    assert_eq!(
        now,
        json!({"method": "clock/now", "zone": "UTC", "stateless": false})
    );
    let reset = wire.ok("clock/reset", json!({})).await;
    assert_eq!(reset["method"], "clock/reset");

    let discover = wire.ok("server/discover", stateless(json!({}))).await;
    assert_eq!(
        discover["capabilities"]["extensions"][ID],
        json!({"era": "stateless"})
    );
    let now = wire
        .ok("clock/now", stateless(json!({"zone": "CET"})))
        .await;
    assert_eq!(now["zone"], "CET");
    assert_eq!(now["stateless"], true);
    // A cacheable route's stateless results carry its hint and the envelope.
    assert_eq!(now["ttlMs"], 5_000);
    assert_eq!(now["cacheScope"], "public");
    assert_eq!(now["resultType"], "complete");
    assert_eq!(
        now["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "clock"
    );
    // A route of sessions only is not found statelessly.
    let code = wire.error_code("clock/reset", stateless(json!({}))).await;
    assert_eq!(code, METHOD_NOT_FOUND);
    wire.ok("tools/list", stateless(json!({}))).await;
}

#[tokio::test]
async fn an_extension_that_declares_nothing_has_no_methods() {
    let (server, on) = server(false);
    let mut wire = Wire::connect(&server);
    let init = wire.initialize().await;
    assert!(init["capabilities"].get("extensions").is_none());
    assert_eq!(
        wire.error_code("clock/now", json!({})).await,
        METHOD_NOT_FOUND
    );
    wire.ok("tools/list", json!({})).await;
    // Declared from now on: served.
    on.store(true, Ordering::Relaxed);
    let now = wire.ok("clock/now", json!({})).await;
    assert_eq!(now["method"], "clock/now");
}

/// The built-in extensions declare through the same trait: tasks as the
/// session's `tasks` capability and as the stateless extension, skills in
/// both.
#[tokio::test]
async fn built_in_extensions_declare_in_initialize_and_discover() {
    let skill = Skill::from_files([(
        "SKILL.md",
        "---\nname: refunds\ndescription: Process refunds\n---\n",
    )])
    .unwrap()
    .under("acme")
    .unwrap();
    let server = Server::builder("built-in", "1.0.0")
        .tool(
            ToolRoute::new(
                mcpwire_types::Tool::new("slow", json!({"type": "object"})),
                |_cx, _a| async { Ok(mcpwire_types::CallToolResult::text("done")) },
            )
            .task_support(TaskSupport::Optional),
        )
        .skill(skill)
        .build()
        .unwrap();
    let mut wire = Wire::connect(&server);
    let init = wire.initialize().await;
    let caps = &init["capabilities"];
    assert!(
        caps["tasks"]["requests"]["tools"]["call"].is_object(),
        "{caps}"
    );
    assert!(caps["extensions"]["io.modelcontextprotocol/skills"].is_object());
    assert!(
        caps["extensions"]
            .get("io.modelcontextprotocol/tasks")
            .is_none()
    );
    assert_eq!(caps["resources"]["subscribe"], true);
    let listed = wire.ok("tasks/list", json!({})).await;
    assert_eq!(listed["tasks"], json!([]));

    let discover = wire.ok("server/discover", stateless(json!({}))).await;
    let caps = &discover["capabilities"];
    assert!(caps.get("tasks").is_none(), "{caps}");
    let extensions: Vec<&String> = caps["extensions"]
        .as_object()
        .map(|e| e.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        extensions,
        [
            "io.modelcontextprotocol/skills",
            "io.modelcontextprotocol/tasks"
        ]
    );
    let skills = wire.ok("skills/list", stateless(json!({}))).await;
    assert_eq!(skills["skills"].as_array().map(Vec::len), Some(1));
    assert_eq!(skills["resultType"], "complete");
    assert!(skills["ttlMs"].is_number(), "{skills}");
}
