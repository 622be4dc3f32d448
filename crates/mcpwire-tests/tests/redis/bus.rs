//! The Redis notification bus against a real Redis and a real Redis
//! Cluster: two buses on two connections stand for two server instances.

use std::time::Duration;

use futures_util::StreamExt;
use mcpwire_redis::{Keys, Redis, RedisBus, RedisOptions};
use mcpwire_server::{BusError, EventStream, NotificationBus, ServerEvent};
use mcpwire_testkit::parts::RedisServer;
use mcpwire_testkit::{eventually, within};

const PATIENCE: Duration = Duration::from_secs(10);

async fn bus(url: &str) -> RedisBus {
    RedisBus::new(Redis::connect(url, RedisOptions::default()).await.unwrap())
}

async fn listening(bus: &RedisBus) {
    eventually(PATIENCE, "the bus to subscribe to Redis", || async {
        bus.is_listening()
    })
    .await;
}

async fn next(events: &mut EventStream, what: &str) -> ServerEvent {
    within(PATIENCE, what, events.next())
        .await
        .unwrap_or_else(|| panic!("the subscription ended before {what}"))
}

/// Subscribers on the channel, as the node the buses subscribe on counts
/// them.
fn subscribers(node: &RedisServer) -> u64 {
    let out = node.cli(&["PUBSUB", "NUMSUB", &Keys::new("mcpwire").events_channel()]);
    out.lines()
        .nth(1)
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(u64::MAX)
}

async fn events_published_on_one_bus_reach_the_subscribers_of_another(url: &str) {
    let a = bus(url).await;
    let b = bus(url).await;
    let mut first = b.subscribe();
    let mut second = b.subscribe();
    listening(&b).await;
    let sent = [
        ServerEvent::ToolsChanged,
        ServerEvent::ResourceUpdated("file:///notes.txt".into()),
        ServerEvent::PromptsChanged,
    ];
    for event in &sent {
        a.publish(event.clone()).await.unwrap();
    }
    for events in [&mut first, &mut second] {
        for event in &sent {
            assert_eq!(&next(events, "a published event").await, event);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_another_instance_on_a_server() {
    let redis = RedisServer::start();
    events_published_on_one_bus_reach_the_subscribers_of_another(&redis.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_another_instance_on_a_cluster() {
    let redis = mcpwire_testkit::parts::RedisCluster::start();
    events_published_on_one_bus_reach_the_subscribers_of_another(&redis.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_redis_restarts_the_bus_is_back_and_asks_clients_to_refetch() {
    let mut server = RedisServer::start();
    let a = bus(&server.url()).await;
    let b = bus(&server.url()).await;
    let mut events = b.subscribe();
    listening(&b).await;
    server.restart();
    for want in [
        ServerEvent::ToolsChanged,
        ServerEvent::PromptsChanged,
        ServerEvent::ResourcesChanged,
    ] {
        assert_eq!(next(&mut events, "the list-changed events").await, want);
    }
    assert!(b.is_listening());
    // Publishing works again once A's own connection is back.
    let later = ServerEvent::ResourceUpdated("file:///later.txt".into());
    eventually(
        PATIENCE,
        "a publish to succeed after the restart",
        || async { a.publish(later.clone()).await.is_ok() },
    )
    .await;
    assert_eq!(
        next(&mut events, "an event published after the restart").await,
        later
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_redis_fails_a_publish_within_the_deadline() {
    let mut server = RedisServer::start();
    let redis = Redis::connect(
        &server.url(),
        RedisOptions::default().deadline(Duration::from_millis(300)),
    )
    .await
    .unwrap();
    let a = RedisBus::new(redis);
    a.publish(ServerEvent::ToolsChanged).await.unwrap();
    server.stop();
    let r = within(
        Duration::from_secs(3),
        "the publish to fail",
        a.publish(ServerEvent::ToolsChanged),
    )
    .await;
    assert!(matches!(r, Err(BusError::Backend(_))), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subscription_lasts_while_the_bus_or_a_subscriber_does() {
    let server = RedisServer::start();
    let a = bus(&server.url()).await;
    let b = bus(&server.url()).await;
    assert_eq!(
        subscribers(&server),
        0,
        "nothing subscribes before a subscriber"
    );
    let mut events = b.subscribe();
    listening(&b).await;
    assert_eq!(subscribers(&server), 1);
    // The bus goes; its subscriber still gets events.
    drop(b);
    a.publish(ServerEvent::ToolsChanged).await.unwrap();
    assert_eq!(
        next(&mut events, "an event after the bus went").await,
        ServerEvent::ToolsChanged
    );
    assert_eq!(subscribers(&server), 1);
    // The subscriber goes too: the task ends and unsubscribes.
    drop(events);
    eventually(PATIENCE, "the subscription task to end", || async {
        subscribers(&server) == 0
    })
    .await;
}

/// The bus given to `RedisState` is the one its server announces on: here
/// one under another key prefix, which the default bus's subscribers never
/// hear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_state_announces_on_the_bus_it_was_given() {
    let redis = RedisServer::start();
    let other = RedisOptions::default().prefix("other");
    let shared = mcpwire_redis::RedisState::connect(&redis.url(), RedisOptions::default())
        .await
        .unwrap();
    let given = RedisBus::with_capacity(
        Redis::connect(&redis.url(), other.clone()).await.unwrap(),
        4,
    );
    let server = shared
        .bus(given)
        .server(mcpwire_server::Server::builder("s", "1"))
        .build()
        .unwrap();
    let there = RedisBus::new(Redis::connect(&redis.url(), other).await.unwrap());
    let default = bus(&redis.url()).await;
    let mut heard_there = there.subscribe();
    let mut heard_default = default.subscribe();
    listening(&there).await;
    listening(&default).await;
    server.resource_updated("memo://a");
    let event = ServerEvent::ResourceUpdated("memo://a".into());
    assert_eq!(next(&mut heard_there, "the announcement").await, event);
    // The default channel stays quiet: a marker published there after the
    // announcement is the first thing its subscribers hear.
    default.publish(ServerEvent::PromptsChanged).await.unwrap();
    assert_eq!(
        next(&mut heard_default, "the marker").await,
        ServerEvent::PromptsChanged
    );
}
