//! Forwarding a session's requests to the instance that holds it, through
//! `RedisTunnel` on a real Redis and a real Redis Cluster: each instance
//! is an `Owned` service on a port of its own, in a runtime of its own
//! (shut down to kill it), with a test service that echoes, streams,
//! holds, floods or drips.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame as HttpFrame;
use mcpwire_http::server::{
    ACCEPT_WAIT, Body, Envelope, Frame, FrameError, HttpConfig, Inbound, Owned, Tunnel,
    TunnelLimits, accept_until,
};
use mcpwire_redis::{Redis, RedisOptions, RedisTunnel};
use mcpwire_testkit::{eventually, within};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Notify, Semaphore, watch};

use crate::common::{Backing, PATIENCE};

/// What a test sees of an instance's service.
#[derive(Clone)]
struct Probe {
    name: Arc<str>,
    /// How many `/hold` calls have started.
    held: Arc<watch::Sender<usize>>,
    /// Lets `/hold` calls end.
    release: Arc<Semaphore>,
    /// Told when a `/flood` answer is dropped.
    flood_dropped: Arc<Notify>,
}

/// Tells `flood_dropped` when dropped with the flood's body.
struct OnDrop(Arc<Notify>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        self.0.notify_one();
    }
}

fn stream_body<S>(s: S) -> Body
where
    S: futures_util::Stream<Item = Bytes> + Send + 'static,
{
    StreamBody::new(s.map(|b| Ok::<_, Infallible>(HttpFrame::data(b)))).boxed_unsync()
}

impl Probe {
    async fn answer(&self, req: Request<Inbound>) -> Response<Body> {
        let served_by = self.name.to_string();
        let seen = req
            .headers()
            .get("x-test")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let query = req.uri().query().unwrap_or("").to_owned();
        let body = match req.uri().path() {
            "/echo" | "/messages" => {
                let bytes = req.into_body().collect().await.unwrap().to_bytes();
                stream_body(futures_util::stream::iter([bytes]))
            }
            "/stream" => {
                let n: usize = query.trim_start_matches("n=").parse().unwrap();
                // One piece at a time, so that each goes in a frame of its own.
                stream_body(
                    futures_util::stream::iter((0..n).map(|i| Bytes::from(format!("line {i}\n"))))
                        .then(|line| async move {
                            tokio::task::yield_now().await;
                            line
                        }),
                )
            }
            "/hold" => {
                self.held.send_modify(|n| *n += 1);
                self.release.acquire().await.unwrap().forget();
                stream_body(futures_util::stream::iter([Bytes::from_static(
                    b"released",
                )]))
            }
            "/flood" => {
                let guard = OnDrop(self.flood_dropped.clone());
                let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
                stream_body(futures_util::stream::repeat(chunk).map(move |c| {
                    let _ = &guard;
                    c
                }))
            }
            "/drip" => stream_body(
                futures_util::stream::iter([Bytes::from_static(b"first\n")])
                    .chain(futures_util::stream::pending()),
            ),
            _ => stream_body(futures_util::stream::empty()),
        };
        let mut r = Response::new(body);
        r.headers_mut()
            .insert("x-served-by", served_by.parse().unwrap());
        r.headers_mut().insert("x-seen", seen.parse().unwrap());
        r
    }
}

/// One instance: its tunnel, its `Owned` service on a loopback port, in a
/// runtime of its own.
struct Instance {
    name: String,
    url: String,
    probe: Probe,
    open: Arc<dyn Fn() -> (usize, usize) + Send + Sync>,
    rt: Option<tokio::runtime::Runtime>,
}

impl Instance {
    async fn start(backing: &Backing, limits: TunnelLimits, config: HttpConfig) -> Instance {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let url = backing.url();
        let (held, _) = watch::channel(0);
        let held = Arc::new(held);
        let (release, flood_dropped) = (Arc::new(Semaphore::new(0)), Arc::new(Notify::new()));
        let started = rt.spawn(async move {
            let options = RedisOptions::default().deadline(Duration::from_secs(2));
            let redis = Redis::connect(&url, options).await.unwrap();
            let tunnel: Arc<dyn Tunnel> = Arc::new(RedisTunnel::connect(redis).await);
            let name = tunnel.instance().to_owned();
            let probe = Probe {
                name: Arc::from(name.as_str()),
                held,
                release,
                flood_dropped,
            };
            let p = probe.clone();
            let service = hyper::service::service_fn(move |req: Request<Inbound>| {
                let p = p.clone();
                async move { Ok::<_, Infallible>(p.answer(req).await) }
            });
            let owned = Owned::with_limits(service, tunnel, &config, limits);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            let o = owned.clone();
            let open: Arc<dyn Fn() -> (usize, usize) + Send + Sync> =
                Arc::new(move || o.open_tunnels());
            tokio::spawn(async move {
                accept_until(&listener, &config, std::future::pending(), None, owned).await;
            });
            (name, url, probe, open)
        });
        let (name, url, probe, open) = within(PATIENCE, "an instance to start", started)
            .await
            .unwrap();
        Instance {
            name,
            url,
            probe,
            open,
            rt: Some(rt),
        }
    }

