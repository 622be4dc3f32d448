//! The stdio driver against real child processes: small `sed` programs that
//! answer the driver's requests line by line (right, wrong, late or not at
//! all), so every path of a phase runs over real pipes.

use std::time::Duration;

use mcpwire_load::era::modern_meta;
use mcpwire_load::stats::Tally;
use mcpwire_load::stdio::{ClientInfo, EchoCalls, Handshake, Server, Spawn, ToolCalls, Workload};

const CLIENT: ClientInfo<'static> = ClientInfo {
    name: "test",
    version: "0",
};

/// Every test's server is stopped if it sends nothing for this long.
const STALL: Duration = Duration::from_secs(20);

/// `sed` rules of a well-behaved echo server: answers `initialize` and `server/discover`,
/// drops `notifications/initialized` and the driver's own error replies, echoes `echo` calls.
const HANDSHAKE: &str = r#"-e '/"method":"notifications\/initialized"/d' -e '/"error":/d' -e 's/^.*"method":"initialize".*$/{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-11-25","capabilities":{}}}/' -e 's/^.*"method":"server\/discover".*$/{"jsonrpc":"2.0","id":0,"result":{"supportedVersions":["2026-07-28"]}}/'"#;
const CALL: &str = r#"^\{"jsonrpc":"2.0","id":([0-9]+),"method":"tools\/call","params":\{"name":"echo","arguments":\{"text":"([^"]*)"\}.*$"#;
const ANSWER: &str =
    r#"{"jsonrpc":"2.0","id":\1,"result":{"content":[{"type":"text","text":"\2"}]}}"#;

/// A shell command line running `sed -u -E` with the handshake rules and `rule`.
fn sed(rule: &str) -> String {
    format!("sed -u -E {HANDSHAKE} -e '{rule}'")
}

/// The rule that echoes every call.
fn echo_rule() -> String {
    format!("s/{CALL}/{ANSWER}/")
}

fn argv(script: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), script.into()]
}

fn start(script: &str) -> (Server, std::time::Instant) {
    Server::spawn(&Spawn::new(&argv(script))).expect("spawning sh")
}

fn initialize() -> Handshake<'static> {
    Handshake::Initialize {
        version: "2025-11-25",
        client: CLIENT,
    }
}

fn run(server: &mut Server, work: &impl Workload, inflight: usize) -> Result<Tally, String> {
    server.run(work, inflight, &mut |_| {})
}

#[test]
fn echo_calls_are_answered_timed_and_counted() {
    let (mut server, t0) = start(&sed(&echo_rule()));
    let _dog = server.watchdog(STALL);
    let start_ns = server.handshake(&initialize(), t0).unwrap();
    assert!(start_ns > 0);
    let mut told = 0;
    let tally = server
        .run(&EchoCalls::new(1, 600, 40, None), 8, &mut |n| told += n)
        .unwrap();
    assert_eq!(told, 600, "progress hears of every answer");
    assert_eq!(
        (tally.latencies.len(), tally.failed, tally.tool_errors),
        (600, 0, 0)
    );
    assert!(tally.latencies.iter().all(|&ns| ns > 0));
    assert!(tally.elapsed > Duration::ZERO);
    // the next phase, one at a time, runs on the same server
    let tally = run(&mut server, &EchoCalls::new(601, 50, 40, None), 1).unwrap();
    assert_eq!(tally.latencies.len(), 50);
    assert_eq!(
        server.shutdown(),
        Ok(false),
        "sed ends when its stdin closes"
    );
}

#[test]
fn stateless_calls_discover_and_carry_meta() {
    // the answer is only given when the call carries the 2026-07-28 _meta (a call
    // without it would come back unchanged, as a request from the server)
    let rule = format!(
        r#"/_meta":\{{"io.modelcontextprotocol\/protocolVersion":"2026-07-28"/s/{CALL}/{ANSWER}/"#
    );
    let (mut server, t0) = start(&sed(&rule));
    let _dog = server.watchdog(STALL);
    server
        .handshake(&Handshake::Discover { client: CLIENT }, t0)
        .unwrap();
    let meta = modern_meta(CLIENT.name, CLIENT.version);
    let tally = run(&mut server, &EchoCalls::new(1, 100, 10, Some(&meta)), 4).unwrap();
    assert_eq!(tally.latencies.len(), 100);
    server.kill();
}

