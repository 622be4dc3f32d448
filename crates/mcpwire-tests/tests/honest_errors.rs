//! What the peer sees of each kind of error a handler returns, through a
//! real server and a real client in both eras: JSON-RPC errors as they
//! are, resource-not-found with its revision's code, cancellation, local
//! faults only as `Internal error`, a tool's `ToolError` as `isError` text
//! for the model, and input asks that no handler can lose.

mod support {
    pub mod eras;
}

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcpwire::Error;
use mcpwire::client::{Client, ClientMode};
use mcpwire::server::{Context, Era, PromptRoute, ResourceRoute, Server, ToolError, ToolRoute};
use mcpwire_testkit::{memory, text as text_of};
use mcpwire_types::{CallToolResult, ElicitResult, ErrorCode, ErrorObject};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, JsonSchema)]
struct Fault {
    /// Which local fault to return.
    kind: String,
}

#[derive(Deserialize, JsonSchema)]
struct Count {
    n: u32,
}

/// Every kind of local fault, each with a detail the peer must not see.
fn local_fault(kind: &str) -> Error {
    match kind {
        "internal" => Error::internal("the secret disk is full"),
        "io" => Error::Io(std::io::Error::other("secret socket reset")),
        "json" => {
            Error::Json(serde_json::from_str::<u8>("\"secret\"").expect_err("a string is not a u8"))
        }
        "protocol" => Error::Protocol("the secret upstream broke the protocol".into()),
        "closed" => Error::Closed("the secret upstream hung up".into()),
        "timeout" => Error::Timeout {
            method: "secret/lookup".into(),
            after: Duration::from_secs(3),
        },
        other => panic!("no fault kind {other}"),
    }
}

const KINDS: [&str; 6] = ["internal", "io", "json", "protocol", "closed", "timeout"];

/// Asks the client for a name (the ask the client-era tests make).
async fn ask(cx: &Context) -> Result<String, Error> {
    support::eras::ask(cx, "Your name?").await
}

fn server() -> Server {
    Server::builder("honest", "1")
        .tool(ToolRoute::typed("fault", |_cx, a: Fault| async move {
            Err::<String, _>(local_fault(&a.kind))
        }))
        .tool(ToolRoute::typed("wrapped_fault", |_cx, _a: Count| async move {
            Err::<String, _>(ToolError::from(Error::internal("secret behind a ToolError")))
        }))
        .tool(ToolRoute::typed("for_the_model", |_cx, a: Count| async move {
            if a.n > 10 {
                return Err(ToolError::new(format!("{} is too many; pass 10 or fewer", a.n)));
            }
            Ok(a.n * 2)
        }))
        .tool(ToolRoute::typed("string_error", |_cx, a: Count| async move {
            Err::<u32, _>(format!("no luck with {}", a.n))
        }))
        .tool(ToolRoute::typed("rpc", |_cx, _a: Count| async move {
            Err::<String, _>(Error::Rpc(
                ErrorObject::new(ErrorCode(-32050), "custom failure")
                    .with_data(json!({"retry": false})),
            ))
        }))
        .tool(ToolRoute::typed("cancelled", |_cx, _a: Count| async move {
            Err::<String, _>(Error::Cancelled)
        }))
        // Asks whose error the handler maps or swallows.
        .tool(ToolRoute::typed("mapped_ask", |cx: Context, _a: Count| async move {
            let name = ask(&cx).await.map_err(|_| ToolError::new("x"))?;
            Ok::<_, ToolError>(format!("hello {name}"))
        }))
        .tool(ToolRoute::typed("swallowed_ask", |cx: Context, _a: Count| async move {
            let _ = ask(&cx).await;
            Ok::<_, ToolError>("ignored")
        }))
        .tool(ToolRoute::typed("rpc_mapped_ask", |cx: Context, _a: Count| async move {
            let name = ask(&cx).await.map_err(|_| Error::invalid_params("no name"))?;
            Ok::<_, Error>(format!("hello {name}"))
        }))
        .tool(ToolRoute::typed("faulted_ask", |cx: Context, _a: Count| async move {
            let name = ask(&cx)
                .await
                .map_err(|e| Error::internal(format!("asking failed: {e}")))?;
            Ok::<_, Error>(format!("hello {name}"))
        }))
        .prompt(PromptRoute::typed("fault", |_cx, a: Fault| async move {
            Err::<String, _>(local_fault(&a.kind))
        }))
        .prompt(PromptRoute::typed("rpc", |_cx, _a: Fault| async move {
            Err::<String, _>(Error::rpc(ErrorCode(-32051), "prompt refused"))
        }))
        .prompt(PromptRoute::typed("mapped_ask", |cx: Context, _a: Fault| async move {
            let name = ask(&cx).await.map_err(|_| Error::internal("lost"))?;
            Ok::<_, Error>(format!("Greet {name}"))
        }))
        .resource(ResourceRoute::new(
            "memo://fault",
            "fault",
            |_cx, _uri, _vars| async move { Err::<String, _>(local_fault("io")) },
        ))
        .resource(ResourceRoute::new(
            "memo://gone",
            "gone",
            |_cx, uri: String, _vars| async move { Err::<String, _>(Error::resource_not_found(uri)) },
        ))
        .build().unwrap()
}

