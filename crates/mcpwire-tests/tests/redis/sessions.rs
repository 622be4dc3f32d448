//! `RedisSessionStore` against a real Redis and a real Redis Cluster: a
//! session saved through one instance is read, touched and ended through
//! another; idle sessions expire by themselves and a touch restarts their
//! clock; the cap and each principal's quota count every instance's
//! sessions and forget the expired ones; a Redis that went away costs a
//! typed error at the deadline, and the store works again once it is back.

use std::time::Duration;

use super::common::{Backing, PATIENCE, SHORT_DEADLINE, promptly};
use mcpwire_redis::{Keys, Redis, RedisSessionStore};
use mcpwire_server::{SessionRecord, SessionStore, SessionStoreError};
use mcpwire_testkit::eventually;
use mcpwire_types::{LoggingLevel, ProtocolVersion};

on_single_and_cluster!(
    a_session_is_shared_by_every_instance,
    idle_sessions_expire_and_a_touch_restarts_the_clock,
    the_cap_and_quotas_count_every_instances_sessions,
    an_expired_session_stops_counting_and_a_live_one_does_not,
    a_redis_that_went_away_costs_a_typed_error_not_a_hang,
);

const LONG: Duration = Duration::from_secs(60);

fn record(principal: Option<&str>) -> SessionRecord {
    let mut r = SessionRecord::default();
    r.protocol_version = Some(ProtocolVersion::V2025_11_25);
    r.log_level = Some(LoggingLevel::Warning);
    r.subscriptions.insert("file:///a".into());
    r.principal = principal.map(Into::into);
    r
}

/// Milliseconds session `id` has left in Redis (`-2`: none).
async fn pttl(redis: &Redis, id: &str) -> i64 {
    redis
        .query(redis::cmd("PTTL").arg(Keys::new("mcpwire").session(id)))
        .await
        .unwrap()
}

async fn a_session_is_shared_by_every_instance(b: Backing) {
    let one = RedisSessionStore::new(b.connect(LONG).await, LONG);
    let two = RedisSessionStore::new(b.connect(LONG).await, LONG);
    assert!(one.is_shared());
    let r = record(Some("alice"));
    one.save("s1", r.clone()).await.unwrap();
    assert_eq!(two.load("s1").await.unwrap(), Some(r.clone()));
    assert_eq!(two.touch("s1").await.unwrap(), Some(r.clone()));
    // A change made through one instance is what the other reads next.
    let mut changed = r.clone();
    changed.log_level = Some(LoggingLevel::Error);
    two.save("s1", changed.clone()).await.unwrap();
    assert_eq!(one.touch("s1").await.unwrap(), Some(changed));
    // Ended through one instance, the session is gone for every one.
    two.remove("s1").await.unwrap();
    assert_eq!(one.load("s1").await.unwrap(), None);
    assert_eq!(one.touch("s1").await.unwrap(), None);
    assert_eq!(one.load("never").await.unwrap(), None);
    one.remove("never").await.unwrap();
}

async fn idle_sessions_expire_and_a_touch_restarts_the_clock(b: Backing) {
    let redis = b.connect(LONG).await;
    let idle = Duration::from_millis(300);
    let store = RedisSessionStore::new(redis.clone(), idle);
    store.save("idle", record(None)).await.unwrap();
    store.save("busy", record(None)).await.unwrap();
    let left = pttl(&redis, "busy").await;
    assert!(0 < left && left <= 300, "{left}");
    eventually(PATIENCE, "half of busy's idle time passed", || async {
        pttl(&redis, "busy").await < 150
    })
    .await;
    assert_eq!(store.touch("busy").await.unwrap(), Some(record(None)));
    let left = pttl(&redis, "busy").await;
    assert!(
        left > 150,
        "a touch restarts the clock, yet {left} ms are left"
    );
    // Nobody touched the other one: it expires by itself.
    eventually(PATIENCE, "the idle session expired", || async {
        store.load("idle").await.unwrap().is_none()
    })
    .await;
    assert_eq!(pttl(&redis, "idle").await, -2);
}