    async fn plain(backing: &Backing) -> Instance {
        Instance::start(backing, TunnelLimits::default(), HttpConfig::default()).await
    }

    /// Stops it as a crash would: every task of its runtime ends.
    fn kill(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A request to `at` for `path`, in a session `owner` holds.
fn request(
    at: &Instance,
    method: reqwest::Method,
    path: &str,
    owner: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, format!("{}{path}", at.url))
        .header(
            "mcp-session-id",
            format!("{owner}.0123456789abcdef0123456789abcdef"),
        )
        .header("x-test", "passed on")
}

async fn forwards_requests_and_streamed_answers(backing: Backing) {
    let mut small = HttpConfig::default();
    small.body_limit = 1024;
    let a = Instance::start(&backing, TunnelLimits::default(), small).await;
    let b = Instance::plain(&backing).await;

    let answer = request(&a, reqwest::Method::POST, "/echo", &b.name)
        .body("a body for B")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["x-served-by"], b.name.as_str());
    assert_eq!(answer.headers()["x-seen"], "passed on");
    assert_eq!(answer.text().await.unwrap(), "a body for B");

    // A streamed answer arrives whole and in order.
    let answer = request(&a, reqwest::Method::GET, "/stream?n=2000", &b.name)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["x-served-by"], b.name.as_str());
    let text = answer.text().await.unwrap();
    let expected: String = (0..2000).map(|i| format!("line {i}\n")).collect();
    assert_eq!(text, expected);

    // A message of the 2024-11-05 transport names its session in the query.
    let answer = reqwest::Client::new()
        .post(format!("{}/messages?sessionId={}.00", a.url, b.name))
        .body("legacy")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["x-served-by"], b.name.as_str());

    // A's own sessions, and requests without one, are served by A.
    for owner in [a.name.as_str(), ""] {
        let answer = request(&a, reqwest::Method::POST, "/echo", owner)
            .body("here")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.headers()["x-served-by"], a.name.as_str());
    }

    // Past A's body limit: 413 before anything is forwarded.
    let answer = request(&a, reqwest::Method::POST, "/echo", &b.name)
        .body(vec![b'x'; 2048])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!((a.open)(), (0, 0));
    assert_eq!((b.open)(), (0, 0));
}

on_single_and_cluster!(forwards_requests_and_streamed_answers);

