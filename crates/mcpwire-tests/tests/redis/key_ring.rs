//! The shared `requestState` key ring on a real Redis and a real Redis
//! Cluster: two instances agree on it, and while keys rotate, the key
//! either one seals with is always one the other can open with.

use std::time::Duration;

use mcpwire_redis::{KeyRingOptions, Redis, RedisOptions, shared_key_ring};
use mcpwire_testkit::parts::{RedisCluster, RedisServer};

async fn two_instances_agree_while_keys_rotate(url: &str) {
    let a = Redis::connect(url, RedisOptions::default()).await.unwrap();
    let b = Redis::connect(url, RedisOptions::default()).await.unwrap();
    let fast = KeyRingOptions::default()
        .rotate_every(Duration::from_millis(400))
        .refresh_every(Duration::from_millis(50))
        .state_ttl(Duration::from_millis(500));
    let ring_a = shared_key_ring(&a, fast.clone()).await.unwrap();
    let ring_b = shared_key_ring(&b, fast).await.unwrap();
    // Created once: both read the same first key.
    assert_eq!(ring_a.keys()[0], ring_b.keys()[0]);
    let first = ring_a.keys()[0].clone();
    let mut sealing_keys = std::collections::BTreeSet::new();
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    for _ in 0..250 {
        tick.tick().await;
        let (ka, kb) = (ring_a.keys(), ring_b.keys());
        assert!(kb.contains(&ka[0]), "B cannot open what A seals");
        assert!(ka.contains(&kb[0]), "A cannot open what B seals");
        sealing_keys.insert(ka[0].clone());
    }
    assert!(
        sealing_keys.len() >= 3,
        "keys should have rotated several times in 2.5 s, saw {}",
        sealing_keys.len()
    );
    // Retired keys go once no state they sealed can still be valid.
    assert!(
        !ring_a.keys().contains(&first),
        "the first key was never retired"
    );
    assert!(
        ring_a.keys().len() <= 4,
        "{} keys kept",
        ring_a.keys().len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_single_server() {
    let server = RedisServer::start();
    two_instances_agree_while_keys_rotate(&server.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_cluster() {
    let cluster = RedisCluster::start();
    two_instances_agree_while_keys_rotate(&cluster.url()).await;
}

#[tokio::test]
async fn the_refresh_stops_when_the_ring_is_dropped() {
    let server = RedisServer::start();
    let redis = Redis::connect(&server.url(), RedisOptions::default())
        .await
        .unwrap();
    let options = KeyRingOptions::default().refresh_every(Duration::from_millis(20));
    let ring = shared_key_ring(&redis, options).await.unwrap();
    let scripts = || {
        let c = server.command_counts();
        c.get("evalsha").copied().unwrap_or(0) + c.get("eval").copied().unwrap_or(0)
    };
    // While the ring is held, it is read again and again.
    let held = scripts();
    mcpwire_testkit::eventually(
        Duration::from_secs(5),
        "the ring to be refreshed",
        || async { scripts() >= held + 3 },
    )
    .await;
    let tasks = tokio::runtime::Handle::current().metrics();
    let with_ring = tasks.num_alive_tasks();
    let weak = ring.downgrade();
    drop(ring);
    assert!(weak.upgrade().is_none());
    // Once dropped, the refresh task notices at its next tick and ends.
    mcpwire_testkit::eventually(
        Duration::from_secs(5),
        "the refresh task to end",
        || async { tasks.num_alive_tasks() < with_ring },
    )
    .await;
    // The ring is still in Redis for the next instance.
    let again = shared_key_ring(&redis, KeyRingOptions::default())
        .await
        .unwrap();
    assert_eq!(again.keys().len(), 1);
}
