//! Two server instances sharing one session store, one notification bus
//! and one relay, each on its own port: what the client sends to one
//! instance for a request the other runs gets there, and what an instance
//! sends outside any request reaches the GET stream the other holds,
//! once.
//!
//! The store, bus and relay here live in this process; the Redis ones are
//! tested across processes behind HAProxy.

mod support {
    pub mod http_server;
}

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mcpwire::server::{InMemorySessionStore, InProcessBus, SessionStore};
use mcpwire::transport::http_server::{RelayError, RelayFeed, Relayed, SessionRelay};
use mcpwire::types::{ElicitRequestFormParams, ElicitRequestParams};
use mcpwire_testkit::http::sse::parse;
use support::http_server::*;
use tokio::sync::broadcast;

/// An in-memory store that says it is shared.
#[derive(Default)]
struct Shared(InMemorySessionStore);

impl SessionStore for Shared {
    fn save(
        &self,
        id: &str,
        r: mcpwire::server::SessionRecord,
    ) -> mcpwire::server::BoxFuture<Result<(), mcpwire::server::SessionStoreError>> {
        self.0.save(id, r)
    }
    fn load(
        &self,
        id: &str,
    ) -> mcpwire::server::BoxFuture<
        Result<Option<mcpwire::server::SessionRecord>, mcpwire::server::SessionStoreError>,
    > {
        self.0.load(id)
    }
    fn remove(
        &self,
        id: &str,
    ) -> mcpwire::server::BoxFuture<Result<(), mcpwire::server::SessionStoreError>> {
        self.0.remove(id)
    }
    fn is_shared(&self) -> bool {
        true
    }
}

/// A relay between instances of this process.
#[derive(Debug)]
struct Loopback(broadcast::Sender<Relayed>);

impl SessionRelay for Loopback {
    fn send(&self, m: Relayed) -> mcpwire::server::BoxFuture<Result<(), RelayError>> {
        let _ = self.0.send(m);
        Box::pin(std::future::ready(Ok(())))
    }
    fn subscribe(&self) -> RelayFeed {
        let rx = self.0.subscribe();
        Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.ok().map(|m| (m, rx))
        }))
    }
}

static CANCELLED: AtomicBool = AtomicBool::new(false);

fn replica(store: Arc<Shared>, bus: Arc<InProcessBus>) -> Server {
    Server::builder("relay-test", "1")
        .session_store(store)
        .notification_bus(bus)
        .tool(ToolRoute::typed(
            "ask",
            |cx: Context, _a: Text| async move {
                let form = ElicitRequestFormParams::new(
                    "Name?",
                    json!({"type":"object","properties":{"name":{"type":"string"}}}),
                );
                let r = cx.elicit(ElicitRequestParams::Form(form)).await?;
                Ok::<_, mcpwire::Error>(format!("hello {}", r.content.unwrap_or_default()["name"]))
            },
        ))
        .tool(ToolRoute::typed(
            "wait",
            |cx: Context, _a: Text| async move {
                cx.cancellation().cancelled().await;
                CANCELLED.store(true, Ordering::SeqCst);
                "cancelled"
            },
        ))
        .tool(ToolRoute::typed(
            "announce",
            |cx: Context, a: Text| async move {
                // Outside the request: for the session's GET stream.
                let _ = cx.peer().notify(
                    "notifications/message",
                    Some(json!({"level": "info", "data": a.text})),
                );
                "announced"
            },
        ))
        .build()
        .unwrap()
}

async fn pair() -> (Running, Running) {
    let store = Arc::new(Shared::default());
    let bus = Arc::new(InProcessBus::default());
    let relay: Arc<dyn SessionRelay> = Arc::new(Loopback(broadcast::channel(64).0));
    let config = HttpConfig::default().relay(relay);
    let a = start_with(replica(store.clone(), bus.clone()), config.clone()).await;
    let b = start_with(replica(store, bus), config).await;
    (a, b)
}

/// Opens a session on `a` whose client can answer elicitations.
async fn open(a: &Running) -> String {
    let init = json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"t","version":"0"}}});
    let r = a.post(None, &init).await;
    assert_eq!(r.status(), StatusCode::OK);
    let sid = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let done = json!({"jsonrpc":"2.0","method":"notifications/initialized"});
    assert_eq!(
        a.post(Some(&sid), &done).await.status(),
        StatusCode::ACCEPTED
    );
    sid
}

/// Reads SSE events off `r` one at a time.
struct Events {
    r: Response,
    buf: String,
}

impl Events {
    async fn next(&mut self) -> Value {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                if let Some((_, data)) = parse(&block)
                    && !data.is_empty()
                {
                    return serde_json::from_str(&data).unwrap();
                }
                continue;
            }
            let chunk = mcpwire_testkit::within(PATIENCE, "the next event", self.r.chunk())
                .await
                .unwrap()
                .expect("the stream ended");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

fn call(id: u64, tool: &str) -> Value {
    json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":tool,"arguments":{"text":"x"}}})
}

#[tokio::test]
async fn an_answer_posted_to_one_instance_reaches_the_request_on_the_other() {
    let (a, b) = pair().await;
    let sid = open(&a).await;
    let r = a.post(Some(&sid), &call(1, "ask")).await;
    let mut events = Events {
        r,
        buf: String::new(),
    };
    let ask = events.next().await;
    assert_eq!(ask["method"], "elicitation/create");
    let answer = json!({"jsonrpc":"2.0","id":ask["id"],"result":{"action":"accept","content":{"name":"Ada"}}});
    let r = b.post(Some(&sid), &answer).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let result = events.next().await;
    assert_eq!(result["id"], 1);
    assert_eq!(result["result"]["content"][0]["text"], "hello \"Ada\"");
}

#[tokio::test]
async fn a_cancel_posted_to_one_instance_stops_the_request_on_the_other() {
    let (a, b) = pair().await;
    let sid = open(&a).await;
    let url = a.url.clone();
    let sid2 = sid.clone();
    let running = tokio::spawn(async move {
        Client::new()
            .post(url)
            .header("content-type", "application/json")
            .header("accept", ACCEPT_BOTH)
            .header("mcp-session-id", sid2)
            .header("mcp-protocol-version", "2025-11-25")
            .body(call(7, "wait").to_string())
            .send()
            .await
    });
    let cancel =
        json!({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}});
    // The cancel may race the call's arrival on A: send it until it lands.
    eventually(PATIENCE, "the request on A to be cancelled", || async {
        let r = b.post(Some(&sid), &cancel).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        CANCELLED.load(Ordering::SeqCst)
    })
    .await;
    running.abort();
}

#[tokio::test]
async fn what_one_instance_sends_outside_a_request_reaches_the_get_stream_on_the_other_once() {
    let (a, b) = pair().await;
    let sid = open(&a).await;
    let get = b
        .http
        .get(&b.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &sid)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::OK);
    let mut events = Events {
        r: get,
        buf: String::new(),
    };
    // A list change on A reaches B through the shared bus, and only the
    // instance holding the GET stream passes it on.
    a.server.add_tool(ToolRoute::typed(
        "late",
        |_cx, a: Text| async move { a.text },
    ));
    let changed = events.next().await;
    assert_eq!(changed["method"], "notifications/tools/list_changed");
    // A message A sends outside any request is relayed to B's stream.
    let r = a.post(Some(&sid), &call(2, "announce")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let next = events.next().await;
    assert_eq!(
        next["method"], "notifications/message",
        "the list change came twice, or the message was lost: {next}"
    );
    assert_eq!(next["params"]["data"], "x");
}
