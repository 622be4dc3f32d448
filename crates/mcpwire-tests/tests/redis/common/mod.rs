//! What the Redis store tests share: a private Redis, single server or
//! three-master cluster, that a test body written once runs against, can
//! connect to as many times as it has "instances", and can take down.

use std::future::Future;
use std::time::{Duration, Instant};

use mcpwire_redis::{Redis, RedisOptions};
use mcpwire_testkit::parts::{RedisCluster, RedisServer};

/// How long a test waits for something that should happen soon.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// The deadline of every call in the tests of a Redis that went away.
pub const SHORT_DEADLINE: Duration = Duration::from_millis(300);

/// How long a call to a Redis that went away may take: its deadline and
/// the scheduling noise of a busy machine, far from a hang.
pub const FAIL_WITHIN: Duration = Duration::from_secs(3);

/// Awaits a call to a Redis that went away, failing the test if it takes
/// longer than [`FAIL_WITHIN`].
pub async fn promptly<T>(call: impl Future<Output = T>) -> T {
    let start = Instant::now();
    let out = call.await;
    let took = start.elapsed();
    assert!(took < FAIL_WITHIN, "a call took {took:?}");
    out
}

/// A private Redis for one test.
pub enum Backing {
    Single(RedisServer),
    Cluster(RedisCluster),
}

impl Backing {
    pub fn single() -> Backing {
        Backing::Single(RedisServer::start())
    }

    pub fn cluster() -> Backing {
        Backing::Cluster(RedisCluster::start())
    }

    /// Where to connect.
    pub fn url(&self) -> String {
        match self {
            Backing::Single(s) => s.url(),
            Backing::Cluster(c) => c.url(),
        }
    }

    /// A connection of its own: what one more server instance would open.
    pub async fn connect(&self, deadline: Duration) -> Redis {
        let url = match self {
            Backing::Single(s) => s.url(),
            Backing::Cluster(c) => c.url(),
        };
        let redis = Redis::connect(&url, RedisOptions::default().deadline(deadline))
            .await
            .expect("connect to the test's Redis");
        assert_eq!(redis.is_cluster(), matches!(self, Backing::Cluster(_)));
        redis
    }

    /// Makes Redis unavailable: the server is killed, or every cluster
    /// node stops answering for a few seconds (`CLIENT PAUSE`), since a
    /// killed node would lose its share of the slots for good.
    pub fn take_down(&mut self) {
        match self {
            Backing::Single(s) => s.stop(),
            Backing::Cluster(c) => {
                for n in c.nodes() {
                    assert_eq!(n.cli(&["CLIENT", "PAUSE", "5000", "ALL"]).trim(), "OK");
                }
            }
        }
    }

    /// Makes Redis available again: the server restarts (empty), or the
    /// cluster's pause runs out by itself.
    pub fn bring_back(&mut self) {
        if let Backing::Single(s) = self {
            s.restart();
        }
    }
}

/// Runs each named `async fn(Backing)` of the test file once against a
/// single Redis and once against a Redis Cluster.
macro_rules! on_single_and_cluster {
    ($($name:ident),* $(,)?) => {
        mod single {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::common::Backing::single()).await
                }
            )*
        }
        mod cluster {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::common::Backing::cluster()).await
                }
            )*
        }
    };
}
