//! Multi round-trip requests (2026-07-28) as the client answers them: the
//! `input_required` rounds run through the client's handlers, bounded in
//! number, retried with the server's `requestState`, and refused when no
//! handler or the wrong method asks.

mod support {
    pub mod eras;
}

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mcpwire::Error;
use mcpwire::client::{Client, ClientMode};
use mcpwire::server::Era;
use mcpwire_testkit::{RawPeer, text as text_of};
use mcpwire_types::{CreateMessageResult, ResourceContents, Root};
use serde_json::{Value, json};
use support::eras::{MODERN, asking_builder, connect_to_server, connected};

#[tokio::test]
async fn a_tool_that_elicits_once_completes_through_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let client = connect_to_server(asking_builder(calls.clone()).mode(ClientMode::Auto)).await;
    assert_eq!(client.era(), Era::Stateless);
    let r = client
        .call_tool("ask_once", json!({"text": ""}))
        .await
        .unwrap();
    assert_eq!(text_of(&r), "hello Ada");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_tool_that_asks_twice_takes_two_rounds() {
    let calls = Arc::new(AtomicUsize::new(0));
    let client = connect_to_server(asking_builder(calls.clone()).mode(ClientMode::Auto)).await;
    let r = client
        .call_tool("ask_twice", json!({"text": ""}))
        .await
        .unwrap();
    assert_eq!(text_of(&r), "hello Ada Lovelace");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn prompts_and_resources_ask_for_roots_and_sampling_too() {
    let client = connect_to_server(
        Client::builder("c", "1")
            .mode(ClientMode::Pinned(MODERN))
            .roots(vec![
                Root::new("file:///a", "a"),
                Root::new("file:///b", "b"),
            ])
            .on_sampling(|_p| async { Ok(CreateMessageResult::assistant_text("m-1", "ok")) }),
    )
    .await;
    let p = client.get_prompt("rooted", ()).await.unwrap();
    assert!(format!("{:?}", p.messages).contains("2 roots"), "{p:?}");
    let r = client.read_resource("memo://sampled").await.unwrap();
    assert!(matches!(&r.contents[0], ResourceContents::Text(t) if t.text == "model m-1"));
}

#[tokio::test]
async fn a_roots_handler_answers_in_both_eras_from_the_roots_on_offer() {
    for mode in [ClientMode::Pinned(MODERN), ClientMode::Legacy] {
        let asked = Arc::new(AtomicUsize::new(0));
        let seen = asked.clone();
        let client = connect_to_server(
            Client::builder("c", "1")
                .mode(mode)
                .roots(vec![Root::new("file:///a", "a")])
                .on_roots(move |offered| {
                    seen.fetch_add(1, Ordering::SeqCst);
                    async move {
                        // The person adds two to the one on offer.
                        let mut roots = offered;
                        roots.push(Root::new("file:///b", "b"));
                        roots.push(Root::new("file:///c", "c"));
                        Ok(mcpwire_types::ListRootsResult::new(roots))
                    }
                }),
        )
        .await;
        let p = client.get_prompt("rooted", ()).await.unwrap();
        assert!(
            format!("{:?}", p.messages).contains("3 roots"),
            "{mode:?}: {p:?}"
        );
        assert_eq!(asked.load(Ordering::SeqCst), 1, "{mode:?}");
        // A refusal reaches the server as an error, not as an empty list.
        let client = connect_to_server(
            Client::builder("c", "1")
                .mode(mode)
                .on_roots(|_| async { Err(Error::rpc(mcpwire_types::ErrorCode(-1), "no")) }),
        )
        .await;
        assert!(client.get_prompt("rooted", ()).await.is_err(), "{mode:?}");
    }
}

#[tokio::test]
async fn the_rounds_are_bounded() {
    let client = connect_to_server(
        asking_builder(Default::default())
            .mode(ClientMode::Auto)
            .max_input_rounds(1),
    )
    .await;
    client
        .call_tool("ask_once", json!({"text": ""}))
        .await
        .unwrap();
    let e = client
        .call_tool("ask_twice", json!({"text": ""}))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Protocol(_)), "{e}");
    assert!(
        e.to_string()
            .contains("still asked for input after 1 round"),
        "{e}"
    );

    let client = connect_to_server(
        asking_builder(Default::default())
            .mode(ClientMode::Auto)
            .max_input_rounds(0),
    )
    .await;
    let e = client
        .call_tool("ask_once", json!({"text": ""}))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("after 0 round"), "{e}");
}

