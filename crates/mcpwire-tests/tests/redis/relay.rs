//! The relay between replicas on a real Redis and a real Redis Cluster:
//! what one replica sends, every replica hears; and after Redis restarts,
//! the relay listens again by itself.

use std::time::Duration;

use futures_util::StreamExt;
use mcpwire_http::server::{Relayed, SessionRelay};
use mcpwire_redis::{Redis, RedisOptions, RedisRelay};
use mcpwire_testkit::parts::{RedisCluster, RedisServer};
use mcpwire_testkit::within;

const PATIENCE: Duration = Duration::from_secs(10);

async fn every_replica_hears_what_one_sends(url: &str) {
    let a = RedisRelay::connect(Redis::connect(url, RedisOptions::default()).await.unwrap()).await;
    let b = RedisRelay::connect(Redis::connect(url, RedisOptions::default()).await.unwrap()).await;
    let (mut heard_a, mut heard_b) = (a.subscribe(), b.subscribe());
    let m = Relayed::to_engine("s1", br#"{"jsonrpc":"2.0","id":5,"result":{}}"#.to_vec());
    a.send(m.clone()).await.unwrap();
    assert_eq!(
        within(PATIENCE, "B to hear it", heard_b.next()).await,
        Some(m.clone())
    );
    assert_eq!(
        within(PATIENCE, "A to hear it", heard_a.next()).await,
        Some(m)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_single_server() {
    let server = RedisServer::start();
    every_replica_hears_what_one_sends(&server.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_cluster() {
    let cluster = RedisCluster::start();
    every_replica_hears_what_one_sends(&cluster.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_listens_again_after_redis_restarts() {
    let mut server = RedisServer::start();
    let options = RedisOptions::default().deadline(Duration::from_millis(500));
    let relay = RedisRelay::connect(Redis::connect(&server.url(), options).await.unwrap()).await;
    let heard = tokio::sync::Mutex::new(relay.subscribe());
    server.restart();
    let m = Relayed::to_client("s2", b"{}".to_vec());
    // Once the relay is back, a message sent reaches its listeners.
    mcpwire_testkit::eventually(PATIENCE, "the relay to carry messages again", || async {
        let _ = relay.send(m.clone()).await;
        let mut heard = heard.lock().await;
        matches!(
            tokio::time::timeout(Duration::from_millis(200), heard.next()).await,
            Ok(Some(got)) if got == m
        )
    })
    .await;
    // A send while Redis is down fails with a typed error, within the deadline.
    server.stop();
    let started = std::time::Instant::now();
    let e = relay.send(m).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "{e}");
}
