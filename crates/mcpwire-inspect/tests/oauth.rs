//! OAuth logins through the inspector, over real HTTP against the
//! testkit's authorization server and a protected MCP server: the
//! callback passes the guard without the cookie but only for a waiting
//! login's `state` and the inspector's own `Host`; the steps are kept
//! with their secrets masked; the waiting logins are bounded.

use std::time::Duration;

use mcpwire_inspect::{Inspector, Limits, Options};
use mcpwire_testkit::oauth::{AuthServer, Protected, trusting};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Running {
    port: u16,
    token: String,
    http: reqwest::Client,
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn get_json(&self, path: &str) -> Value {
        self.http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Connects to `url` through the page's API: the new server's id.
    async fn add(&self, url: &str) -> Value {
        let added: Value = self
            .http
            .post(self.url("/api/servers"))
            .bearer_auth(&self.token)
            .json(&serde_json::json!({ "url": url }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        added["id"].clone()
    }

    /// The live feed, opened before anything happens.
    async fn events(&self) -> Feed {
        let resp = self
            .http
            .get(self.url("/api/events"))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        Feed {
            resp,
            buf: String::new(),
        }
    }
}

/// The feed's events, read as they come.
struct Feed {
    resp: reqwest::Response,
    buf: String,
}

impl Feed {
    /// The next event `pick` accepts (within 20 s).
    async fn until(&mut self, pick: impl Fn(&Value) -> bool) -> Value {
        let read = async {
            loop {
                while let Some(i) = self.buf.find("\n\n") {
                    let event: String = self.buf.drain(..i + 2).collect();
                    if let Some(data) = event.strip_prefix("data: ") {
                        let v: Value = serde_json::from_str(data.trim()).unwrap();
                        if pick(&v) {
                            return v;
                        }
                    }
                }
                let chunk = self.resp.chunk().await.unwrap().expect("the feed ended");
                self.buf.push_str(&String::from_utf8_lossy(&chunk));
            }
        };
        tokio::time::timeout(Duration::from_secs(20), read)
            .await
            .expect("the event came")
    }
}

async fn start(limits: Limits) -> Running {
    let inspector = Inspector::bind(Options {
        limits,
        ..Options::default()
    })
    .await
    .unwrap();
    let token = inspector.url().split_once("?token=").unwrap().1.to_owned();
    let running = Running {
        port: inspector.port(),
        token,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    };
    tokio::spawn(inspector.serve(std::future::pending()));
    running
}

async fn protected() -> (AuthServer, Protected) {
    let asv = AuthServer::start().await;
    let p = trusting(&asv.issuer, asv.jwks()).await;
    (asv, p)
}

/// One raw HTTP/1.1 GET with exactly these headers: the status.
async fn raw_get(port: u16, path: &str, host: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .unwrap()
        .unwrap();
    String::from_utf8_lossy(&out)[9..12].parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_through_the_callback_connects_and_every_step_is_shown_masked() {
    let (asv, p) = protected().await;
    let r = start(Limits::default()).await;
    let mut feed = r.events().await;
    let id = r.add(&p.resource).await;
    let open = feed
        .until(|e| e["type"] == "oauth" && e["authorize"].is_string())
        .await;
    assert_eq!(open["server"], id);
    let authorize = open["authorize"].as_str().unwrap();
    assert_eq!(
        r.get_json(&format!("/api/servers/{id}/oauth")).await["authorize"],
        authorize
    );

    // The authorization server consents at once and sends the browser back.
    let back = r.http.get(authorize).send().await.unwrap();
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    let path = location
        .strip_prefix(&format!("http://127.0.0.1:{}", r.port))
        .expect("the redirect URI is the inspector's own");
    assert!(path.starts_with("/oauth/callback?"), "{path}");

    // Without the cookie: a foreign Host is refused, an unknown state too.
    assert_eq!(raw_get(r.port, path, "evil.example:80").await, 403);
    let forged = path.replace("state=", "state=x");
    assert_eq!(
        raw_get(r.port, &forged, &format!("127.0.0.1:{}", r.port)).await,
        400
    );
    assert_eq!(
        raw_get(r.port, "/oauth/callback", &format!("127.0.0.1:{}", r.port)).await,
        400
    );
    // The real one, still without the cookie, is taken — once.
    assert_eq!(
        raw_get(r.port, path, &format!("127.0.0.1:{}", r.port)).await,
        200
    );
    assert_eq!(
        raw_get(r.port, path, &format!("127.0.0.1:{}", r.port)).await,
        400
    );

    let up = feed
        .until(|e| e["type"] == "server" && e["server"]["state"] != "connecting")
        .await;
    assert_eq!(up["server"]["state"], "connected", "{up}");

    let shown = r.get_json(&format!("/api/servers/{id}/oauth")).await;
    let stages: Vec<&str> = shown["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    for stage in [
        "resource_metadata",
        "server_metadata",
        "registration",
        "authorization",
        "token",
    ] {
        assert!(stages.contains(&stage), "{stage} missing from {stages:?}");
    }
    let first = |s: &str| stages.iter().position(|x| *x == s).unwrap();
    assert!(first("resource_metadata") < first("server_metadata"));
    assert!(first("registration") < first("authorization"));
    assert!(first("authorization") < first("token"));
    assert_eq!(shown["authorize"], Value::Null);
    // The login registered dynamically, and shows it.
    let registration = shown["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "registration")
        .unwrap();
    assert_eq!(registration["method"], "POST", "{registration}");
    assert!(registration["url"].as_str().unwrap().ends_with("/register"));
    assert!(
        registration["request"]
            .as_str()
            .unwrap()
            .contains("/oauth/callback")
    );

    // A refresh now, shown as its own stage.
    let refreshed: Value = r
        .http
        .post(r.url(&format!("/api/servers/{id}/oauth/refresh")))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refreshed["refreshed"], true, "{refreshed}");
    let shown = r.get_json(&format!("/api/servers/{id}/oauth")).await;
    let text = shown.to_string();
    assert!(text.contains(r#""stage":"refresh""#), "{text}");

    // No secret the flow used appears unmasked.
    let mut secrets = Vec::new();
    for params in asv.token_requests() {
        for name in ["code", "code_verifier", "refresh_token", "client_secret"] {
            if let Some(v) = params.get(name) {
                secrets.push(v.clone());
            }
        }
    }
    assert!(secrets.len() >= 3, "{secrets:?}");
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "{s} shown in {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_waiting_logins_are_bounded() {
    let (_asv, p) = protected().await;
    let r = start(Limits {
        max_logins: 1,
        ..Limits::default()
    })
    .await;
    let mut feed = r.events().await;
    let a = r.add(&p.resource).await;
    feed.until(|e| e["type"] == "oauth" && e["server"] == a && e["authorize"].is_string())
        .await;
    let b = r.add(&p.resource).await;
    let failed = feed
        .until(|e| {
            e["type"] == "server" && e["server"]["id"] == b && e["server"]["state"] == "failed"
        })
        .await;
    let why = failed["server"]["error"].as_str().unwrap();
    assert!(why.contains("1 logins wait"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_step_shows_its_stage_status_and_oauth_error() {
    let (asv, p) = protected().await;
    let issuer = asv.issuer.clone();
    asv.behave(|b| b.token_endpoint = Some(format!("{issuer}/gone")));
    let r = start(Limits::default()).await;
    let mut feed = r.events().await;
    let id = r.add(&p.resource).await;
    let open = feed
        .until(|e| e["type"] == "oauth" && e["authorize"].is_string())
        .await;
    // The browser's part: consent, and back to the callback.
    let back = r
        .http
        .get(open["authorize"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(r.http.get(&location).send().await.unwrap().status(), 200);

    let failed = feed
        .until(|e| e["type"] == "server" && e["server"]["state"] == "failed")
        .await;
    let why = failed["server"]["error"].as_str().unwrap();
    assert!(why.contains("OAuth login"), "{why}");
    let shown = r.get_json(&format!("/api/servers/{id}/oauth")).await;
    let token = shown["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "token")
        .unwrap()
        .clone();
    assert_eq!(token["status"], 404, "{token}");
    assert_eq!(token["error"], "HTTP 404: not_found", "{token}");
    assert!(token["url"].as_str().unwrap().ends_with("/gone"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnecting_a_server_frees_its_waiting_login_at_once() {
    let (_asv, p) = protected().await;
    let r = start(Limits {
        max_logins: 1,
        ..Limits::default()
    })
    .await;
    let mut feed = r.events().await;
    let a = r.add(&p.resource).await;
    feed.until(|e| e["type"] == "oauth" && e["server"] == a && e["authorize"].is_string())
        .await;
    let gone = r
        .http
        .delete(r.url(&format!("/api/servers/{a}")))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 200);
    // The only place among the waiting logins is free for the next one.
    let b = r.add(&p.resource).await;
    feed.until(|e| e["type"] == "oauth" && e["server"] == b && e["authorize"].is_string())
        .await;
}