/// Waits until `n` `/hold` calls have started at `at`.
async fn holding(at: &Instance, n: usize) {
    let mut held = at.probe.held.subscribe();
    within(PATIENCE, "the calls to be held", held.wait_for(|h| *h >= n))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_forwarding_cap_a_request_gets_503() {
    let backing = Backing::single();
    let a = Instance::start(&backing, TunnelLimits::new(2, 64), HttpConfig::default()).await;
    let b = Instance::plain(&backing).await;
    let held: Vec<_> = (0..2)
        .map(|_| tokio::spawn(request(&a, reqwest::Method::POST, "/hold", &b.name).send()))
        .collect();
    holding(&b, 2).await;
    let refused = request(&a, reqwest::Method::POST, "/hold", &b.name)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers().contains_key("retry-after"));
    b.probe.release.add_permits(2);
    for h in held {
        let answer = within(PATIENCE, "a held call", h).await.unwrap().unwrap();
        assert_eq!(answer.text().await.unwrap(), "released");
    }
    // The slots are free again.
    let answer = request(&a, reqwest::Method::POST, "/echo", &b.name)
        .body("again")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.text().await.unwrap(), "again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_serving_cap_a_request_gets_503() {
    let backing = Backing::single();
    let a = Instance::plain(&backing).await;
    let b = Instance::start(&backing, TunnelLimits::new(1, 64), HttpConfig::default()).await;
    let held = tokio::spawn(request(&a, reqwest::Method::POST, "/hold", &b.name).send());
    holding(&b, 1).await;
    let refused = request(&a, reqwest::Method::POST, "/echo", &b.name)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers().contains_key("retry-after"));
    b.probe.release.add_permits(1);
    let answer = within(PATIENCE, "the held call", held)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer.text().await.unwrap(), "released");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_read_is_cut_off_by_frames_and_others_are_served() {
    a_client_that_does_not_read_is_cut_off(TunnelLimits::new(16, 4)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_read_is_cut_off_by_bytes_and_others_are_served() {
    a_client_that_does_not_read_is_cut_off(TunnelLimits::new(16, 100_000).buffer_bytes(64 * 1024))
        .await;
}

async fn a_client_that_does_not_read_is_cut_off(limits: TunnelLimits) {
    let backing = Backing::single();
    let a = Instance::start(&backing, limits, HttpConfig::default()).await;
    let b = Instance::plain(&backing).await;
    // A client that asks for an endless answer and never reads it.
    let addr = a.url.trim_start_matches("http://");
    let mut sluggard = tokio::net::TcpStream::connect(addr).await.unwrap();
    let ask = format!(
        "GET /flood HTTP/1.1\r\nhost: {addr}\r\nmcp-session-id: {}.00\r\n\r\n",
        b.name
    );
    sluggard.write_all(ask.as_bytes()).await.unwrap();
    // Its buffer fills, its tunnel is aborted, and the owner stops.
    within(
        PATIENCE,
        "the owner to drop the flood",
        b.probe.flood_dropped.notified(),
    )
    .await;
    mcpwire_testkit::eventually(PATIENCE, "the tunnel to close on both sides", || async {
        (a.open)() == (0, 0) && (b.open)() == (0, 0)
    })
    .await;
    // Meanwhile and after, others are served.
    let answer = request(&a, reqwest::Method::POST, "/echo", &b.name)
        .body("still here")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.text().await.unwrap(), "still here");
    drop(sluggard);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_owner_gives_an_answer_not_a_hang() {
    let backing = Backing::single();
    let a = Instance::plain(&backing).await;
    let mut b = Instance::plain(&backing).await;
    // A POST waiting for an answer that had not started.
    let waiting = tokio::spawn(request(&a, reqwest::Method::POST, "/hold", &b.name).send());
    holding(&b, 1).await;
    // A stream that had started.
    let mut dripping = request(&a, reqwest::Method::GET, "/drip", &b.name)
        .send()
        .await
        .unwrap();
    assert_eq!(dripping.chunk().await.unwrap().unwrap(), "first\n");
    b.kill();
    let answer = within(PATIENCE, "an answer after the owner died", waiting)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let error: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(error["error"]["code"], -32001, "{error}");
    let cut = within(PATIENCE, "the stream to end", dripping.chunk()).await;
    assert!(cut.is_err(), "{cut:?}");
    // An owner that never lived: 404 as well, a plain one for a GET.
    let answer = within(
        PATIENCE,
        "an answer for a session of nobody",
        request(&a, reqwest::Method::GET, "/drip", "nobody").send(),
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert_eq!(answer.text().await.unwrap(), "");
}

/// A request forwarded to a live owner that never takes it (as when the
/// owner's subscription was away while it was sent) gets 503 once
/// `ACCEPT_WAIT` has passed; one the owner took runs past it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_the_owner_never_takes_gets_503_and_a_taken_one_runs_on() {
    let backing = Backing::single();
    let a = Instance::plain(&backing).await;
    let b = Instance::plain(&backing).await;
    // Alive (its heartbeat runs), but nothing reads what reaches it.
    let redis = Redis::connect(&backing.url(), RedisOptions::default())
        .await
        .unwrap();
    let mute = RedisTunnel::connect(redis).await;
    let name = mute.instance().to_owned();
    eventually(PATIENCE, "the mute instance to be alive", || async {
        mute.alive(&name).await == Ok(true)
    })
    .await;
    let taken = tokio::spawn(request(&a, reqwest::Method::POST, "/hold", &b.name).send());
    holding(&b, 1).await;
    let started = std::time::Instant::now();
    let lost = within(
        PATIENCE,
        "an answer to a request nobody took",
        request(&a, reqwest::Method::POST, "/echo", &name).send(),
    )
    .await
    .unwrap();
    assert_eq!(lost.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(lost.headers().contains_key("retry-after"));
    assert!(started.elapsed() >= ACCEPT_WAIT, "{:?}", started.elapsed());
    // The held request is older than ACCEPT_WAIT by now, and still waits
    // for its answer.
    assert!(!taken.is_finished());
    b.probe.release.add_permits(1);
    let answer = within(PATIENCE, "the held call", taken)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer.text().await.unwrap(), "released");
}

#[test]
fn hostile_frames_are_refused_not_panicked_on() {
    // Valid frames cut short, padded, or with a byte flipped decode to a
    // frame or a typed error.
    let frames = [
        Envelope {
            requester: "a1".into(),
            tunnel: 1,
            frame: Frame::Body {
                seq: 0,
                chunk: Bytes::from_static(b"data"),
            },
        },
        Envelope {
            requester: "a1".into(),
            tunnel: 2,
            frame: Frame::End { chunks: 1 },
        },
    ];
    for e in frames {
        let bytes = e.encode().unwrap();
        assert_eq!(Envelope::decode(bytes.clone()).unwrap(), e);
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut b = bytes.to_vec();
                b[i] ^= flip;
                let _ = Envelope::decode(Bytes::from(b));
            }
            assert_eq!(
                Envelope::decode(bytes.slice(..i)),
                Err(FrameError::Truncated)
            );
        }
    }
    // A header count far past the bound is refused before anything is
    // allocated for it.
    let mut head = vec![1u8, 2, 0, 0, 0, 0, 0, 0, 0, 1, 2, b'a', b'1', 0, 200];
    head.extend_from_slice(&[0xff, 0xff]);
    assert!(matches!(
        Envelope::decode(Bytes::from(head)),
        Err(FrameError::TooLong {
            what: "header count",
            ..
        })
    ));
}

