//! Connecting to a real Redis and to a real three-master Redis Cluster:
//! the cluster is recognised, keys of one session share a slot, and a call
//! to a Redis that stopped answering fails at its deadline.

use std::time::{Duration, Instant};

use mcpwire_redis::{Keys, Redis, RedisError, RedisOptions};
use mcpwire_testkit::parts::{RedisCluster, RedisServer};

#[tokio::test]
async fn a_single_server_is_not_a_cluster_and_answers() {
    let server = RedisServer::start();
    let redis = Redis::connect(&server.url(), RedisOptions::default())
        .await
        .unwrap();
    assert!(!redis.is_cluster());
    let pong: String = redis.query(&redis::cmd("PING")).await.unwrap();
    assert_eq!(pong, "PONG");
}

#[tokio::test]
async fn a_cluster_is_recognised_and_a_sessions_keys_share_a_slot() {
    let cluster = RedisCluster::start();
    let redis = Redis::connect(&cluster.url(), RedisOptions::default())
        .await
        .unwrap();
    assert!(redis.is_cluster());
    let keys = Keys::new("mcpwire");
    // Keys of many sessions land on every node, each session's in one slot.
    let mut nodes = std::collections::BTreeSet::new();
    for i in 0..32 {
        let sid = format!("session-{i}");
        let a: i64 = redis
            .query(redis::cmd("CLUSTER").arg("KEYSLOT").arg(keys.session(&sid)))
            .await
            .unwrap();
        let b: i64 = redis
            .query(
                redis::cmd("CLUSTER")
                    .arg("KEYSLOT")
                    .arg(keys.stream(&sid, 3)),
            )
            .await
            .unwrap();
        assert_eq!(a, b, "a session's keys must share a slot");
        let _: () = redis
            .query(redis::cmd("SET").arg(keys.session(&sid)).arg("x"))
            .await
            .unwrap();
    }
    for n in cluster.nodes() {
        let count = n.cli(&["DBSIZE"]);
        if count.trim() != "0" {
            nodes.insert(n.port());
        }
    }
    assert_eq!(nodes.len(), 3, "keys should spread over the three masters");
}

#[tokio::test]
async fn a_redis_that_stops_answering_costs_the_deadline_not_a_hang() {
    let server = RedisServer::start();
    let deadline = Duration::from_millis(300);
    let redis = Redis::connect(&server.url(), RedisOptions::default().deadline(deadline))
        .await
        .unwrap();
    // CLIENT PAUSE holds every client's commands for 3 s: a Redis that
    // stopped answering, with its connections still open.
    assert_eq!(server.cli(&["CLIENT", "PAUSE", "3000", "ALL"]).trim(), "OK");
    let start = Instant::now();
    let r: Result<String, _> = redis.query(&redis::cmd("PING")).await;
    let took = start.elapsed();
    assert!(
        matches!(r, Err(RedisError::TimedOut(d)) if d == deadline),
        "{r:?}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
}
