//! Each instance's copies of session records, against a real Redis and a
//! real Redis Cluster: a trusted copy answers a session's requests without
//! Redis until it is due again; a change or removal made through another
//! instance is seen at once, never through a stale copy; a subscription
//! that broke stops the copies from being trusted.

use std::time::{Duration, Instant};

use super::common::{Backing, PATIENCE};
use mcpwire_redis::{Keys, RedisSessionStore, SESSION_COPY_FRESH};
use mcpwire_server::{SessionRecord, SessionStore, Touched};
use mcpwire_testkit::eventually;
use mcpwire_types::{LoggingLevel, ProtocolVersion};

on_single_and_cluster!(
    a_trusted_copy_spares_redis_until_it_is_due,
    a_change_or_removal_through_another_instance_is_seen_at_once,
);

const LONG: Duration = Duration::from_secs(60);

fn record(level: LoggingLevel) -> SessionRecord {
    let mut r = SessionRecord::default();
    r.protocol_version = Some(ProtocolVersion::V2025_11_25);
    r.log_level = Some(level);
    r
}

/// How many `GETEX` the Redis behind `b` has run.
fn getex(b: &Backing) -> u64 {
    let counts = match b {
        Backing::Single(s) => s.command_counts(),
        Backing::Cluster(c) => c.command_counts(),
    };
    counts.get("getex").copied().unwrap_or(0)
}

/// The version `store` reads session `id` at.
async fn version(store: &RedisSessionStore, id: &str) -> u64 {
    match store.touch_versioned(id, None).await.unwrap() {
        Touched::Changed(_, v) => v,
        other => panic!("session {id} should exist, got {other:?}"),
    }
}

/// Waits until `store` answers session `id` at `v` from its copy: its
/// subscription and registration are in place (about a second after it
/// first needs them).
async fn until_trusted(b: &Backing, store: &RedisSessionStore, id: &str, v: u64) {
    eventually(PATIENCE, "the instance trusts its copies", || async {
        let before = getex(b);
        let touched = store.touch_versioned(id, Some(v)).await.unwrap();
        assert!(matches!(touched, Touched::Unchanged), "{touched:?}");
        getex(b) == before
    })
    .await;
}

async fn a_trusted_copy_spares_redis_until_it_is_due(b: Backing) {
    let store = RedisSessionStore::new(b.connect(LONG).await, LONG);
    store.save("s1", record(LoggingLevel::Info)).await.unwrap();
    let v = version(&store, "s1").await;
    until_trusted(&b, &store, "s1", v).await;
    // Many requests, and at most one of them (the one past the copy's
    // freshness, if the machine is slow) reaches Redis.
    let before = getex(&b);
    let started = Instant::now();
    for _ in 0..500 {
        let t = store.touch_versioned("s1", Some(v)).await.unwrap();
        assert!(matches!(t, Touched::Unchanged), "{t:?}");
    }
    let reads = getex(&b) - before;
    let rounds = started.elapsed().as_secs_f64() / SESSION_COPY_FRESH.as_secs_f64();
    assert!(
        reads as f64 <= rounds.ceil(),
        "{reads} reads of Redis in {:?}",
        started.elapsed()
    );
    // Once due, the next request reads Redis again, which restarts the
    // record's clock.
    let redis = b.connect(LONG).await;
    let key = Keys::new("mcpwire").session("s1");
    let _: () = redis
        .query(redis::cmd("PEXPIRE").arg(&key).arg(30_000))
        .await
        .unwrap();
    tokio::time::sleep(SESSION_COPY_FRESH).await;
    let before = getex(&b);
    let t = store.touch_versioned("s1", Some(v)).await.unwrap();
    assert!(matches!(t, Touched::Unchanged), "{t:?}");
    assert_eq!(getex(&b), before + 1);
    let left: i64 = redis.query(redis::cmd("PTTL").arg(&key)).await.unwrap();
    assert!(left > 50_000, "the touch left {left} ms");
}

async fn a_change_or_removal_through_another_instance_is_seen_at_once(b: Backing) {
    let one = RedisSessionStore::new(b.connect(LONG).await, LONG);
    let two = RedisSessionStore::new(b.connect(LONG).await, LONG);
    // `two` listens too, so that it hears the answers to its changes.
    two.save("warm", record(LoggingLevel::Info)).await.unwrap();
    let w = version(&two, "warm").await;
    until_trusted(&b, &two, "warm", w).await;
    for round in 0..20 {
        let id = format!("s{round}");
        two.save(&id, record(LoggingLevel::Info)).await.unwrap();
        let v = version(&one, &id).await;
        if round == 0 {
            until_trusted(&b, &one, &id, v).await;
        } else {
            let t = one.touch_versioned(&id, Some(v)).await.unwrap();
            assert!(matches!(t, Touched::Unchanged), "{t:?}");
        }
        // Changed through `two`: the very next request through `one`
        // sees the change.
        let changed = record(LoggingLevel::Error);
        two.save(&id, changed.clone()).await.unwrap();
        let v2 = match one.touch_versioned(&id, Some(v)).await.unwrap() {
            Touched::Changed(r, v2) => {
                assert_eq!(*r, changed);
                v2
            }
            other => panic!("round {round}: a stale copy answered: {other:?}"),
        };
        // Ended through `two`: gone for `one` at once.
        let t = one.touch_versioned(&id, Some(v2)).await.unwrap();
        assert!(matches!(t, Touched::Unchanged), "{t:?}");
        two.remove(&id).await.unwrap();
        let t = one.touch_versioned(&id, Some(v2)).await.unwrap();
        assert!(
            matches!(t, Touched::Gone),
            "round {round}: a removed session was still served: {t:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_subscription_stops_the_copies_from_being_trusted() {
    let b = Backing::single();
    let one = RedisSessionStore::new(b.connect(LONG).await, LONG);
    let two = RedisSessionStore::new(b.connect(LONG).await, LONG);
    two.save("s1", record(LoggingLevel::Info)).await.unwrap();
    let v = version(&one, "s1").await;
    until_trusted(&b, &one, "s1", v).await;
    // Every subscription is cut: what is announced now may never reach
    // `one`, so it must not trust the copy it holds.
    let Backing::Single(server) = &b else {
        unreachable!()
    };
    server.cli(&["CLIENT", "KILL", "TYPE", "pubsub"]);
    two.remove("s1").await.unwrap();
    let t = one.touch_versioned("s1", Some(v)).await.unwrap();
    assert!(
        matches!(t, Touched::Gone),
        "a removed session was served from a copy: {t:?}"
    );
    // Subscribed again, `one` comes to trust new copies.
    two.save("s2", record(LoggingLevel::Info)).await.unwrap();
    let v = version(&one, "s2").await;
    until_trusted(&b, &one, "s2", v).await;
}