async fn the_cap_and_quotas_count_every_instances_sessions(b: Backing) {
    let one = RedisSessionStore::new(b.connect(LONG).await, LONG);
    let two = RedisSessionStore::new(b.connect(LONG).await, LONG);
    let (cap, quota) = (3, 2);
    one.open("s1", Some("alice"), cap, quota).await.unwrap();
    one.save("s1", record(Some("alice"))).await.unwrap();
    two.open("s2", Some("alice"), cap, quota).await.unwrap();
    two.save("s2", record(Some("alice"))).await.unwrap();
    // Alice's quota counts the sessions she holds on both instances.
    assert_eq!(
        one.open("s3", Some("alice"), cap, quota).await,
        Err(SessionStoreError::PrincipalFull(quota))
    );
    // Counting a session again counts it once.
    one.open("s1", Some("alice"), cap, quota).await.unwrap();
    // The session Alice was refused holds no server-wide slot: Bob's fits.
    two.open("s4", Some("bob"), cap, quota).await.unwrap();
    assert_eq!(
        one.open("s5", None, cap, quota).await,
        Err(SessionStoreError::Full(cap))
    );
    // Closing gives the slot back, for the principal too.
    two.close("s1", Some("alice")).await.unwrap();
    one.open("s6", Some("alice"), cap, quota).await.unwrap();
    assert_eq!(
        two.open("s7", Some("bob"), cap, quota).await,
        Err(SessionStoreError::Full(cap))
    );
    // Removing a session (a DELETE on any instance) gives its slots back
    // without a close.
    one.remove("s2").await.unwrap();
    two.open("s7", Some("alice"), cap, quota).await.unwrap();
    assert_eq!(
        one.open("s8", Some("carol"), cap, quota).await,
        Err(SessionStoreError::Full(cap))
    );
}

/// The score session `id` has in the server-wide count, and the time of
/// the node that holds it, in milliseconds.
async fn score_and_now(redis: &Redis, id: &str) -> (i64, i64) {
    let index = Keys::new("mcpwire").all_sessions();
    let score: i64 = redis
        .query(redis::cmd("ZSCORE").arg(&index).arg(id))
        .await
        .unwrap();
    // TIME goes to the node holding the index when routed by its key.
    let (secs, micros): (i64, i64) = redis
        .script(&redis::Script::new("return redis.call('TIME')").key(&index))
        .await
        .unwrap();
    (score, secs * 1000 + micros / 1000)
}

async fn an_expired_session_stops_counting_and_a_live_one_does_not(b: Backing) {
    let redis = b.connect(LONG).await;
    let idle = Duration::from_millis(1000);
    let store = RedisSessionStore::new(redis.clone(), idle);
    store.open("gone", Some("carol"), 2, 1).await.unwrap();
    store.save("gone", record(Some("carol"))).await.unwrap();
    store.open("kept", None, 2, 1).await.unwrap();
    store.save("kept", record(None)).await.unwrap();
    assert_eq!(
        store.open("new", None, 2, 1).await,
        Err(SessionStoreError::Full(2))
    );
    // "kept" is kept alive past the moment it was counted to expire.
    eventually(PATIENCE, "most of kept's idle time passed", || async {
        pttl(&redis, "kept").await < 300
    })
    .await;
    assert!(store.touch("kept").await.unwrap().is_some());
    eventually(PATIENCE, "kept's first expiry passed", || async {
        let (score, now) = score_and_now(&redis, "kept").await;
        now > score
    })
    .await;
    assert!(pttl(&redis, "kept").await > 0, "kept is still alive");
    // Nobody closed "gone": once its record expired, it stops counting,
    // for its principal too; "kept" still counts.
    eventually(PATIENCE, "the expired session stopped counting", || async {
        store.open("new", None, 2, 1).await.is_ok()
    })
    .await;
    assert_eq!(
        store.open("newer", None, 2, 1).await,
        Err(SessionStoreError::Full(2))
    );
    store.close("new", None).await.unwrap();
    store.open("carol2", Some("carol"), 2, 1).await.unwrap();
}

async fn a_redis_that_went_away_costs_a_typed_error_not_a_hang(mut b: Backing) {
    let store = RedisSessionStore::new(b.connect(SHORT_DEADLINE).await, LONG);
    store.save("s1", record(None)).await.unwrap();
    b.take_down();
    let failed = [
        promptly(store.save("s2", record(None))).await.err(),
        promptly(store.load("s1")).await.err(),
        promptly(store.touch("s1")).await.err(),
        promptly(store.remove("s1")).await.err(),
        promptly(store.open("s2", Some("alice"), 10, 10))
            .await
            .err(),
        promptly(store.close("s2", Some("alice"))).await.err(),
    ];
    for e in &failed {
        assert!(matches!(e, Some(SessionStoreError::Backend(_))), "{e:?}");
    }
    b.bring_back();
    eventually(PATIENCE, "the store works again", || async {
        store.save("s3", record(None)).await.is_ok()
    })
    .await;
    assert_eq!(store.touch("s3").await.unwrap(), Some(record(None)));
    store.open("s3", None, 10, 10).await.unwrap();
}
