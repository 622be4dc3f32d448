//! `http_client`: the example client against the `echo` example served on
//! a free port, and against servers that cannot answer.

use std::net::TcpListener;

use super::common::{self, Served};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn it_lists_the_tools_and_calls_echo_by_default_or_the_tool_named() {
    let echo = Served::start("echo", &["http", "127.0.0.1:0"]);
    let out = common::run("http_client", &[&echo.url], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().collect();
    assert!(
        lines[0].starts_with("connected to mcpwire-echo "),
        "{printed}"
    );
    assert_eq!(
        lines[1..],
        [
            "tools:",
            "  echo: Returns the text it is given, unchanged.",
            "  add: Adds two numbers and returns the sum as text.",
            "echo -> hello",
        ],
        "{printed}"
    );

    let out = common::run(
        "http_client",
        &[&echo.url, "add", r#"{"a":2,"b":0.5}"#],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).ends_with("add -> 2.5\n"), "{}", stdout(&out));
}

#[test]
fn a_failing_call_or_bad_arguments_fail_the_run_and_the_server_keeps_serving() {
    let echo = Served::start("echo", &["http", "127.0.0.1:0"]);

    let out = common::run("http_client", &[&echo.url, "add", r#"{"a":"two"}"#], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("the tool add failed"),
        "{}",
        stderr(&out)
    );

    let out = common::run("http_client", &[&echo.url, "no_such_tool", "{}"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("no_such_tool"), "{}", stderr(&out));

    for bad in [
        vec![],
        vec![echo.url.as_str(), "echo", "[1]"],
        vec![echo.url.as_str(), "echo", "{}", "x"],
    ] {
        let out = common::run("http_client", &bad, &[]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with("http_client: "),
            "{bad:?}: {}",
            stderr(&out)
        );
    }

    let out = common::run("http_client", &[&echo.url], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).ends_with("echo -> hello\n"));
}

#[test]
fn a_server_that_drops_every_connection_ends_the_run_with_an_error() {
    // Accepts and closes at once: the client sees the connection end
    // without an answer, and must give up, not hang.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            drop(conn);
        }
    });
    let url = format!("http://{addr}/mcp");
    let out = common::run("http_client", &[&url], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(
        stderr(&out).starts_with(&format!("http_client: {url}: ")),
        "{}",
        stderr(&out)
    );
}
