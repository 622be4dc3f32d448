//! What can go wrong when talking to Redis, in words an operator can act
//! on: [`RedisError`].

use std::time::Duration;

/// A failed call to Redis.
///
/// Its text names the cause for the operator's log. The HTTP layer never
/// shows it to a client: a request that needs shared state while Redis
/// fails gets `503 Service Unavailable` with `Retry-After`.
///
/// ```
/// use std::time::Duration;
/// use mcpwire_redis::RedisError;
/// let e = RedisError::TimedOut(Duration::from_millis(500));
/// assert!(e.to_string().contains("500ms"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RedisError {
    /// The URL could not be used.
    #[error("invalid Redis URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL, without its password.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// Redis could not be reached, or dropped the connection.
    #[error("Redis is unreachable: {0}; check that it runs and that the URL is right")]
    Unreachable(String),
    /// Redis did not answer within the deadline every call has.
    #[error(
        "Redis did not answer within {0:?}; it is overloaded or the network is slow (raise the deadline with RedisOptions::deadline if this is expected)"
    )]
    TimedOut(Duration),
    /// Redis answered with an error.
    #[error("Redis refused a command: {0}")]
    Command(String),
    /// What Redis holds could not be read back.
    #[error("Redis holds a value mcpwire cannot read: {0}")]
    Corrupt(String),
}

impl RedisError {
    /// Whether the error says Redis is away (unreachable or too slow), as
    /// opposed to a refused command or unreadable data.
    ///
    /// ```
    /// use mcpwire_redis::RedisError;
    /// assert!(RedisError::Unreachable("connection refused".into()).is_unavailable());
    /// assert!(!RedisError::Command("WRONGTYPE".into()).is_unavailable());
    /// ```
    pub fn is_unavailable(&self) -> bool {
        matches!(self, RedisError::Unreachable(_) | RedisError::TimedOut(_))
    }
}

impl From<redis::RedisError> for RedisError {
    fn from(e: redis::RedisError) -> Self {
        if e.is_io_error()
            || e.is_connection_dropped()
            || e.is_connection_refusal()
            || e.is_timeout()
            || e.is_unrecoverable_error()
        {
            RedisError::Unreachable(e.to_string())
        } else {
            RedisError::Command(e.to_string())
        }
    }
}

impl From<serde_json::Error> for RedisError {
    fn from(e: serde_json::Error) -> Self {
        RedisError::Corrupt(e.to_string())
    }
}
