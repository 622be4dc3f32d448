//! The echo example over real stdio pipes: the mcpwire client drives it, and
//! raw bytes probe every bad input the spec names.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use mcpwire::client::Client;
use mcpwire::transport::ChildProcess;
use mcpwire::types::ContentBlock;
use serde_json::{Value, json};

async fn client() -> Client {
    let t = ChildProcess::new(common::example("echo"))
        .arg("stdio")
        .spawn()
        .unwrap();
    Client::builder("stdio-test", "1").connect(t).await.unwrap()
}

fn text(r: &mcpwire::types::CallToolResult) -> String {
    r.content.iter().filter_map(ContentBlock::as_text).collect()
}

#[tokio::test]
async fn the_client_lists_and_calls_echo_and_add() {
    let c = client().await;
    assert_eq!(c.server_info().name, "mcpwire-echo");
    let tools: Vec<String> = c
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(tools, ["echo", "add"]);
    for t in [
        "hello",
        "héllo 🌍 世界",
        "line1\nline2\r\n\ttab \"q\" \\ \u{0}",
    ] {
        assert_eq!(
            text(&c.call_tool("echo", json!({"text": t})).await.unwrap()),
            t
        );
    }
    let big = "x".repeat(8 * 1024 * 1024);
    let r = c.call_tool("echo", json!({"text": big})).await.unwrap();
    assert_eq!(r.content.len(), 1);
    assert_eq!(text(&r).len(), big.len());
    assert_eq!(
        text(&c.call_tool("add", json!({"a": 2, "b": 3})).await.unwrap()),
        "5"
    );
    assert_eq!(
        text(&c.call_tool("add", json!({"a": 2, "b": 3.5})).await.unwrap()),
        "5.5"
    );
    c.close().await;
}

#[tokio::test]
async fn concurrent_calls_are_all_answered() {
    let c = client().await;
    let calls = (0..200).map(|i| {
        let c = &c;
        async move {
            let r = c
                .call_tool("echo", json!({"text": format!("call {i}")}))
                .await
                .unwrap();
            assert_eq!(text(&r), format!("call {i}"));
        }
    });
    futures_util::future::join_all(calls).await;
    c.close().await;
}

/// A raw stdio session with the example.
struct Raw {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
}

impl Raw {
    fn start() -> Raw {
        let mut child = Command::new(common::example("echo"))
            .arg("stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        Raw { child, out }
    }

    fn send(&mut self, bytes: &[u8]) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    fn recv(&mut self) -> Value {
        let mut line = String::new();
        self.out.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    }

    fn initialize(&mut self, version: &str) {
        self.send(json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":version,"capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}).to_string().as_bytes());
        assert_eq!(self.recv()["result"]["protocolVersion"], version);
        self.send(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    }
}

#[test]
fn bad_input_gets_the_json_rpc_error_and_the_server_keeps_serving() {
    let mut raw = Raw::start();
    raw.initialize("2025-11-25");
    let cases: Vec<(&[u8], i64, Value)> = vec![
        (b"{not json", -32700, Value::Null),
        (b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}", -32700, Value::Null),
        (br#"{"jsonrpc":"1.0","id":2,"method":"ping"}"#, -32600, json!(2)),
        (br#"{"id":3,"method":"ping"}"#, -32600, json!(3)),
        (br#"{"jsonrpc":"2.0","id":4}"#, -32600, json!(4)),
        (br#"{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}"#, -32600, Value::Null),
        (br#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, -32600, Value::Null),
        (b"12345", -32600, Value::Null),
        (b"[]", -32600, Value::Null),
        (br#"[{"jsonrpc":"2.0","id":5,"method":"ping"}]"#, -32600, Value::Null),
        (br#"{"jsonrpc":"2.0","id":6,"method":"no/such/method"}"#, -32601, json!(6)),
        (br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"nope","arguments":{}}}"#, -32602, json!(7)),
        (br#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"arguments":{}}}"#, -32602, json!(8)),
        (br#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":7}}"#, -32602, json!(9)),
    ];
    for (bytes, code, id) in cases {
        raw.send(bytes);
        let reply = raw.recv();
        assert_eq!(
            reply["error"]["code"],
            json!(code),
            "{} -> {reply}",
            String::from_utf8_lossy(bytes)
        );
        assert_eq!(
            reply["id"],
            id,
            "{} -> {reply}",
            String::from_utf8_lossy(bytes)
        );
        assert!(
            reply["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    // Arguments that break the tool's input schema: an isError result.
    raw.send(br#"{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"add","arguments":{"a":"two","b":3}}}"#);
    let reply = raw.recv();
    assert_eq!(reply["result"]["isError"], json!(true), "{reply}");
    // Still serving, with nothing lost.
    raw.send(br#"{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"echo","arguments":{"text":"alive"}}}"#);
    assert_eq!(raw.recv()["result"]["content"][0]["text"], "alive");
}

#[test]
fn batches_are_served_on_2025_03_26_only() {
    let mut raw = Raw::start();
    raw.initialize("2025-03-26");
    raw.send(br#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":1}}},{"jsonrpc":"1.0","id":3}]"#);
    let reply = raw.recv();
    let items = reply
        .as_array()
        .unwrap_or_else(|| panic!("a batch answer: {reply}"));
    assert_eq!(items.len(), 3, "{reply}");
    let by_id = |id: i64| items.iter().find(|i| i["id"] == json!(id)).unwrap().clone();
    assert_eq!(by_id(1)["result"], json!({}));
    assert_eq!(by_id(2)["result"]["content"][0]["text"], "2");
    assert_eq!(by_id(3)["error"]["code"], -32600);
}

#[test]
fn the_server_exits_cleanly_when_stdin_closes() {
    let mut raw = Raw::start();
    raw.initialize("2025-11-25");
    // A request written just before EOF is still answered.
    raw.send(br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"last"}}}"#);
    drop(raw.child.stdin.take());
    assert_eq!(raw.recv()["result"]["content"][0]["text"], "last");
    // The exit itself is the event: waited for on a thread, within a deadline.
    let Raw { mut child, .. } = raw;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("the server exits within 5 s of stdin closing")
        .unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn stdout_carries_only_protocol_messages() {
    let mut raw = Raw::start();
    raw.initialize("2025-11-25");
    raw.send(br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#);
    raw.send(b"garbage");
    drop(raw.child.stdin.take());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut raw.out, &mut rest).unwrap();
    for line in rest.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["jsonrpc"], "2.0");
    }
    assert_eq!(rest.lines().count(), 2);
}
