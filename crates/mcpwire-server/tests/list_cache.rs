//! List pages are built once and served again until their list changes:
//! every change to tools, prompts, resources or templates shows in the
//! next listing, on every page, in both eras.

mod support;

use mcpwire_server::{PromptRoute, ResourceRoute, Server, TemplateRoute, ToolRoute};
use serde_json::{Value, json};
use support::{INVALID_PARAMS, Wire, stateless};

fn tool(name: &str) -> ToolRoute {
    ToolRoute::new(
        mcpwire_types::Tool::new(name, json!({"type": "object"})),
        |_cx, _args| async { Ok(mcpwire_types::CallToolResult::text("ok")) },
    )
}

fn resource(uri: &str) -> ResourceRoute {
    ResourceRoute::new(uri, uri, |_cx, _u, _v| async { "r".to_string() })
}

fn prompt(name: &str) -> PromptRoute {
    PromptRoute::new(mcpwire_types::Prompt::new(name), |_cx, _a| async {
        "p".to_string()
    })
}

fn names(page: &Value, list: &str, key: &str) -> Vec<String> {
    page[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {page}"))
        .iter()
        .map(|t| t[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn tools_list_follows_every_change() {
    let server = Server::builder("tools", "1.0.0")
        .tool(tool("a"))
        .tool(tool("b"))
        .build()
        .unwrap();
    let mut wire = Wire::connect(&server);
    wire.initialize().await;
    let first = wire.ok("tools/list", json!({})).await;
    assert_eq!(names(&first, "tools", "name"), ["a", "b"]);
    // Served again, the same answer.
    assert_eq!(wire.ok("tools/list", json!({})).await, first);

    server.add_tool(tool("c"));
    wire.notification("notifications/tools/list_changed").await;
    let after_add = wire.ok("tools/list", json!({})).await;
    assert_eq!(names(&after_add, "tools", "name"), ["a", "b", "c"]);

    // Replacing a tool shows its new definition, in its old place.
    server.add_tool(tool("a").description("new"));
    let replaced = wire.ok("tools/list", json!({})).await;
    assert_eq!(replaced["tools"][0]["description"], "new");
    assert_eq!(names(&replaced, "tools", "name"), ["a", "b", "c"]);

    assert!(server.remove_tool("b"));
    let after_remove = wire.ok("tools/list", json!({})).await;
    assert_eq!(names(&after_remove, "tools", "name"), ["a", "c"]);

    // A stateless listing sees the same list, with its own envelope.
    let modern = wire.ok("tools/list", stateless(json!({}))).await;
    assert_eq!(names(&modern, "tools", "name"), ["a", "c"]);
    assert_eq!(modern["resultType"], "complete");
    // ... and the session's cached page did not pick that envelope up.
    let again = wire.ok("tools/list", json!({})).await;
    assert_eq!(again, after_remove);
    assert!(again.get("resultType").is_none());
}

#[tokio::test]
async fn every_page_follows_a_change() {
    let server = Server::builder("paged", "1.0.0")
        .page_size(2)
        .tool(tool("a"))
        .tool(tool("b"))
        .tool(tool("c"))
        .build()
        .unwrap();
    let mut wire = Wire::connect(&server);
    wire.initialize().await;
    let first = wire.ok("tools/list", json!({})).await;
    assert_eq!(names(&first, "tools", "name"), ["a", "b"]);
    let cursor = first["nextCursor"].clone();
    let second = wire.ok("tools/list", json!({"cursor": cursor})).await;
    assert_eq!(names(&second, "tools", "name"), ["c"]);
    assert!(second.get("nextCursor").is_none());

    server.add_tool(tool("d"));
    server.add_tool(tool("e"));
    let second = wire.ok("tools/list", json!({"cursor": cursor})).await;
    assert_eq!(names(&second, "tools", "name"), ["c", "d"]);
    let third = wire
        .ok("tools/list", json!({"cursor": second["nextCursor"]}))
        .await;
    assert_eq!(names(&third, "tools", "name"), ["e"]);

    // A cursor off the page boundaries still works (built, not cached).
    let odd = wire.ok("tools/list", json!({"cursor": "o1"})).await;
    assert_eq!(names(&odd, "tools", "name"), ["b", "c"]);
    // A cursor past the end is refused, and nothing was lost.
    let code = wire
        .error_code("tools/list", json!({"cursor": "o99"}))
        .await;
    assert_eq!(code, INVALID_PARAMS);
    let all: Vec<String> = [
        wire.ok("tools/list", json!({})).await,
        wire.ok("tools/list", json!({"cursor": "o2"})).await,
        wire.ok("tools/list", json!({"cursor": "o4"})).await,
    ]
    .iter()
    .flat_map(|p| names(p, "tools", "name"))
    .collect();
    assert_eq!(all, ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn prompts_resources_and_templates_lists_follow_changes() {
    let server = Server::builder("lists", "1.0.0")
        .prompt(prompt("p1"))
        .resource(resource("memo://1"))
        .template(
            TemplateRoute::new("memo://t1/{x}", "t1", |_cx, _u, _v| async {
                "t".to_string()
            })
            .unwrap(),
        )
        .build()
        .unwrap();
    let mut wire = Wire::connect(&server);
    wire.initialize().await;
    let prompts = wire.ok("prompts/list", json!({})).await;
    assert_eq!(names(&prompts, "prompts", "name"), ["p1"]);
    let resources = wire.ok("resources/list", json!({})).await;
    assert_eq!(names(&resources, "resources", "uri"), ["memo://1"]);
    let templates = wire.ok("resources/templates/list", json!({})).await;
    assert_eq!(
        names(&templates, "resourceTemplates", "uriTemplate"),
        ["memo://t1/{x}"]
    );

    server.add_prompt(prompt("p2"));
    server.add_resource(resource("memo://2"));
    server.add_template(
        TemplateRoute::new("memo://t2/{x}", "t2", |_cx, _u, _v| async {
            "t".to_string()
        })
        .unwrap(),
    );
    let prompts = wire.ok("prompts/list", json!({})).await;
    assert_eq!(names(&prompts, "prompts", "name"), ["p1", "p2"]);
    let resources = wire.ok("resources/list", json!({})).await;
    assert_eq!(
        names(&resources, "resources", "uri"),
        ["memo://1", "memo://2"]
    );
    let templates = wire.ok("resources/templates/list", json!({})).await;
    assert_eq!(
        names(&templates, "resourceTemplates", "uriTemplate"),
        ["memo://t1/{x}", "memo://t2/{x}"]
    );

    assert!(server.remove_prompt("p1"));
    assert!(server.remove_resource("memo://1"));
    let prompts = wire.ok("prompts/list", json!({})).await;
    assert_eq!(names(&prompts, "prompts", "name"), ["p2"]);
    let resources = wire.ok("resources/list", json!({})).await;
    assert_eq!(names(&resources, "resources", "uri"), ["memo://2"]);
    // The stateless era reads the same pages.
    let modern = wire.ok("resources/list", stateless(json!({}))).await;
    assert_eq!(names(&modern, "resources", "uri"), ["memo://2"]);
}

/// Publishing a skill adds its files to the resource list.
#[tokio::test]
async fn skills_change_the_resource_list() {
    let server = Server::builder("skills", "1.0.0")
        .skills([])
        .build()
        .unwrap();
    let mut wire = Wire::connect(&server);
    wire.initialize().await;
    let before = wire.ok("resources/list", json!({})).await;
    assert_eq!(before["resources"], json!([]));
    let skill = mcpwire_server::Skill::from_files([(
        "SKILL.md",
        "---\nname: refunds\ndescription: Process refunds\n---\n",
    )])
    .unwrap()
    .under("acme")
    .unwrap();
    let uri = skill.uri();
    server.add_skill(skill);
    let after = wire.ok("resources/list", json!({})).await;
    assert_eq!(
        names(&after, "resources", "uri"),
        std::slice::from_ref(&uri)
    );
    assert!(server.remove_skill(&uri));
    let gone = wire.ok("resources/list", json!({})).await;
    assert_eq!(gone["resources"], json!([]));
}
