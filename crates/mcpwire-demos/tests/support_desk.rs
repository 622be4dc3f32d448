//! The support desk over an in-memory transport with a real mcpwire
//! client: listings, reads, tools with structured output, the prompt,
//! completion, change notifications, and every error path.

mod common;

use common::{assert_tool_error, assert_valid, connect, drain, read_text, tool_text, wait_for};
use mcpwire::client::ServerNotification;
use mcpwire::types::{
    CompleteReference, ContentBlock, ErrorCode, PromptReference, ResourceTemplateReference,
};
use mcpwire_demos::demo::TempDb;
use mcpwire_demos::support_desk::{self, Store};
use serde_json::json;

fn desk() -> (TempDb, mcpwire::server::Server) {
    let db = TempDb::new().unwrap();
    let server = support_desk::server(db.path()).unwrap();
    (db, server)
}

#[tokio::test]
async fn lists_what_the_desk_offers() {
    let (_db, server) = desk();
    let c = connect(&server).await;
    let tools = c.list_tools().await.unwrap();
    let names: Vec<_> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["close_ticket", "escalate_ticket", "ticket_board"]);
    // The board is covered by tests/ticket_board.rs.
    for t in tools.iter().filter(|t| t.name != "ticket_board") {
        assert!(t.output_schema.is_some(), "{} has an outputSchema", t.name);
        let hints = t.annotations.as_ref().expect("the tools declare hints");
        assert_eq!(
            (
                hints.read_only_hint,
                hints.destructive_hint,
                hints.idempotent_hint,
                hints.open_world_hint
            ),
            (None, Some(false), Some(false), None),
            "{}",
            t.name
        );
        assert_eq!(
            t.input_schema["required"],
            json!([
                "ticket_id",
                if t.name == "close_ticket" {
                    "resolution"
                } else {
                    "reason"
                }
            ])
        );
    }
    let resources: Vec<_> = (c.list_resources().await.unwrap().into_iter())
        .map(|r| r.uri)
        .collect();
    assert_eq!(resources[0], "ticket://list");
    for id in 42..=49 {
        assert!(
            resources.contains(&format!("ticket://{id}")),
            "{resources:?}"
        );
    }
    let templates = c.list_resource_templates().await.unwrap();
    assert_eq!(templates[0].uri_template, "ticket://{ticket_id}");
    let prompts = c.list_prompts().await.unwrap();
    assert_eq!(prompts[0].name, "resolution_prompt");
    let args: Vec<_> = (prompts[0].arguments.iter().flatten())
        .map(|a| (a.name.as_str(), a.required))
        .collect();
    assert_eq!(
        args,
        [("ticket_id", Some(true)), ("account_tier", Some(true))]
    );
}

#[tokio::test]
async fn reads_the_list_and_one_ticket() {
    let (_db, server) = desk();
    let c = connect(&server).await;
    let list = read_text(&c.read_resource("ticket://list").await.unwrap());
    assert!(
        list.contains(
            "| 42 | Cannot log in after password change | alice@example.com | pro | open |"
        ),
        "{list}"
    );
    assert!(
        list.contains("| 43 | Invoice PDF not loading | bob@example.com | free | open |"),
        "{list}"
    );
    assert!(list.contains("8 open."), "{list}");
    let t = read_text(&c.read_resource("ticket://42").await.unwrap());
    assert!(
        t.starts_with("# Ticket 42: Cannot log in after password change"),
        "{t}"
    );
    assert!(
        t.contains("Alice Martin <alice@example.com> (pro plan)"),
        "{t}"
    );
    assert!(t.contains("**Status:** open"), "{t}");
    // A ticket read through the template (43 is also listed; the template
    // serves any number).
    let t = read_text(&c.read_resource("ticket://43").await.unwrap());
    assert!(
        t.contains("bob@example.com") && t.contains("free plan"),
        "{t}"
    );
}

