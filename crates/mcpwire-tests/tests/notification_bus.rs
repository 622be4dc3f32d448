//! Server changes reaching clients: the server's notification bus (its
//! default in-process bus, one shared by several servers, one of the
//! user's own) and the client's [`Client::listen`], which follows changes
//! in both eras with `subscriptions/listen` or `resources/subscribe`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcpwire::Error;
use mcpwire::client::{Client, ClientMode, ServerNotification, Subscription};
use mcpwire::server::{
    BoxFuture, BusError, Era, EventStream, InProcessBus, NotificationBus, ResourceRoute, Server,
    ServerEvent, ToolRoute,
};
use mcpwire_testkit::{RawPeer, eventually, memory};
use mcpwire_types::SubscriptionFilter;
use serde_json::{Value, json};

fn server(bus: Option<Arc<dyn NotificationBus>>) -> Server {
    let mut b = Server::builder("bus-server", "1.0.0")
        .tool(ToolRoute::typed("echo", |_cx, a: Value| async move {
            a.to_string()
        }))
        .resource(ResourceRoute::new("memo://a", "a", |_cx, _u, _v| async {
            "a".to_string()
        }))
        .resource(ResourceRoute::new("memo://b", "b", |_cx, _u, _v| async {
            "b".to_string()
        }));
    if let Some(bus) = bus {
        b = b.notification_bus(bus);
    }
    b.build().unwrap()
}

fn mode(era: Era) -> ClientMode {
    match era {
        Era::Session => ClientMode::Legacy,
        Era::Stateless => ClientMode::Auto,
    }
}

async fn connect(server: &Server, era: Era) -> Client {
    let client = memory::connect(server, Client::builder("c", "1").mode(mode(era))).await;
    assert_eq!(client.era(), era);
    client
}

fn tools_and_a() -> SubscriptionFilter {
    SubscriptionFilter {
        tools_list_changed: Some(true),
        resource_subscriptions: Some(vec!["memo://a".into()]),
        ..Default::default()
    }
}

async fn next(sub: &mut Subscription) -> ServerNotification {
    tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("a notification in time")
        .expect("the subscription is live")
}

/// Waits until `bus` has `n` subscribers.
async fn subscribers(bus: &InProcessBus, n: usize) {
    let what = format!("the bus to have {n} subscribers");
    eventually(Duration::from_secs(5), &what, || async {
        bus.subscribers() == n
    })
    .await;
}

/// Changes the server without the subscription's asking for them, then
/// one it asked for: the next thing the subscription reads is that one.
async fn only_what_was_asked(server: &Server, sub: &mut Subscription) {
    server.add_tool(ToolRoute::typed("late", |_cx, _a: Value| async {
        "late".to_string()
    }));
    assert!(matches!(
        next(sub).await,
        ServerNotification::ToolsListChanged
    ));
    server.resource_updated("memo://b");
    server.add_resource(ResourceRoute::new("memo://c", "c", |_cx, _u, _v| async {
        "c".to_string()
    }));
    server.resource_updated("memo://a");
    match next(sub).await {
        ServerNotification::ResourceUpdated { uri } => assert_eq!(uri, "memo://a"),
        other => panic!("expected the update of memo://a, got {other:?}"),
    }
}

#[tokio::test]
async fn listen_follows_changes_in_both_eras() {
    for era in [Era::Stateless, Era::Session] {
        let bus = Arc::new(InProcessBus::default());
        let s = server(Some(bus.clone()));
        let client = connect(&s, era).await;
        let mut sub = client.listen(tools_and_a()).await.unwrap();
        assert_eq!(sub.agreed(), &tools_and_a(), "{era:?}");
        assert_eq!(sub.id().is_some(), era == Era::Stateless);
        only_what_was_asked(&s, &mut sub).await;

        // Closing ends the listen request, or unsubscribes: the server
        // keeps no reader for it (a session keeps the server's one).
        sub.close().await;
        subscribers(&bus, usize::from(era == Era::Session)).await;
        let _ = client.list_tools().await.unwrap();
        client.close().await;
    }
}

#[tokio::test]
async fn listen_agrees_only_to_what_the_server_offers() {
    // No prompts on this server: asking for their changes is not agreed.
    for era in [Era::Stateless, Era::Session] {
        let s = server(None);
        let client = connect(&s, era).await;
        let asked = SubscriptionFilter {
            prompts_list_changed: Some(true),
            resources_list_changed: Some(true),
            ..Default::default()
        };
        let mut sub = client.listen(asked).await.unwrap();
        assert_eq!(sub.agreed().prompts_list_changed, None, "{era:?}");
        assert_eq!(sub.agreed().resources_list_changed, Some(true), "{era:?}");
        s.add_resource(ResourceRoute::new("memo://d", "d", |_cx, _u, _v| async {
            "d".to_string()
        }));
        assert!(matches!(
            next(&mut sub).await,
            ServerNotification::ResourcesListChanged
        ));
        client.close().await;
        // The connection closed: the subscription ends.
        let end = tokio::time::timeout(Duration::from_secs(5), sub.next()).await;
        assert!(end.expect("ends in time").is_none(), "{era:?}");
    }
}

