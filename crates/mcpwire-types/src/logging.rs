//! Logging: levels, `logging/setLevel` (before 2026-07-28) and `notifications/message`.
//!
//! A server sends a message only when its level is at least as severe as
//! the one the client asked for; the levels are ordered, least severe
//! first.
//!
//! ```
//! use mcpwire_types::{LoggingLevel, LoggingMessageNotificationParams, SetLevelRequestParams};
//! let asked: SetLevelRequestParams = serde_json::from_str(r#"{"level":"warning"}"#).unwrap();
//! assert!(LoggingLevel::Error >= asked.level);
//! assert!(LoggingLevel::Info < asked.level);
//! let msg = LoggingMessageNotificationParams::new(LoggingLevel::Error, serde_json::json!({"code": 7}));
//! assert_eq!(serde_json::to_string(&msg).unwrap(), r#"{"level":"error","data":{"code":7}}"#);
//! assert_eq!("critical".parse::<LoggingLevel>().unwrap(), LoggingLevel::Critical);
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::meta::Meta;

/// The severity of a log message, as in syslog (RFC 5424). Ordered from
/// least (`Debug`) to most (`Emergency`) severe.
///
/// ```
/// use mcpwire_types::LoggingLevel;
/// assert!(LoggingLevel::Debug < LoggingLevel::Info);
/// assert!(LoggingLevel::Error > LoggingLevel::Warning);
/// let min = LoggingLevel::Warning;
/// assert!(LoggingLevel::Critical >= min);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoggingLevel {
    /// Debug-level messages.
    Debug,
    /// Informational messages.
    Info,
    /// Normal but significant conditions.
    Notice,
    /// Warning conditions.
    Warning,
    /// Error conditions.
    Error,
    /// Critical conditions.
    Critical,
    /// Action must be taken immediately.
    Alert,
    /// The system is unusable.
    Emergency,
}

impl LoggingLevel {
    /// Every level, least severe first.
    pub const ALL: [LoggingLevel; 8] = [
        LoggingLevel::Debug,
        LoggingLevel::Info,
        LoggingLevel::Notice,
        LoggingLevel::Warning,
        LoggingLevel::Error,
        LoggingLevel::Critical,
        LoggingLevel::Alert,
        LoggingLevel::Emergency,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            LoggingLevel::Debug => "debug",
            LoggingLevel::Info => "info",
            LoggingLevel::Notice => "notice",
            LoggingLevel::Warning => "warning",
            LoggingLevel::Error => "error",
            LoggingLevel::Critical => "critical",
            LoggingLevel::Alert => "alert",
            LoggingLevel::Emergency => "emergency",
        }
    }
}

impl fmt::Display for LoggingLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no logging level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLevel(pub String);

impl fmt::Display for UnknownLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown logging level {:?}", self.0)
    }
}

impl std::error::Error for UnknownLevel {}

impl FromStr for LoggingLevel {
    type Err = UnknownLevel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LoggingLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownLevel(s.to_owned()))
    }
}

/// The params of `logging/setLevel` (before 2026-07-28; since then the level
/// travels in each request's `_meta`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetLevelRequestParams {
    /// The least severe level the client wants to receive.
    pub level: LoggingLevel,
    /// Request metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The params of `notifications/message`.
///
/// ```
/// use mcpwire_types::{LoggingLevel, LoggingMessageNotificationParams};
/// let p = LoggingMessageNotificationParams::new(LoggingLevel::Info, "started").with_logger("db");
/// assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"level":"info","logger":"db","data":"started"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggingMessageNotificationParams {
    /// The severity.
    pub level: LoggingLevel,
    /// The name of the logger.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub logger: Option<String>,
    /// The message: any JSON value.
    pub data: Value,
    /// Notification metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl LoggingMessageNotificationParams {
    /// A message at `level`.
    pub fn new(level: LoggingLevel, data: impl Into<Value>) -> Self {
        LoggingMessageNotificationParams {
            level,
            logger: None,
            data: data.into(),
            meta: None,
        }
    }

    /// Sets the logger name.
    ///
    /// ```
    /// use mcpwire_types::{LoggingLevel, LoggingMessageNotificationParams};
    /// let p = LoggingMessageNotificationParams::new(LoggingLevel::Warning, "slow query")
    ///     .with_logger("db");
    /// assert_eq!(p.logger.as_deref(), Some("db"));
    /// ```
    pub fn with_logger(mut self, logger: impl Into<String>) -> Self {
        self.logger = Some(logger.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_by_severity() {
        let mut sorted = LoggingLevel::ALL;
        sorted.reverse();
        sorted.sort();
        assert_eq!(sorted, LoggingLevel::ALL);
        for w in LoggingLevel::ALL.windows(2) {
            assert!(w[0] < w[1], "{} < {}", w[0], w[1]);
        }
        assert_eq!(
            LoggingLevel::ALL.iter().max(),
            Some(&LoggingLevel::Emergency)
        );
    }

    #[test]
    fn levels_use_wire_names() {
        for l in LoggingLevel::ALL {
            let s = serde_json::to_string(&l).unwrap();
            assert_eq!(s, format!("\"{}\"", l.as_str()));
            assert_eq!(serde_json::from_str::<LoggingLevel>(&s).unwrap(), l);
            assert_eq!(l.as_str().parse::<LoggingLevel>().unwrap(), l);
        }
        assert!(serde_json::from_str::<LoggingLevel>("\"warn\"").is_err());
        assert!("Warning".parse::<LoggingLevel>().is_err());
    }
}
