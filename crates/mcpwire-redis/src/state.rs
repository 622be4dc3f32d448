//! Everything one server instance shares with the others through one
//! Redis, wired in two calls: [`RedisState::server`] for the server's
//! sessions, tasks, notifications and `requestState` keys, and
//! [`RedisState::http`] for the HTTP transport's resumable streams and the
//! relay between instances.

use std::sync::Arc;
use std::time::Duration;

use mcpwire_http::server::HttpConfig;
use mcpwire_server::{DEFAULT_MAX_TASKS, KeyRing, ServerBuilder};

use crate::{
    KeyRingOptions, Redis, RedisBus, RedisError, RedisEventStore, RedisOptions, RedisRelay,
    RedisSessionStore, RedisTaskStore, shared_key_ring,
};

/// The environment variable the command line and the examples read a
/// Redis URL from when no `--redis` is given.
pub const REDIS_URL_ENV: &str = "MCPWIRE_REDIS_URL";

/// How long an idle session lives unless told otherwise: the HTTP
/// transport's default.
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(30 * 60);

/// One instance's shared state on Redis. Build every instance of a server
/// the same way, against the same Redis, and put them behind any load
/// balancer: each serves every session, stream and task.
///
/// ```no_run
/// # async fn run(builder: mcpwire_server::ServerBuilder) -> Result<(), Box<dyn std::error::Error>> {
/// use mcpwire_http::server::{HttpConfig, StreamableHttp};
/// use mcpwire_redis::{RedisOptions, RedisState};
/// let shared = RedisState::connect("redis://127.0.0.1:6379", RedisOptions::default()).await?;
/// let server = shared.server(builder).build()?;
/// let http = StreamableHttp::new(server, shared.http(HttpConfig::default()));
/// http.serve("0.0.0.0:8080").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisState {
    redis: Redis,
    sessions: Arc<RedisSessionStore>,
    events: Arc<RedisEventStore>,
    bus: Arc<RedisBus>,
    relay: Arc<RedisRelay>,
    ring: KeyRing,
    max_tasks: usize,
}

impl std::fmt::Debug for RedisState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisState")
            .field("redis", &self.redis)
            .field("session_idle", &self.sessions.idle())
            .finish_non_exhaustive()
    }
}

impl RedisState {
    /// Connects to the Redis at `url` (a single server, or any node of a
    /// Redis Cluster), loads the shared `requestState` key ring, and
    /// starts listening for other instances' notifications and relayed
    /// messages. Fails when Redis cannot be reached: an instance should
    /// not start with state it cannot share.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), mcpwire_redis::RedisError> {
    /// let shared = mcpwire_redis::RedisState::connect(
    ///     "redis://127.0.0.1:6379",
    ///     mcpwire_redis::RedisOptions::default(),
    /// )
    /// .await?;
    /// # let _ = shared; Ok(()) }
    /// ```
    pub async fn connect(url: &str, options: RedisOptions) -> Result<RedisState, RedisError> {
        let redis = Redis::connect(url, options).await?;
        let ring = shared_key_ring(&redis, KeyRingOptions::default()).await?;
        let bus = Arc::new(RedisBus::connect(redis.clone()).await);
        let relay = Arc::new(RedisRelay::connect(redis.clone()).await);
        Ok(RedisState {
            sessions: Arc::new(RedisSessionStore::new(redis.clone(), DEFAULT_SESSION_IDLE)),
            events: Arc::new(RedisEventStore::new(redis.clone())),
            redis,
            bus,
            relay,
            ring,
            max_tasks: DEFAULT_MAX_TASKS,
        })
    }

    /// How long a session nobody uses lives ([`DEFAULT_SESSION_IDLE`]);
    /// give the HTTP transport the same
    /// ([`HttpConfig::session_idle_timeout`]).
    ///
    /// ```no_run
    /// # fn run(shared: mcpwire_redis::RedisState) {
    /// let shared = shared.session_idle(std::time::Duration::from_secs(600));
    /// # let _ = shared; }
    /// ```
    pub fn session_idle(mut self, idle: Duration) -> RedisState {
        self.sessions = Arc::new(RedisSessionStore::new(self.redis.clone(), idle));
        self
    }

    /// The most tasks kept at once, over all instances
    /// ([`DEFAULT_MAX_TASKS`]).
    ///
    /// ```no_run
    /// # fn run(shared: mcpwire_redis::RedisState) {
    /// let shared = shared.max_tasks(50_000);
    /// # let _ = shared; }
    /// ```
    pub fn max_tasks(mut self, max: usize) -> RedisState {
        self.max_tasks = max;
        self
    }

    /// Keeps resumable streams in `store` instead of the default
    /// [`RedisEventStore`], for its bounds ([`RedisEventStore::max_events`],
    /// [`RedisEventStore::stream_ttl`], [`RedisEventStore::grace`],
    /// [`RedisEventStore::follow_limit`]).
    ///
    /// ```no_run
    /// # fn run(shared: mcpwire_redis::RedisState) {
    /// use mcpwire_redis::RedisEventStore;
    /// let events = RedisEventStore::new(shared.redis().clone()).max_events(4096);
    /// let shared = shared.event_store(events);
    /// # let _ = shared; }
    /// ```
    pub fn event_store(mut self, store: RedisEventStore) -> RedisState {
        self.events = Arc::new(store);
        self
    }

    /// Carries notifications on `bus` instead of the default
    /// [`RedisBus`], for its bound ([`RedisBus::with_capacity`]). Give it
    /// one already listening ([`RedisBus::connect`]) or not: it starts
    /// listening when the server first subscribes.
    ///
    /// ```no_run
    /// # fn run(shared: mcpwire_redis::RedisState) {
    /// use mcpwire_redis::RedisBus;
    /// let bus = RedisBus::with_capacity(shared.redis().clone(), 4096);
    /// let shared = shared.bus(bus);
    /// # let _ = shared; }
    /// ```
    pub fn bus(mut self, bus: RedisBus) -> RedisState {
        self.bus = Arc::new(bus);
        self
    }

    /// The connection, for commands of your own.
    ///
    /// ```no_run
    /// # fn run(shared: mcpwire_redis::RedisState) {
    /// println!("cluster: {}", shared.redis().is_cluster());
    /// # }
    /// ```
    pub fn redis(&self) -> &Redis {
        &self.redis
    }

    /// Gives `builder` the shared session store, task store, notification
    /// bus and `requestState` key ring (keys given to
    /// [`ServerBuilder::request_state_keys`] still win).
    ///
    /// ```no_run
    /// # fn run(shared: mcpwire_redis::RedisState) -> Result<(), mcpwire_server::BuildError> {
    /// let server = shared.server(mcpwire_server::Server::builder("api", "1.0.0")).build()?;
    /// # let _ = server; Ok(()) }
    /// ```
    pub fn server(&self, builder: ServerBuilder) -> ServerBuilder {
        builder
            .session_store(self.sessions.clone())
            .task_store(RedisTaskStore::new(self.redis.clone(), self.max_tasks))
            .notification_bus(self.bus.clone())
            .request_state_key_ring(self.ring.clone())
    }

    /// Gives `config` the shared event store (streams resume on any
    /// instance) and the relay between instances.
    ///
    /// ```no_run
    /// # fn run(shared: mcpwire_redis::RedisState) {
    /// let config = shared.http(mcpwire_http::server::HttpConfig::default());
    /// # let _ = config; }
    /// ```
    pub fn http(&self, config: HttpConfig) -> HttpConfig {
        config
            .session_idle_timeout(self.sessions.idle())
            .event_store(self.events.clone())
            .relay(self.relay.clone())
    }
}