#[tokio::test]
async fn close_ticket_returns_valid_structured_output_and_persists() {
    let (db, server) = desk();
    let c = connect(&server).await;
    let tools = c.list_tools().await.unwrap();
    let schema = tools[0].output_schema.clone().unwrap();
    let r = c
        .call_tool(
            "close_ticket",
            json!({"ticket_id": 42, "resolution": "Cleared the stale session."}),
        )
        .await
        .unwrap();
    assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
    let out = r.structured_content.clone().unwrap();
    assert_valid(&schema, &out);
    assert_eq!(out["ticket_id"], 42);
    assert_eq!(out["status"], "closed");
    assert_eq!(out["customer_email"], "alice@example.com");
    assert_eq!(out["resolution"], "Cleared the stale session.");
    let t = read_text(&c.read_resource("ticket://42").await.unwrap());
    assert!(
        t.contains("**Status:** closed")
            && t.contains("## Resolution\n\nCleared the stale session."),
        "{t}"
    );
    let list = read_text(&c.read_resource("ticket://list").await.unwrap());
    assert!(
        !list.contains("| 42 |") && list.contains("7 open."),
        "{list}"
    );
    // A second server on the same file sees the change: it is in SQLite.
    let again = support_desk::server(db.path()).unwrap();
    let c2 = connect(&again).await;
    let resources = c2.list_resources().await.unwrap();
    assert!(!resources.iter().any(|r| r.uri == "ticket://42"));
    let t = read_text(&c2.read_resource("ticket://42").await.unwrap());
    assert!(t.contains("**Status:** closed"), "{t}");
}

#[tokio::test]
async fn tool_errors_are_clear_and_the_server_keeps_serving() {
    let (_db, server) = desk();
    let c = connect(&server).await;
    let r = c
        .call_tool("close_ticket", json!({"ticket_id": 999, "resolution": "x"}))
        .await
        .unwrap();
    assert_tool_error(&r, "Ticket 999 does not exist");
    let r = c
        .call_tool("escalate_ticket", json!({"ticket_id": 998, "reason": "x"}))
        .await
        .unwrap();
    assert_tool_error(&r, "Ticket 998 does not exist");
    let r = c
        .call_tool(
            "close_ticket",
            json!({"ticket_id": "forty-two", "resolution": "x"}),
        )
        .await
        .unwrap();
    assert_tool_error(
        &r,
        "Invalid arguments for tool \"close_ticket\": ticket_id must be a number or a string of digits",
    );
    let r = c
        .call_tool("close_ticket", json!({"ticket_id": 42}))
        .await
        .unwrap();
    assert_tool_error(&r, "resolution");
    let r = c
        .call_tool(
            "close_ticket",
            json!({"ticket_id": 42, "resolution": "   "}),
        )
        .await
        .unwrap();
    assert_tool_error(&r, "The resolution is empty");
    let r = c
        .call_tool(
            "close_ticket",
            json!({"ticket_id": 42, "resolution": "x".repeat(5000)}),
        )
        .await
        .unwrap();
    assert_tool_error(
        &r,
        "The resolution is 5000 characters long; keep it under 4000.",
    );
    // Nothing above changed ticket 42.
    let t = read_text(&c.read_resource("ticket://42").await.unwrap());
    assert!(t.contains("**Status:** open"), "{t}");

    let ok = c
        .call_tool(
            "close_ticket",
            json!({"ticket_id": 42, "resolution": "Done."}),
        )
        .await
        .unwrap();
    assert_ne!(ok.is_error, Some(true));
    let r = c
        .call_tool(
            "close_ticket",
            json!({"ticket_id": 42, "resolution": "Again."}),
        )
        .await
        .unwrap();
    assert_tool_error(&r, "Ticket 42 is already closed");
    let r = c
        .call_tool(
            "escalate_ticket",
            json!({"ticket_id": 42, "reason": "Late."}),
        )
        .await
        .unwrap();
    assert_tool_error(&r, "Ticket 42 is already closed");
    // The first resolution stands.
    let t = read_text(&c.read_resource("ticket://42").await.unwrap());
    assert!(
        t.contains("Done.") && !t.contains("Again.") && !t.contains("Late."),
        "{t}"
    );
    // And the server still serves other calls.
    let r = c
        .call_tool(
            "escalate_ticket",
            json!({"ticket_id": 43, "reason": "PDF service down"}),
        )
        .await
        .unwrap();
    assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
}

