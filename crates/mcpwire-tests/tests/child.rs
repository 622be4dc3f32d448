//! The child-process transport: a dead child fails pending calls at once
//! with its exit status and stderr, and shutdown escalates from closing
//! stdin to SIGTERM to SIGKILL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mcpwire::Error;
use mcpwire::client::Client;
use mcpwire::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
use mcpwire::transport::{
    ChildProcess, FrameReader, FrameWriter, ReadEvent, StderrMode, Transport,
};
use mcpwire_testkit::eventually;
use mcpwire_types::{Notification, Request};

struct Nothing;

impl Service for Nothing {
    async fn handle_request(&self, r: Request, _cx: RequestContext) -> Result<Reply, Error> {
        Err(Error::method_not_found(&r.method))
    }
    async fn handle_notification(&self, _n: Notification, _p: &Peer) {}
}

fn sh(script: &str) -> ChildProcess {
    ChildProcess::new("sh")
        .args(["-c", script])
        .stderr(StderrMode::Tracing)
}

#[tokio::test]
async fn a_child_that_dies_fails_the_pending_call_with_its_status_and_stderr() {
    let t = sh("read line; echo 'fatal: config missing' >&2; exit 3")
        .spawn()
        .unwrap();
    let started = Instant::now();
    let e = Client::builder("c", "1").connect(t).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "fails at once");
    let text = e.to_string();
    assert!(matches!(e, Error::Closed(_)), "{text}");
    assert!(text.contains("exit status: 3"), "{text}");
    assert!(text.contains("fatal: config missing"), "{text}");
}

#[tokio::test]
async fn a_child_that_stops_reading_before_it_dies_is_reported_by_its_exit_not_as_a_local_close() {
    // It closes its stdin at once, so the first request fails to write
    // while the child still runs: the reason must still be its exit.
    let t = sh("exec 0<&-; echo 'fatal: no stdin for me' >&2; sleep 0.3; exit 4")
        .spawn()
        .unwrap();
    let e = Client::builder("c", "1").connect(t).await.unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, Error::Closed(_)), "{text}");
    assert!(text.contains("exit status: 4"), "{text}");
    assert!(text.contains("fatal: no stdin for me"), "{text}");
    assert!(!text.contains("closed locally"), "{text}");
}

#[tokio::test]
async fn a_missing_program_is_a_clear_spawn_error() {
    let e = ChildProcess::new("/nonexistent/mcp-server")
        .spawn()
        .unwrap_err();
    assert!(e.to_string().contains("/nonexistent/mcp-server"), "{e}");
}

#[tokio::test]
async fn env_and_cwd_reach_the_child() {
    let dir = std::env::temp_dir();
    let t = sh("printf '%s %s\\n' \"$MCPWIRE_TEST_VAR\" \"$(pwd)\" >&2; read line")
        .env("MCPWIRE_TEST_VAR", "hello-env")
        .cwd(&dir)
        .stderr(StderrMode::Tracing)
        .spawn()
        .unwrap();
    let (peer, driver) = engine::connect(Arc::new(Nothing), t, EngineConfig::default());
    let run = tokio::spawn(driver);
    let e = peer.request("x", None).await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("hello-env"), "{text}");
    assert!(
        text.contains(dir.to_str().unwrap().trim_end_matches('/')),
        "{text}"
    );
    let _ = run.await;
}

#[tokio::test]
async fn shutdown_escalates_to_sigterm_then_sigkill() {
    // Exits on SIGTERM after ignoring stdin EOF.
    let (_, mut w) = sh("trap 'exit 0' TERM; while :; do sleep 0.05; done")
        .shutdown_grace(Duration::from_millis(300))
        .spawn()
        .unwrap()
        .split();
    let started = Instant::now();
    w.close().await.unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(300),
        "waited for stdin close first: {took:?}"
    );
    assert!(
        took < Duration::from_millis(1500),
        "SIGTERM ended it: {took:?}"
    );

    // Ignores SIGTERM too: only SIGKILL ends it.
    let (_, mut w) = sh("trap '' TERM; while :; do sleep 0.05; done")
        .shutdown_grace(Duration::from_millis(300))
        .spawn()
        .unwrap()
        .split();
    let started = Instant::now();
    w.close().await.unwrap();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(600), "{took:?}");
    assert!(
        took < Duration::from_millis(2500),
        "SIGKILL ended it: {took:?}"
    );
}

