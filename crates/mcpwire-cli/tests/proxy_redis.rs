//! `mcpwire proxy --listen ADDR --redis URL -- CMD` with real parts: a
//! private Redis, three instances of the binary each proxying the proxy
//! test server, HAProxy balancing round-robin between them with no
//! stickiness, and a real client in a 2025-11-25 session through it. The
//! session's process lives in one instance; the others forward to it
//! through Redis. When that instance dies, the session dies with its
//! process: the others answer 404, and the client starts a new session
//! instead of hanging.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use mcpwire::client::{Client, ClientMode};
use mcpwire::transport::http_client::{HttpClientHandle, HttpClientTransport};
use mcpwire::types::{ElicitAction, ElicitResult};
use mcpwire_testkit::parts::{Balancer, RedisServer};
use serde_json::json;

/// How long anything that should happen soon may take.
const PATIENCE: Duration = Duration::from_secs(20);

/// The proxy test server of the test crate, built once per test binary
/// with the profile of the tests.
fn test_server() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("test binary path");
        let profile_dir = exe
            .parent()
            .and_then(std::path::Path::parent)
            .expect("target profile dir");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args([
            "build",
            "-q",
            "-p",
            "mcpwire-tests",
            "--bin",
            "mcpwire-proxy-test-server",
        ]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("running cargo build");
        assert!(status.success(), "building the proxy test server failed");
        let path = profile_dir.join("mcpwire-proxy-test-server");
        assert!(path.exists(), "{} missing after the build", path.display());
        path
    })
    .clone()
}

/// `mcpwire proxy --listen 127.0.0.1:0 --redis URL -- test-server`, killed
/// on drop.
struct Instance {
    child: Child,
    /// The endpoint it printed on stdout once it listened.
    url: String,
    /// Its instance name, from what it printed on stderr.
    name: String,
}

impl Instance {
    fn start(redis: &str) -> Instance {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mcpwire"))
            .args(["proxy", "--listen", "127.0.0.1:0", "--redis", redis, "--"])
            .arg(test_server())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting the proxy");
        let url = common::endpoint_of(&mut child, "the proxy");
        let mut stderr = BufReader::new(child.stderr.take().expect("piped stderr"));
        let mut said = String::new();
        stderr
            .read_line(&mut said)
            .expect("reading the proxy's stderr");
        let name = said
            .split_once("as instance ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("the proxy said {said:?}, naming no instance"))
            .to_owned();
        // The rest of what it says goes on to the test's stderr.
        std::thread::spawn(move || {
            for line in stderr.lines() {
                let Ok(line) = line else { break };
                eprintln!("proxy: {line}");
            }
        });
        Instance { child, url, name }
    }

    fn addr(&self) -> SocketAddr {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches("/mcp")
            .parse()
            .expect("a socket address")
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A `tools/list` in session `sid`, sent straight to `url`: its status
/// and body.
async fn list_in(url: &str, sid: &str) -> (u16, String) {
    let answer = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("Mcp-Session-Id", sid)
        .header("MCP-Protocol-Version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "id": 7, "method": "tools/list"}))
        .send()
        .await
        .expect("sending to an instance");
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap_or_default())
}

/// A client in a 2025-11-25 session through `url`, answering elicitations
/// with the name "tunnel"; its transport's handle, and its session id.
async fn session(url: &str) -> (Client, HttpClientHandle, String) {
    let transport = HttpClientTransport::builder(url)
        .build()
        .expect("a client transport");
    let handle = transport.handle();
    let client = Client::builder("cli-proxy-redis-test", "1")
        .mode(ClientMode::Legacy)
        .on_elicitation(|_p| async move {
            Ok(ElicitResult {
                action: ElicitAction::Accept,
                content: Some(serde_json::from_value(json!({"name": "tunnel"})).unwrap()),
                meta: None,
            })
        })
        .connect(transport)
        .await
        .expect("a session through the balancer");
    assert_eq!(client.protocol_version().to_string(), "2025-11-25");
    let sid = handle.session_id().expect("a session id");
    (client, handle, sid)
}

fn text(result: &mcpwire::types::CallToolResult) -> String {
    serde_json::to_value(result).unwrap()["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_proxies_behind_a_balancer_serve_one_session_from_its_owner() {
    let redis = RedisServer::start();
    let mut instances: Vec<Instance> = (0..3).map(|_| Instance::start(&redis.url())).collect();
    let addrs: Vec<SocketAddr> = instances.iter().map(Instance::addr).collect();
    let lb = Balancer::start(&addrs);

    let (client, _handle, sid) = session(&lb.mcp_url()).await;
    let owner = sid.split_once('.').expect("an owner in the session id").0;
    assert!(
        instances.iter().any(|i| i.name == owner),
        "{sid} names none of the instances"
    );
    let before = lb.served();
    // Round-robin with no stickiness: these land on every instance, and
    // all reach the one process of the session.
    let mut pids = Vec::new();
    for round in 0..9 {
        let echoed = client
            .call_tool("echo", json!({"text": format!("round {round}")}))
            .await
            .expect("tools/call echo");
        assert_eq!(text(&echoed), format!("round {round}"));
        pids.push(text(
            &client.call_tool("pid", json!({})).await.expect("pid"),
        ));
    }
    pids.dedup();
    assert_eq!(pids.len(), 1, "one process serves the session: {pids:?}");
    let after = lb.served();
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert!(
            a > b,
            "instance {i} served none of the calls: {before:?} -> {after:?}"
        );
    }
    // A request of the server to the client, and the client's answer,
    // both through the balancer.
    for _ in 0..3 {
        let asked = client
            .call_tool("ask", json!({}))
            .await
            .expect("tools/call ask");
        assert_eq!(text(&asked), "hello tunnel");
    }
    // DELETE through the balancer ends it for every instance.
    let ended = reqwest::Client::new()
        .delete(lb.mcp_url())
        .header("Mcp-Session-Id", &sid)
        .header("MCP-Protocol-Version", "2025-11-25")
        .send()
        .await
        .expect("DELETE");
    assert_eq!(ended.status().as_u16(), 200);
    for i in &instances {
        assert_eq!(list_in(&i.url, &sid).await.0, 404, "{}", i.url);
    }
    drop(client);

    // A new session; then its owner dies with the session's process.
    let (client, handle, sid) = session(&lb.mcp_url()).await;
    let owner = sid.split_once('.').expect("an owner").0.to_owned();
    client.ping().await.expect("ping");
    let dead = instances
        .iter()
        .position(|i| i.name == owner)
        .expect("the owner is one of the instances");
    instances[dead].kill();
    // The survivors answer the session's requests with 404 and a JSON-RPC
    // error saying why, once they see the owner is gone.
    for (i, instance) in instances.iter().enumerate() {
        if i != dead {
            let (status, body) = tokio::time::timeout(PATIENCE, list_in(&instance.url, &sid))
                .await
                .expect("an answer in time");
            assert_eq!(status, 404, "{}: {body}", instance.url);
            assert!(body.contains("-32001"), "{}: {body}", instance.url);
        }
    }
    // The client's next call is answered, not left hanging: the 404 makes
    // it start a new session, held by a surviving instance.
    let next = tokio::time::timeout(PATIENCE, client.call_tool("echo", json!({"text": "x"})))
        .await
        .expect("the call after the owner died got an answer in time")
        .expect("the call went through in a new session");
    assert_eq!(text(&next), "x");
    let renewed = handle.session_id().expect("a session id");
    assert_ne!(renewed, sid);
    assert_ne!(renewed.split_once('.').expect("an owner").0, owner);
}
