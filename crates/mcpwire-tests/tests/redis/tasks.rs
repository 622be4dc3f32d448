//! `RedisTaskStore` against a real Redis and a real Redis Cluster: a task
//! created through one instance is read, updated and listed through
//! another; the store is bounded and forgets expired tasks; pages follow
//! creation order and refuse strange cursors; two instances updating one
//! task at once lose no change; a Redis that went away costs a typed error
//! at the deadline, and the store works again once it is back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use super::common::{Backing, PATIENCE, SHORT_DEADLINE, promptly};
use mcpwire_redis::{Keys, Redis, RedisTaskStore};
use mcpwire_server::{TaskPage, TaskRecord, TaskStore, TaskStoreError};
use mcpwire_testkit::eventually;
use mcpwire_types::{InputRequests, TaskStatus};

on_single_and_cluster!(
    a_task_is_shared_bounded_and_forgotten_once_expired,
    pages_follow_creation_order_across_instances,
    concurrent_updates_from_two_instances_lose_nothing,
    a_redis_that_went_away_costs_a_typed_error_not_a_hang,
);

const LONG: Duration = Duration::from_secs(60);
const HOUR: Option<Duration> = Some(Duration::from_secs(3600));

fn task(id: &str, owner: Option<&str>, ttl: Option<Duration>) -> TaskRecord {
    let now = SystemTime::now();
    TaskRecord {
        task_id: id.into(),
        owner: owner.map(Into::into),
        status: TaskStatus::Working,
        status_message: None,
        created_at: now,
        last_updated_at: now,
        ttl,
        poll_interval: Some(Duration::from_millis(500)),
        input_requests: InputRequests::new(),
        outcome: None,
    }
}

fn ids(page: &TaskPage) -> Vec<&str> {
    page.tasks.iter().map(|t| t.task_id.as_str()).collect()
}

async fn exists(redis: &Redis, key: String) -> bool {
    let n: i64 = redis.query(redis::cmd("EXISTS").arg(key)).await.unwrap();
    n == 1
}

async fn a_task_is_shared_bounded_and_forgotten_once_expired(b: Backing) {
    let redis = b.connect(LONG).await;
    let one = RedisTaskStore::new(redis.clone(), 3);
    let two = RedisTaskStore::new(b.connect(LONG).await, 3);
    let t1 = task("t1", Some("me"), HOUR);
    one.create(t1.clone()).await.unwrap();
    assert_eq!(two.get("t1").await.unwrap(), Some(t1.clone()));
    let done = two
        .update("t1", Box::new(|t| t.status = TaskStatus::Completed))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    assert_eq!(one.get("t1").await.unwrap(), Some(done));
    // An unknown task is not changed, nor is the change called.
    let called = Arc::new(AtomicBool::new(false));
    let c = called.clone();
    let change = Box::new(move |_: &mut TaskRecord| c.store(true, Ordering::SeqCst));
    assert_eq!(one.update("nope", change).await.unwrap(), None);
    assert!(!called.load(Ordering::SeqCst));
    assert_eq!(one.get("nope").await.unwrap(), None);

    // A task expired on arrival is gone at once, and takes no room.
    one.create(task("dead", None, Some(Duration::ZERO)))
        .await
        .unwrap();
    assert_eq!(two.get("dead").await.unwrap(), None);
    // A short-lived one vanishes by itself, from Redis too, and frees its
    // room.
    one.create(task("short", None, Some(Duration::from_millis(300))))
        .await
        .unwrap();
    assert!(two.get("short").await.unwrap().is_some());
    one.create(task("t2", None, HOUR)).await.unwrap();
    assert_eq!(
        two.create(task("t3", None, HOUR)).await,
        Err(TaskStoreError::Full(3))
    );
    eventually(PATIENCE, "the short-lived task expired", || async {
        two.get("short").await.unwrap().is_none()
    })
    .await;
    assert!(!exists(&redis, Keys::new("mcpwire").task("short")).await);
    assert_eq!(two.update("short", Box::new(|_| {})).await.unwrap(), None);
    two.create(task("t3", None, HOUR)).await.unwrap();
    assert_eq!(
        one.create(task("t4", None, HOUR)).await,
        Err(TaskStoreError::Full(3))
    );
    // A full store still replaces the tasks it holds.
    let mut again = task("t2", None, HOUR);
    again.status_message = Some("again".into());
    one.create(again.clone()).await.unwrap();
    assert_eq!(two.get("t2").await.unwrap(), Some(again));
    // A task's key lives as long as the task, not forever.
    let left: i64 = redis
        .query(redis::cmd("PTTL").arg(Keys::new("mcpwire").task("t1")))
        .await
        .unwrap();
    assert!(0 < left && left <= 3_600_000, "{left}");
}

