//! The proxy's bounds on processes: the session cap (503 past it, and never
//! more processes than the cap, even when initializes race), and process
//! groups stopped as a whole with their session.

use super::*;

/// Children of this test process started by a proxy with `tag` in their
/// environment, still running (not zombies).
fn tagged_children(tag: &str) -> Vec<u32> {
    let me = std::process::id().to_string();
    let needle = format!("MCPWIRE_PROXY_TEST_TAG={tag}");
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let Some((_, rest)) = stat.rsplit_once(')') else {
                return false;
            };
            let mut fields = rest.split_whitespace();
            let (state, ppid) = (fields.next(), fields.next());
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            ppid == Some(me.as_str())
                && state != Some("Z")
                && environ.split(|&b| b == 0).any(|kv| kv == needle.as_bytes())
        })
        .collect()
}

/// POSTs a 2025-11-25 `initialize`; the status and the body.
async fn raw_initialize(http: &reqwest::Client, url: &str) -> (u16, String) {
    let r = http
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(INITIALIZE)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

/// Connects a legacy client once the proxy has a free slot: a session's
/// slot is given back a moment after its process was reaped.
async fn connect_when_a_slot_frees(url: &str) -> Client {
    let client = std::sync::Mutex::new(None);
    eventually(PATIENCE, "a slot to free", || async {
        match http_client(url, builder()).await {
            Ok(c) => {
                *client.lock().unwrap() = Some(c);
                true
            }
            Err(e) => {
                let text = e.to_string();
                assert!(text.contains("try again later"), "{text}");
                false
            }
        }
    })
    .await;
    client.into_inner().unwrap().expect("connected")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_session_cap_initialize_gets_503_and_no_process_starts() {
    let tag = "cap";
    let proxy = Proxy::start_tagged(tag, |c| HttpProxy::new(c).max_sessions(2)).await;
    let first = http_client(&proxy.url, builder()).await.unwrap();
    let second = http_client(&proxy.url, builder()).await.unwrap();
    let first_pid: u32 = call(&first, "pid", json!({})).await.parse().unwrap();
    assert_eq!(tagged_children(tag).len(), 2);

    let http = reqwest::Client::new();
    for _ in 0..3 {
        let (status, body) = raw_initialize(&http, &proxy.url).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(tagged_children(tag).len(), 2, "no process started");
    }
    // The client's own error says to try later.
    let e = http_client(&proxy.url, builder()).await.unwrap_err();
    assert!(e.to_string().contains("try again later"), "{e}");

    // The sessions already open lost nothing.
    assert_eq!(call(&first, "echo", json!({"text": "one"})).await, "one");
    assert_eq!(call(&second, "echo", json!({"text": "two"})).await, "two");

    // A session that ends gives its slot back once its process is gone.
    first.close().await;
    wait_until("the first session's process exits", || !alive(first_pid)).await;
    let third = connect_when_a_slot_frees(&proxy.url).await;
    assert_eq!(call(&third, "echo", json!({"text": "3"})).await, "3");
    assert_eq!(tagged_children(tag).len(), 2);

    // The shared 2026-07-28 process comes on top of the cap.
    let modern = http_client(&proxy.url, modern()).await.unwrap();
    assert_eq!(call(&modern, "echo", json!({"text": "m"})).await, "m");
    assert_eq!(tagged_children(tag).len(), 3);
    proxy.shut_down().await;
    wait_until("shutdown stops every process", || {
        tagged_children(tag).is_empty()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_initializes_never_start_more_processes_than_the_cap() {
    let tag = "race";
    let proxy = Proxy::start_tagged(tag, |c| HttpProxy::new(c).max_sessions(3)).await;
    let http = reqwest::Client::new();
    let most = Arc::new(AtomicUsize::new(0));
    let done = CancellationToken::new();
    // Samples the process count every 5 ms while the storm lasts.
    let watcher = {
        let (most, done) = (most.clone(), done.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(5));
            while !done.is_cancelled() {
                most.fetch_max(tagged_children(tag).len(), Ordering::SeqCst);
                every.tick().await;
            }
        })
    };
    let storm = (0..24).map(|_| raw_initialize(&http, &proxy.url));
    let answers = futures_util::future::join_all(storm).await;
    done.cancel();
    watcher.await.unwrap();
    most.fetch_max(tagged_children(tag).len(), Ordering::SeqCst);
    let opened = answers
        .iter()
        .filter(|(s, b)| *s == 200 && b.contains("serverInfo"))
        .count();
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert!((1..=3).contains(&opened), "{opened} sessions: {statuses:?}");
    for (status, body) in &answers {
        let refused = *status == 503 || body.contains("try again later");
        assert!(refused || body.contains("serverInfo"), "{status}: {body}");
    }
    assert!(
        most.load(Ordering::SeqCst) <= 3,
        "{most:?} processes at once"
    );
    // Served right after.
    let client = http_client(&proxy.url, modern()).await.unwrap();
    assert_eq!(call(&client, "echo", json!({"text": "ok"})).await, "ok");
    proxy.shut_down().await;
}

/// Whether `pid` is gone: no such process, or a zombie waiting for init to
/// reap it (an orphan is not this process's to reap).
fn gone(pid: u32) -> bool {
    let stat = match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s,
        Err(_) => return true,
    };
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, r)| r.split_whitespace().next());
    matches!(state, Some("Z" | "X"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_takes_the_processes_its_server_started_with_it() {
    let grand =
        std::env::temp_dir().join(format!("mcpwire-proxy-grandchild-{}", std::process::id()));
    let _ = std::fs::remove_file(&grand);
    // The server starts a grandchild in the background, then becomes the
    // server proper.
    let script = format!(
        r#"sh -c 'echo $$ > "$1"; exec sleep 1000' grandchild "{}" & exec "{BIN}""#,
        grand.display()
    );
    let tag = "group";
    let proxy = Proxy::start_tagged(tag, |_| {
        HttpProxy::new(
            ChildProcess::new("sh")
                .args(["-c", &script])
                .env("MCPWIRE_PROXY_TEST_TAG", tag)
                .stderr(StderrMode::Null)
                .shutdown_grace(Duration::from_millis(500)),
        )
    })
    .await;
    let client = http_client(&proxy.url, builder()).await.unwrap();
    let pid: u32 = call(&client, "pid", json!({})).await.parse().unwrap();
    let mut grandchild = None;
    wait_until("the grandchild wrote its pid", || {
        grandchild = std::fs::read_to_string(&grand)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        grandchild.is_some()
    })
    .await;
    let grandchild = grandchild.unwrap();
    assert!(!gone(grandchild));

    client.close().await; // DELETE
    wait_until("the grandchild is gone", || gone(grandchild)).await;
    wait_until("the server process is reaped, no zombie", || {
        !Path::new(&format!("/proc/{pid}")).exists()
    })
    .await;
    let _ = std::fs::remove_file(&grand);

    // The proxy serves the next client.
    let next = http_client(&proxy.url, builder()).await.unwrap();
    assert_eq!(call(&next, "echo", json!({"text": "next"})).await, "next");
    proxy.shut_down().await;
    wait_until("shutdown stops the new group too", || {
        tagged_children(tag).is_empty()
    })
    .await;
    let _ = std::fs::remove_file(&grand);
}
