//! Shared state for mcpwire servers on Redis, so that any number of
//! instances serve one MCP endpoint behind a load balancer with no
//! stickiness.
//!
//! Each piece implements one of the state traits of the layered crates:
//! sessions ([`SessionStore`](mcpwire_server::SessionStore)), resumable
//! streams ([`EventStore`](mcpwire_http::server::EventStore)), tasks
//! ([`TaskStore`](mcpwire_server::TaskStore)) and server events
//! ([`NotificationBus`](mcpwire_server::NotificationBus)). They share one
//! [`Redis`] connection, a single server or a Redis Cluster, and every
//! call they make has a deadline.
//!
//! ```no_run
//! # async fn run() -> Result<(), mcpwire_redis::RedisError> {
//! use mcpwire_redis::{Redis, RedisOptions};
//! let redis = Redis::connect("redis://127.0.0.1:6379", RedisOptions::default()).await?;
//! # let _ = redis; Ok(()) }
//! ```

mod bus;
mod conn;
mod copies;
mod error;
mod events;
mod follow;
mod key_ring;
mod keys;
mod liveness;
mod pubsub;
mod relay;
mod sessions;
mod state;
mod tasks;
#[cfg(feature = "tunnel")]
mod tunnel;

pub use bus::{DEFAULT_BUS_CAPACITY, RedisBus};
pub use conn::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE, Redis, RedisOptions};
pub use copies::{CHANGE_ACK_WAIT, MAX_SESSION_COPIES, SESSION_COPY_FRESH};
pub use error::RedisError;
pub use events::{
    DEFAULT_FOLLOW_LIMIT, DEFAULT_GRACE, DEFAULT_MAX_EVENTS, DEFAULT_STREAM_TTL, RedisEventStore,
};
pub use key_ring::{KeyRingOptions, shared_key_ring};
pub use keys::Keys;
pub use relay::{RELAY_BACKLOG, RedisRelay};
pub use sessions::RedisSessionStore;
pub use state::{DEFAULT_SESSION_IDLE, REDIS_URL_ENV, RedisState};
pub use tasks::RedisTaskStore;
#[cfg(feature = "tunnel")]
pub use tunnel::{ALIVE_CACHE, RedisTunnel, TUNNEL_BACKLOG};

/// The `redis` crate this one is built on, for commands of your own.
pub use redis;
