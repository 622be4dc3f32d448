//! `mcpwire serve ... --http ADDR --redis URL` with real parts: a private
//! Redis, two instances of the binary, HAProxy balancing round-robin
//! between them with no stickiness, and a real client in a 2025-11-25
//! session through it. Also the refusals: `--redis` without `--http`, and
//! a Redis that cannot be reached or refuses the password.

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::{echo, mcpwire};
use mcpwire::client::{Client, ClientMode};
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire_testkit::parts::{Balancer, RedisServer, free_port};
use serde_json::json;

/// The text of ticket 43 of the seeded support desk.
const TICKET_43: &str = "Invoice PDF not loading";

/// A server process started with port 0, killed on drop.
struct Instance {
    child: Child,
    /// The endpoint it printed on stdout once it listened.
    url: String,
}

impl Instance {
    /// Starts `command` and reads the endpoint it prints on stdout.
    fn start(mut command: Command) -> Instance {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting the server");
        let url = common::endpoint_of(&mut child, "the server");
        Instance { child, url }
    }

    /// `mcpwire serve support-desk --db DB --http 127.0.0.1:0 --redis URL`.
    fn support_desk(db: &std::path::Path, redis: &str) -> Instance {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mcpwire"));
        c.args(["serve", "support-desk", "--db"]).arg(db).args([
            "--http",
            "127.0.0.1:0",
            "--redis",
            redis,
        ]);
        Instance::start(c)
    }

    /// Where it listens.
    fn addr(&self) -> SocketAddr {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches("/mcp")
            .parse()
            .expect("a socket address")
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-serve-redis");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}.db", std::process::id()));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    path
}