#[tokio::test]
async fn a_child_that_exits_on_stdin_close_stops_without_signals() {
    let (_, mut w) = sh("cat >/dev/null")
        .shutdown_grace(Duration::from_secs(5))
        .spawn()
        .unwrap()
        .split();
    let started = Instant::now();
    w.close().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// Whether `pid` is gone: no such process, or a zombie waiting for a parent
/// other than this process (an orphan's new parent reaps it, or, in a
/// container whose init does not reap, never does; either way it runs
/// nothing).
fn gone(pid: libc::pid_t) -> bool {
    if reaped(pid) {
        return true;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, r)| r.trim_start().chars().next());
    matches!(state, Some('Z' | 'X'))
}

/// Whether `pid` no longer exists at all (not even as a zombie).
fn reaped(pid: libc::pid_t) -> bool {
    // Linux lists every process, zombies included, under /proc.
    !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Waits until `cond` holds, failing the test after 10 s: a process or a
/// file the test can only look at from outside.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    eventually(Duration::from_secs(10), what, || std::future::ready(cond())).await;
}

/// Reads a pid a child wrote to `path`, once it is there.
async fn read_pid(path: &std::path::Path) -> libc::pid_t {
    let mut pid = None;
    until("the child wrote a pid", || {
        pid = std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.trim().parse().ok());
        pid.is_some()
    })
    .await;
    pid.unwrap()
}

fn temp_file(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("mcpwire-child-{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// A shell child that starts a grandchild in the background (which writes
/// its pid to `grandchild`), writes its own pid to `child`, then runs
/// `rest`.
fn with_grandchild(
    child: &std::path::Path,
    grandchild: &std::path::Path,
    rest: &str,
) -> ChildProcess {
    let script = format!(
        r#"sh -c 'echo $$ > "$1"; exec sleep 1000' grandchild "{}" & echo $$ > "{}"; {rest}"#,
        grandchild.display(),
        child.display(),
    );
    sh(&script).shutdown_grace(Duration::from_millis(300))
}

#[tokio::test]
async fn closing_stops_the_whole_process_group_and_reaps_the_child() {
    let (child_file, grand_file) = (temp_file("pg-child"), temp_file("pg-grand"));
    // The child exits as soon as its stdin closes, leaving its grandchild.
    let (_r, mut w) = with_grandchild(&child_file, &grand_file, "cat >/dev/null")
        .spawn()
        .unwrap()
        .split();
    let child = read_pid(&child_file).await;
    let grandchild = read_pid(&grand_file).await;
    let mut files = vec![child_file, grand_file];
    assert!(!gone(grandchild), "the grandchild runs");
    w.close().await.unwrap();
    until("the grandchild is gone", || gone(grandchild)).await;
    until("the child is reaped, no zombie", || reaped(child)).await;

    // A child that ignores stdin and SIGTERM: SIGKILL reaches the group.
    let (child_file, grand_file) = (temp_file("pg-child2"), temp_file("pg-grand2"));
    let (_r, mut w) = with_grandchild(
        &child_file,
        &grand_file,
        "trap '' TERM; while :; do sleep 0.05; done",
    )
    .spawn()
    .unwrap()
    .split();
    let child = read_pid(&child_file).await;
    let grandchild = read_pid(&grand_file).await;
    files.extend([child_file, grand_file]);
    w.close().await.unwrap();
    until("the grandchild is gone", || gone(grandchild)).await;
    until("the child is reaped", || reaped(child)).await;

    // A transport dropped without closing takes its group with it.
    let (child_file, grand_file) = (temp_file("pg-child3"), temp_file("pg-grand3"));
    let transport = with_grandchild(&child_file, &grand_file, "cat >/dev/null")
        .spawn()
        .unwrap();
    let child = read_pid(&child_file).await;
    let grandchild = read_pid(&grand_file).await;
    drop(transport);
    until("the grandchild is gone", || gone(grandchild)).await;
    until("the child is reaped", || reaped(child)).await;

    // The transport still serves: a new child answers.
    let t = sh("read line; echo 'still serving' >&2; exit 4")
        .spawn()
        .unwrap();
    let e = Client::builder("c", "1").connect(t).await.unwrap_err();
    assert!(e.to_string().contains("still serving"), "{e}");
    files.extend([child_file, grand_file]);
    for f in files {
        let _ = std::fs::remove_file(f);
    }
}

/// A child outside any process group of its own, which ignores its
/// stdin closing and SIGTERM: it writes its pid to `pid_file` first.
fn stubborn_without_group(pid_file: &std::path::Path) -> ChildProcess {
    sh(&format!(
        r#"trap '' TERM; echo $$ > "{}"; exec tail -f /dev/null"#,
        pid_file.display()
    ))
    .process_group(false)
    .shutdown_grace(Duration::from_millis(200))
}

#[tokio::test]
async fn the_portable_kill_stops_a_child_that_ignores_sigterm_without_group_signals() {
    // No group of its own: no group signal can reach it, so what stops it
    // is the portable kill of the child itself.
    let pid_file = temp_file("portable-close");
    let (mut r, mut w) = stubborn_without_group(&pid_file).spawn().unwrap().split();
    let pid = read_pid(&pid_file).await;
    // It stays in this process's group.
    let group_of = |pid: libc::pid_t| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let after = stat.rsplit_once(')').unwrap().1.to_owned();
        after.split_whitespace().nth(2).unwrap().to_owned()
    };
    assert_eq!(group_of(pid), group_of(std::process::id() as libc::pid_t));
    let started = Instant::now();
    w.close().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    until("the child is reaped", || reaped(pid)).await;
    assert!(matches!(r.next_frame().await.unwrap(), ReadEvent::Eof));
    let reason = r.close_reason().await.unwrap();
    // SIGTERM was ignored: the kill ended it.
    assert!(reason.contains("SIGKILL"), "{reason}");

    // Dropped without closing: the portable kill still stops it.
    let pid_file2 = temp_file("portable-drop");
    let transport = stubborn_without_group(&pid_file2).spawn().unwrap();
    let pid = read_pid(&pid_file2).await;
    drop(transport);
    until("the dropped child is reaped", || reaped(pid)).await;
    for f in [pid_file, pid_file2] {
        let _ = std::fs::remove_file(f);
    }
}

/// Answers every request line with `{"ok": true}`, writing a line with an
/// invalid byte to stderr first; exits with status 7 on a `bye` request.
const ANSWER_LOOP: &str = r#"
while read -r line; do
  case "$line" in
    *'"method":"bye"'*) printf 'last words \377\n' >&2; exit 7;;
  esac
  id=$(printf '%s' "$line" | sed -n 's/.*"id":\([0-9][0-9]*\).*/\1/p')
  printf 'answering %s \377\n' "$id" >&2
  printf '{"jsonrpc":"2.0","id":%s,"result":{"ok":true}}\n' "$id"
