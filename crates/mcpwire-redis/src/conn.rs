//! One connection to Redis for a whole process: a single server or a
//! Redis Cluster (found out by asking the server), every call bounded by a
//! deadline, and reconnection left to the client underneath.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, FromRedisValue, Pipeline, RedisFuture, Value};

use crate::RedisError;

/// How mcpwire talks to Redis.
///
/// ```
/// use std::time::Duration;
/// use mcpwire_redis::RedisOptions;
/// let options = RedisOptions::default().deadline(Duration::from_secs(1)).prefix("api");
/// assert_eq!(options.key_prefix(), "api");
/// ```
#[derive(Debug, Clone)]
pub struct RedisOptions {
    deadline: Duration,
    connect_timeout: Duration,
    prefix: String,
}

/// How long one Redis call may take unless told otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(2);

/// How long connecting to Redis may take unless told otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            deadline: DEFAULT_DEADLINE,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            prefix: "mcpwire".into(),
        }
    }
}

impl RedisOptions {
    /// The longest one Redis call may take ([`DEFAULT_DEADLINE`]); a call
    /// past it fails with [`RedisError::TimedOut`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// let o = mcpwire_redis::RedisOptions::default().deadline(Duration::from_millis(300));
    /// assert_eq!(o.call_deadline(), Duration::from_millis(300));
    /// ```
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline.max(Duration::from_millis(1));
        self
    }

    /// The longest connecting may take ([`DEFAULT_CONNECT_TIMEOUT`]).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let o = mcpwire_redis::RedisOptions::default().connect_timeout(Duration::from_secs(1));
    /// # let _ = o;
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// What every key and channel starts with (`mcpwire`), so that several
    /// deployments can share one Redis.
    ///
    /// ```
    /// let o = mcpwire_redis::RedisOptions::default().prefix("staging");
    /// assert_eq!(o.key_prefix(), "staging");
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The deadline of one call.
    ///
    /// ```
    /// assert_eq!(
    ///     mcpwire_redis::RedisOptions::default().call_deadline(),
    ///     mcpwire_redis::DEFAULT_DEADLINE
    /// );
    /// ```
    pub fn call_deadline(&self) -> Duration {
        self.deadline
    }

    /// The key prefix.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::RedisOptions::default().key_prefix(), "mcpwire");
    /// ```
    pub fn key_prefix(&self) -> &str {
        &self.prefix
    }
}

#[derive(Clone)]
enum Link {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Link {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Link::Single(c) => c.req_packed_command(cmd),
            Link::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Link::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Link::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Link::Single(c) => c.get_db(),
            Link::Cluster(c) => c.get_db(),
        }
    }
}

struct Inner {
    link: Link,
    options: RedisOptions,
    /// Where subscriptions connect: the server, or one node of the
    /// cluster (a PUBLISH reaches subscribers on every node).
    pubsub: redis::Client,
    cluster: bool,
}

/// A connection to Redis shared by everything in one process. Cheap to
/// clone.
///
/// [`Redis::connect`] takes a single server's URL or any node of a Redis
/// Cluster; which one it is, it asks the server.
///
/// ```no_run
/// # async fn run() -> Result<(), mcpwire_redis::RedisError> {
/// use mcpwire_redis::{Redis, RedisOptions};
/// let redis = Redis::connect("redis://127.0.0.1:6379", RedisOptions::default()).await?;
/// let pong: String = redis.query(&redis::cmd("PING")).await?;
/// assert_eq!(pong, "PONG");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Redis {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("cluster", &self.inner.cluster)
            .field("options", &self.inner.options)
            .finish()
    }
}

