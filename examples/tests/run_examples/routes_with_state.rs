//! `routes_with_state`: the notebook's tools, resource and prompt share one
//! state over stdio, and every refusal leaves that state as it was.

use mcpwire::client::Client;
use mcpwire::transport::ChildProcess;
use mcpwire::types::{ResourceContents, Tool};
use serde_json::json;

use super::{common, text};

/// As in `examples/routes_with_state.rs`.
const MAX_NOTES: usize = 100;
const MAX_NOTE_CHARS: usize = 1_000;

async fn notebook() -> Client {
    let t = ChildProcess::new(common::example("routes_with_state"))
        .spawn()
        .expect("spawning the routes_with_state example");
    Client::builder("routes-with-state-test", "1")
        .connect(t)
        .await
        .expect("initialize")
}

async fn list(c: &Client) -> String {
    text(&c.call_tool("list_notes", json!({})).await.unwrap())
}

#[tokio::test]
async fn the_routes_of_the_impl_block_share_the_notebook() {
    let c = notebook().await;
    assert_eq!(c.server_info().name, "notebook");
    let tools: Vec<String> = c
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t: Tool| t.name)
        .collect();
    assert_eq!(tools, ["add_note", "list_notes", "remove_note"]);

    assert_eq!(list(&c).await, "(no notes)");
    let added = c
        .call_tool("add_note", json!({"text": "buy milk"}))
        .await
        .unwrap();
    assert!(!added.is_error(), "{added:?}");
    assert_eq!(text(&added), "1 notes");
    let added = c
        .call_tool("add_note", json!({"text": "call Ada"}))
        .await
        .unwrap();
    assert_eq!(text(&added), "2 notes");
    assert_eq!(list(&c).await, "1. buy milk\n2. call Ada");

    // The resource and the prompt read the same notes.
    let all = c.read_resource("notes://all").await.unwrap();
    assert!(
        matches!(&all.contents[0], ResourceContents::Text(t) if t.text == "1. buy milk\n2. call Ada"),
        "{all:?}"
    );
    let prompt = c
        .get_prompt("summarize", [("style", "one line")])
        .await
        .unwrap();
    let message = serde_json::to_value(&prompt.messages[0]).unwrap();
    assert_eq!(
        message["content"]["text"],
        "Write a one line summary of these notes:\n1. buy milk\n2. call Ada"
    );

    let removed = c
        .call_tool("remove_note", json!({"number": 1}))
        .await
        .unwrap();
    assert_eq!(text(&removed), "removed: buy milk");
    assert_eq!(list(&c).await, "1. call Ada");
    c.close().await;
}

#[tokio::test]
async fn refusals_are_error_results_and_keep_the_notes() {
    let c = notebook().await;
    c.call_tool("add_note", json!({"text": "keep me"}))
        .await
        .unwrap();

    let too_long = "x".repeat(MAX_NOTE_CHARS + 1);
    let refusals = [
        (
            "add_note",
            json!({"text": too_long}),
            "the note has 1001 characters; at most 1000 fit",
        ),
        ("add_note", json!({"text": "  "}), "the note is empty"),
        (
            "remove_note",
            json!({"number": 2}),
            "there is no note 2; the notes are numbered 1 to 1",
        ),
        (
            "remove_note",
            json!({"number": 0}),
            "there is no note 0; the notes are numbered 1 to 1",
        ),
    ];
    for (tool, args, why) in refusals {
        let r = c.call_tool(tool, args.clone()).await.unwrap();
        assert!(r.is_error(), "{tool} {args}: {r:?}");
        assert_eq!(text(&r), why, "{tool} {args}");
        assert_eq!(list(&c).await, "1. keep me", "after {tool} {args}");
    }
    // Arguments that do not fit the input schema: an error result too.
    for args in [json!({}), json!({"text": 7}), json!({"number": -1})] {
        let tool = if args.get("number").is_some() {
            "remove_note"
        } else {
            "add_note"
        };
        let r = c.call_tool(tool, args.clone()).await.unwrap();
        assert!(r.is_error(), "{tool} {args}: {r:?}");
        assert_eq!(list(&c).await, "1. keep me", "after {tool} {args}");
    }
    // A note of exactly the limit fits.
    let at_limit = "y".repeat(MAX_NOTE_CHARS);
    let r = c
        .call_tool("add_note", json!({"text": at_limit}))
        .await
        .unwrap();
    assert_eq!(text(&r), "2 notes", "{r:?}");
    c.close().await;
}

#[tokio::test]
async fn a_full_notebook_refuses_one_more_and_serves_the_rest() {
    let c = notebook().await;
    for i in 1..=MAX_NOTES {
        let r = c
            .call_tool("add_note", json!({"text": format!("note {i}")}))
            .await
            .unwrap();
        assert_eq!(text(&r), format!("{i} notes"));
    }
    let r = c
        .call_tool("add_note", json!({"text": "one too many"}))
        .await
        .unwrap();
    assert!(r.is_error(), "{r:?}");
    assert_eq!(
        text(&r),
        "the notebook is full (100 notes); remove one first"
    );
    let notes = list(&c).await;
    assert_eq!(notes.lines().count(), MAX_NOTES);
    assert_eq!(notes.lines().last(), Some("100. note 100"));
    // Making room lets the next note in.
    c.call_tool("remove_note", json!({"number": 1}))
        .await
        .unwrap();
    let r = c
        .call_tool("add_note", json!({"text": "fits now"}))
        .await
        .unwrap();
    assert_eq!(text(&r), "100 notes");
    c.close().await;
}