/// Ticket ids arrive as numbers from some clients and as strings from
/// others; both close the ticket, and the schema says both are fine.
#[tokio::test]
async fn ticket_ids_may_be_numbers_or_strings_of_digits() {
    let (_db, server) = desk();
    let c = connect(&server).await;
    let tools = c.list_tools().await.unwrap();
    let branches = json!([
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": "^[0-9]+$"}
    ]);
    // Every tool that takes a ticket (ticket_board takes none).
    for t in tools.iter().filter(|t| t.name != "ticket_board") {
        let id = &t.input_schema["properties"]["ticket_id"];
        assert_eq!(id["anyOf"], branches, "{}: {id}", t.name);
        assert!(id.get("type").is_none(), "{}: {id}", t.name);
        // What the schema admits is what the tool takes.
        let v = jsonschema::validator_for(id).unwrap();
        for ok in [json!(42), json!("42")] {
            assert!(v.is_valid(&ok), "{}: {ok}", t.name);
        }
        for bad in [json!("abc"), json!(-1), json!(true)] {
            assert!(!v.is_valid(&bad), "{}: {bad}", t.name);
        }
    }

    let r = c
        .call_tool(
            "close_ticket",
            json!({"ticket_id": "42", "resolution": "Closed by string id."}),
        )
        .await
        .unwrap();
    assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
    assert_eq!(r.structured_content.unwrap()["ticket_id"], 42);
    let t = read_text(&c.read_resource("ticket://42").await.unwrap());
    assert!(t.contains("Closed by string id."), "{t}");
    let r = c
        .call_tool(
            "close_ticket",
            json!({"ticket_id": 44, "resolution": "Closed by number id."}),
        )
        .await
        .unwrap();
    assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
    assert_eq!(r.structured_content.unwrap()["ticket_id"], 44);
    let r = c
        .call_tool(
            "escalate_ticket",
            json!({"ticket_id": "43", "reason": "Needs an engineer."}),
        )
        .await
        .unwrap();
    assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
    assert_eq!(r.structured_content.unwrap()["ticket_id"], 43);

    for (tool, id, got) in [
        ("close_ticket", json!("abc"), "not \"abc\""),
        ("close_ticket", json!(-1), "not -1"),
        ("escalate_ticket", json!("abc"), "not \"abc\""),
        ("escalate_ticket", json!(-1), "not -1"),
    ] {
        let r = c
            .call_tool(
                tool,
                json!({"ticket_id": id, "resolution": "x", "reason": "x"}),
            )
            .await
            .unwrap();
        let text = assert_tool_error(&r, "ticket_id must be a number or a string of digits");
        assert!(text.contains(got), "{tool} {id}: {text}");
    }
    // The refused calls changed nothing: 45 is still open.
    let t = read_text(&c.read_resource("ticket://45").await.unwrap());
    assert!(t.contains("**Status:** open"), "{t}");
}