fn elicit_request(message: &str) -> Value {
    json!({
        "method": "elicitation/create",
        "params": {"mode": "form", "message": message, "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}}},
    })
}

#[tokio::test]
async fn retries_echo_request_state_unchanged_with_a_new_id() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (mut raw, connecting) =
        RawPeer::facing(asking_builder(calls.clone()).mode(ClientMode::Pinned(MODERN)));
    let client = connected(connecting).await;
    let calling = tokio::spawn(async move { client.call_tool("t", json!({"a": 1})).await });

    let first = raw.recv().await;
    assert_eq!(first["method"], "tools/call");
    assert!(first["params"].get("inputResponses").is_none(), "{first}");
    assert!(first["params"].get("requestState").is_none(), "{first}");
    let state = "opaque+/= {\"state\"} 1";
    raw.reply(
        &first,
        json!({
            "resultType": "input_required",
            "inputRequests": {"first": elicit_request("First name?")},
            "requestState": state,
        }),
    )
    .await;

    let second = raw.recv().await;
    assert_eq!(second["method"], "tools/call");
    assert_ne!(second["id"], first["id"]);
    assert_eq!(second["params"]["name"], "t");
    assert_eq!(second["params"]["arguments"], json!({"a": 1}));
    assert_eq!(second["params"]["requestState"], state);
    assert_eq!(
        second["params"]["inputResponses"],
        json!({"first": {"action": "accept", "content": {"name": "Ada"}}})
    );
    assert_eq!(
        second["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    // This round sends no requestState: the retry must carry none.
    raw.reply(
        &second,
        json!({
            "resultType": "input_required",
            "inputRequests": {"last": elicit_request("Last name?")},
        }),
    )
    .await;

    let third = raw.recv().await;
    assert_ne!(third["id"], second["id"]);
    assert!(third["params"].get("requestState").is_none(), "{third}");
    assert_eq!(
        third["params"]["inputResponses"]["last"]["content"]["name"],
        "Lovelace"
    );
    // A round with only requestState needs no handler.
    raw.reply(
        &third,
        json!({"resultType": "input_required", "requestState": "s2"}),
    )
    .await;
    let fourth = raw.recv().await;
    assert_eq!(fourth["params"]["requestState"], "s2");
    raw.reply(
        &fourth,
        json!({"resultType": "complete", "content": [{"type": "text", "text": "done"}]}),
    )
    .await;
    let r = calling.await.unwrap().unwrap();
    assert_eq!(text_of(&r), "done");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_input_request_without_a_handler_is_an_error_not_an_empty_answer() {
    let (mut raw, connecting) =
        RawPeer::facing(Client::builder("c", "1").mode(ClientMode::Pinned(MODERN)));
    let client = connected(connecting).await;
    let calling = tokio::spawn(async move { client.call_tool("t", json!({})).await });
    let first = raw.recv().await;
    raw.reply(
        &first,
        json!({
            "resultType": "input_required",
            "inputRequests": {"s": {"method": "sampling/createMessage", "params": {
                "messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}],
                "maxTokens": 5,
            }}},
        }),
    )
    .await;
    let e = calling.await.unwrap().unwrap_err();
    assert!(matches!(e, Error::Protocol(_)), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("sampling/createMessage") && msg.contains("on_sampling"),
        "{msg}"
    );
}

#[tokio::test]
async fn input_required_on_another_method_is_a_protocol_error() {
    let (mut raw, connecting) =
        RawPeer::facing(Client::builder("c", "1").mode(ClientMode::Pinned(MODERN)));
    let client = connected(connecting).await;
    let listing = tokio::spawn(async move { client.list_tools().page().await });
    let req = raw.recv().await;
    raw.reply(
        &req,
        json!({"resultType": "input_required", "requestState": "x"}),
    )
    .await;
    let e = listing.await.unwrap().unwrap_err();
    assert!(e.to_string().contains("only tools/call"), "{e}");
}
