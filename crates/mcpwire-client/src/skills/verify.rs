//! The checks a skill's entry and files pass before any content is handed
//! over: the entry's own fields, each file's size and digest, and the
//! frontmatter of `SKILL.md` against the entry.

use std::collections::HashSet;

use mcpwire_types::skill_format::sha256_digest;
use mcpwire_types::skills::{
    MAX_RESOURCES_PER_SKILL, MAX_SKILL_BYTES, Skill, SkillResource, SkillResources,
    is_valid_digest, is_valid_skill_name, skill_root,
};
use serde_json::{Map, Value};

use super::SkillError;

/// Checks an entry before anything is fetched for it; returns the skill's
/// root directory URI.
pub(super) fn check_entry(entry: &Skill) -> Result<String, SkillError> {
    let invalid = |reason: String| SkillError::InvalidEntry {
        uri: entry.uri.clone(),
        reason,
    };
    let root = skill_root(&entry.uri)
        .ok_or_else(|| invalid("its uri does not end in /SKILL.md".into()))?
        .to_owned();
    let name = entry
        .name()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| invalid("its frontmatter has no name".into()))?;
    if entry.description().is_none_or(str::is_empty) {
        return Err(invalid("its frontmatter has no description".into()));
    }
    if entry.skill_name_from_uri() != Some(name) {
        return Err(invalid(format!(
            "the final segment of its uri is not its name {name:?}"
        )));
    }
    if !is_valid_skill_name(name) {
        return Err(invalid(format!(
            "its name {name:?} breaks the Agent Skills naming rules"
        )));
    }
    let Some(files) = entry.resources.files() else {
        return Ok(root);
    };
    if !files.iter().any(|f| f.uri == entry.uri) {
        return Err(invalid("its resources do not list its SKILL.md".into()));
    }
    let mut seen = HashSet::new();
    for f in files {
        if !seen.insert(f.uri.as_str()) {
            return Err(invalid(format!("its resources list {} twice", f.uri)));
        }
        if f.uri != entry.uri && !f.uri.starts_with(&format!("{root}/")) {
            return Err(invalid(format!("{} lies outside the skill", f.uri)));
        }
        if !is_valid_digest(&f.digest) {
            return Err(invalid(format!(
                "{} has the digest {:?}, not sha256:<64 lowercase hex>",
                f.uri, f.digest
            )));
        }
    }
    let limit = |reason: String| SkillError::LimitExceeded {
        uri: entry.uri.clone(),
        reason,
    };
    if files.len() > MAX_RESOURCES_PER_SKILL {
        return Err(limit(format!(
            "it has {} files; at most {MAX_RESOURCES_PER_SKILL} are accepted",
            files.len()
        )));
    }
    let total = files.iter().fold(0u64, |sum, f| sum.saturating_add(f.size));
    if total > MAX_SKILL_BYTES {
        return Err(limit(format!(
            "its files add up to {total} bytes; at most {MAX_SKILL_BYTES} are accepted"
        )));
    }
    Ok(root)
}

/// Checks `content` against the manifest entry of `uri`: the size first
/// (a wrong size fails whether or not the digest is computed), then the
/// digest. A dynamic skill has nothing to check against.
pub(super) fn verify(
    resources: &SkillResources,
    uri: &str,
    content: &[u8],
) -> Result<(), SkillError> {
    let SkillResources::Files(_) = resources else {
        return Ok(());
    };
    let Some(SkillResource { digest, size, .. }) = resources.find(uri) else {
        return Err(SkillError::Unlisted {
            uri: uri.to_owned(),
        });
    };
    let actual = content.len() as u64;
    if actual != *size {
        return Err(SkillError::SizeMismatch {
            uri: uri.to_owned(),
            expected: *size,
            actual,
        });
    }
    let got = sha256_digest(content);
    if got != *digest {
        return Err(SkillError::DigestMismatch {
            uri: uri.to_owned(),
            expected: digest.clone(),
            actual: got,
        });
    }
    Ok(())
}

