//! Methods of capabilities the server does not declare answer `-32601
//! Method not found`, in both eras; the same methods are served once the
//! capability is declared.

mod support;

use mcpwire_server::{PromptRoute, ResourceRoute, Server, Skill, TemplateRoute, ToolRoute};
use mcpwire_types::TaskSupport;
use serde_json::{Value, json};
use support::{INVALID_PARAMS, METHOD_NOT_FOUND, Wire, stateless};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Text {
    text: String,
}

fn echo() -> ToolRoute {
    ToolRoute::typed("echo", |_cx, a: Text| async move { a.text })
}

/// What the echo example declares: tools (and logging) only.
fn tools_only() -> Server {
    Server::builder("echo", "1.0.0")
        .tool(echo())
        .build()
        .unwrap()
}

/// The methods of each capability `tools_only` lacks, with params that
/// would be valid if the capability were declared.
fn undeclared_session_methods() -> Vec<(&'static str, Value)> {
    vec![
        ("prompts/list", json!({})),
        ("prompts/get", json!({"name": "greet"})),
        ("resources/list", json!({})),
        ("resources/templates/list", json!({})),
        ("resources/read", json!({"uri": "memo://a"})),
        ("resources/subscribe", json!({"uri": "memo://a"})),
        ("resources/unsubscribe", json!({"uri": "memo://a"})),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "greet"},
                   "argument": {"name": "who", "value": "a"}}),
        ),
        ("tasks/get", json!({"taskId": "t"})),
        ("tasks/result", json!({"taskId": "t"})),
        ("tasks/list", json!({})),
        ("tasks/cancel", json!({"taskId": "t"})),
        ("skills/list", json!({})),
        ("skills/get", json!({"uri": "skill://a/SKILL.md"})),
        ("resources/directory/read", json!({"uri": "skill://a"})),
    ]
}

#[tokio::test]
async fn a_tools_only_server_refuses_every_other_capabilitys_methods_in_a_session() {
    let server = tools_only();
    let mut wire = Wire::connect(&server);
    let init = wire.initialize().await;
    let caps = &init["capabilities"];
    assert!(caps["tools"].is_object() && caps["logging"].is_object());
    for absent in ["prompts", "resources", "completions", "tasks", "extensions"] {
        assert!(caps.get(absent).is_none(), "{absent} declared: {caps}");
    }
    for (method, params) in undeclared_session_methods() {
        let answer = wire.call(method, params).await;
        assert_eq!(
            answer["error"]["code"], METHOD_NOT_FOUND,
            "{method}: {answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(method), "{method}: {message}");
        // The declared methods are served right after.
        let tools = wire.ok("tools/list", json!({})).await;
        assert_eq!(tools["tools"][0]["name"], "echo");
    }
    // Declared capabilities: logging, and ping, which belongs to none.
    wire.ok("logging/setLevel", json!({"level": "error"})).await;
    wire.ok("ping", json!({})).await;
    let called = wire
        .ok(
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "hi"}}),
        )
        .await;
    assert_eq!(called["content"][0]["text"], "hi");
}

#[tokio::test]
async fn a_tools_only_server_refuses_every_other_capabilitys_methods_statelessly() {
    let server = tools_only();
    let mut wire = Wire::connect(&server);
    let discover = wire.ok("server/discover", stateless(json!({}))).await;
    assert!(discover["capabilities"].get("prompts").is_none());
    let methods = [
        ("prompts/list", json!({})),
        ("prompts/get", json!({"name": "greet"})),
        ("resources/list", json!({})),
        ("resources/templates/list", json!({})),
        ("resources/read", json!({"uri": "memo://a"})),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "greet"},
                   "argument": {"name": "who", "value": "a"}}),
        ),
        ("tasks/get", json!({"taskId": "t"})),
        ("tasks/update", json!({"taskId": "t", "inputResponses": {}})),
        ("tasks/cancel", json!({"taskId": "t"})),
        ("skills/list", json!({})),
    ];
    for (method, params) in methods {
        let code = wire.error_code(method, stateless(params)).await;
        assert_eq!(code, METHOD_NOT_FOUND, "{method}");
        let tools = wire.ok("tools/list", stateless(json!({}))).await;
        assert_eq!(tools["tools"][0]["name"], "echo");
    }
}

#[tokio::test]
async fn methods_of_another_era_are_not_found() {
    let server = tools_only();
    let mut wire = Wire::connect(&server);
    // Stateless only: no session has them.
    for method in ["server/discover", "subscriptions/listen", "tasks/update"] {
        assert_eq!(wire.error_code(method, json!({})).await, METHOD_NOT_FOUND);
    }
    // Sessions only: a stateless request has none of them.
    for method in ["initialize", "ping", "logging/setLevel", "tasks/list"] {
        let code = wire.error_code(method, stateless(json!({}))).await;
        assert_eq!(code, METHOD_NOT_FOUND, "{method}");
    }
    wire.initialize().await;
    wire.ok("ping", json!({})).await;
}

