//! `mcpwire watch` against the echo example and the HTTP support desk: it
//! subscribes, prints the notifications as JSON lines with `--json`, and
//! ends with exit code 0 on Ctrl-C (SIGINT).

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Server, WATCH_PATIENCE, Watch, echo, mcpwire, watch_then_interrupt};
use serde_json::Value;

fn watch_echo(era: &str, until: Option<&dyn Fn(&Value) -> bool>) -> (i32, Vec<Value>) {
    let echo = echo().display().to_string();
    watch_then_interrupt(&["--era", era, "--", &echo, "stdio"], until)
}

fn acknowledged(line: &Value) -> bool {
    line["method"] == "notifications/subscriptions/acknowledged"
}

#[test]
fn stateless_watch_listens_and_prints_the_acknowledgement() {
    let (code, lines) = watch_echo("modern", Some(&acknowledged));
    assert_eq!(code, 0);
    let ack = lines
        .iter()
        .find(|l| acknowledged(l))
        .unwrap_or_else(|| panic!("no acknowledgement in {lines:?}"));
    assert_eq!(ack["params"]["notifications"]["toolsListChanged"], true);
    assert!(ack["time"].as_f64().unwrap() > 0.0);
}

#[test]
fn session_watch_ends_cleanly_on_interrupt() {
    let (code, lines) = watch_echo("legacy", None);
    assert_eq!(code, 0);
    assert!(
        lines.is_empty(),
        "the echo server sends nothing unasked: {lines:?}"
    );
}

/// Watches ticket 42 on an HTTP support desk, closes it with another
/// `mcpwire`, and returns the notifications the watch printed up to its
/// update.
fn watch_a_ticket_close(era: &str) -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-watch");
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join(format!("desk-{era}-{}.db", std::process::id()));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let server = Server::listen(|addr| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mcpwire"));
        c.args(["serve", "support-desk", "--db"])
            .arg(&db)
            .arg("--http")
            .arg(addr.to_string());
        c
    });
    let url = server.url();
    let mut watch = Watch::start(&["--era", era, &url, "--resource", "ticket://42"]);
    // A session's changes come on its GET stream, which opens just after
    // the watch starts: escalate ticket 42 (which only updates it) until
    // the watch prints that update, so the stream is open for the close.
    let updated = |v: &Value| v["method"] == "notifications/resources/updated";
    let mut escalations = 0;
    loop {
        escalations += 1;
        assert!(
            escalations <= 50,
            "the watch never saw an update: {:?}",
            watch.seen
        );
        mcpwire([
            "call",
            &url,
            "escalate_ticket",
            "ticket_id=42",
            "reason=Probe.",
        ])
        .expect(0);
        if watch.wait_for(Duration::from_millis(200), updated) {
            break;
        }
    }
    watch.seen.clear();
    mcpwire([
        "call",
        &url,
        "close_ticket",
        "ticket_id=42",
        "resolution=Reset the password.",
    ])
    .expect(0);
    // The close takes the ticket off the list (a list change no probe
    // makes), then updates it.
    let listed = |v: &Value| v["method"] == "notifications/resources/list_changed";
    let got = watch.wait_for(WATCH_PATIENCE, listed) && watch.wait_for(WATCH_PATIENCE, updated);
    let (code, seen) = watch.interrupt();
    assert!(
        got,
        "{era}: no list change and update after the close: {seen:?}"
    );
    assert_eq!(code, 0, "{seen:?}");
    // Up to the close's update.
    let change = seen.iter().position(listed).expect("the list change");
    let end = change + seen[change..].iter().position(updated).expect("the update");
    seen[..=end].to_vec()
}

#[test]
fn watch_prints_the_changes_of_a_closed_ticket_in_both_eras() {
    for era in ["modern", "legacy"] {
        let seen = watch_a_ticket_close(era);
        let methods: Vec<&str> = seen.iter().filter_map(|v| v["method"].as_str()).collect();
        // Closing 42 removes it from the resource list, then updates it.
        assert!(
            methods.contains(&"notifications/resources/list_changed"),
            "{era}: {seen:?}"
        );
        let update = seen.last().unwrap();
        assert_eq!(
            update["method"], "notifications/resources/updated",
            "{era}: {seen:?}"
        );
        assert_eq!(update["params"]["uri"], "ticket://42", "{era}: {seen:?}");
    }
}
