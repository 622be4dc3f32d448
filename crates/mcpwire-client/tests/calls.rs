//! The calls as builders, against a raw server that sees every frame:
//! local mistakes stay local, the builder's options reach the wire, tool
//! results read as Rust types, and listings stream page by page.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use mcpwire_client::{CallToolResultExt, StructuredError, TaskCall};
use mcpwire_rpc::Error;
use mcpwire_types::Meta;
use serde::{Deserialize, Serialize};
use serde_json::json;
use support::{each_era, plain_request_is_served, session, stateless, tools_page};

#[derive(Serialize)]
struct Add {
    a: i64,
    b: i64,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Sum {
    total: i64,
}

fn invalid(e: Error) -> String {
    match e {
        Error::InvalidArgument(m) => m,
        other => panic!("expected a local InvalidArgument error, got {other:?}"),
    }
}

#[tokio::test]
async fn local_mistakes_fail_before_anything_is_sent_in_both_eras() {
    for (era, client, mut raw) in each_era().await {
        let m = invalid(client.call_tool("add", [1, 2]).await.unwrap_err());
        assert!(m.contains("JSON object, not an array"), "{era}: {m}");
        invalid(client.call_tool("add", 3).await.unwrap_err());
        invalid(client.call_tool("add", "text").await.unwrap_err());
        let mut odd = HashMap::new();
        odd.insert((1, 2), 3);
        let m = invalid(client.call_tool("add", &odd).await.unwrap_err());
        assert!(m.contains("do not serialize"), "{era}: {m}");
        invalid(client.call_tool("add", [1]).as_task().await.unwrap_err());
        let e = client
            .call_tool("add", [1])
            .typed::<Sum>()
            .await
            .unwrap_err();
        assert!(
            matches!(e, StructuredError::Call(Error::InvalidArgument(_))),
            "{e}"
        );
        let m = invalid(client.read_resource("notes.txt").await.unwrap_err());
        assert!(m.contains("not a URI"), "{era}: {m}");
        invalid(client.read_resource("memo://a\nb").await.unwrap_err());
        let m = invalid(
            client
                .get_prompt("greet", json!({"times": 3}))
                .await
                .unwrap_err(),
        );
        assert!(m.contains("\"times\" must be a string"), "{era}: {m}");
        invalid(client.get_prompt("greet", 7).await.unwrap_err());
        if era == "session" {
            invalid(client.subscribe("no scheme").await.unwrap_err());
            invalid(client.unsubscribe("").await.unwrap_err());
        }
        // The next frame the server sees is this plain request: none of the
        // calls above sent anything.
        plain_request_is_served(&client, &mut raw).await;
    }
}

#[tokio::test]
async fn arguments_of_any_serializable_type_travel_as_an_object() {
    for (era, client, mut raw) in each_era().await {
        let (r, request) = tokio::join!(client.call_tool("add", Add { a: 1, b: 2 }), async {
            raw.serve("tools/call", json!({"content": []})).await
        });
        r.unwrap();
        assert_eq!(request["params"]["arguments"], json!({"a": 1, "b": 2}));
        let (r, request) = tokio::join!(client.call_tool("now", ()), async {
            raw.serve("tools/call", json!({"content": []})).await
        });
        r.unwrap();
        assert!(request["params"].get("arguments").is_none(), "{era}");
        let (r, request) = tokio::join!(client.get_prompt("greet", [("name", "Ada")]), async {
            raw.serve("prompts/get", json!({"messages": []})).await
        });
        r.unwrap();
        assert_eq!(request["params"]["arguments"], json!({"name": "Ada"}));
    }
}

#[tokio::test]
async fn the_builders_options_reach_the_wire() {
    let (client, mut raw) = session().await;
    let mut meta = Meta::new();
    meta.insert("example.com/trace".into(), json!("t-1"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let call = client
        .call_tool("slow", json!({"n": 1}))
        .meta(meta)
        .on_progress(move |p| seen2.lock().unwrap().push(p["progress"].clone()));
    let (r, ()) = tokio::join!(call, async {
        let request = raw.expect("tools/call").await;
        let m = &request["params"]["_meta"];
        assert_eq!(m["example.com/trace"], "t-1", "{request}");
        let token = m["progressToken"].clone();
        assert!(!token.is_null(), "{request}");
        raw.send(
            &json!({"jsonrpc": "2.0", "method": "notifications/progress",
                         "params": {"progressToken": token, "progress": 1}}),
        )
        .await;
        raw.reply(&request, json!({"content": []})).await;
    });
    r.unwrap();
    assert_eq!(*seen.lock().unwrap(), [json!(1)]);

    // A timeout of the call's own.
    let (r, _) = tokio::join!(
        client
            .call_tool("slow", ())
            .timeout(Duration::from_millis(50)),
        raw.expect("tools/call")
    );
    assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
    raw.expect("notifications/cancelled").await;
    plain_request_is_served(&client, &mut raw).await;
}

#[tokio::test]
async fn a_task_call_carries_its_ttl_and_answers_with_the_task() {
    let (client, mut raw) = session().await;
    let call = client
        .call_tool("render", json!({"scene": 1}))
        .as_task()
        .ttl(Duration::from_secs(60))
        .timeout(Duration::from_secs(2));
    let (r, request) = tokio::join!(call, async {
        let task = json!({"taskId": "t1", "status": "working",
                          "createdAt": "2026-01-01T00:00:00Z",
                          "lastUpdatedAt": "2026-01-01T00:00:00Z", "ttl": 60000});
        raw.serve("tools/call", json!({ "task": task })).await
    });
    assert_eq!(
        request["params"]["task"],
        json!({"ttl": 60000}),
        "{request}"
    );
    match r.unwrap() {
        TaskCall::Task(t) => assert_eq!(t.task_id, "t1"),
        other => panic!("expected a task, got {other:?}"),
    }
}

#[tokio::test]
async fn typed_reads_structured_content_then_text_and_reports_tool_errors() {
    let (client, mut raw) = stateless().await;
    let (r, _) = tokio::join!(
        client.call_tool("add", Add { a: 1, b: 2 }).typed::<Sum>(),
        async {
            raw.serve(
            "tools/call",
            json!({"content": [{"type": "text", "text": "3"}], "structuredContent": {"total": 3}}),
        )
        .await
        }
    );
    assert_eq!(r.unwrap(), Sum { total: 3 });
    let (r, _) = tokio::join!(client.call_tool("add", ()).typed::<Sum>(), async {
        raw.serve(
            "tools/call",
            json!({"content": [{"type": "text", "text": "{\"total\": 4}"}]}),
        )
        .await
    });
    assert_eq!(r.unwrap(), Sum { total: 4 });
    let (r, _) = tokio::join!(client.call_tool("add", ()).typed::<Sum>(), async {
        raw.serve(
            "tools/call",
            json!({"content": [{"type": "text", "text": "overflow"}], "isError": true}),
        )
        .await
    });
    assert!(matches!(r, Err(StructuredError::Tool(m)) if m == "overflow"));
    // The same reading on a result already in hand.
    let (r, _) = tokio::join!(client.call_tool("add", ()), async {
        raw.serve(
            "tools/call",
            json!({"content": [], "structuredContent": {"total": 5}}),
        )
        .await
    });
    assert_eq!(r.unwrap().structured::<Sum>().unwrap(), Sum { total: 5 });
}

#[tokio::test]
async fn a_listing_streams_and_fetches_a_page_only_when_its_items_are_needed() {
    for (era, client, mut raw) in each_era().await {
        let mut tools = client.list_tools();
        let (first, request) = tokio::join!(tools.next(), async {
            raw.serve("tools/list", tools_page(&["a", "b"], Some("c1")))
                .await
        });
        assert_eq!(first.unwrap().unwrap().name, "a", "{era}: {request}");
        // The rest of the first page is at hand: nothing is sent for it.
        assert_eq!(tools.next().await.unwrap().unwrap().name, "b");
        let (third, request) = tokio::join!(tools.next(), async {
            raw.serve("tools/list", tools_page(&["c"], None)).await
        });
        assert_eq!(request["params"]["cursor"], "c1", "{era}");
        assert_eq!(third.unwrap().unwrap().name, "c");
        assert!(tools.next().await.is_none());
        assert!(tools.next().await.is_none());
        // Dropped after one item, a listing fetches no more.
        let mut again = client.list_tools();
        let (first, _) = tokio::join!(again.next(), async {
            raw.serve("tools/list", tools_page(&["x"], Some("more")))
                .await
        });
        assert_eq!(first.unwrap().unwrap().name, "x");
        drop(again);
        plain_request_is_served(&client, &mut raw).await;
    }
}

#[tokio::test]
async fn a_stream_ends_with_the_error_of_a_repeated_cursor() {
    let (client, mut raw) = session().await;
    let collected = async {
        let mut names = Vec::new();
        let mut tools = client.list_tools();
        while let Some(t) = tools.next().await {
            match t {
                Ok(t) => names.push(t.name),
                Err(e) => return (names, Some(e)),
            }
        }
        (names, None)
    };
    let ((names, e), ()) = tokio::join!(collected, async {
        raw.serve("tools/list", tools_page(&["a"], Some("x"))).await;
        raw.serve("tools/list", tools_page(&["b"], Some("x"))).await;
    });
    assert_eq!(names, ["a", "b"]);
    let e = e.expect("the stream ends with an error");
    assert!(
        matches!(&e, Error::Protocol(m) if m.contains("cursor the server had given before")),
        "{e}"
    );
    plain_request_is_served(&client, &mut raw).await;
}

#[tokio::test]
async fn tasks_are_not_listed_in_the_stateless_era_and_nothing_is_sent() {
    let (client, mut raw) = stateless().await;
    let e = client.list_tasks().await.unwrap_err();
    assert!(e.to_string().contains("tasks/list does not exist"), "{e}");
    let mut stream = client.list_tasks();
    assert!(matches!(stream.next().await, Some(Err(Error::Protocol(_)))));
    assert!(stream.next().await.is_none());
    plain_request_is_served(&client, &mut raw).await;
}
