//! The Value Encoding of the 2026-07-28 Streamable HTTP transport: how a
//! value mirrored into `Mcp-Name` or an `Mcp-Param-{Name}` header is
//! written, as is or in the Base64 sentinel form `=?base64?…?=`, and how
//! it is read back.
//!
//! ```
//! use mcpwire_http::headers::value::{decode, encode};
//! let written = encode("Hello, 世界");
//! assert_eq!(written, "=?base64?SGVsbG8sIOS4lueVjA==?=");
//! let header = http::HeaderValue::from_str(&written).unwrap();
//! assert_eq!(decode(&header).unwrap(), "Hello, 世界");
//! ```

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;

/// The prefix of a Base64 sentinel value.
const SENTINEL_PREFIX: &str = "=?base64?";
/// The suffix of a Base64 sentinel value.
const SENTINEL_SUFFIX: &str = "?=";

/// Whether `value` can travel as a plain header value: only visible ASCII
/// and spaces (0x20-0x7E), no space at either end, and not itself of the
/// sentinel form. Tabs are control characters and are always encoded.
pub fn is_plain(value: &str) -> bool {
    let visible = value.bytes().all(|b| (0x20..=0x7e).contains(&b));
    let padded = value.starts_with(' ') || value.ends_with(' ');
    let sentinel = value.starts_with(SENTINEL_PREFIX) && value.ends_with(SENTINEL_SUFFIX);
    visible && !padded && !sentinel
}

/// `value` as the spec writes it into a header: as is when it
/// [`is_plain`], otherwise `=?base64?{standard padded Base64 of its UTF-8}?=`.
pub fn encode(value: &str) -> String {
    if is_plain(value) {
        value.to_owned()
    } else {
        format!(
            "{SENTINEL_PREFIX}{}{SENTINEL_SUFFIX}",
            base64(value.as_bytes())
        )
    }
}

/// [`encode`] as a header value. Both forms are visible ASCII, so this
/// cannot fail in practice; `None` only guards the conversion.
pub fn header_value(value: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&encode(value)).ok()
}

/// Standard Base64 (RFC 4648, with padding).
fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The value of a header that may use the `=?base64?…?=` sentinel, decoded,
/// with the optional whitespace around it dropped. `Err` names what is wrong
/// with a value that is not valid visible ASCII or not valid padded Base64
/// of UTF-8 text.
pub fn decode(raw: &http::HeaderValue) -> Result<Cow<'_, str>, &'static str> {
    let text = raw
        .to_str()
        .map_err(|_| "contains characters outside visible ASCII")?
        .trim_matches([' ', '\t']);
    let Some(encoded) = text
        .strip_prefix(SENTINEL_PREFIX)
        .and_then(|t| t.strip_suffix(SENTINEL_SUFFIX))
    else {
        return Ok(Cow::Borrowed(text));
    };
    let bytes = STANDARD
        .decode(encoded)
        .map_err(|_| "is not valid padded Base64 inside =?base64?…?=")?;
    String::from_utf8(bytes)
        .map(Cow::Owned)
        .map_err(|_| "does not decode to UTF-8 text")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(raw: &str) -> Result<String, &'static str> {
        decode(&HeaderValue::from_str(raw).unwrap()).map(Cow::into_owned)
    }

    #[test]
    fn the_spec_encoding_examples_decode() {
        assert_eq!(decoded("us-west1").unwrap(), "us-west1");
        assert_eq!(
            decoded("=?base64?SGVsbG8sIOS4lueVjA==?=").unwrap(),
            "Hello, 世界"
        );
        assert_eq!(decoded("=?base64?IHBhZGRlZCA=?=").unwrap(), " padded ");
        assert_eq!(
            decoded("=?base64?bGluZTEKbGluZTI=?=").unwrap(),
            "line1\nline2"
        );
        assert_eq!(
            decoded("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=").unwrap(),
            "=?base64?literal?="
        );
        assert_eq!(decoded("  spaced\t").unwrap(), "spaced");
    }

    #[test]
    fn half_sentinels_are_literal_and_bad_base64_is_refused() {
        assert_eq!(decoded("=?base64?SGVsbG8=").unwrap(), "=?base64?SGVsbG8=");
        assert_eq!(decoded("SGVsbG8=?=").unwrap(), "SGVsbG8=?=");
        assert!(decoded("=?base64?SGVsbG8?=").is_err(), "unpadded");
        assert!(
            decoded("=?base64?SGVs!!!bG8=?=").is_err(),
            "outside the alphabet"
        );
        assert!(decoded("=?base64?/w==?=").is_err(), "not UTF-8");
        let obs = HeaderValue::from_bytes(b"caf\xe9").unwrap();
        assert!(decode(&obs).is_err(), "obs-text");
    }

    #[test]
    fn every_example_of_the_spec_table_encodes_as_shown() {
        // streamable-http.mdx, "Value Encoding", "Encoding examples".
        assert_eq!(encode("us-west1"), "us-west1");
        assert_eq!(encode("Hello, 世界"), "=?base64?SGVsbG8sIOS4lueVjA==?=");
        assert_eq!(encode(" padded "), "=?base64?IHBhZGRlZCA=?=");
        assert_eq!(encode("line1\nline2"), "=?base64?bGluZTEKbGluZTI=?=");
        assert_eq!(
            encode("=?base64?literal?="),
            "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="
        );
    }

    #[test]
    fn plain_values_stay_as_they_are() {
        for v in [
            "get_weather",
            "my-hyphenated-tool",
            "file:///projects/my app/config.json",
            "https://example.com/resource?id=123",
            "us west 1",
            "SELECT * FROM users",
            "",
            "42",
            "true",
            // Only the whole sentinel form is ambiguous.
            "=?base64?",
            "x?=",
        ] {
            assert!(is_plain(v), "{v:?}");
            assert_eq!(encode(v), v);
        }
    }

    #[test]
    fn unsafe_values_are_base64_sentinels() {
        let cases = [
            (" us-west1", "=?base64?IHVzLXdlc3Qx?="),
            ("us-west1 ", "=?base64?dXMtd2VzdDEg?="),
            ("\tindented", "=?base64?CWluZGVudGVk?="),
            ("a\tb", "=?base64?YQli?="),
            ("line1\r\nline2", "=?base64?bGluZTENCmxpbmUy?="),
            ("caf\u{e9}", "=?base64?Y2Fmw6k=?="),
            ("\u{7f}", "=?base64?fw==?="),
            ("=?base64??=", "=?base64?PT9iYXNlNjQ/Pz0=?="),
        ];
        for (raw, want) in cases {
            assert!(!is_plain(raw), "{raw:?}");
            assert_eq!(encode(raw), want, "{raw:?}");
            assert_eq!(header_value(raw).unwrap().to_str().unwrap(), want);
        }
    }

    #[test]
    fn base64_pads_like_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }
}
