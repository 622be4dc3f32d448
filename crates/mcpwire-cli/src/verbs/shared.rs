//! State `serve ... --http` shares with other instances through Redis: the
//! URL (`--redis`, or `MCPWIRE_REDIS_URL`), the connection, and messages
//! that name the URL without its password.

use mcpwire::redis::{REDIS_URL_ENV, Redis, RedisError, RedisOptions, RedisState};

use crate::exit::CliError;

/// The Redis to share state through: `--redis URL`, or else
/// `MCPWIRE_REDIS_URL` when serving HTTP. `--redis` without `--http` is a
/// usage error; the variable is ignored over stdio, so that a stdio server
/// started from an environment that sets it still runs.
pub fn redis_url(flag: Option<String>, http: bool) -> Result<Option<String>, CliError> {
    match flag {
        Some(_) if !http => Err(CliError::usage(
            "--redis shares sessions between instances of an HTTP server: add --http ADDR \
             (stdio serves one client and has nothing to share)",
        )),
        Some(url) => Ok(Some(url)),
        None if http => Ok(std::env::var(REDIS_URL_ENV)
            .ok()
            .filter(|url| !url.trim().is_empty())),
        None => Ok(None),
    }
}

/// Connects to the Redis at `url`: a URL it cannot use is a usage error,
/// a Redis it cannot reach a connection error; both name the URL without
/// its password.
pub async fn connect(url: &str) -> Result<RedisState, CliError> {
    RedisState::connect(url, RedisOptions::default())
        .await
        .map_err(|e| unreachable(url, e))
}

/// The connection alone, for `proxy --listen`, which shares no state
/// but its tunnel: errors as [`connect`]'s.
pub async fn connect_redis(url: &str) -> Result<Redis, CliError> {
    Redis::connect(url, RedisOptions::default())
        .await
        .map_err(|e| unreachable(url, e))
}

/// Why the Redis at `url` cannot be used, without its password.
fn unreachable(url: &str, e: RedisError) -> CliError {
    let message = format!(
        "cannot share state through the Redis at {}: {}",
        redact(url),
        scrub(&e.to_string(), url)
    );
    match e {
        RedisError::InvalidUrl { .. } => CliError::usage(message),
        _ => CliError::connect(message),
    }
}

/// `url` with its user and password (everything before `@` in the
/// authority) replaced by `***`.
pub fn redact(url: &str) -> String {
    match userinfo(url) {
        Some((start, end)) => format!("{}***{}", &url[..start], &url[end..]),
        None => url.to_owned(),
    }
}

/// `text` with any copy of `url`'s password replaced by `***`.
fn scrub(text: &str, url: &str) -> String {
    let Some((start, end)) = userinfo(url) else {
        return text.to_owned();
    };
    let info = &url[start..end];
    // `user:password`, or a lone password.
    let secret = info.split_once(':').map_or(info, |(_, p)| p);
    if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "***")
    }
}

/// Where the user information of `url` lies (before the `@` that ends it).
fn userinfo(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://")? + 3;
    let authority_len = url[start..]
        .find(['/', '?', '#'])
        .unwrap_or(url.len() - start);
    let at = url[start..start + authority_len].rfind('@')?;
    Some((start, start + at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            redact("redis://app:s3cret@db:6379/2"),
            "redis://***@db:6379/2"
        );
        assert_eq!(redact("rediss://:s3cret@db"), "rediss://***@db");
        assert_eq!(redact("redis://db:6379"), "redis://db:6379");
        // An `@` past the authority is not user information.
        assert_eq!(redact("redis://db/0?x=a@b"), "redis://db/0?x=a@b");
        assert_eq!(
            scrub("refused by app:s3cret@db", "redis://app:s3cret@db"),
            "refused by app:***@db"
        );
        assert_eq!(scrub("refused", "redis://db"), "refused");
    }

    #[test]
    fn redis_needs_http_and_the_flag_wins_over_the_environment() {
        let refused = redis_url(Some("redis://db".into()), false).unwrap_err();
        assert!(refused.message.contains("--http"), "{}", refused.message);
        assert_eq!(
            redis_url(Some("redis://flag".into()), true).unwrap(),
            Some("redis://flag".into())
        );
        assert_eq!(redis_url(None, false).unwrap(), None);
    }
}
