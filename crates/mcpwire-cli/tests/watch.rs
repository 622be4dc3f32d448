//! `mcpwire watch` against the echo example: it subscribes, prints the
//! notifications as JSON lines with `--json`, and ends with exit code 0 on
//! Ctrl-C (SIGINT).

mod common;

use common::{echo, watch_then_interrupt};

fn watch_echo(era: &str) -> (i32, Vec<serde_json::Value>) {
    let echo = echo().display().to_string();
    watch_then_interrupt(&["--era", era, "--", &echo, "stdio"])
}

#[test]
fn stateless_watch_listens_and_prints_the_acknowledgement() {
    let (code, lines) = watch_echo("modern");
    assert_eq!(code, 0);
    let ack = lines
        .iter()
        .find(|l| l["method"] == "notifications/subscriptions/acknowledged")
        .unwrap_or_else(|| panic!("no acknowledgement in {lines:?}"));
    assert_eq!(ack["params"]["notifications"]["toolsListChanged"], true);
    assert!(ack["time"].as_f64().unwrap() > 0.0);
}

#[test]
fn session_watch_ends_cleanly_on_interrupt() {
    let (code, lines) = watch_echo("legacy");
    assert_eq!(code, 0);
    assert!(
        lines.is_empty(),
        "the echo server sends nothing unasked: {lines:?}"
    );
}