#[tokio::test]
async fn two_subscriptions_on_one_connection_each_get_their_own() {
    let s = server(None);
    let client = connect(&s, Era::Stateless).await;
    let mut tools = client
        .listen(SubscriptionFilter {
            tools_list_changed: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut a = client
        .listen(SubscriptionFilter {
            resource_subscriptions: Some(vec!["memo://a".into()]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_ne!(tools.id(), a.id());
    s.resource_updated("memo://a");
    s.add_tool(ToolRoute::typed("x", |_cx, _a: Value| async {
        "x".to_string()
    }));
    assert!(matches!(
        next(&mut a).await,
        ServerNotification::ResourceUpdated { .. }
    ));
    assert!(matches!(
        next(&mut tools).await,
        ServerNotification::ToolsListChanged
    ));
    // Dropping one leaves the other working.
    drop(tools);
    s.resource_updated("memo://a");
    assert!(matches!(
        next(&mut a).await,
        ServerNotification::ResourceUpdated { .. }
    ));
    client.close().await;
}

#[tokio::test]
async fn servers_sharing_a_bus_tell_each_others_clients() {
    // Two replicas of one server in this process: a change made on one
    // reaches the clients of the other, in both eras.
    let bus = Arc::new(InProcessBus::default());
    let (a, b) = (server(Some(bus.clone())), server(Some(bus.clone())));
    let on_b_session = connect(&b, Era::Session).await;
    let on_b_stateless = connect(&b, Era::Stateless).await;
    let mut session_sub = on_b_session.listen(tools_and_a()).await.unwrap();
    let mut stateless_sub = on_b_stateless.listen(tools_and_a()).await.unwrap();
    let mut plain = on_b_session.notifications();

    a.resource_updated("memo://a");
    for sub in [&mut session_sub, &mut stateless_sub] {
        match next(sub).await {
            ServerNotification::ResourceUpdated { uri } => assert_eq!(uri, "memo://a"),
            other => panic!("{other:?}"),
        }
    }
    // The session gets it as a plain notification too.
    let n = tokio::time::timeout(Duration::from_secs(5), plain.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(n, ServerNotification::ResourceUpdated { .. }));
    on_b_session.close().await;
    on_b_stateless.close().await;
}

/// A bus of the user's own: every event goes through a "broker" task, as
/// it would through a message broker between processes.
struct Brokered {
    to_broker: tokio::sync::mpsc::UnboundedSender<ServerEvent>,
    delivered: InProcessBus,
    published: AtomicUsize,
}

impl Brokered {
    fn start() -> Arc<Self> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<ServerEvent>();
        let bus = Arc::new(Brokered {
            to_broker: tx,
            delivered: InProcessBus::default(),
            published: AtomicUsize::new(0),
        });
        let weak = Arc::downgrade(&bus);
        tokio::spawn(async move {
            while let Some(ev) = rx.recv().await {
                let Some(bus) = weak.upgrade() else { break };
                bus.delivered.publish(ev).await.unwrap();
            }
        });
        bus
    }
}

impl NotificationBus for Brokered {
    fn publish(&self, event: ServerEvent) -> BoxFuture<Result<(), BusError>> {
        self.published.fetch_add(1, Ordering::Relaxed);
        let sent = self.to_broker.send(event).map_err(|_| BusError::Closed);
        Box::pin(std::future::ready(sent))
    }
    fn subscribe(&self) -> EventStream {
        self.delivered.subscribe()
    }
}

#[tokio::test]
async fn a_bus_of_ones_own_carries_every_change() {
    let bus = Brokered::start();
    let s = server(Some(bus.clone()));
    for era in [Era::Session, Era::Stateless] {
        let client = connect(&s, era).await;
        let mut sub = client.listen(tools_and_a()).await.unwrap();
        only_what_was_asked(&s, &mut sub).await;
        client.close().await;
    }
    // Four changes per era, all published on the bus.
    assert_eq!(bus.published.load(Ordering::Relaxed), 8);
}

/// A bus whose publishing waits, as one through a broker does: each
/// publish yields to the runtime once before it reaches the subscribers.
struct Waiting {
    delivered: Arc<InProcessBus>,
    /// Publishes that finished after having waited.
    waited: Arc<AtomicUsize>,
}

impl NotificationBus for Waiting {
    fn publish(&self, event: ServerEvent) -> BoxFuture<Result<(), BusError>> {
        let (delivered, waited) = (self.delivered.clone(), self.waited.clone());
        Box::pin(async move {
            tokio::task::yield_now().await;
            delivered.publish(event).await?;
            waited.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }
    fn subscribe(&self) -> EventStream {
        self.delivered.subscribe()
    }
}

#[tokio::test]
async fn a_bus_that_waits_to_publish_still_tells_every_change_in_order() {
    let waited = Arc::new(AtomicUsize::new(0));
    let bus = Arc::new(Waiting {
        delivered: Arc::new(InProcessBus::default()),
        waited: waited.clone(),
    });
    let s = server(Some(bus));
    for era in [Era::Session, Era::Stateless] {
        let client = connect(&s, era).await;
        let mut sub = client.listen(tools_and_a()).await.unwrap();
        // Made one after another by the server's synchronous methods, the
        // changes reach the subscription in the order they were made.
        only_what_was_asked(&s, &mut sub).await;
        s.remove_tool("late");
        s.resource_updated("memo://a");
        assert!(matches!(
            next(&mut sub).await,
            ServerNotification::ToolsListChanged
        ));
        assert!(matches!(
            next(&mut sub).await,
            ServerNotification::ResourceUpdated { .. }
        ));
        client.close().await;
    }
    // Six changes per era, and every one was published after waiting.
    let what = "every publish to finish";
    eventually(Duration::from_secs(5), what, || async {
        waited.load(Ordering::SeqCst) == 12
    })
    .await;
}

// ---- a server that does not play along ----

/// Connects a pinned 2026-07-28 client to a raw peer, and returns the
/// peer's side and the client.
async fn raw() -> (RawPeer, Client) {
    let (raw, connecting) = RawPeer::facing(Client::builder("c", "1").mode(ClientMode::Pinned(
        mcpwire_types::ProtocolVersion::V2026_07_28,
    )));
    (raw, connecting.await.unwrap().unwrap())
}

#[tokio::test]
async fn a_refused_listen_is_the_servers_error() {
    let (mut io, client) = raw().await;
    let listening = tokio::spawn(async move {
        let r = client.listen(tools_and_a()).await;
        (r.map(|_| ()), client)
    });
    let req = io.recv().await;
    assert_eq!(req["method"], "subscriptions/listen");
    assert_eq!(req["params"]["notifications"]["toolsListChanged"], true);
    assert_eq!(
        req["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    let error = json!({"code": -32601, "message": "Method not found"});
    io.send(&json!({"jsonrpc": "2.0", "id": req["id"], "error": error}))
        .await;
    let (r, client) = listening.await.unwrap();
    match r {
        Err(Error::Rpc(e)) => assert_eq!(e.code.0, -32601),
        other => panic!("{other:?}"),
    }
    // The client keeps working.
    let listing = tokio::spawn(async move { client.list_tools().page().await });
    let list = io.recv().await;
    assert_eq!(list["method"], "tools/list");
    io.send(&json!({"jsonrpc": "2.0", "id": list["id"], "result": {"tools": []}}))
        .await;
    assert!(listing.await.unwrap().unwrap().tools.is_empty());
}

#[tokio::test]
async fn a_listen_not_acknowledged_first_is_a_protocol_error() {
    let (mut io, client) = raw().await;
    let listening = tokio::spawn(async move { client.listen(tools_and_a()).await.map(|_| ()) });
    let req = io.recv().await;
    // A tagged list change before the acknowledgement.
    let meta = json!({"io.modelcontextprotocol/subscriptionId": req["id"]});
    io.send(
        &json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed",
               "params": {"_meta": meta}}),
    )
    .await;
    match listening.await.unwrap() {
        Err(Error::Protocol(m)) => assert!(m.contains("acknowledge"), "{m}"),
        other => panic!("{other:?}"),
    }
    // The client cancelled the request it gave up on.
    let cancel = io.recv().await;
    assert_eq!(cancel["method"], "notifications/cancelled");
    assert_eq!(cancel["params"]["requestId"], req["id"]);
}

#[tokio::test]
async fn notifications_of_other_subscriptions_are_not_mixed_in() {
    let (mut io, client) = raw().await;
    let listening = tokio::spawn(async move {
        let sub = client.listen(tools_and_a()).await;
        (sub, client)
    });
    let req = io.recv().await;
    let tag = |id: &Value| json!({"io.modelcontextprotocol/subscriptionId": id});
    io.send(
        &json!({"jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged",
               "params": {"notifications": {"toolsListChanged": true}, "_meta": tag(&req["id"])}}),
    )
    .await;
    let (sub, _client) = listening.await.unwrap();
    let mut sub = sub.unwrap();
    // What the server acknowledged is what was agreed, whatever was asked.
    assert_eq!(sub.agreed().tools_list_changed, Some(true));
    assert_eq!(sub.agreed().resource_subscriptions, None);
    for (id, uri) in [
        (json!("someone-else"), "memo://x"),
        (req["id"].clone(), "memo://a"),
    ] {
        io.send(
            &json!({"jsonrpc": "2.0", "method": "notifications/resources/updated",
                   "params": {"uri": uri, "_meta": tag(&id)}}),
        )
        .await;
    }
    match next(&mut sub).await {
        ServerNotification::ResourceUpdated { uri } => assert_eq!(uri, "memo://a"),
        other => panic!("{other:?}"),
    }
    // The server ends the subscription: the reader sees the end.
    io.send(&json!({"jsonrpc": "2.0", "id": req["id"], "result": {"_meta": tag(&req["id"])}}))
        .await;
    let end = tokio::time::timeout(Duration::from_secs(5), sub.next()).await;
    assert!(end.expect("ends in time").is_none());
}