/// A client in each era, answering every elicitation with "Ada" and
/// counting the calls.
async fn clients(asked: &Arc<AtomicUsize>) -> [(Era, Client); 2] {
    let server = server();
    let mut out = Vec::new();
    for mode in [ClientMode::Legacy, ClientMode::Auto] {
        let asked = asked.clone();
        let builder = Client::builder("c", "1")
            .mode(mode)
            .on_elicitation(move |_p| {
                asked.fetch_add(1, Ordering::SeqCst);
                async move {
                    let mut content = serde_json::Map::new();
                    content.insert("name".into(), json!("Ada"));
                    Ok(ElicitResult::accept(content))
                }
            });
        let client = memory::connect(&server, builder).await;
        out.push((client.era(), client));
    }
    let [a, b]: [(Era, Client); 2] = out.try_into().unwrap_or_else(|_| unreachable!());
    assert_eq!((a.0, b.0), (Era::Session, Era::Stateless));
    [a, b]
}

fn rpc(e: Error) -> ErrorObject {
    match e {
        Error::Rpc(obj) => obj,
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

fn assert_internal_tool_result(r: &CallToolResult, why: &str) {
    assert_eq!(r.is_error, Some(true), "{why}: {r:?}");
    assert_eq!(text_of(r), "Internal error", "{why}: {r:?}");
    let all = serde_json::to_string(r).unwrap_or_default();
    assert!(!all.contains("secret"), "{why}: {all}");
}

#[tokio::test]
async fn every_local_fault_reaches_the_peer_only_as_internal_error() {
    for (era, c) in clients(&Default::default()).await {
        for kind in KINDS {
            let why = format!("{era:?}, {kind}");
            // A tool: an isError result whose only text is "Internal error".
            let r = c.call_tool("fault", json!({"kind": kind})).await.unwrap();
            assert_internal_tool_result(&r, &why);
            // A prompt: -32603 Internal error, without the details.
            let e = rpc(c
                .get_prompt("fault", [("kind".to_owned(), kind.to_owned())])
                .await
                .unwrap_err());
            assert_eq!(e.code, ErrorCode::INTERNAL_ERROR, "{why}");
            assert_eq!(e.message, "Internal error", "{why}");
            assert_eq!(e.data, None, "{why}");
        }
        // A resource, too.
        let e = rpc(c.read_resource("memo://fault").await.unwrap_err());
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::INTERNAL_ERROR, "Internal error")
        );
        // An Error carried in a ToolError is still a local fault.
        let r = c.call_tool("wrapped_fault", json!({"n": 1})).await.unwrap();
        assert_internal_tool_result(&r, "a fault in a ToolError");
    }
}

