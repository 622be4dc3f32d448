//! The runner against a real mcpwire server over an in-memory transport:
//! a step whose answer never comes fails at its deadline, and the steps
//! after it still run on the same connection.

use std::time::Duration;

use mcpwire::client::Client;
use mcpwire::server::{Context, Server, ToolRoute};
use mcpwire::transport::memory;
use mcpwire_inspect::collection::Collection;
use mcpwire_inspect::runner::{self, Answer};
use serde_json::json;

/// A server with `hang`, which never answers, `shout`, and `big`, whose
/// text is 1 MiB.
fn server() -> Server {
    Server::builder("runner-test", "1")
        .tool(ToolRoute::typed("hang", |_cx: Context, _: ()| async {
            std::future::pending::<String>().await
        }))
        .tool(ToolRoute::typed(
            "shout",
            |_cx: Context, args: serde_json::Value| async move {
                args["text"].as_str().unwrap_or_default().to_uppercase()
            },
        ))
        .tool(ToolRoute::typed("big", |_cx: Context, _: ()| async {
            "x".repeat(1 << 20)
        }))
        .build()
        .unwrap()
}

async fn connect() -> Client {
    let (a, b) = memory::duplex();
    let server = server();
    tokio::spawn(async move { server.serve(a).await });
    Client::builder("runner-test", "1")
        .connect(b)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_step_that_gets_no_answer_fails_at_its_deadline_and_the_run_goes_on() {
    let client = connect().await;
    let collection = Collection::parse(
        json!({"mcpwireCollection": 1, "name": "deadlines", "timeoutMs": 20000, "steps": [
            {"name": "hangs", "method": "tools/call", "timeoutMs": 300,
             "params": {"name": "hang", "arguments": {}}},
            {"name": "shouts", "method": "tools/call",
             "params": {"name": "shout", "arguments": {"text": "hi"}},
             "expect": {"isError": false, "textContains": "HI", "withinMs": 10000}}
        ]})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let mut seen = Vec::new();
    let report = runner::run_with(&client, &collection, |i, s| seen.push((i, s.passed()))).await;
    assert_eq!(seen, [(0, false), (1, true)], "{report:?}");
    let hang = &report.steps[0];
    assert_eq!(hang.failures, ["no answer within the deadline of 300 ms"]);
    assert_eq!(hang.answer, None);
    assert!(
        hang.elapsed >= Duration::from_millis(300),
        "{:?}",
        hang.elapsed
    );
    assert!(hang.elapsed < Duration::from_secs(10), "{:?}", hang.elapsed);
    let shout = &report.steps[1];
    assert!(shout.passed(), "{shout:?}");
    assert!(matches!(&shout.answer, Some(Answer::Result(r)) if r["content"][0]["text"] == "HI"));
    assert_eq!((report.failed(), report.passed()), (1, false));
    client.close().await;
}

#[tokio::test]
async fn a_report_keeps_answers_up_to_its_bound() {
    let client = connect().await;
    let step = json!({"name": "big", "method": "tools/call",
                      "params": {"name": "big", "arguments": {}},
                      "expect": {"textContains": "xxx"}});
    let collection = Collection::parse(
        json!({"mcpwireCollection": 1, "name": "big", "steps": vec![step; 20]})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let mut answered = 0;
    let report = runner::run_with(&client, &collection, |_, s| {
        answered += usize::from(s.answer.is_some());
    })
    .await;
    assert_eq!(answered, 20, "the callback sees every answer");
    assert!(report.passed(), "{:?}", report.steps[0].failures);
    let kept: Vec<bool> = report.steps.iter().map(|s| s.answer.is_some()).collect();
    // 1 MiB and a little each: 15 fit in 16 MiB.
    let fit = runner::MAX_REPORT_ANSWERS / ((1 << 20) + 64);
    assert_eq!(fit, 15);
    assert!(kept[..fit].iter().all(|k| *k), "{kept:?}");
    assert!(kept[fit..].iter().all(|k| !*k), "{kept:?}");
    client.close().await;
}