/// A server that declares every capability, each method of which is then
/// served: no `-32601`, whatever else the answer is.
#[tokio::test]
async fn every_method_is_served_when_its_capability_is_declared() {
    let skill = Skill::from_files([(
        "SKILL.md",
        "---\nname: refunds\ndescription: Process refunds\n---\n",
    )])
    .unwrap()
    .under("acme")
    .unwrap();
    let server = Server::builder("all", "1.0.0")
        .tool(echo().task_support(TaskSupport::Optional))
        .resource(ResourceRoute::new("memo://a", "a", |_cx, _u, _v| async {
            "A".to_string()
        }))
        .template(
            TemplateRoute::new("memo://t/{id}", "t", |_cx, _u, v| async move {
                format!("t{}", v["id"])
            })
            .unwrap()
            .complete("id", |_typed| async { vec!["1".to_string()] }),
        )
        .prompt(
            PromptRoute::typed("greet", |_cx, a: Text| async move { a.text })
                .complete("text", |_typed| async { vec!["hi".to_string()] }),
        )
        .skill(skill)
        .build()
        .unwrap();
    let mut wire = Wire::connect(&server);
    let init = wire.initialize().await;
    let caps = &init["capabilities"];
    for present in [
        "tools",
        "prompts",
        "resources",
        "completions",
        "tasks",
        "logging",
    ] {
        assert!(caps[present].is_object(), "{present} missing: {caps}");
    }
    assert_eq!(caps["resources"]["subscribe"], true);
    for (method, params) in undeclared_session_methods() {
        let answer = wire.call(method, params).await;
        assert_ne!(
            answer["error"]["code"], METHOD_NOT_FOUND,
            "{method}: {answer}"
        );
    }
    let completed = wire
        .ok(
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "greet"},
                   "argument": {"name": "text", "value": "h"}}),
        )
        .await;
    assert_eq!(completed["completion"]["values"], json!(["hi"]));
    // Unknown names are still bad params, not unknown methods.
    let code = wire
        .error_code("prompts/get", json!({"name": "nope"}))
        .await;
    assert_eq!(code, INVALID_PARAMS);
}

#[tokio::test]
async fn a_capability_declared_at_run_time_serves_its_methods_from_then_on() {
    let server = Server::builder("growing", "1.0.0").build().unwrap();
    let mut wire = Wire::connect(&server);
    wire.initialize().await;
    assert_eq!(
        wire.error_code("tools/list", json!({})).await,
        METHOD_NOT_FOUND
    );
    assert_eq!(
        wire.error_code("prompts/list", json!({})).await,
        METHOD_NOT_FOUND
    );
    server.add_tool(echo());
    let tools = wire.ok("tools/list", json!({})).await;
    assert_eq!(tools["tools"][0]["name"], "echo");
    // A prompt without completers declares prompts, not completions.
    server.add_prompt(PromptRoute::typed(
        "greet",
        |_cx, a: Text| async move { a.text },
    ));
    wire.ok("prompts/list", json!({})).await;
    let complete = json!({"ref": {"type": "ref/prompt", "name": "greet"},
                          "argument": {"name": "text", "value": "h"}});
    assert_eq!(
        wire.error_code("completion/complete", complete.clone())
            .await,
        METHOD_NOT_FOUND
    );
    // Replacing it with one that completes declares completions.
    server.add_prompt(
        PromptRoute::typed("greet", |_cx, a: Text| async move { a.text })
            .complete("text", |_typed| async { vec!["hello".to_string()] }),
    );
    let completed = wire.ok("completion/complete", complete.clone()).await;
    assert_eq!(completed["completion"]["values"], json!(["hello"]));
    // And removing the last tool takes tools away again.
    assert!(server.remove_tool("echo"));
    assert_eq!(
        wire.error_code("tools/call", json!({"name": "echo"})).await,
        METHOD_NOT_FOUND
    );
    wire.ok("prompts/list", json!({})).await;
}

/// The skills extension declares resources even with no skill, so the
/// resource methods are served.
#[tokio::test]
async fn an_extension_that_declares_a_core_capability_opens_its_methods() {
    let server = Server::builder("skills", "1.0.0")
        .skills([])
        .build()
        .unwrap();
    let mut wire = Wire::connect(&server);
    let init = wire.initialize().await;
    assert!(init["capabilities"]["resources"].is_object());
    let listed = wire.ok("resources/list", json!({})).await;
    assert_eq!(listed["resources"], json!([]));
    let skills = wire.ok("skills/list", json!({})).await;
    assert_eq!(skills["skills"], json!([]));
    // Completion still is not declared.
    let complete = json!({"ref": {"type": "ref/resource", "uri": "skill://x"},
                          "argument": {"name": "a", "value": ""}});
    assert_eq!(
        wire.error_code("completion/complete", complete).await,
        METHOD_NOT_FOUND
    );
}
