//! Multi round-trip input on stateless (2026-07-28) requests:
//! `input_required`, the sealed `requestState` and its refusals (tampered,
//! expired, another tool's), key rotation, and asks that go out together.

#[allow(dead_code)]
#[path = "../../mcpwire-types/tests/support/mod.rs"]
mod schemas;
mod support {
    pub mod stateless;
}

use std::time::Duration;

use serde_json::{Value, json};
use support::stateless::*;

#[tokio::test]
async fn input_is_asked_for_with_input_required_and_the_retry_completes() {
    let mut raw = Raw::start();
    let caps = json!({"elicitation": {"form": {}}});
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"ask","arguments":{"text":""}}),
            Some(meta(caps.clone())),
        )
        .await;
    let result = &r["result"];
    assert_eq!(result["resultType"], "input_required", "{r}");
    check("InputRequiredResult", result);
    let (key, request) = result["inputRequests"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    assert_eq!(request["method"], "elicitation/create");
    let retry = json!({
        "name": "ask",
        "arguments": {"text": ""},
        "inputResponses": { key.clone(): {"action": "accept", "content": {"name": "Ada"}} },
    });
    let (_, r) = raw.call("tools/call", retry, Some(meta(caps))).await;
    assert_eq!(r["result"]["content"][0]["text"], "hello \"Ada\"", "{r}");
    assert_eq!(r["result"]["resultType"], "complete");
}

fn elicit_caps() -> Value {
    json!({"elicitation": {"form": {}}})
}

fn accept(field: &str, value: &str) -> Value {
    json!({"action": "accept", "content": {field: value}})
}

/// Calls `ask_twice` until its first `input_required`; returns the key and
/// the request state.
async fn first_round(raw: &mut Raw) -> (String, String) {
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"ask_twice","arguments":{"text":""}}),
            Some(meta(elicit_caps())),
        )
        .await;
    let result = &r["result"];
    assert_eq!(result["resultType"], "input_required", "{r}");
    check("InputRequiredResult", result);
    let key = result["inputRequests"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    let state = result["requestState"]
        .as_str()
        .expect("a requestState")
        .to_owned();
    (key, state)
}

async fn retry(raw: &mut Raw, tool: &str, responses: Value, state: &str) -> Value {
    let params = json!({
        "name": tool,
        "arguments": {"text": ""},
        "inputResponses": responses,
        "requestState": state,
    });
    raw.call("tools/call", params, Some(meta(elicit_caps())))
        .await
        .1
}

#[tokio::test]
async fn request_state_carries_earlier_answers_across_rounds() {
    let mut raw = Raw::start();
    let (key, state) = first_round(&mut raw).await;
    assert_eq!(key, "elicit-0");
    // Round two: only the first answer, with the echoed state.
    let r = retry(
        &mut raw,
        "ask_twice",
        json!({ key: accept("name", "Ada") }),
        &state,
    )
    .await;
    let result = &r["result"];
    assert_eq!(result["resultType"], "input_required", "{r}");
    check("InputRequiredResult", result);
    assert_eq!(
        result["inputRequests"]["city"]["method"],
        "elicitation/create"
    );
    let state = result["requestState"].as_str().unwrap().to_owned();
    // Round three: only the latest answer; the first comes from the state.
    let r = retry(
        &mut raw,
        "ask_twice",
        json!({"city": accept("city", "London")}),
        &state,
    )
    .await;
    assert_eq!(r["result"]["resultType"], "complete", "{r}");
    assert_eq!(r["result"]["content"][0]["text"], "\"Ada\" from \"London\"");
}

#[tokio::test]
async fn tampered_request_state_is_refused() {
    let mut raw = Raw::start();
    let (key, state) = first_round(&mut raw).await;
    let mut bytes = state.into_bytes();
    bytes[6] = if bytes[6] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    let r = retry(
        &mut raw,
        "ask_twice",
        json!({ key: accept("name", "Ada") }),
        &tampered,
    )
    .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let message = r["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Invalid params: requestState"),
        "{message}"
    );
    for garbage in ["", "v1", "v1..", "v2.e30.AAAA", "not a state"] {
        let r = retry(&mut raw, "ask_twice", json!({}), garbage).await;
        assert_eq!(r["error"]["code"], -32602, "{garbage:?}: {r}");
    }
}