#[tokio::test]
async fn text_for_the_model_reaches_it_as_is_error() {
    for (era, c) in clients(&Default::default()).await {
        let r = c
            .call_tool("for_the_model", json!({"n": 11}))
            .await
            .unwrap();
        assert_eq!(r.is_error, Some(true), "{era:?}");
        assert_eq!(text_of(&r), "11 is too many; pass 10 or fewer");
        let r = c.call_tool("for_the_model", json!({"n": 4})).await.unwrap();
        assert_eq!((text_of(&r), r.is_error), ("8".to_owned(), None));
        // A String error is text for the model too.
        let r = c.call_tool("string_error", json!({"n": 3})).await.unwrap();
        assert_eq!(
            (text_of(&r), r.is_error),
            ("no luck with 3".to_owned(), Some(true))
        );
        // Arguments that do not fit: the model reads why.
        let r = c
            .call_tool("for_the_model", json!({"n": "many"}))
            .await
            .unwrap();
        assert_eq!(r.is_error, Some(true));
        assert!(
            text_of(&r).starts_with("Invalid arguments for tool \"for_the_model\""),
            "{}",
            text_of(&r)
        );
    }
}

#[tokio::test]
async fn json_rpc_errors_reach_the_peer_as_they_are() {
    for (era, c) in clients(&Default::default()).await {
        let e = rpc(c.call_tool("rpc", json!({"n": 1})).await.unwrap_err());
        assert_eq!(e.code, ErrorCode(-32050), "{era:?}");
        assert_eq!(e.message, "custom failure");
        assert_eq!(e.data, Some(json!({"retry": false})));
        let e = rpc(c
            .get_prompt("rpc", [("kind".to_owned(), String::new())])
            .await
            .unwrap_err());
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode(-32051), "prompt refused")
        );
    }
}

#[tokio::test]
async fn resource_not_found_takes_the_code_of_the_request_revision() {
    for (era, c) in clients(&Default::default()).await {
        let expected = match era {
            Era::Session => ErrorCode::RESOURCE_NOT_FOUND,
            Era::Stateless => ErrorCode::INVALID_PARAMS,
        };
        // From a handler, and for a URI no route serves.
        for uri in ["memo://gone", "memo://nowhere"] {
            let e = rpc(c.read_resource(uri).await.unwrap_err());
            assert_eq!(e.code, expected, "{era:?} {uri}");
            assert_eq!(e.message, format!("Resource not found: {uri}"));
            assert_eq!(e.data, Some(json!({"uri": uri})));
        }
    }
}

#[tokio::test]
async fn a_handler_that_returns_cancelled_unasked_is_request_cancelled() {
    for (era, c) in clients(&Default::default()).await {
        let e = rpc(c.call_tool("cancelled", json!({"n": 1})).await.unwrap_err());
        assert_eq!(e.code, ErrorCode::REQUEST_CANCELLED, "{era:?}");
    }
}

/// In the stateless era an elicitation reaches the client's handler only
/// through an `input_required` answer and a retry; each tool below asks
/// once, so one handler call per tool shows the server answered
/// `input_required` whatever the handler made of the ask's error, and the
/// result shows the retry with the answer completed.
#[tokio::test]
async fn asks_a_handler_maps_or_swallows_still_answer_input_required() {
    let asked = Arc::new(AtomicUsize::new(0));
    let [_, (era, c)] = clients(&asked).await;
    assert_eq!(era, Era::Stateless);
    let cases = [
        ("mapped_ask", "hello Ada"),
        ("swallowed_ask", "ignored"),
        ("rpc_mapped_ask", "hello Ada"),
        ("faulted_ask", "hello Ada"),
    ];
    for (i, (tool, says)) in cases.into_iter().enumerate() {
        let r = c.call_tool(tool, json!({"n": 1})).await.unwrap();
        assert_eq!((text_of(&r).as_str(), r.is_error), (says, None), "{tool}");
        assert_eq!(asked.load(Ordering::SeqCst), i + 1, "{tool}");
    }
    let p = c
        .get_prompt("mapped_ask", [("kind".to_owned(), String::new())])
        .await
        .unwrap();
    assert!(format!("{:?}", p.messages).contains("Greet Ada"), "{p:?}");
    assert_eq!(asked.load(Ordering::SeqCst), cases.len() + 1);
}