/// Accepts one fixed token.
struct DevToken;

impl mcpwire::auth::TokenVerifier for DevToken {
    fn verify<'a>(&'a self, token: &'a str) -> mcpwire::auth::VerifyFuture<'a> {
        Box::pin(async move {
            if token != "dev-token" {
                return Err(mcpwire::auth::VerifyError::Inactive);
            }
            Ok(mcpwire::auth::VerifiedToken::from_claims(
                serde_json::from_value(serde_json::json!({"sub": "dev"})).unwrap(),
            ))
        })
    }
}

/// A `tools/list` in session `sid` sent straight to `url`, with `token`.
async fn list_tools_at(url: &str, sid: &str, token: Option<&str>) -> (u16, String) {
    let mut post = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-session-id", sid)
        .header("mcp-protocol-version", "2025-11-25")
        .body(r#"{"jsonrpc":"2.0","id":9,"method":"tools/list"}"#);
    if let Some(t) = token {
        post = post.bearer_auth(t);
    }
    let answer = post.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_behind_bearer_auth_forwards_and_the_owner_checks_the_token() {
    use mcpwire::auth::{BearerAuth, ProtectedResourceMetadata};
    use mcpwire::client::{Client, ClientMode};
    use mcpwire::proxy::HttpProxy;
    use mcpwire::transport::child::ChildProcess;
    use mcpwire::transport::http_client::HttpClientTransport;

    let backing = Backing::single();
    let mut urls = Vec::new();
    for _ in 0..2 {
        let redis = backing.connect(Duration::from_secs(2)).await;
        let tunnel = Arc::new(RedisTunnel::connect(redis).await);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        let auth = BearerAuth::new(DevToken, ProtectedResourceMetadata::new(url.clone()));
        let proxy = HttpProxy::new(ChildProcess::new(env!(
            "CARGO_BIN_EXE_mcpwire-proxy-test-server"
        )))
        .bearer_auth(auth)
        .tunnel(tunnel);
        tokio::spawn(proxy.serve_listener(listener, std::future::pending()));
        urls.push(url);
    }
    let transport = HttpClientTransport::builder(urls[0].clone())
        .header("authorization", "Bearer dev-token")
        .build()
        .unwrap();
    let handle = transport.handle();
    let client = Client::builder("tunnel-auth-test", "1")
        .mode(ClientMode::Legacy)
        .connect(transport)
        .await
        .expect("a session on the first instance");
    let sid = handle.session_id().unwrap();
    // The other instance forwards the session's requests to the owner...
    let (status, body) = list_tools_at(&urls[1], &sid, Some("dev-token")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"echo\""), "{body}");
    // ...whose bearer check runs on them: without a token, 401.
    let (status, body) = list_tools_at(&urls[1], &sid, None).await;
    assert_eq!(status, 401, "{body}");
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_tunnels_end_when_redis_restarts_and_new_ones_work_after() {
    let mut backing = Backing::single();
    let a = Instance::plain(&backing).await;
    let b = Instance::plain(&backing).await;
    let mut dripping = request(&a, reqwest::Method::GET, "/drip", &b.name)
        .send()
        .await
        .unwrap();
    assert_eq!(dripping.chunk().await.unwrap().unwrap(), "first\n");
    assert_eq!(((a.open)().0, (b.open)().1), (1, 1));
    // Frames sent while the subscriptions were away are lost: the open
    // tunnel ends on both sides rather than wait for them.
    backing.take_down();
    backing.bring_back();
    let cut = within(PATIENCE, "the stream to end", dripping.chunk()).await;
    assert!(cut.is_err(), "{cut:?}");
    mcpwire_testkit::eventually(PATIENCE, "the tunnel to close on both sides", || async {
        (a.open)() == (0, 0) && (b.open)() == (0, 0)
    })
    .await;
    // Once both listen again, requests are forwarded as before.
    mcpwire_testkit::eventually(PATIENCE, "forwarding to work again", || async {
        let answer = request(&a, reqwest::Method::POST, "/echo", &b.name)
            .body("back")
            .send()
            .await
            .unwrap();
        answer
            .headers()
            .get("x-served-by")
            .is_some_and(|v| v == b.name.as_str())
            && answer.text().await.unwrap() == "back"
    })
    .await;
}
