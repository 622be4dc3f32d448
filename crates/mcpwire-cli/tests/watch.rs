//! `mcpwire watch` against the echo example and the HTTP support desk: it
//! subscribes, prints the notifications as JSON lines with `--json`, and
//! ends with exit code 0 on Ctrl-C (SIGINT).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{Server, echo, mcpwire, watch_then_interrupt};
use serde_json::Value;

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
    let mut watch = Command::new(env!("CARGO_BIN_EXE_mcpwire"))
        .args([
            "watch",
            "--json",
            "--era",
            era,
            &url,
            "--resource",
            "ticket://42",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning mcpwire watch");
    let mut stderr = BufReader::new(watch.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("watching") {
        line.clear();
        let n = stderr.read_line(&mut line).expect("reading stderr");
        assert!(n > 0, "mcpwire watch ended before watching");
    }
    let (tx, rx) = mpsc::channel();
    let stdout = BufReader::new(watch.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in stdout.lines() {
            let Ok(line) = line else { break };
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            if tx.send(v).is_err() {
                break;
            }
        }
    });
    // A session's changes come on its GET stream, which opens just after.
    std::thread::sleep(Duration::from_millis(300));
    mcpwire([
        "call",
        &url,
        "close_ticket",
        "ticket_id=42",
        "resolution=Reset the password.",
    ])
    .expect(0);
    let mut seen = Vec::new();
    while let Ok(v) = rx.recv_timeout(Duration::from_secs(10)) {
        let done = v["method"] == "notifications/resources/updated";
        seen.push(v);
        if done {
            break;
        }
    }
    let _ = Command::new("kill")
        .args(["-INT", &watch.id().to_string()])
        .status();
    let code = watch.wait().expect("waiting for mcpwire watch").code();
    assert_eq!(code, Some(0), "{seen:?}");
    seen
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