/// Reads `ticket://43` in the session `sid` straight from the instance at
/// `url`: the status and the body.
async fn read_ticket_in(url: &str, sid: &str, version: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("Mcp-Session-Id", sid)
        .header("MCP-Protocol-Version", version)
        .json(&json!({
            "jsonrpc": "2.0",
            "id": 4343,
            "method": "resources/read",
            "params": {"uri": "ticket://43"},
        }))
        .send()
        .await
        .expect("sending to an instance");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_a_balancer_serve_one_session() {
    let redis = RedisServer::start();
    // One database for both, as instances of one service share theirs.
    let db = temp_db("balanced");
    // The first instance creates and seeds the database before the second
    // opens it.
    let a = Instance::support_desk(&db, &redis.url());
    let b = Instance::support_desk(&db, &redis.url());
    let lb = Balancer::start(&[a.addr(), b.addr()]);

    let transport = HttpClientTransport::builder(lb.mcp_url())
        .build()
        .expect("a client transport");
    let handle = transport.handle();
    let client = Client::builder("cli-redis-test", "1")
        .mode(ClientMode::Legacy)
        .connect(transport)
        .await
        .expect("a session through the balancer");
    assert_eq!(client.protocol_version().to_string(), "2025-11-25");
    // Round-robin with no stickiness: these land on both instances in turn.
    for round in 0..4 {
        let tools = client.list_tools().await.expect("tools/list");
        assert!(
            tools.iter().any(|t| t.name == "close_ticket"),
            "round {round}: {tools:?}"
        );
        let read = client
            .read_resource("ticket://43")
            .await
            .expect("resources/read");
        assert!(
            format!("{read:?}").contains(TICKET_43),
            "round {round}: {read:?}"
        );
        client.ping().await.expect("ping");
    }
    let closed = client
        .call_tool(
            "close_ticket",
            json!({"ticket_id": 44, "resolution": "Served by two instances"}),
        )
        .await
        .expect("tools/call");
    assert!(!closed.is_error(), "{closed:?}");

    // Each instance serves the session on its own URL: the session lives
    // in Redis, not in the instance that opened it.
    let sid = handle.session_id().expect("a session id");
    let version = handle.protocol_version().expect("a negotiated revision");
    for instance in [&a, &b] {
        let (status, body) = read_ticket_in(&instance.url, &sid, &version).await;
        assert_eq!(status, 200, "{}: {body}", instance.url);
        assert!(body.contains(TICKET_43), "{}: {body}", instance.url);
        // A session nobody opened is unknown to both.
        let (status, body) = read_ticket_in(&instance.url, "no-such-session", &version).await;
        assert_eq!(status, 404, "{}: {body}", instance.url);
    }
    client.close().await;
}

#[test]
fn redis_without_http_is_a_usage_error() {
    let db = temp_db("no-http");
    let db_s = db.to_str().unwrap();
    let run = mcpwire([
        "serve",
        "support-desk",
        "--db",
        db_s,
        "--redis",
        "redis://127.0.0.1:6379",
    ])
    .expect(2);
    assert!(run.stderr.contains("--redis"), "{run:#?}");
    assert!(run.stderr.contains("--http"), "{run:#?}");
    assert!(!db.exists(), "the database was created before the refusal");
    let run = mcpwire([
        "serve",
        "sqlite",
        "--sample",
        "--redis",
        "redis://127.0.0.1:6379",
    ])
    .expect(2);
    assert!(run.stderr.contains("--http"), "{run:#?}");
}

/// Runs `mcpwire serve support-desk --http 127.0.0.1:0` with `redis` given
/// as `--redis` or, with `flag` false, as `MCPWIRE_REDIS_URL`.
fn serve_with(redis: &str, flag: bool) -> common::Run {
    let db = temp_db("unreachable");
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcpwire"));
    c.args(["serve", "support-desk", "--db"])
        .arg(&db)
        .args(["--http", "127.0.0.1:0"])
        .stdin(Stdio::null());
    if flag {
        c.args(["--redis", redis]).env_remove("MCPWIRE_REDIS_URL");
    } else {
        c.env("MCPWIRE_REDIS_URL", redis);
    }
    let run = common::Run::from_output(c.output().expect("running mcpwire"));
    assert!(!db.exists(), "the database was created: {run:#?}");
    run
}

#[test]
fn an_unreachable_redis_stops_the_start_naming_it_without_the_password() {
    let port = free_port();
    let url = format!("redis://app:hunter22@127.0.0.1:{port}");
    for flag in [true, false] {
        let run = serve_with(&url, flag).expect(3);
        assert!(
            run.stderr
                .contains(&format!("redis://***@127.0.0.1:{port}")),
            "{run:#?}"
        );
        assert!(run.stderr.contains("unreachable"), "{run:#?}");
        assert!(!run.stderr.contains("hunter22"), "{run:#?}");
        assert!(run.stdout.is_empty(), "it never listened: {run:#?}");
    }
    // A Redis that refuses the password stops it too.
    let redis = RedisServer::start_with(&["--requirepass", "the-right-one"]);
    let url = format!("redis://:hunter22@127.0.0.1:{}", redis.port());
    let run = serve_with(&url, true).expect(3);
    assert!(
        run.stderr
            .contains(&format!("redis://***@127.0.0.1:{}", redis.port())),
        "{run:#?}"
    );
    assert!(!run.stderr.contains("hunter22"), "{run:#?}");
}

#[test]
fn the_flag_wins_over_the_environment() {
    let redis = RedisServer::start();
    let db = temp_db("flag-wins");
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcpwire"));
    c.args(["serve", "support-desk", "--db"])
        .arg(&db)
        .args(["--http", "127.0.0.1:0", "--redis", &redis.url()])
        .env(
            "MCPWIRE_REDIS_URL",
            format!("redis://127.0.0.1:{}", free_port()),
        );
    // It starts, on the flag's Redis, and serves.
    let instance = Instance::start(c);
    let run = mcpwire(["--json", "read", &instance.url, "ticket://43"]).expect(0);
    assert!(run.stdout.contains(TICKET_43), "{run:#?}");
    assert!(
        redis.cli(&["DBSIZE"]).trim() != "0",
        "nothing was written to the flag's Redis"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_echo_example_shares_sessions_through_redis() {
    let redis = RedisServer::start();
    let start = || {
        let mut c = Command::new(echo());
        c.args(["http", "127.0.0.1:0", "--redis", &redis.url()]);
        Instance::start(c)
    };
    let (a, b) = (start(), start());
    let lb = Balancer::start(&[a.addr(), b.addr()]);
    let client = Client::builder("cli-redis-test", "1")
        .mode(ClientMode::Legacy)
        .connect(HttpClientTransport::builder(lb.mcp_url()).build().unwrap())
        .await
        .expect("a session through the balancer");
    for n in 0..4 {
        let text = format!("hello {n}");
        let answer = client
            .call_tool("echo", json!({ "text": text }))
            .await
            .expect("tools/call");
        assert!(format!("{answer:?}").contains(&text), "{answer:?}");
    }
    client.close().await;
}

#[test]
fn the_readme_shows_the_balancer_configuration_the_tests_run() {
    let readme = std::fs::read_to_string(common::repo_root().join("README.md")).unwrap();
    let section = readme
        .split_once("\n## Running several instances\n")
        .expect("README.md has the section")
        .1
        .split("\n## ")
        .next()
        .unwrap_or_default();
    let shown = section
        .split_once("```haproxy\n")
        .expect("the section shows an HAProxy configuration")
        .1
        .split_once("```")
        .expect("the block ends")
        .0;
    let servers: Vec<SocketAddr> = ["127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003"]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    assert_eq!(
        shown,
        mcpwire_testkit::parts::haproxy_config(8080, &servers)
    );
    // Three instances on those ports, sharing one Redis.
    for addr in &servers {
        let line = format!("--http {addr} --redis redis://");
        assert!(section.contains(&line), "no command line with `{line}`");
    }
}

#[test]
fn the_environment_variable_leaves_stdio_alone() {
    // A stdio server started where MCPWIRE_REDIS_URL is set (for the HTTP
    // instances) still runs: the variable applies to --http only.
    let db = temp_db("stdio-env");
    let exe = env!("CARGO_BIN_EXE_mcpwire");
    let out = Command::new(exe)
        .args([
            "read",
            "ticket://43",
            "--",
            exe,
            "serve",
            "support-desk",
            "--db",
        ])
        .arg(&db)
        .env(
            "MCPWIRE_REDIS_URL",
            format!("redis://127.0.0.1:{}", free_port()),
        )
        .stdin(Stdio::null())
        .output()
        .expect("running mcpwire");
    let run = common::Run::from_output(out).expect(0);
    assert!(run.stdout.contains(TICKET_43), "{run:#?}");
}