#[tokio::test]
async fn escalations_accumulate() {
    let (_db, server) = desk();
    let c = connect(&server).await;
    let schema = c.list_tools().await.unwrap()[1]
        .output_schema
        .clone()
        .unwrap();
    for (n, reason) in [
        (1, "PDF renderer times out"),
        (2, "Still failing after deploy"),
    ] {
        let r = c
            .call_tool(
                "escalate_ticket",
                json!({"ticket_id": 43, "reason": reason}),
            )
            .await
            .unwrap();
        let out = r.structured_content.unwrap();
        assert_valid(&schema, &out);
        assert_eq!(
            (out["escalation_count"].clone(), out["status"].clone()),
            (json!(n), json!("escalated"))
        );
    }
    let t = read_text(&c.read_resource("ticket://43").await.unwrap());
    assert!(t.contains("**Status:** escalated"), "{t}");
    assert!(
        t.contains("1. PDF renderer times out\n2. Still failing after deploy"),
        "{t}"
    );
    // Escalated tickets are still open work.
    let list = read_text(&c.read_resource("ticket://list").await.unwrap());
    assert!(
        list.contains("| 43 |") && list.contains("| escalated |"),
        "{list}"
    );
}

#[tokio::test]
async fn the_prompt_is_warm_for_pro_and_concise_for_free() {
    let (_db, server) = desk();
    let c = connect(&server).await;
    let text = |r: mcpwire::types::GetPromptResult| match &r.messages[0].content {
        ContentBlock::Text(t) => t.text.clone(),
        other => panic!("not text: {other:?}"),
    };
    let pro = text(
        c.get_prompt(
            "resolution_prompt",
            [("ticket_id", "42"), ("account_tier", "pro")],
        )
        .await
        .unwrap(),
    );
    let free = text(
        c.get_prompt(
            "resolution_prompt",
            [("ticket_id", "43"), ("account_tier", "free")],
        )
        .await
        .unwrap(),
    );
    assert!(
        pro.contains("warm, personal reply") && pro.contains("step-by-step"),
        "{pro}"
    );
    assert!(pro.contains("Cannot log in after password change"), "{pro}");
    assert!(
        free.contains("concise") && free.contains("at most five sentences"),
        "{free}"
    );
    assert!(free.contains("Invoice PDF not loading"), "{free}");
    assert!(!free.contains("warm"), "{free}");

    let e = c
        .get_prompt(
            "resolution_prompt",
            [("ticket_id", "7"), ("account_tier", "pro")],
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS));
    assert!(e.to_string().contains("Ticket 7 does not exist"), "{e}");
    let e = c
        .get_prompt(
            "resolution_prompt",
            [("ticket_id", "42"), ("account_tier", "gold")],
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS));
    let e = c
        .get_prompt("resolution_prompt", [("ticket_id", "42")])
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS));
    // Still serving.
    assert!(
        c.get_prompt(
            "resolution_prompt",
            [("ticket_id", "44"), ("account_tier", "free")]
        )
        .await
        .is_ok()
    );
}

#[tokio::test]
async fn unknown_and_malformed_ticket_uris_are_errors() {
    let (_db, server) = desk();
    let c = connect(&server).await;
    let e = c.read_resource("ticket://999").await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::RESOURCE_NOT_FOUND));
    assert!(e.to_string().contains("Ticket 999 does not exist"), "{e}");
    let e = c.read_resource("ticket://abc").await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::INVALID_PARAMS), "{e}");
    assert!(c.read_resource("ticket://42").await.is_ok());
}

#[tokio::test]
async fn completes_ticket_ids_and_tiers() {
    let (_db, server) = desk();
    let c = connect(&server).await;
    let template = CompleteReference::Resource(ResourceTemplateReference {
        uri: "ticket://{ticket_id}".into(),
    });
    let prompt = CompleteReference::Prompt(PromptReference {
        name: "resolution_prompt".into(),
        title: None,
    });
    let r = c
        .complete(template.clone(), "ticket_id", "4")
        .await
        .unwrap();
    assert_eq!(
        r.completion.values,
        ["42", "43", "44", "45", "46", "47", "48", "49"]
    );
    let r = c.complete(template, "ticket_id", "43").await.unwrap();
    assert_eq!(r.completion.values, ["43"]);
    let r = c.complete(prompt.clone(), "ticket_id", "49").await.unwrap();
    assert_eq!(r.completion.values, ["49"]);
    let r = c
        .complete(prompt.clone(), "account_tier", "p")
        .await
        .unwrap();
    assert_eq!(r.completion.values, ["pro"]);
    let r = c.complete(prompt, "account_tier", "").await.unwrap();
    assert_eq!(r.completion.values, ["free", "pro"]);
}

