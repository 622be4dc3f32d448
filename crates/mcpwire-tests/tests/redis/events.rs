//! The Redis event store against a real Redis and a real Redis Cluster:
//! two stores on two connections stand for two server instances, one
//! writing a stream and the other replaying or following it.

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use mcpwire_http::server::{EventStore, EventStoreError, Replay};
use mcpwire_redis::{Keys, Redis, RedisEventStore, RedisOptions, RedisState};
use mcpwire_testkit::parts::RedisServer;
use mcpwire_testkit::within;

/// A stream number as the server picks them: large and random.
const STREAM: u64 = 0xfeed_beef_dead_c0de;
const PATIENCE: Duration = Duration::from_secs(10);

/// Runs a test body once on a private server and once on a private
/// cluster.
macro_rules! on_server_and_cluster {
    ($($body:ident),* $(,)?) => {$(
        mod $body {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_a_server() {
                let redis = mcpwire_testkit::parts::RedisServer::start();
                super::$body(&redis.url()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_a_cluster() {
                let redis = mcpwire_testkit::parts::RedisCluster::start();
                super::$body(&redis.url()).await;
            }
        }
    )*};
}

on_server_and_cluster!(
    replays_are_exact_across_instances,
    trimmed_events_make_a_replay_refused,
    a_finished_stream_ends_its_feed_and_expires_soon,
    a_follower_gets_every_later_event_once_in_order,
    forgetting_removes_streams_and_sessions,
);

async fn connect(url: &str) -> Redis {
    Redis::connect(url, RedisOptions::default()).await.unwrap()
}

fn event(i: usize) -> Bytes {
    Bytes::from(format!(
        r#"{{"jsonrpc":"2.0","method":"notifications/progress","n":{i}}}"#
    ))
}

async fn append_all(
    store: &RedisEventStore,
    session: &str,
    range: std::ops::Range<usize>,
) -> Vec<String> {
    let mut ids = Vec::new();
    for i in range {
        ids.push(store.append(session, STREAM, event(i)).await.unwrap());
    }
    ids
}

async fn replay(store: &RedisEventStore, session: &str, id: &str) -> Option<Replay> {
    store.replay_after(session, id).await.unwrap()
}

async fn replays_are_exact_across_instances(url: &str) {
    let a = RedisEventStore::new(connect(url).await);
    let b = RedisEventStore::new(connect(url).await);
    let ids = append_all(&a, "s1", 0..6).await;
    for (i, id) in ids.iter().enumerate() {
        assert!(id.starts_with(&format!("{STREAM}-")), "{id}");
        let r = replay(&b, "s1", id).await.expect("a kept id is replayed");
        assert_eq!(r.stream, STREAM);
        let got: Vec<(&str, &Bytes)> = r.events.iter().map(|e| (e.id.as_str(), &e.data)).collect();
        let want: Vec<(&str, Bytes)> = (i + 1..6).map(|j| (ids[j].as_str(), event(j))).collect();
        let want: Vec<(&str, &Bytes)> = want.iter().map(|(id, d)| (*id, d)).collect();
        assert_eq!(got, want, "after event {i}");
    }
    // Another session's, another stream's, an unknown and a malformed id.
    assert_eq!(replay(&b, "s2", &ids[0]).await, None);
    let (_, entry) = ids[0].split_once('-').unwrap();
    assert_eq!(
        replay(&b, "s1", &format!("{}-{entry}", STREAM - 1)).await,
        None
    );
    assert_eq!(replay(&b, "s1", &format!("{STREAM}-1-0")).await, None);
    for bad in [
        "",
        "x",
        &format!("{STREAM}"),
        &format!("{STREAM}-1"),
        "1-2-3-4",
    ] {
        assert_eq!(replay(&b, "s1", bad).await, None, "{bad:?}");
    }
}

async fn trimmed_events_make_a_replay_refused(url: &str) {
    let store = RedisEventStore::new(connect(url).await)
        .max_events(3)
        .exact_trim(true);
    let ids = append_all(&store, "s", 0..6).await;
    // Events 3, 4 and 5 are kept. After 0 or 1 an event is missing; after
    // 2 none is, but with 2 itself gone the store cannot tell, so it refuses.
    for id in &ids[..3] {
        assert_eq!(replay(&store, "s", id).await, None, "after {id}");
    }
    let r = replay(&store, "s", &ids[3]).await.unwrap();
    let got: Vec<&str> = r.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(got, [ids[4].as_str(), ids[5].as_str()]);
    // A follower past a trimmed event is refused too, with an error item.
    let mut feed = store.follow("s", STREAM, &ids[1]).unwrap();
    let first = within(PATIENCE, "the feed's first item", feed.next()).await;
    assert!(
        matches!(first, Some(Err(EventStoreError::Backend(ref m))) if m.contains("trimmed")),
        "{first:?}"
    );
    assert!(
        within(PATIENCE, "the feed's end", feed.next())
            .await
            .is_none()
    );
}

async fn a_finished_stream_ends_its_feed_and_expires_soon(url: &str) {
    let redis = connect(url).await;
    let grace = Duration::from_secs(30);
    let a = RedisEventStore::new(connect(url).await).grace(grace);
    let b = RedisEventStore::new(redis.clone());
    let first = a.append("s", STREAM, event(0)).await.unwrap();
    let feed = b
        .follow("s", STREAM, &first)
        .expect("a Redis store follows");
    let later = append_all(&a, "s", 1..3).await;
    a.finish_stream("s", STREAM).await.unwrap();
    let got: Vec<String> = within(
        PATIENCE,
        "the feed to end at the end mark",
        feed.map(|e| e.unwrap().id).collect(),
    )
    .await;
    assert_eq!(got, later);
    // A replay still skips the end mark, and the stream lives only the grace.
    let r = replay(&b, "s", &first).await.unwrap();
    assert_eq!(
        r.events.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        later
    );
    let key = Keys::new("mcpwire").stream("s", STREAM);
    let ttl: i64 = redis.query(redis::cmd("PTTL").arg(&key)).await.unwrap();
    assert!(ttl > 0 && ttl <= grace.as_millis() as i64, "{ttl}");
    // Finishing a stream that is gone does not bring it back.
    a.finish_stream("s", STREAM + 1).await.unwrap();
    let exists: bool = redis
        .query(redis::cmd("EXISTS").arg(Keys::new("mcpwire").stream("s", STREAM + 1)))
        .await
        .unwrap();
    assert!(!exists);
}

async fn a_follower_gets_every_later_event_once_in_order(url: &str) {
    let a = RedisEventStore::new(connect(url).await);
    let b = RedisEventStore::new(connect(url).await);
    let early = append_all(&a, "s", 0..3).await;
    // Instance B replays after the first event, then follows from there
    // while A goes on writing.
    let r = replay(&b, "s", &early[0]).await.unwrap();
    let replayed: Vec<String> = r.events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(replayed, early[1..]);
    let feed = b.follow("s", STREAM, replayed.last().unwrap()).unwrap();
    let writer = tokio::spawn(async move {
        let mut ids = Vec::new();
        for i in 3..200 {
            ids.push(a.append("s", STREAM, event(i)).await.unwrap());
            if i % 50 == 0 {
                tokio::task::yield_now().await;
            }
        }
        a.finish_stream("s", STREAM).await.unwrap();
        ids
    });
    let got: Vec<(String, Bytes)> = within(
        PATIENCE,
        "the follower to reach the end",
        feed.map(|e| {
            let e = e.unwrap();
            (e.id, e.data)
        })
        .collect(),
    )
    .await;
    let written = writer.await.unwrap();
    let want: Vec<(String, Bytes)> = written.into_iter().zip((3..200).map(event)).collect();
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
}

async fn forgetting_removes_streams_and_sessions(url: &str) {
    let redis = connect(url).await;
    let store = RedisEventStore::new(redis.clone());
    let s1 = store.append("s", 1, event(0)).await.unwrap();
    let s2 = store.append("s", 2, event(0)).await.unwrap();
    let t1 = store.append("t", 1, event(0)).await.unwrap();
    let feed = store.follow("s", 2, &s2).unwrap();
    store.forget_stream("s", 1).await.unwrap();
    assert_eq!(replay(&store, "s", &s1).await, None);
    assert!(replay(&store, "s", &s2).await.is_some());
    store.forget_session("s").await.unwrap();
    assert_eq!(replay(&store, "s", &s2).await, None);
    // A follower of a forgotten stream sees it end.
    let rest: Vec<_> = within(
        PATIENCE,
        "the feed of a forgotten stream to end",
        feed.collect(),
    )
    .await;
    assert!(rest.is_empty(), "{rest:?}");
    let keys = Keys::new("mcpwire");
    for key in [keys.stream("s", 1), keys.stream("s", 2), keys.streams("s")] {
        let exists: bool = redis.query(redis::cmd("EXISTS").arg(&key)).await.unwrap();
        assert!(!exists, "{key} is left");
    }
    assert!(
        replay(&store, "t", &t1).await.is_some(),
        "another session is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_redis_fails_every_call_within_the_deadline() {
    let mut server = RedisServer::start();
    let deadline = Duration::from_millis(300);
    let redis = Redis::connect(&server.url(), RedisOptions::default().deadline(deadline))
        .await
        .unwrap();
    let store = RedisEventStore::new(redis);
    let id = store.append("s", STREAM, event(0)).await.unwrap();
    let mut feed = store.follow("s", STREAM, &id).unwrap();
    server.stop();
    let bound = Duration::from_secs(3);
    let failed = |r: Result<(), EventStoreError>| matches!(r, Err(EventStoreError::Backend(_)));
    let r = within(bound, "append", store.append("s", STREAM, event(1))).await;
    assert!(failed(r.map(|_| ())));
    let r = within(bound, "replay", store.replay_after("s", &id)).await;
    assert!(failed(r.map(|_| ())));
    assert!(failed(
        within(bound, "finish", store.finish_stream("s", STREAM)).await
    ));
    assert!(failed(
        within(bound, "forget", store.forget_stream("s", STREAM)).await
    ));
    assert!(failed(
        within(bound, "forget session", store.forget_session("s")).await
    ));
    let item = within(bound, "the feed to fail", feed.next()).await;
    assert!(
        matches!(item, Some(Err(EventStoreError::Backend(_)))),
        "{item:?}"
    );
    assert!(
        within(bound, "the feed to end", feed.next())
            .await
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_followed_past_the_limit_fails_instead_of_waiting_for_ever() {
    let server = RedisServer::start();
    let redis = Redis::connect(&server.url(), RedisOptions::default())
        .await
        .unwrap();
    let store = RedisEventStore::new(redis).follow_limit(Duration::from_millis(300));
    let id = store.append("s", STREAM, event(0)).await.unwrap();
    let mut feed = store.follow("s", STREAM, &id).unwrap();
    let item = within(Duration::from_secs(3), "the feed to give up", feed.next()).await;
    assert!(
        matches!(item, Some(Err(EventStoreError::Backend(ref m))) if m.contains("follow_limit")),
        "{item:?}"
    );
    // An idle follower polls rarely: at most about one poll per 100 ms.
    let polls = server.command_counts().get("xrange").copied().unwrap_or(0);
    assert!((3..=20).contains(&polls), "{polls} polls in 300 ms");
}

/// The event store given to `RedisState` is the one its HTTP settings use,
/// bounds included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_state_serves_streams_from_the_event_store_it_was_given() {
    let redis = RedisServer::start();
    let shared = RedisState::connect(&redis.url(), RedisOptions::default())
        .await
        .unwrap();
    let bounded = RedisEventStore::new(shared.redis().clone())
        .max_events(3)
        .exact_trim(true);
    let config = shared
        .event_store(bounded)
        .http(mcpwire_http::server::HttpConfig::default());
    let store = config.event_store;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(store.append("s", STREAM, event(i)).await.unwrap());
    }
    assert!(store.replay_after("s", &ids[0]).await.unwrap().is_none());
    let kept = store.replay_after("s", &ids[3]).await.unwrap().unwrap();
    assert_eq!(kept.events.len(), 2);
}
