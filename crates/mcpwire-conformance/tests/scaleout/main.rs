//! Several conformance server instances sharing one Redis behind HAProxy
//! (round-robin, no stickiness), driven by real clients: the official
//! Python SDK holds a session and answers the server's requests while its
//! requests spread over the instances; a stream cut mid-way resumes on
//! another instance; an instance killed with SIGKILL loses only its own
//! requests; and Redis stopped under load costs 503s, never a hang, and
//! service comes back by itself.

mod deployment;

use std::time::{Duration, Instant};

use deployment::Deployment;
use mcpwire_testkit::http::sse::parse;
use mcpwire_testkit::interop::peers;
use mcpwire_testkit::within;
use serde_json::{Value, json};

const PATIENCE: Duration = Duration::from_secs(15);
const ACCEPT: &str = "application/json, text/event-stream";

/// A 2025-11-25 session spoken by hand over raw HTTP.
struct Session {
    http: reqwest::Client,
    id: String,
}

impl Session {
    async fn open(url: &str) -> Session {
        let http = reqwest::Client::builder()
            .timeout(PATIENCE)
            .build()
            .unwrap();
        let init = json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
            "protocolVersion":"2025-11-25","capabilities":{},
            "clientInfo":{"name":"scaleout-test","version":"0"}}});
        let r = post(&http, url, None, &init).await;
        assert_eq!(r.status(), 200, "initialize");
        let id = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
        let r = post(
            &http,
            url,
            Some(&id),
            &json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
        )
        .await;
        assert_eq!(r.status(), 202);
        Session { http, id }
    }

    async fn post(&self, url: &str, body: &Value) -> reqwest::Response {
        post(&self.http, url, Some(&self.id), body).await
    }

    /// Resumes a stream at `url` after the event `last`.
    async fn resume(&self, url: &str, last: &str) -> reqwest::Response {
        self.http
            .get(url)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &self.id)
            .header("mcp-protocol-version", "2025-11-25")
            .header("last-event-id", last)
            .send()
            .await
            .unwrap()
    }

    /// Calls `test_simple_text` and checks the answer.
    async fn call_ok(&self, url: &str, id: u64) {
        let r = self.post(url, &call(id, "test_simple_text")).await;
        assert_eq!(r.status(), 200, "call {id} through {url}");
        let body = answer(r).await;
        assert_eq!(body["id"], id);
        assert_eq!(
            body["result"]["content"][0]["text"], "This is a simple text response for testing.",
            "{body}"
        );
    }
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    session: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut req = http
        .post(url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .body(body.to_string());
    if let Some(s) = session {
        req = req
            .header("mcp-session-id", s)
            .header("mcp-protocol-version", "2025-11-25");
    }
    req.send().await.unwrap()
}

fn call(id: u64, tool: &str) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":tool,"arguments":{}}})
}

/// The JSON-RPC answer of a response, plain JSON or the last SSE event.
async fn answer(r: reqwest::Response) -> Value {
    let sse = r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream");
    let text = r.text().await.unwrap();
    if !sse {
        return serde_json::from_str(&text).unwrap();
    }
    text.split("\n\n")
        .filter_map(parse)
        .filter(|(_, d)| !d.is_empty())
        .map(|(_, d)| serde_json::from_str::<Value>(&d).unwrap())
        .find(|m| m.get("result").is_some() || m.get("error").is_some())
        .expect("an answer on the stream")
}

/// Reads SSE events off a response one at a time.
struct Events {
    r: reqwest::Response,
    buf: String,
}

impl Events {
    fn new(r: reqwest::Response) -> Events {
        Events {
            r,
            buf: String::new(),
        }
    }