/// The URL with any password replaced, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***{}", &url[..scheme], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Redis {
    /// Connects to the Redis at `url` (`redis://[user:password@]host:port[/db]`).
    ///
    /// A node of a Redis Cluster is recognised (`INFO cluster`), and the
    /// cluster is then used through it. Fails when Redis cannot be reached
    /// within the connect timeout: a server should not start with state it
    /// cannot share.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), mcpwire_redis::RedisError> {
    /// let redis = mcpwire_redis::Redis::connect("redis://127.0.0.1:7000", Default::default()).await?;
    /// println!("cluster: {}", redis.is_cluster());
    /// # Ok(()) }
    /// ```
    pub async fn connect(url: &str, options: RedisOptions) -> Result<Redis, RedisError> {
        let invalid = |reason: String| RedisError::InvalidUrl {
            url: redact(url),
            reason,
        };
        let client = redis::Client::open(url).map_err(|e| invalid(e.to_string()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(options.connect_timeout))
            .set_response_timeout(Some(options.deadline))
            .set_max_delay(Duration::from_secs(2))
            .set_number_of_retries(2);
        let connect = ConnectionManager::new_with_config(client.clone(), config);
        let single = tokio::time::timeout(options.connect_timeout, connect)
            .await
            .map_err(|_| RedisError::TimedOut(options.connect_timeout))??;
        let mut probe = Link::Single(single.clone());
        let info: String = with_deadline(
            options.deadline,
            redis::cmd("INFO").arg("cluster").query_async(&mut probe),
        )
        .await?;
        let cluster = info.lines().any(|l| l.trim() == "cluster_enabled:1");
        let link = if cluster {
            let client = redis::cluster::ClusterClient::builder([url])
                .connection_timeout(options.connect_timeout)
                .response_timeout(options.deadline)
                .build()
                .map_err(|e| invalid(e.to_string()))?;
            let conn = tokio::time::timeout(options.connect_timeout, client.get_async_connection())
                .await
                .map_err(|_| RedisError::TimedOut(options.connect_timeout))??;
            Link::Cluster(conn)
        } else {
            Link::Single(single)
        };
        Ok(Redis {
            inner: Arc::new(Inner {
                link,
                options,
                pubsub: client,
                cluster,
            }),
        })
    }

    /// Whether this is a Redis Cluster.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// if redis.is_cluster() { println!("keys are spread over the cluster's nodes"); }
    /// # }
    /// ```
    pub fn is_cluster(&self) -> bool {
        self.inner.cluster
    }

    /// The options it was connected with.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) {
    /// println!("{:?}", redis.options().call_deadline());
    /// # }
    /// ```
    pub fn options(&self) -> &RedisOptions {
        &self.inner.options
    }

    /// Runs one command, within the deadline.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) -> Result<(), mcpwire_redis::RedisError> {
    /// let n: i64 = redis.query(redis::cmd("INCR").arg("mcpwire:demo")).await?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub async fn query<T: FromRedisValue>(&self, cmd: &Cmd) -> Result<T, RedisError> {
        let mut link = self.inner.link.clone();
        with_deadline(self.inner.options.deadline, cmd.query_async(&mut link)).await
    }

    /// Runs a pipeline (in one round trip on a single server), within the
    /// deadline.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) -> Result<(), mcpwire_redis::RedisError> {
    /// let mut p = redis::pipe();
    /// p.cmd("SET").arg("k").arg("v").ignore().cmd("GET").arg("k");
    /// let (v,): (String,) = redis.pipeline(&p).await?;
    /// # let _ = v; Ok(()) }
    /// ```
    pub async fn pipeline<T: FromRedisValue>(&self, pipe: &Pipeline) -> Result<T, RedisError> {
        let mut link = self.inner.link.clone();
        with_deadline(self.inner.options.deadline, pipe.query_async(&mut link)).await
    }

    /// Runs a Lua script (loaded once, then called by its hash), within the
    /// deadline.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) -> Result<(), mcpwire_redis::RedisError> {
    /// let script = redis::Script::new("return redis.call('GET', KEYS[1])");
    /// let v: Option<String> = redis.script(&script.key("k")).await?;
    /// # let _ = v; Ok(()) }
    /// ```
    pub async fn script<T: FromRedisValue>(
        &self,
        invocation: &redis::ScriptInvocation<'_>,
    ) -> Result<T, RedisError> {
        let mut link = self.inner.link.clone();
        with_deadline(
            self.inner.options.deadline,
            invocation.invoke_async(&mut link),
        )
        .await
    }

    /// A new connection for subscriptions (`SUBSCRIBE`), to the server or
    /// to the cluster node the URL named.
    ///
    /// ```no_run
    /// # async fn run(redis: mcpwire_redis::Redis) -> Result<(), mcpwire_redis::RedisError> {
    /// let mut pubsub = redis.pubsub().await?;
    /// pubsub.subscribe("mcpwire:demo").await.map_err(mcpwire_redis::RedisError::from)?;
    /// # Ok(()) }
    /// ```
    pub async fn pubsub(&self) -> Result<redis::aio::PubSub, RedisError> {
        let timeout = self.inner.options.connect_timeout;
        tokio::time::timeout(timeout, self.inner.pubsub.get_async_pubsub())
            .await
            .map_err(|_| RedisError::TimedOut(timeout))?
            .map_err(RedisError::from)
    }
}

/// Runs a Redis call, failing with [`RedisError::TimedOut`] past `deadline`.
pub(crate) async fn with_deadline<T>(
    deadline: Duration,
    call: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, RedisError> {
    match tokio::time::timeout(deadline, call).await {
        Ok(Err(e)) if e.is_timeout() => Err(RedisError::TimedOut(deadline)),
        Ok(r) => r.map_err(RedisError::from),
        Err(_) => Err(RedisError::TimedOut(deadline)),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("redis://user:s3cret@h:1/0"), "redis://***@h:1/0");
        assert_eq!(redact("redis://h:1"), "redis://h:1");
    }
}
