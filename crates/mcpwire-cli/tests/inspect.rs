//! `mcpwire inspect`: the first line on stdout is the launch URL; a target
//! given on the command line is connected at start; `--config FILE`
//! alone offers the file's entries, which connect only when a token
//! holder asks.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// A running `mcpwire inspect`, killed on drop.
struct Inspect {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Inspect {
    fn start(args: &[&str]) -> Inspect {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mcpwire"))
            .args(["inspect", "--no-open", "--port", "0"])
            .args(args)
            .current_dir(common::repo_root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting mcpwire inspect");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Inspect {
            child,
            url: line.trim().to_owned(),
            http: reqwest::Client::new(),
        }
    }

    fn split(&self) -> (&str, &str) {
        self.url
            .split_once("/?token=")
            .unwrap_or_else(|| panic!("not a launch URL: {:?}", self.url))
    }

    /// `GET path` with the token: the status and the JSON body.
    async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let (origin, _) = self.split();
        let mut req = self.http.get(format!("{origin}{path}"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let (origin, token) = self.split();
        let res = self
            .http
            .post(format!("{origin}{path}"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The servers, once `ready` holds of them (10 s at most): the list is
    /// read again each time the live feed announces something, so nothing
    /// waits longer than the change it waits for.
    async fn servers_when(&self, ready: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let (origin, token) = self.split();
        // Listening first, so that no change after the first read is missed.
        let mut feed = self
            .http
            .get(format!("{origin}/api/events"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(feed.status(), 200);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let (status, v) = self.get("/api/servers", Some(token)).await;
            assert_eq!(status, 200);
            let list = v["servers"].as_array().cloned().unwrap_or_default();
            if ready(&list) {
                return list;
            }
            match tokio::time::timeout_at(deadline, feed.chunk()).await {
                Ok(Ok(Some(_))) => {}
                other => panic!("the servers never got there ({other:?}): {list:?}"),
            }
        }
    }
}

impl Drop for Inspect {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_first_line_is_the_url_and_the_target_connects_at_start() {
    let echo = common::echo();
    let i = Inspect::start(&["--", echo.to_str().unwrap(), "stdio"]);
    let (origin, token) = i.split();
    assert!(origin.starts_with("http://127.0.0.1:"), "{}", i.url);
    assert_eq!(token.len(), 64);
    assert_eq!(i.get("/api/servers", None).await.0, 401);
    let servers = i
        .servers_when(|s| s.len() == 1 && s[0]["state"] != "connecting")
        .await;
    let s = &servers[0];
    assert_eq!(s["state"], "connected", "{s}");
    assert_eq!(s["serverInfo"]["name"], "mcpwire-echo");
    assert_eq!(s["mode"], "auto");
    assert_eq!(s["era"], "modern");
    let (status, r) = i
        .post(
            "/api/servers/1/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 2}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(r["result"]["content"][0]["text"], "3", "{r}");
    // The call is in the protocol log, both ways.
    let (_, log) = i.get("/api/servers/1/log", Some(token)).await;
    let log = log.as_array().unwrap();
    let call = log
        .iter()
        .find(|e| e["dir"] == "out" && e["frame"]["method"] == "tools/call")
        .expect("the request is logged");
    assert!(
        log.iter()
            .any(|e| e["dir"] == "in" && e["frame"]["id"] == call["frame"]["id"]),
        "the answer is logged"
    );
}

#[tokio::test]
async fn config_entries_are_offered_and_start_only_when_asked() {
    let echo = common::echo();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("mcp.json");
    std::fs::write(
        &config,
        json!({"mcpServers": {
            "echo": {"command": echo, "args": ["stdio"]},
            "remote": {"url": "http://127.0.0.1:9/mcp"},
            "broken": {"command": "sh", "args": ["-c", "echo boom-on-stderr >&2; exit 3"]},
        }})
        .to_string(),
    )
    .unwrap();
    let i = Inspect::start(&["--config", config.to_str().unwrap()]);
    let token = i.split().1.to_owned();
    let (_, v) = i.get("/api/servers", Some(&token)).await;
    assert_eq!(v["servers"], json!([]), "nothing starts by itself");
    let names: Vec<&str> = v["config"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["broken", "echo", "remote"]);
    let (status, _) = i.post("/api/servers", json!({"config": "echo"})).await;
    assert_eq!(status, 202);
    let (status, _) = i
        .post(
            "/api/servers",
            json!({"config": "remote", "mode": "legacy"}),
        )
        .await;
    assert_eq!(status, 202);
    let (status, _) = i.post("/api/servers", json!({"config": "broken"})).await;
    assert_eq!(status, 202);
    let servers = i
        .servers_when(|s| s.len() == 3 && s.iter().all(|x| x["state"] != "connecting"))
        .await;
    assert_eq!(servers[0]["label"], "echo");
    assert_eq!(servers[0]["state"], "connected");
    // Nothing listens on port 9: the page is told why.
    assert_eq!(servers[1]["state"], "failed");
    assert_eq!(servers[1]["mode"], "legacy");
    let why = servers[1]["error"].as_str().unwrap();
    assert!(why.contains("http://127.0.0.1:9/mcp"), "{why}");
    // A child that exits: its status and the end of its stderr.
    assert_eq!(servers[2]["state"], "failed");
    let why = servers[2]["error"].as_str().unwrap();
    assert!(why.contains("exit status: 3"), "{why}");
    assert!(why.contains("boom-on-stderr"), "{why}");
    assert_eq!(
        i.post("/api/servers", json!({"config": "nope"})).await.0,
        404
    );
}

/// The pids of `pid`'s children, from `/proc`.
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Whether process `pid` still runs (a zombie waiting to be reaped does not).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| !rest.starts_with('Z')))
        .unwrap_or(false)
}

#[tokio::test]
async fn sigterm_stops_the_inspector_and_the_servers_it_started() {
    let echo = common::echo();
    let mut i = Inspect::start(&["--", echo.to_str().unwrap(), "stdio"]);
    i.servers_when(|s| s.len() == 1 && s[0]["state"] == "connected")
        .await;
    let pid = i.child.id();
    let kids = children_of(pid);
    assert_eq!(kids.len(), 1, "the echo server runs as a child: {kids:?}");
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || {
        let exit = i.child.wait();
        (exit, i)
    });
    let (exit, _i) = tokio::time::timeout(Duration::from_secs(10), exit)
        .await
        .expect("inspect stops within 10 s of SIGTERM")
        .unwrap();
    assert!(exit.unwrap().success(), "a clean exit");
    // Its child went with it (the inspector closed it; nothing is left to
    // init to reap).
    assert!(
        !running(kids[0]),
        "the echo server {} is left running",
        kids[0]
    );
}

#[tokio::test]
async fn a_tcp_server_is_inspected_too() {
    let mut echo = Command::new(common::echo())
        .args(["tcp", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(echo.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_owned();
    assert!(url.starts_with("tcp://127.0.0.1:"), "{url}");
    let i = Inspect::start(&[&url]);
    let servers = i
        .servers_when(|s| s.len() == 1 && s[0]["state"] != "connecting")
        .await;
    assert_eq!(servers[0]["state"], "connected", "{}", servers[0]);
    assert_eq!(servers[0]["transport"], "tcp");
    assert_eq!(servers[0]["target"], url.as_str());
    let (_, r) = i
        .post(
            "/api/servers/1/call",
            json!({"name": "echo", "arguments": {"text": "over tcp"}}),
        )
        .await;
    assert_eq!(r["result"]["content"][0]["text"], "over tcp", "{r}");
    let _ = echo.kill();
    let _ = echo.wait();
}