    /// The next event with data, and its id; `None` once the stream ends
    /// or breaks.
    async fn next(&mut self) -> Option<(Option<String>, Value)> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                if let Some((id, data)) = parse(&block)
                    && !data.is_empty()
                {
                    return Some((id, serde_json::from_str(&data).unwrap()));
                }
                continue;
            }
            let chunk = within(PATIENCE, "the next event", self.r.chunk()).await;
            match chunk {
                Ok(Some(c)) => self.buf.push_str(&String::from_utf8_lossy(&c)),
                // Ended, or broken (its server died): no more events.
                Ok(None) | Err(_) => return None,
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_served_by_every_instance_and_ends_everywhere() {
    every_instance_serves_the_session(Deployment::start(3, &[])).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_redis_cluster_a_session_is_served_by_every_instance() {
    let d = Deployment::on_cluster(3);
    // The session's keys share one slot, so they sit on one master.
    every_instance_serves_the_session(d).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_redis_cluster_a_stream_cut_midway_resumes_on_another_instance() {
    stream_cut_resumes_elsewhere(Deployment::on_cluster(3)).await;
}

async fn every_instance_serves_the_session(d: Deployment) {
    let s = Session::open(&d.url()).await;
    for id in 1..=9 {
        s.call_ok(&d.url(), id).await;
    }
    // Round-robin spread the session's requests over all three.
    let served = d.balancer.served();
    assert!(
        served.iter().all(|&n| n >= 3),
        "requests per instance: {served:?}"
    );
    // Straight to each instance, the same session works too.
    for (i, instance) in d.instances.iter().enumerate() {
        s.call_ok(&instance.url, 100 + i as u64).await;
    }
    // DELETE through one instance ends it on all.
    let r = s
        .http
        .delete(&d.instances[0].url)
        .header("mcp-session-id", &s.id)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for instance in &d.instances {
        let r = s.post(&instance.url, &call(200, "test_simple_text")).await;
        assert_eq!(r.status(), 404, "{}", instance.url);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the interop peers"]
async fn the_python_sdk_holds_a_session_and_answers_the_server_across_instances() {
    let d = Deployment::start(3, &[]);
    let before = d.balancer.served();
    let rounds = 6;
    let out = peers()
        .python_script("py_scaleout_client.py")
        .args(["--url", &d.url(), "--rounds", &rounds.to_string()])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs the Python driver");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    let summary: Value = serde_json::from_str(stdout.trim()).expect("a JSON summary");
    assert_eq!(summary["protocolVersion"], "2025-11-25", "{summary}");
    assert_eq!(summary["answered"]["elicitation"], rounds, "{summary}");
    assert_eq!(summary["answered"]["sampling"], rounds, "{summary}");
    let after = d.balancer.served();
    let spread: Vec<u64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    // Each round is two calls, a list and two answers, at least: every
    // instance got a share of them.
    assert!(
        spread.iter().all(|&n| n >= rounds),
        "requests per instance: {spread:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_cut_midway_resumes_on_another_instance_with_nothing_lost_or_repeated() {
    stream_cut_resumes_elsewhere(Deployment::start(3, &[])).await;
}

async fn stream_cut_resumes_elsewhere(d: Deployment) {
    let s = Session::open(&d.url()).await;
    // The call runs on instance 0: three log messages 50 ms apart, then
    // the answer.
    let r = s
        .post(&d.instances[0].url, &call(7, "test_tool_with_logging"))
        .await;
    let mut events = Events::new(r);
    let (first_id, first) = events.next().await.expect("a first event");
    assert_eq!(first["method"], "notifications/message", "{first}");
    let first_id = first_id.expect("events carry ids");
    drop(events);
    // The client resumes on instance 1, which did not run the call.
    let r = s.resume(&d.instances[1].url, &first_id).await;
    assert_eq!(r.status(), 200);
    let mut events = Events::new(r);
    let mut rest = Vec::new();
    while let Some((_, m)) = events.next().await {
        let done = m.get("result").is_some();
        rest.push(m);
        if done {
            break;
        }
    }
    let logs: Vec<&str> = rest
        .iter()
        .filter(|m| m["method"] == "notifications/message")
        .map(|m| m["params"]["data"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        logs,
        ["Tool processing data", "Tool execution completed"],
        "{rest:?}"
    );
    let last = rest.last().unwrap();
    assert_eq!(last["id"], 7);
    assert_eq!(
        last["result"]["content"][0]["text"],
        "Tool with logging executed successfully"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_resumed_after_its_instance_died_closes_instead_of_waiting() {
    let mut d = Deployment::start(3, &[]);
    let s = Session::open(&d.url()).await;
    let slow = json!({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{
        "name":"slow_steps","arguments":{"steps":100,"ms":200}}});
    let r = s.post(&d.instances[0].url, &slow).await;
    let mut events = Events::new(r);
    let (first_id, _) = events.next().await.expect("a first event");
    drop(events);
    // Resumed on instance 1 while instance 0 still writes: it follows.
    let r = s.resume(&d.instances[1].url, &first_id.unwrap()).await;
    assert_eq!(r.status(), 200);
    let mut events = Events::new(r);
    let (_, step) = events.next().await.expect("a followed event");
    assert_eq!(step["params"]["data"], "step 2", "{step}");
    // Instance 0 dies: the follower on instance 1 closes the stream
    // within seconds, though 98 steps were never written.
    d.instances[0].kill();
    let started = Instant::now();
    let rest = within(PATIENCE, "the resumed stream to close", async {
        let mut rest = Vec::new();
        while let Some((_, m)) = events.next().await {
            rest.push(m);
        }
        rest
    })
    .await;
    assert!(rest.len() < 40, "{} more events", rest.len());
    assert!(rest.iter().all(|m| m.get("result").is_none()));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_loses_only_its_own_requests() {
    let mut d = Deployment::start(3, &[]);
    let sessions = [
        Session::open(&d.url()).await,
        Session::open(&d.url()).await,
        Session::open(&d.url()).await,
    ];
    // A call running on instance 0 when it dies: its client gets a closed
    // stream or an error, never a hang.
    // (The logging tool streams its first message at once: the call is
    // running once it arrived.)
    let r = sessions[0]
        .post(&d.instances[0].url, &call(50, "test_tool_with_logging"))
        .await;
    let mut events = Events::new(r);
    let (_, first) = events.next().await.expect("the call started");
    assert_eq!(first["method"], "notifications/message");
    d.instances[0].kill();
    let running = tokio::spawn(async move {
        let mut rest = Vec::new();
        while let Some((_, m)) = events.next().await {
            rest.push(m);
        }
        rest
    });
    let started = Instant::now();
    let rest = within(PATIENCE, "the running call's stream to close", running)
        .await
        .unwrap();
    assert!(started.elapsed() < PATIENCE);
    assert!(
        rest.iter().all(|m| m.get("result").is_none()),
        "a dead instance answered: {rest:?}"
    );
    // Every session goes on through the balancer, on the survivors.
    for (n, s) in sessions.iter().enumerate() {
        for k in 0..4 {
            s.call_ok(&d.url(), 1000 + (n * 10 + k) as u64).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_under_load_costs_503s_and_service_comes_back() {
    // Persisted, so that what was stored survives the restart.
    let mut d = Deployment::start(3, &["--appendonly", "yes", "--appendfsync", "always"]);
    let s = Session::open(&d.url()).await;
    s.call_ok(&d.url(), 1).await;
    // Load: four sessions calling in a loop the whole time. Each call gets
    // 200 or, while Redis is away, 503: never another answer, never a hang.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for n in 0..4u64 {
        let loaded = Session::open(&d.url()).await;
        let (url, stop) = (d.url(), stop.clone());
        load.push(tokio::spawn(async move {
            let mut seen = std::collections::BTreeMap::<u16, u64>::new();
            let mut id = n * 1_000_000;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                id += 1;
                let r = loaded.post(&url, &call(id, "test_simple_text")).await;
                *seen.entry(r.status().as_u16()).or_default() += 1;
            }
            seen
        }));
    }
    d.redis.stop();
    // A request that needs Redis gets 503 with Retry-After, in bounded
    // time: a new session, and a request of a session on any instance
    // (each asks Redis whether the session still exists); a 2026-07-28
    // request needs no shared state and is served.
    let started = Instant::now();
    let r = post(
        &s.http,
        &d.url(),
        None,
        &json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
        "protocolVersion":"2025-11-25","capabilities":{},
        "clientInfo":{"name":"late","version":"0"}}}),
    )
    .await;
    assert_eq!(r.status(), 503, "a new session while Redis is away");
    assert!(r.headers().contains_key("retry-after"));
    let mut statuses = Vec::new();
    for (i, instance) in d.instances.iter().enumerate() {
        let r = s
            .post(&instance.url, &call(2 + i as u64, "test_simple_text"))
            .await;
        assert!(r.headers().contains_key("retry-after"));
        statuses.push(r.status().as_u16());
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(statuses, [503, 503, 503]);
    let modern = json!({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{
        "name":"test_simple_text","arguments":{},
        "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",
                 "io.modelcontextprotocol/clientCapabilities":{}}}});
    for _ in 0..3 {
        let r = s
            .http
            .post(d.url())
            .header("content-type", "application/json")
            .header("accept", ACCEPT)
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .header("mcp-name", "test_simple_text")
            .body(modern.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    d.redis.restart();
    // Service comes back by itself: the same session, on every instance.
    mcpwire_testkit::eventually(PATIENCE, "the session to be served again", || async {
        s.post(&d.url(), &call(10, "test_simple_text"))
            .await
            .status()
            == 200
    })
    .await;
    for id in 11..17 {
        s.call_ok(&d.url(), id).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for l in load {
        let seen = within(PATIENCE, "a loaded session to stop", l)
            .await
            .unwrap();
        assert!(
            seen.keys().all(|s| *s == 200 || *s == 503),
            "answers under load: {seen:?}"
        );
        assert!(seen.get(&200).is_some_and(|n| *n > 0), "{seen:?}");
    }
}
