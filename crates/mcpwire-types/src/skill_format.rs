//! The Agent Skills file format as the skills extension needs it on both
//! sides: `SKILL.md` YAML frontmatter, SHA-256 digests, and the Base64 of
//! binary skill files.
//!
//! ```
//! use mcpwire_types::skill_format::{parse_frontmatter, sha256_digest};
//! let text = "---\nname: git-workflow\ndescription: Team Git conventions\n---\n\n# Git\n";
//! let fm = parse_frontmatter(text).unwrap();
//! assert_eq!(fm["name"], "git-workflow");
//! assert!(sha256_digest(text.as_bytes()).starts_with("sha256:"));
//! ```

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Why a `SKILL.md` has no usable frontmatter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrontmatterError {
    /// The file does not start with a `---` line.
    #[error("SKILL.md does not begin with a `---` line opening its YAML frontmatter")]
    Missing,
    /// No `---` line closes the frontmatter.
    #[error("the YAML frontmatter of SKILL.md is not closed by a `---` line")]
    Unclosed,
    /// The frontmatter is not valid YAML.
    #[error("the YAML frontmatter of SKILL.md does not parse: {0}")]
    Yaml(String),
    /// The frontmatter parses, but not to a mapping of fields.
    #[error("the YAML frontmatter of SKILL.md is not a mapping of fields")]
    NotAMapping,
    /// A required field is missing, empty or not a string.
    #[error("the frontmatter of SKILL.md has no non-empty `{0}` string")]
    MissingField(&'static str),
}

/// Splits `text` into its YAML frontmatter and the body after it. The
/// frontmatter opens with a first line `---` (after an optional byte order
/// mark) and closes with the next line that is `---` (trailing blanks
/// allowed).
///
/// ```
/// use mcpwire_types::skill_format::split_frontmatter;
/// let (yaml, body) = split_frontmatter("---\nname: a\n---\nBody\n").unwrap();
/// assert_eq!((yaml, body), ("name: a", "Body\n"));
/// ```
pub fn split_frontmatter(text: &str) -> Result<(&str, &str), FrontmatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text.strip_prefix("---").ok_or(FrontmatterError::Missing)?;
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .ok_or(FrontmatterError::Missing)?;
    let mut start = 0;
    while start <= rest.len() {
        let end = rest[start..].find('\n').map_or(rest.len(), |i| start + i);
        let line = rest[start..end].trim_end_matches('\r');
        if line.trim_end_matches([' ', '\t']) == "---" {
            let yaml = rest[..start]
                .strip_suffix('\n')
                .map_or("", |y| y.strip_suffix('\r').unwrap_or(y));
            let body = rest.get(end + 1..).unwrap_or("");
            return Ok((yaml, body));
        }
        start = end + 1;
    }
    Err(FrontmatterError::Unclosed)
}

/// The YAML frontmatter of a `SKILL.md` as a JSON object, verbatim: every
/// field the author wrote. It does not require `name` or `description`;
/// [`check_required_fields`] does.
pub fn parse_frontmatter(text: &str) -> Result<Map<String, Value>, FrontmatterError> {
    let (yaml, _) = split_frontmatter(text)?;
    let value: Value =
        serde_yaml_ng::from_str(yaml).map_err(|e| FrontmatterError::Yaml(e.to_string()))?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(FrontmatterError::NotAMapping),
    }
}

/// Checks that `name` and `description` are non-empty strings, as the
/// Agent Skills specification requires.
pub fn check_required_fields(frontmatter: &Map<String, Value>) -> Result<(), FrontmatterError> {
    for field in ["name", "description"] {
        match frontmatter.get(field).and_then(Value::as_str) {
            Some(s) if !s.is_empty() => {}
            _ => return Err(FrontmatterError::MissingField(field)),
        }
    }
    Ok(())
}

/// The digest of `bytes` as the skills extension writes it:
/// `sha256:` and 64 lowercase hexadecimal characters.
pub fn sha256_digest(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hash = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in hash {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard Base64 (RFC 4648 §4, padded), as `blob` resource contents use.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard Base64, padded or not, ignoring ASCII whitespace;
/// `None` for anything else.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let unpadded = digits
        .strip_suffix(b"==")
        .or_else(|| digits.strip_suffix(b"="))
        .unwrap_or(&digits);
    if unpadded.len() % 4 == 1
        || (unpadded.len() != digits.len() && !digits.len().is_multiple_of(4))
    {
        return None;
    }
    let mut out = Vec::with_capacity(unpadded.len() / 4 * 3 + 2);
    for chunk in unpadded.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = BASE64.iter().position(|&a| a == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frontmatter_is_delimited_by_dash_lines() {
        let fm = parse_frontmatter(
            "\u{feff}---\r\nname: a\r\ndescription: \"b: c\"\r\nmetadata:\r\n  version: '1.0'\r\n---  \r\nbody",
        )
        .unwrap();
        assert_eq!(
            Value::Object(fm),
            json!({"name": "a", "description": "b: c", "metadata": {"version": "1.0"}})
        );
        assert_eq!(split_frontmatter("---\nx: 1\n---"), Ok(("x: 1", "")));
        // A `----` line does not close the frontmatter.
        assert_eq!(
            split_frontmatter("---\nx: 1\n----\n"),
            Err(FrontmatterError::Unclosed)
        );
        assert_eq!(
            split_frontmatter("# Title\n---\n"),
            Err(FrontmatterError::Missing)
        );
        assert_eq!(
            split_frontmatter("---x\n---\n"),
            Err(FrontmatterError::Missing)
        );
        assert_eq!(
            parse_frontmatter("---\n- a\n---\n"),
            Err(FrontmatterError::NotAMapping)
        );
        assert!(matches!(
            parse_frontmatter("---\nname: [unclosed\n---\n"),
            Err(FrontmatterError::Yaml(_))
        ));
    }

    #[test]
    fn name_and_description_are_required() {
        let fm = parse_frontmatter("---\nname: a\ndescription: ''\n---\n").unwrap();
        assert_eq!(
            check_required_fields(&fm),
            Err(FrontmatterError::MissingField("description"))
        );
        let fm = parse_frontmatter("---\nname: 3\ndescription: d\n---\n").unwrap();
        assert_eq!(
            check_required_fields(&fm),
            Err(FrontmatterError::MissingField("name"))
        );
    }

    #[test]
    fn digest_is_lowercase_sha256_hex() {
        assert_eq!(
            sha256_digest(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn base64_round_trips_every_length() {
        let data: Vec<u8> = (0u8..=255).collect();
        for n in 0..data.len() {
            let enc = base64_encode(&data[..n]);
            assert_eq!(enc.len() % 4, 0);
            assert_eq!(base64_decode(&enc).as_deref(), Some(&data[..n]));
            assert_eq!(
                base64_decode(enc.trim_end_matches('=')).as_deref(),
                Some(&data[..n])
            );
        }
        assert_eq!(base64_encode(b"hi"), "aGk=");
        assert_eq!(base64_decode("aG k=\n").as_deref(), Some(&b"hi"[..]));
        assert_eq!(base64_decode("a"), None);
        assert_eq!(base64_decode("a*=="), None);
    }
}