done
"#;

#[tokio::test]
async fn a_stderr_flood_with_invalid_utf8_is_drained_and_the_child_keeps_serving() {
    // Invalid UTF-8 first (the old reader stopped there), then 3 MB without
    // a newline, then about 1.3 MB of short lines, then the answer loop.
    let script = format!(
        r#"printf 'bad \377\376 bytes\n' >&2
head -c 3000000 /dev/zero | tr '\0' 'x' >&2
printf '\n' >&2
seq 1 200000 >&2
{ANSWER_LOOP}"#
    );
    let t = sh(&script).spawn().unwrap();
    let (peer, driver) = engine::connect(Arc::new(Nothing), t, EngineConfig::default());
    let run = tokio::spawn(driver);
    for _ in 0..3 {
        let r = peer
            .request("ping", None)
            .await
            .expect("answered after the flood");
        assert_eq!(r["ok"], true);
    }
    let e = peer.request("bye", None).await.unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, Error::Closed(_)), "{text}");
    assert!(
        text.contains("exit status: 7"),
        "exited on its own, not of SIGPIPE: {text}"
    );
    assert!(text.contains("last words \u{FFFD}"), "{text}");
    assert!(text.contains("answering 2 \u{FFFD}"), "{text}");
    // The kept tail is bounded: at most 20 lines of at most 8 KiB.
    let bound = mcpwire::transport::child::STDERR_TAIL_LINES
        * (mcpwire::transport::child::MAX_STDERR_LINE + 3)
        + 200;
    assert!(text.len() <= bound, "{} bytes", text.len());
    let _ = run.await;
}

#[tokio::test]
async fn a_long_stderr_line_is_kept_in_bounded_pieces() {
    // 100 KB without a newline, then an exit: the tail holds pieces of at
    // most 8 KiB each, the last of them whole.
    let t = sh("head -c 100000 /dev/zero | tr '\\0' 'y' >&2; read line; exit 5")
        .spawn()
        .unwrap();
    let (peer, driver) = engine::connect(Arc::new(Nothing), t, EngineConfig::default());
    let run = tokio::spawn(driver);
    let e = peer.request("x", None).await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("exit status: 5"), "{text}");
    let pieces: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('y'))
        .collect();
    assert_eq!(pieces.len(), 100_000 / 8192 + 1, "{} pieces", pieces.len());
    assert!(pieces[..pieces.len() - 1].iter().all(|p| p.len() == 8192));
    assert_eq!(pieces.last().unwrap().len(), 100_000 % 8192);
    let _ = run.await;
}
