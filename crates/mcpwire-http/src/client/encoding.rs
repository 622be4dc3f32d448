//! The Value Encoding of the 2026-07-28 Streamable HTTP transport: how a
//! value mirrored into `Mcp-Name` or an `Mcp-Param-{Name}` header is written,
//! as is or in the Base64 sentinel form `=?base64?…?=`.

use reqwest::header::HeaderValue;

/// The prefix of a Base64 sentinel value.
const SENTINEL_PREFIX: &str = "=?base64?";
/// The suffix of a Base64 sentinel value.
const SENTINEL_SUFFIX: &str = "?=";

/// Whether `value` can travel as a plain header value: only visible ASCII
/// and spaces (0x20-0x7E), no space at either end, and not itself of the
/// sentinel form. Tabs are control characters and are always encoded.
pub(super) fn is_plain(value: &str) -> bool {
    let visible = value.bytes().all(|b| (0x20..=0x7e).contains(&b));
    let padded = value.starts_with(' ') || value.ends_with(' ');
    let sentinel = value.starts_with(SENTINEL_PREFIX) && value.ends_with(SENTINEL_SUFFIX);
    visible && !padded && !sentinel
}

/// `value` as the spec writes it into a header: as is when it
/// [`is_plain`], otherwise `=?base64?{standard padded Base64 of its UTF-8}?=`.
pub(super) fn encode(value: &str) -> String {
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
pub(super) fn header_value(value: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&encode(value)).ok()
}

/// Standard Base64 (RFC 4648, with padding).
pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
