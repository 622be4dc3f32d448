//! The URIs a client sends (`resources/read`, resource subscriptions,
//! completion references): their length cap, and errors that quote a URI
//! without echoing a long one back whole.

use std::borrow::Cow;

use mcpwire_types::{ErrorCode, ErrorObject};
use serde_json::json;

use mcpwire_rpc::Error;

/// The longest URI, in bytes, a request may name (64 KiB) unless
/// [`ServerBuilder::max_uri_length`](super::ServerBuilder::max_uri_length)
/// says otherwise. A longer one is refused with `-32602` before any
/// resource or template looks at it.
pub const DEFAULT_MAX_URI_LENGTH: usize = 64 * 1024;

/// How many characters of a URI an error quotes; a longer URI is cut there
/// and ends with `…`.
pub const QUOTED_URI_CHARS: usize = 100;

/// `uri` as an error may show it: whole when short, else its first
/// [`QUOTED_URI_CHARS`] characters and `…`.
pub(crate) fn quoted(uri: &str) -> Cow<'_, str> {
    match uri.char_indices().nth(QUOTED_URI_CHARS) {
        None => Cow::Borrowed(uri),
        Some((cut, _)) => Cow::Owned(format!("{}…", &uri[..cut])),
    }
}

/// Refuses a URI longer than `max` bytes with `-32602`, saying how long it
/// is and what the limit is.
pub(crate) fn check(uri: &str, max: usize) -> Result<(), Error> {
    if uri.len() <= max {
        return Ok(());
    }
    Err(Error::Rpc(
        ErrorObject::new(
            ErrorCode::INVALID_PARAMS,
            format!(
                "Invalid params: the URI is {} bytes long, over this server's limit of {max} bytes: {}",
                uri.len(),
                quoted(uri)
            ),
        )
        .with_data(json!({ "uriLength": uri.len(), "maxUriLength": max })),
    ))
}

/// The error for a URI that no resource or template serves, quoting it;
/// the server gives it its revision's code as it answers (see
/// [`Error::resource_not_found`]).
pub(crate) fn resource_not_found(uri: &str) -> Error {
    Error::resource_not_found(quoted(uri))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_uris_are_quoted_whole_and_long_ones_cut() {
        assert_eq!(quoted("memo://a"), "memo://a");
        let exact = "é".repeat(QUOTED_URI_CHARS);
        assert_eq!(quoted(&exact), exact.as_str());
        let long = format!("{exact}z");
        assert_eq!(quoted(&long), format!("{exact}…"));
    }

    #[test]
    fn the_length_check_refuses_only_what_is_over_the_limit() {
        assert!(check("abcd", 4).is_ok());
        let e = check(&format!("ticket://{}", "9".repeat(1 << 20)), 64).unwrap_err();
        let obj = e.to_error_object();
        assert_eq!(obj.code, ErrorCode::INVALID_PARAMS);
        assert!(obj.message.len() < 250, "{}", obj.message);
        assert!(obj.message.contains("1048585 bytes"), "{}", obj.message);
        assert!(obj.message.ends_with('…'), "{}", obj.message);
    }
}