#[tokio::test]
async fn expired_request_state_is_refused() {
    let mut raw = Raw::with(builder().request_state_ttl(Duration::ZERO).build().unwrap());
    let (key, state) = first_round(&mut raw).await;
    let r = retry(
        &mut raw,
        "ask_twice",
        json!({ key: accept("name", "Ada") }),
        &state,
    )
    .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(
        r["error"]["message"].as_str().unwrap().contains("expired"),
        "{r}"
    );
}

#[tokio::test]
async fn request_state_of_another_tool_is_refused() {
    let mut raw = Raw::start();
    let (key, state) = first_round(&mut raw).await;
    let r = retry(
        &mut raw,
        "ask",
        json!({ key: accept("name", "Ada") }),
        &state,
    )
    .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("another request"),
        "{r}"
    );
}

#[tokio::test]
async fn request_state_keys_rotate() {
    let k1 = b"key one, shared by both servers".to_vec();
    let k2 = b"key two, new on the second".to_vec();
    let mut old = Raw::with(
        builder()
            .request_state_keys(vec![k1.clone()])
            .build()
            .unwrap(),
    );
    let mut new = Raw::with(
        builder()
            .request_state_keys(vec![k2.clone(), k1])
            .build()
            .unwrap(),
    );
    let (key, state) = first_round(&mut old).await;
    let r = retry(
        &mut new,
        "ask_twice",
        json!({ key: accept("name", "Ada") }),
        &state,
    )
    .await;
    assert_eq!(r["result"]["resultType"], "input_required", "{r}");
    // The new server seals with k2, which the old one does not know.
    let state = r["result"]["requestState"].as_str().unwrap().to_owned();
    let r = retry(
        &mut new,
        "ask_twice",
        json!({"city": accept("city", "Oslo")}),
        &state,
    )
    .await;
    assert_eq!(
        r["result"]["content"][0]["text"], "\"Ada\" from \"Oslo\"",
        "{r}"
    );
    let r = retry(
        &mut old,
        "ask_twice",
        json!({"city": accept("city", "Oslo")}),
        &state,
    )
    .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
}

#[tokio::test]
async fn handler_chosen_keys_must_be_unique() {
    let mut raw = Raw::start();
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"same_key","arguments":{"text":""}}),
            Some(meta(elicit_caps())),
        )
        .await;
    assert!(r["result"]["inputRequests"]["k"].is_object(), "{r}");
    let state = r["result"]["requestState"].as_str().unwrap().to_owned();
    let r = retry(&mut raw, "same_key", json!({"k": accept("x", "1")}), &state).await;
    assert_eq!(r["result"]["isError"], true, "{r}");
}

#[tokio::test]
async fn asks_awaited_together_go_out_in_one_round() {
    let mut raw = Raw::start();
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"ask_together","arguments":{"text":""}}),
            Some(meta(elicit_caps())),
        )
        .await;
    let result = &r["result"];
    check("InputRequiredResult", result);
    let keys: Vec<&String> = result["inputRequests"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["city", "elicit-0"], "{r}");
    let state = result["requestState"].as_str().unwrap().to_owned();

    // Answering one of the two asks for the other alone.
    let r = retry(
        &mut raw,
        "ask_together",
        json!({"city": accept("city", "Paris")}),
        &state,
    )
    .await;
    let keys: Vec<&String> = r["result"]["inputRequests"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["elicit-0"], "{r}");
    let state = r["result"]["requestState"].as_str().unwrap().to_owned();

    let r = retry(
        &mut raw,
        "ask_together",
        json!({"elicit-0": accept("name", "Ada")}),
        &state,
    )
    .await;
    assert_eq!(r["result"]["resultType"], "complete", "{r}");
    assert_eq!(
        r["result"]["content"][0]["text"], "\"Ada\" from \"Paris\"",
        "{r}"
    );
}