/// The fields whose values differ between the file's frontmatter and the
/// entry's, in the file's order then the entry's. An absent field equals
/// `null`; numbers compare by value (`1` equals `1.0`).
pub(super) fn differing_fields(
    file: &Map<String, Value>,
    entry: &Map<String, Value>,
) -> Vec<String> {
    let keys = file
        .keys()
        .chain(entry.keys().filter(|k| !file.contains_key(*k)));
    keys.filter(|k| {
        let a = file.get(*k).unwrap_or(&Value::Null);
        let b = entry.get(*k).unwrap_or(&Value::Null);
        !same(a, b)
    })
    .cloned()
    .collect()
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(p), Some(q)) if p == q)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => differing_fields(x, y).is_empty(),
        _ => a == b,
    }
}

/// Where the body starts: after the frontmatter's closing line.
pub(super) fn body_offset(text: &str) -> usize {
    mcpwire_types::skill_format::split_frontmatter(text)
        .map(|(_, body)| text.len() - body.len())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frontmatter_fields_compare_by_value() {
        let a = json!({"name": "x", "n": 1, "m": {"v": [1.0, "a"]}, "z": null});
        let b = json!({"n": 1.0, "name": "x", "m": {"v": [1, "a"]}});
        let (Value::Object(a), Value::Object(b)) = (a, b) else {
            unreachable!()
        };
        assert!(differing_fields(&a, &b).is_empty());
        let c = json!({"name": "x", "n": 2, "extra": true});
        let Value::Object(c) = c else { unreachable!() };
        assert_eq!(differing_fields(&a, &c), ["n", "m", "extra"]);
    }

    #[test]
    fn entries_are_checked_before_any_fetch() {
        let digest = sha256_digest(b"x");
        let entry = |uri: &str, name: &str, resources: Value| -> Skill {
            serde_json::from_value(json!({
                "uri": uri,
                "frontmatter": {"name": name, "description": "d"},
                "resources": resources,
            }))
            .unwrap()
        };
        let ok = entry(
            "skill://a/b/SKILL.md",
            "b",
            json!([{"uri": "skill://a/b/SKILL.md", "digest": digest, "size": 1}]),
        );
        assert_eq!(check_entry(&ok).unwrap(), "skill://a/b");
        let dynamic = entry("skill://a/b/SKILL.md", "b", json!("dynamic"));
        assert!(check_entry(&dynamic).is_ok());
        let cases = [
            entry("skill://a/b/README.md", "b", json!("dynamic")),
            entry("skill://a/b/SKILL.md", "c", json!("dynamic")),
            entry("skill://a/b/SKILL.md", "b", json!([])),
            entry(
                "skill://a/b/SKILL.md",
                "b",
                json!([
                    {"uri": "skill://a/b/SKILL.md", "digest": digest, "size": 1},
                    {"uri": "skill://a/other.md", "digest": digest, "size": 1}
                ]),
            ),
            entry(
                "skill://a/b/SKILL.md",
                "b",
                json!([{"uri": "skill://a/b/SKILL.md", "digest": "sha256:00", "size": 1}]),
            ),
        ];
        for e in cases {
            assert!(
                matches!(check_entry(&e), Err(SkillError::InvalidEntry { .. })),
                "{e:?}"
            );
        }
        let huge = entry(
            "skill://a/b/SKILL.md",
            "b",
            json!([{"uri": "skill://a/b/SKILL.md", "digest": digest, "size": MAX_SKILL_BYTES + 1}]),
        );
        assert!(matches!(
            check_entry(&huge),
            Err(SkillError::LimitExceeded { .. })
        ));
    }

    #[test]
    fn size_is_checked_before_the_digest() {
        let uri = "skill://a/SKILL.md";
        let files = SkillResources::Files(vec![SkillResource::new(uri, sha256_digest(b"ab"), 2)]);
        assert!(verify(&files, uri, b"ab").is_ok());
        assert!(matches!(
            verify(&files, uri, b"abc"),
            Err(SkillError::SizeMismatch {
                expected: 2,
                actual: 3,
                ..
            })
        ));
        assert!(matches!(
            verify(&files, uri, b"xy"),
            Err(SkillError::DigestMismatch { .. })
        ));
        assert!(matches!(
            verify(&files, "skill://a/other", b"ab"),
            Err(SkillError::Unlisted { .. })
        ));
        assert!(verify(&SkillResources::Dynamic, uri, b"anything").is_ok());
    }
}