async fn pages_follow_creation_order_across_instances(b: Backing) {
    let redis = b.connect(LONG).await;
    let one = RedisTaskStore::new(redis.clone(), 100);
    let two = RedisTaskStore::new(b.connect(LONG).await, 100);
    // Created in quick succession through both instances, interleaved
    // with tasks of another owner and tasks that soon expire; more than
    // nine, so that creation order and the order of the ids differ.
    let short = Some(Duration::from_millis(300));
    let mut mine = Vec::new();
    for i in 0..16 {
        let store = if i % 2 == 0 { &one } else { &two };
        let (id, owner, ttl) = match i % 4 {
            0 | 1 => (format!("m{i}"), "me", HOUR),
            2 => (format!("o{i}"), "other", HOUR),
            _ => (format!("x{i}"), "me", short),
        };
        store.create(task(&id, Some(owner), ttl)).await.unwrap();
        if id.starts_with('m') {
            mine.push(id);
        }
    }
    eventually(PATIENCE, "the short-lived tasks expired", || async {
        two.get("x15").await.unwrap().is_none()
    })
    .await;
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let store = if pages % 2 == 0 { &one } else { &two };
        let page = store.list("me", cursor.as_deref(), 2).await.unwrap();
        assert!(page.tasks.len() <= 2);
        listed.extend(ids(&page).into_iter().map(String::from));
        pages += 1;
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(listed, mine);
    assert_eq!(pages, 4);
    let all = two.list("me", None, usize::MAX).await.unwrap();
    assert_eq!(ids(&all), mine);
    assert_eq!(all.next_cursor, None);
    // Listing forgot the expired tasks in the owner's index.
    let left: Vec<String> = redis
        .query(
            redis::cmd("ZRANGE")
                .arg(Keys::new("mcpwire").owner_tasks("me"))
                .arg(0)
                .arg(-1),
        )
        .await
        .unwrap();
    assert_eq!(left, mine);
    // A page is never empty for a zero limit, as in memory.
    assert_eq!(one.list("me", None, 0).await.unwrap().tasks.len(), 1);
    assert_eq!(
        one.list("nobody", None, 10).await.unwrap(),
        TaskPage::default()
    );
    for bad in ["nope", "r", "r1x", "s1", ""] {
        assert_eq!(
            one.list("me", Some(bad), 2).await,
            Err(TaskStoreError::InvalidCursor(bad.into()))
        );
    }
}

async fn concurrent_updates_from_two_instances_lose_nothing(b: Backing) {
    let one = RedisTaskStore::new(b.connect(LONG).await, 10);
    let two = RedisTaskStore::new(b.connect(LONG).await, 10);
    let mut t = task("counted", Some("me"), HOUR);
    t.status_message = Some("0".into());
    one.create(t).await.unwrap();
    let per_store = 25;
    let mut running = Vec::new();
    for _ in 0..per_store {
        for store in [&one, &two] {
            let store = store.clone();
            running.push(tokio::spawn(async move {
                store
                    .update(
                        "counted",
                        Box::new(|t| {
                            let n: u32 = t.status_message.as_deref().unwrap().parse().unwrap();
                            t.status_message = Some((n + 1).to_string());
                        }),
                    )
                    .await
            }));
        }
    }
    let mut seen = Vec::new();
    for r in running {
        let after = r.await.unwrap().unwrap().unwrap();
        seen.push(after.status_message.unwrap().parse::<u32>().unwrap());
    }
    // Each update saw the one before it: every count exactly once.
    seen.sort_unstable();
    assert_eq!(seen, (1..=2 * per_store).collect::<Vec<_>>());
    let last = two.get("counted").await.unwrap().unwrap();
    assert_eq!(last.status_message.as_deref(), Some("50"));
}

async fn a_redis_that_went_away_costs_a_typed_error_not_a_hang(mut b: Backing) {
    let store = RedisTaskStore::new(b.connect(SHORT_DEADLINE).await, 10);
    store.create(task("t1", Some("me"), HOUR)).await.unwrap();
    b.take_down();
    let failed = [
        promptly(store.create(task("t2", Some("me"), HOUR)))
            .await
            .err(),
        promptly(store.get("t1")).await.err(),
        promptly(store.update("t1", Box::new(|_| {}))).await.err(),
        promptly(store.list("me", None, 10)).await.err(),
    ];
    for e in &failed {
        assert!(matches!(e, Some(TaskStoreError::Backend(_))), "{e:?}");
    }
    b.bring_back();
    eventually(PATIENCE, "the store works again", || async {
        store.create(task("t3", Some("me"), HOUR)).await.is_ok()
    })
    .await;
    assert!(store.get("t3").await.unwrap().is_some());
    let page = store.list("me", None, 10).await.unwrap();
    assert!(ids(&page).contains(&"t3"), "{page:?}");
}
