//! `Client::request::<R>` against a raw server: what each era puts on
//! the wire, how results and errors come back, and that the per-method
//! calls built on it keep their wire form.

mod support;

use std::time::Duration;

use mcpwire_client::Client;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;
use mcpwire_types::request::requests::{CallTool, GetPrompt, ListTools, Ping};
use mcpwire_types::{
    CallToolRequestParams, CompleteReference, ContentBlock, ElicitAction, ElicitResult, ErrorCode,
    GetPromptRequestParams, LoggingLevel, PaginatedRequestParams, PromptReference,
};
use serde_json::{Value, json};
use support::{
    MODERN, RawServer, each_era, plain_request_is_served, session, stateless, stateless_with,
    tools_page,
};

fn echo_params(text: &str) -> CallToolRequestParams {
    let mut p = CallToolRequestParams::new("echo");
    p.arguments = json!({ "text": text }).as_object().cloned();
    p
}

fn text_of(content: &[ContentBlock]) -> String {
    match content.first() {
        Some(ContentBlock::Text(t)) => t.text.clone(),
        other => panic!("expected text content, got {other:?}"),
    }
}

fn elicit_request(message: &str) -> Value {
    json!({
        "method": "elicitation/create",
        "params": {"mode": "form", "message": message,
                   "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}}},
    })
}

fn answering(name: &'static str) -> mcpwire_client::ClientBuilder {
    Client::builder("typed-test", "1").on_elicitation(move |_request| async move {
        let mut r = ElicitResult::new(ElicitAction::Accept);
        r.content = json!({ "name": name }).as_object().cloned();
        Ok(r)
    })
}

#[tokio::test]
async fn a_session_typed_call_sends_its_params_as_they_are_and_decodes_the_result() {
    let (client, mut raw) = session().await;

    let (result, request) = tokio::join!(client.request::<CallTool>(echo_params("hi")), async {
        raw.serve(
            "tools/call",
            json!({"content": [{"type": "text", "text": "hi"}]}),
        )
        .await
    });
    let result = result.unwrap();
    assert_eq!(text_of(&result.content), "hi");
    assert_eq!(
        request["params"],
        json!({"name": "echo", "arguments": {"text": "hi"}}),
        "a session request carries no _meta"
    );

    // A list request without a cursor carries no params at all.
    let (page, request) = tokio::join!(
        client.request::<ListTools>(PaginatedRequestParams::default()),
        async {
            raw.serve("tools/list", tools_page(&["a", "b"], Some("next")))
                .await
        }
    );
    let page = page.unwrap();
    assert!(request.get("params").is_none(), "{request}");
    assert_eq!(page.tools.len(), 2);
    assert_eq!(page.next_cursor.as_deref(), Some("next"));

    // Ping's params are optional and its result empty.
    let (pong, request) = tokio::join!(client.request::<Ping>(None), async {
        raw.serve("ping", json!({})).await
    });
    pong.unwrap();
    assert!(request.get("params").is_none(), "{request}");
}

#[tokio::test]
async fn a_stateless_typed_call_carries_the_eras_meta_and_answers_input_required() {
    let (client, mut raw) = stateless_with(answering("Ada")).await;

    let (result, ()) = tokio::join!(client.request::<CallTool>(echo_params("book")), async {
        let first = raw.expect("tools/call").await;
        let meta = &first["params"]["_meta"];
        assert_eq!(
            meta["io.modelcontextprotocol/protocolVersion"],
            "2026-07-28"
        );
        assert_eq!(
            meta["io.modelcontextprotocol/clientInfo"]["name"],
            "typed-test"
        );
        assert_eq!(
            meta["io.modelcontextprotocol/clientCapabilities"]["elicitation"],
            json!({"form": {}})
        );
        assert_eq!(first["params"]["arguments"], json!({"text": "book"}));
        raw.reply(
            &first,
            json!({
                "resultType": "input_required",
                "inputRequests": {"who": elicit_request("Name?")},
                "requestState": "s1",
            }),
        )
        .await;

        let second = raw.expect("tools/call").await;
        assert_ne!(second["id"], first["id"], "a retry is a new request");
        assert_eq!(second["params"]["requestState"], "s1");
        assert_eq!(
            second["params"]["inputResponses"],
            json!({"who": {"action": "accept", "content": {"name": "Ada"}}})
        );
        assert_eq!(
            second["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
            "2026-07-28"
        );
        raw.reply(
            &second,
            json!({
                "resultType": "complete",
                "content": [{"type": "text", "text": "booked for Ada"}],
                "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "raw-modern", "version": "9"}},
            }),
        )
        .await;
    });
    let result = result.unwrap();
    assert_eq!(text_of(&result.content), "booked for Ada");
    assert_eq!(client.server_info().name, "raw-modern");

    // A list request carries only the era's _meta.
    let (page, request) = tokio::join!(
        client.request::<ListTools>(PaginatedRequestParams::default()),
        async { raw.serve("tools/list", tools_page(&["a"], None)).await }
    );
    assert_eq!(page.unwrap().tools[0].name, "a");
    let params = request["params"].as_object().unwrap();
    assert_eq!(params.keys().collect::<Vec<_>>(), ["_meta"], "{request}");
}

#[tokio::test]
async fn an_error_answer_is_error_rpc_in_both_eras_and_the_client_goes_on() {
    for (era, client, mut raw) in each_era().await {
        let (result, _) = tokio::join!(client.request::<CallTool>(echo_params("x")), async {
            let request = raw.expect("tools/call").await;
            raw.reply_error(&request, -32602, "Unknown tool: echo")
                .await;
        });
        let Err(Error::Rpc(e)) = result else {
            panic!("{era}: expected Error::Rpc, got {result:?}");
        };
        assert_eq!(e.code, ErrorCode::INVALID_PARAMS, "{era}");
        assert_eq!(e.message, "Unknown tool: echo", "{era}");
        plain_request_is_served(&client, &mut raw).await;
    }
}

#[tokio::test]
async fn a_malformed_result_is_a_protocol_error_naming_the_method() {
    for (era, client, mut raw) in each_era().await {
        let (result, _) = tokio::join!(
            client.request::<ListTools>(PaginatedRequestParams::default()),
            async { raw.serve("tools/list", json!({"tools": "none"})).await }
        );
        match result {
            Err(Error::Protocol(m)) => assert!(m.contains("malformed tools/list result"), "{m}"),
            other => panic!("{era}: expected a protocol error, got {other:?}"),
        }
        plain_request_is_served(&client, &mut raw).await;
    }
}

#[tokio::test]
async fn a_typed_call_follows_no_more_input_rounds_than_allowed() {
    let (client, mut raw) = stateless_with(answering("Ada").max_input_rounds(1)).await;
    let (result, ()) = tokio::join!(client.request::<CallTool>(echo_params("x")), async {
        for _ in 0..2 {
            let request = raw.expect("tools/call").await;
            raw.reply(
                &request,
                json!({"resultType": "input_required", "inputRequests": {"q": elicit_request("?")}}),
            )
            .await;
        }
    });
    match result {
        Err(Error::Protocol(m)) => {
            assert!(m.contains("still asked for input after 1 round"), "{m}")
        }
        other => panic!("expected the round bound, got {other:?}"),
    }
    plain_request_is_served(&client, &mut raw).await;
}

#[tokio::test(start_paused = true)]
async fn a_typed_call_waits_no_longer_than_its_timeout() {
    let (client, mut raw) = stateless().await;
    let opts = RequestOptions::new().timeout(Duration::from_secs(2));
    let (result, ()) = tokio::join!(
        client
            .request::<CallTool>(echo_params("slow"))
            .options(opts),
        async {
            let request = raw.expect("tools/call").await;
            // No answer: the client gives up and says so.
            let cancelled = raw.expect("notifications/cancelled").await;
            assert_eq!(cancelled["params"]["requestId"], request["id"]);
        }
    );
    match result {
        Err(Error::Timeout { method, after }) => {
            assert_eq!(method, "tools/call");
            assert!(after >= Duration::from_secs(2), "{after:?}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    plain_request_is_served(&client, &mut raw).await;
}

#[tokio::test]
async fn the_per_method_calls_keep_their_wire_form() {
    let (client, mut raw) = session_with_logging().await;

    let (r, req) = tokio::join!(client.list_tools().page(), async {
        raw.serve("tools/list", tools_page(&[], None)).await
    });
    r.unwrap();
    assert!(req.get("params").is_none(), "{req}");

    let (r, req) = tokio::join!(client.list_tools().start_after("c").page(), async {
        raw.serve("tools/list", tools_page(&[], None)).await
    });
    r.unwrap();
    assert_eq!(req["params"], json!({"cursor": "c"}));

    // Results of the calls that return nothing are not inspected.
    let (r, req) = tokio::join!(client.ping(), async {
        raw.serve("ping", Value::Null).await
    });
    r.unwrap();
    assert!(req.get("params").is_none(), "{req}");

    let (r, req) = tokio::join!(client.subscribe("file:///a"), async {
        raw.serve("resources/subscribe", json!({})).await
    });
    r.unwrap();
    assert_eq!(req["params"], json!({"uri": "file:///a"}));

    let (r, req) = tokio::join!(client.unsubscribe("file:///a"), async {
        raw.serve("resources/unsubscribe", json!({})).await
    });
    r.unwrap();
    assert_eq!(req["params"], json!({"uri": "file:///a"}));

    let (r, req) = tokio::join!(client.set_log_level(LoggingLevel::Warning), async {
        raw.serve("logging/setLevel", json!({})).await
    });
    r.unwrap();
    assert_eq!(req["params"], json!({"level": "warning"}));

    let (r, req) = tokio::join!(client.get_prompt("greet", [("who", "Ada")]), async {
        raw.serve(
            "prompts/get",
            json!({"messages": [{"role": "user", "content": {"type": "text", "text": "hi Ada"}}]}),
        )
        .await
    });
    assert_eq!(r.unwrap().messages.len(), 1);
    let get_prompt_params = req["params"].clone();
    assert_eq!(
        get_prompt_params,
        json!({"name": "greet", "arguments": {"who": "Ada"}})
    );

    let (r, req) = tokio::join!(client.read_resource("file:///a"), async {
        raw.serve(
            "resources/read",
            json!({"contents": [{"uri": "file:///a", "text": "A"}]}),
        )
        .await
    });
    assert_eq!(r.unwrap().contents.len(), 1);
    assert_eq!(req["params"], json!({"uri": "file:///a"}));

    let reference = CompleteReference::Prompt(PromptReference {
        name: "greet".into(),
        title: None,
    });
    let (r, req) = tokio::join!(client.complete(reference, "who", "A"), async {
        raw.serve(
            "completion/complete",
            json!({"completion": {"values": ["Ada"]}}),
        )
        .await
    });
    assert_eq!(r.unwrap().completion.values, ["Ada"]);
    assert_eq!(
        req["params"],
        json!({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "who", "value": "A"}})
    );

    // The typed form of the same request is the same on the wire.
    let mut p = GetPromptRequestParams::new("greet");
    p.arguments = Some([("who".to_owned(), "Ada".to_owned())].into_iter().collect());
    let (r, typed) = tokio::join!(client.request::<GetPrompt>(p), async {
        raw.serve("prompts/get", json!({"messages": []})).await
    });
    r.unwrap();
    assert_eq!(typed["params"], get_prompt_params);
}

/// A session whose server declares logging as well.
async fn session_with_logging() -> (Client, RawServer) {
    support::session_with(
        Client::builder("typed-test", "1"),
        json!({"tools": {}, "prompts": {}, "resources": {"subscribe": true}, "logging": {}, "completions": {}}),
    )
    .await
}

#[tokio::test]
async fn removed_methods_are_refused_before_anything_is_sent() {
    let (client, mut raw) = stateless().await;
    for e in [
        client.subscribe("file:///a").await.unwrap_err(),
        client.set_log_level(LoggingLevel::Info).await.unwrap_err(),
    ] {
        assert!(
            matches!(&e, Error::Protocol(m) if m.contains("does not exist in protocol 2026-07-28")),
            "{e}"
        );
    }
    // The first frame the server sees is the plain request.
    plain_request_is_served(&client, &mut raw).await;
    assert_eq!(MODERN, client.protocol_version());
}