#[tokio::test]
async fn changes_notify_subscribers_and_change_the_list() {
    let (_db, server) = desk();
    let c = connect(&server).await;
    let mut rx = c.notifications();
    c.subscribe("ticket://42").await.unwrap();
    let r = c
        .call_tool(
            "close_ticket",
            json!({"ticket_id": 42, "resolution": "Fixed."}),
        )
        .await
        .unwrap();
    assert_ne!(r.is_error, Some(true));
    let seen = drain(&mut rx, 500).await;
    assert!(
        seen.contains(&ServerNotification::ResourceUpdated {
            uri: "ticket://42".into()
        }),
        "{seen:?}"
    );
    assert!(
        seen.contains(&ServerNotification::ResourcesListChanged),
        "{seen:?}"
    );
    // Not subscribed to ticket 43 or the list: no updates for them.
    assert!(
        !seen.iter().any(
            |n| matches!(n, ServerNotification::ResourceUpdated { uri } if uri != "ticket://42")
        ),
        "{seen:?}"
    );
    let listed: Vec<_> = c
        .list_resources()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.uri)
        .collect();
    assert!(
        !listed.contains(&"ticket://42".to_owned()) && listed.contains(&"ticket://43".to_owned())
    );

    c.subscribe("ticket://list").await.unwrap();
    c.call_tool(
        "escalate_ticket",
        json!({"ticket_id": 43, "reason": "Needs an engineer"}),
    )
    .await
    .unwrap();
    // The list's subscriber hears of an escalation.
    wait_for(&mut rx, |n| {
        *n == ServerNotification::ResourceUpdated {
            uri: "ticket://list".into(),
        }
    })
    .await;
    // A failed call announces nothing.
    let _ = drain(&mut rx, 100).await;
    let r = c
        .call_tool(
            "close_ticket",
            json!({"ticket_id": 42, "resolution": "Again"}),
        )
        .await
        .unwrap();
    assert_eq!(r.is_error, Some(true));
    assert_eq!(drain(&mut rx, 300).await, Vec::<ServerNotification>::new());
}

#[tokio::test]
async fn reopening_keeps_data_and_does_not_reseed() {
    let db = TempDb::new().unwrap();
    {
        let server = support_desk::server(db.path()).unwrap();
        let c = connect(&server).await;
        c.call_tool(
            "close_ticket",
            json!({"ticket_id": 45, "resolution": "Told them where."}),
        )
        .await
        .unwrap();
        c.close().await;
    }
    let store = Store::open(db.path()).unwrap();
    let open = store.open_tickets().await.unwrap();
    assert_eq!(open.len(), 7);
    assert!(!open.iter().any(|t| t.id == 45));
    assert_eq!(store.ticket(45).await.unwrap().status, "closed");
}

#[tokio::test]
async fn a_2026_client_uses_the_desk_without_a_session() {
    use mcpwire::client::{Client, ClientMode};
    use mcpwire::server::Era;
    use mcpwire::types::ProtocolVersion;
    let (_db, server) = desk();
    let modern =
        Client::builder("modern", "1.0").mode(ClientMode::Pinned(ProtocolVersion::V2026_07_28));
    let c = mcpwire_testkit::memory::connect(&server, modern).await;
    assert_eq!(c.era(), Era::Stateless);
    let r = c
        .call_tool(
            "close_ticket",
            json!({"ticket_id": 48, "resolution": "Theme now persists."}),
        )
        .await
        .unwrap();
    assert_eq!(r.structured_content.unwrap()["status"], "closed");
    let t = read_text(&c.read_resource("ticket://48").await.unwrap());
    assert!(t.contains("**Status:** closed"), "{t}");
}
