//! The CLI against a hostile HTTP server on 127.0.0.1:0, run in this
//! process: a redirect to another origin does not take the `-H` headers
//! along, and terminal control sequences in what the server sends are
//! shown escaped, not obeyed.

mod common;

use mcpwire::server::{Server, ToolRoute};
use mcpwire_testkit::http::front::Front;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Text {
    text: String,
}

/// Retitles the window, clears the screen, and returns the cursor to
/// overwrite the line, if a terminal obeys it.
const HOSTILE: &str = "title\x1b]0;pwned\x07 clear\x1b[2J cr\rend";
/// How [`HOSTILE`] is shown.
const ESCAPED: &str = "title\\x1b]0;pwned\\x07 clear\\x1b[2J cr\\rend";

/// The MCP server behind every [`Front`]: an `echo` tool; `pwn`, whose
/// description and result are [`HOSTILE`]; `fail`, whose error is.
fn server() -> Server {
    Server::builder("hostile-test", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(
            ToolRoute::typed("pwn", |_cx, _: Text| async move { HOSTILE.to_owned() })
                .description(HOSTILE),
        )
        .tool(ToolRoute::typed("fail", |_cx, _: Text| async move {
            Err::<String, _>(mcpwire::Error::invalid_params(HOSTILE))
        }))
        .build()
        .unwrap()
}

/// A recording front for [`server`]: the paths of `redirects` answer
/// `307` to their location.
async fn front(redirects: Vec<(&'static str, String)>) -> Front {
    Front::start(server(), redirects, None).await
}

/// The `x-secret` header of every request to `path` of `front`.
fn secrets_at(front: &Front, path: &str) -> Vec<Option<String>> {
    front.header_at(path, "x-secret")
}

/// Runs `mcpwire ARGS` without blocking the servers of this process.
async fn mcpwire(args: Vec<String>) -> common::Run {
    tokio::task::spawn_blocking(move || common::mcpwire(args))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_values_stay_with_the_origin_they_were_given_for() {
    let b = front(vec![]).await;
    let a = front(vec![("/mcp", b.url())]).await;
    let h = || vec!["-H".to_owned(), "X-Secret: s3cret".to_owned()];
    let run = mcpwire([vec!["tools".into(), a.url()], h()].concat()).await;
    let run = run.expect(3);
    assert!(run.stderr.contains("another origin"), "{run:#?}");
    assert!(b.paths().is_empty(), "B received {:?}", b.paths());
    assert_eq!(secrets_at(&a, "/mcp")[0].as_deref(), Some("s3cret"));

    // Within one origin the redirect is followed, the header with it.
    let c = front(vec![("/mcp", "/moved".to_owned())]).await;
    let run = mcpwire([vec!["tools".into(), c.url()], h()].concat()).await;
    let run = run.expect(0);
    assert!(run.stdout.contains("echo"), "{run:#?}");
    let moved = secrets_at(&c, "/moved");
    assert!(!moved.is_empty(), "{:?}", c.paths());
    assert!(
        moved.iter().all(|s| s.as_deref() == Some("s3cret")),
        "{moved:?}"
    );
    // B serves whoever goes there directly.
    let run = mcpwire([vec!["tools".into(), b.url()], h()].concat()).await;
    assert!(run.expect(0).stdout.contains("echo"));
}

/// Whether `s` holds a control character a terminal would act on.
fn raw_controls(s: &str) -> bool {
    s.contains(['\x1b', '\x07', '\r'])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_sequences_from_the_server_are_shown_escaped() {
    let s = front(vec![]).await;
    let url = s.url();
    let run = |args: &[&str]| mcpwire(args.iter().map(|a| (*a).to_owned()).collect());

    // A tool's description in the listing.
    let listed = run(&["tools", &url]).await.expect(0);
    assert!(!raw_controls(&listed.stdout), "{listed:#?}");
    assert!(listed.stdout.contains(ESCAPED), "{listed:#?}");
    // A tool's result.
    let called = run(&["call", &url, "pwn", "text=x"]).await.expect(0);
    assert!(!raw_controls(&called.stdout), "{called:#?}");
    assert!(called.stdout.contains(ESCAPED), "{called:#?}");
    // An error the server answers with, on stderr.
    let failed = run(&["call", &url, "fail", "text=x"]).await.expect(4);
    assert!(!raw_controls(&failed.stderr), "{failed:#?}");
    assert!(failed.stderr.contains(ESCAPED), "{failed:#?}");

    // --json stays exact: JSON escapes the controls, and they parse back.
    let listed = run(&["--json", "tools", &url]).await.expect(0);
    assert!(!raw_controls(&listed.stdout), "{listed:#?}");
    let tools = listed.json()["tools"].as_array().unwrap().clone();
    let pwn = tools.iter().find(|t| t["name"] == "pwn").unwrap();
    assert_eq!(pwn["description"], HOSTILE);
    let called = run(&["--json", "call", &url, "pwn", "text=x"])
        .await
        .expect(0);
    assert_eq!(called.json()["content"][0]["text"], HOSTILE);

    // The server still answers plain requests.
    let echoed = run(&["call", &url, "echo", "text=hello"]).await.expect(0);
    assert_eq!(echoed.stdout.trim(), "hello");
}