#[test]
fn a_wrong_text_ends_the_phase_and_names_the_line() {
    let rule = format!("s/{CALL}/{}/", ANSWER.replace(r"\2", "wrong"));
    let (mut server, t0) = start(&sed(&rule));
    let _dog = server.watchdog(STALL);
    server.handshake(&initialize(), t0).unwrap();
    let e = run(&mut server, &EchoCalls::new(1, 20, 10, None), 4).unwrap_err();
    assert!(e.contains("differs from the text sent"), "{e}");
    assert!(e.contains(r#""text":"wrong""#), "{e}");
    server.kill();
    // the same driver then measures a well-behaved server
    let (mut server, t0) = start(&sed(&echo_rule()));
    let _dog = server.watchdog(STALL);
    server.handshake(&initialize(), t0).unwrap();
    assert_eq!(
        run(&mut server, &EchoCalls::new(1, 20, 10, None), 4)
            .unwrap()
            .latencies
            .len(),
        20
    );
    server.kill();
}

#[test]
fn a_server_that_dies_midway_is_reported_with_the_calls_answered() {
    // sed quits after its sixth input line: initialize, initialized and four calls
    let (mut server, t0) = start(&format!("{} -e 6q", sed(&echo_rule())));
    let _dog = server.watchdog(STALL);
    server.handshake(&initialize(), t0).unwrap();
    let e = run(&mut server, &EchoCalls::new(1, 100, 10, None), 1).unwrap_err();
    assert!(e.contains("(4/100 calls answered)"), "{e}");
    assert!(
        e.contains("the server exited") || e.contains("closed its stdout"),
        "{e}"
    );
    server.kill();
}

#[test]
fn a_silent_server_is_stopped_by_the_watchdog() {
    let (mut server, _t0) = start("exec sleep 600");
    let _dog = server.watchdog(Duration::from_millis(200));
    let e = run(&mut server, &EchoCalls::new(1, 10, 10, None), 4).unwrap_err();
    assert!(e.contains("sent nothing for 200ms and was stopped"), "{e}");
    assert!(e.contains("(0/10 calls answered)"), "{e}");
    server.kill();
}

#[test]
fn server_requests_get_an_error_and_blank_lines_are_skipped() {
    let dir = std::env::temp_dir().join(format!("mcpwire-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seen = dir.join("requests.jsonl");
    // before each answer: a blank line and a sampling request with id 900 + the call's id
    let rule = format!(
        r#"s/{CALL}/\n{{"jsonrpc":"2.0","id":90\1,"method":"sampling\/createMessage","params":{{}}}}\n{ANSWER}/"#
    );
    let script = format!("tee {} | {}", seen.display(), sed(&rule));
    let (mut server, t0) = start(&script);
    let _dog = server.watchdog(STALL);
    server.handshake(&initialize(), t0).unwrap();
    let tally = run(&mut server, &EchoCalls::new(1, 9, 10, None), 3).unwrap();
    assert_eq!(tally.latencies.len(), 9);
    assert_eq!(server.shutdown(), Ok(false));
    let written = std::fs::read_to_string(&seen).unwrap();
    for id in 1..=9 {
        let reply = format!(r#"{{"jsonrpc":"2.0","id":90{id},"error":{{"code":-32601,"#);
        assert!(
            written.contains(&reply),
            "no -32601 for request 90{id}:\n{written}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_line_past_the_limit_ends_the_phase() {
    let spec_argv = argv(&sed(&echo_rule()));
    let spec = Spawn {
        max_line: 1024,
        ..Spawn::new(&spec_argv)
    };
    let (mut server, t0) = Server::spawn(&spec).unwrap();
    let _dog = server.watchdog(STALL);
    server.handshake(&initialize(), t0).unwrap();
    // 100 KiB of text echoed back: the buffer stops growing at 1 KiB
    let e = run(&mut server, &EchoCalls::new(1, 1, 100 * 1024, None), 1).unwrap_err();
    assert!(e.contains("a line longer than 1024 bytes"), "{e}");
    server.kill();
    // calls that fit go through
    let (mut server, t0) = Server::spawn(&spec).unwrap();
    let _dog = server.watchdog(STALL);
    server.handshake(&initialize(), t0).unwrap();
    assert_eq!(
        run(&mut server, &EchoCalls::new(1, 5, 100, None), 1)
            .unwrap()
            .latencies
            .len(),
        5
    );
    server.kill();
}

#[test]
fn a_refused_handshake_says_why() {
    let refuse = r#"-e 's/^.*"method":"initialize".*$/{"jsonrpc":"2.0","id":0,"error":{"code":-32600,"message":"nope"}}/'"#;
    let (mut server, t0) = start(&format!("sed -u -E {refuse}"));
    let _dog = server.watchdog(STALL);
    let e = server.handshake(&initialize(), t0).unwrap_err();
    assert_eq!(e, "initialize failed: nope (-32600)");
    server.kill();
    // a server that answers without the protocol version is refused too
    let bare = r#"-e 's/^.*"method":"initialize".*$/{"jsonrpc":"2.0","id":0,"result":{}}/'"#;
    let (mut server, t0) = start(&format!("sed -u -E {bare}"));
    let _dog = server.watchdog(STALL);
    let e = server.handshake(&initialize(), t0).unwrap_err();
    assert!(e.starts_with("bad initialize answer"), "{e}");
    server.kill();
    // with no handshake, nothing is sent and nothing awaited
    let (mut server, t0) = start(&sed(&echo_rule()));
    assert_eq!(server.handshake(&Handshake::None, t0), Ok(0));
    assert_eq!(
        run(&mut server, &EchoCalls::new(1, 3, 10, None), 3)
            .unwrap()
            .latencies
            .len(),
        3
    );
    server.kill();
}

#[test]
fn tool_calls_count_tool_errors_with_their_latency() {
    let rule = r#"s/^\{"jsonrpc":"2.0","id":([0-9]+),"method":"tools\/call".*$/{"jsonrpc":"2.0","id":\1,"result":{"content":[],"isError":true}}/"#;
    let (mut server, t0) = start(&sed(rule));
    let _dog = server.watchdog(STALL);
    server.handshake(&initialize(), t0).unwrap();
    let calls = ToolCalls::new(1, 40, "add", &serde_json::json!({"a": 1}), None);
    let tally = run(&mut server, &calls, 5).unwrap();
    assert_eq!(
        (tally.tool_errors, tally.failed, tally.latencies.len()),
        (40, 0, 40)
    );
    assert!(tally.first_error.unwrap().starts_with("isError: "));
    server.kill();
}
