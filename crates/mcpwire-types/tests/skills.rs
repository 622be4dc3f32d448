//! The skills extension types (SEP-2640) against the extension's message
//! shapes: messages in the form of the specification's examples round-trip
//! unchanged, entries validate against a JSON Schema transcribed from the
//! specification's `Skill` and `SkillResource` interfaces, and the parts the
//! extension takes from the base protocol (`PaginatedResult`,
//! `CacheableResult`, `Resource`) validate against the official 2026-07-28
//! schema.

#[allow(dead_code)]
mod support;

use mcpwire_types::ProtocolVersion::V2026_07_28;
use mcpwire_types::skills::*;
use mcpwire_types::{CacheHint, CacheScope, Resource, ResultType};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use support::Schemas;

fn digest(c: char) -> String {
    format!("sha256:{}", c.to_string().repeat(64))
}

/// `Skill` as the specification's TypeScript interface defines it.
fn skill_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["uri", "frontmatter", "resources"],
        "properties": {
            "uri": {"type": "string"},
            "frontmatter": {
                "type": "object",
                "required": ["name", "description"],
                "properties": {
                    "name": {"type": "string"},
                    "description": {"type": "string"}
                }
            },
            "resources": {
                "oneOf": [
                    {"const": "dynamic"},
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["uri", "digest", "size"],
                            "properties": {
                                "uri": {"type": "string"},
                                "digest": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
                                "size": {"type": "integer", "minimum": 0}
                            }
                        }
                    }
                ]
            }
        }
    })
}

fn check_skill(entry: &Value) {
    let schema = skill_schema();
    let validator = jsonschema::options().build(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(entry)
        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{entry:#}");
}

fn check_base(def: &str, v: &Value) {
    Schemas::get()
        .check(V2026_07_28, def, v)
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Reads `v` as `T` and requires it to write back unchanged.
fn round_trip<T: DeserializeOwned + Serialize>(v: &Value) -> T {
    let t: T = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(&serde_json::to_value(&t).unwrap(), v);
    t
}

fn listing() -> Value {
    json!({
        "resultType": "complete",
        "skills": [
            {
                "uri": "skill://code-review/SKILL.md",
                "frontmatter": {"name": "code-review", "description": "Review a change"},
                "resources": [
                    {"uri": "skill://code-review/SKILL.md", "digest": digest('a'), "size": 1200}
                ]
            },
            {
                "uri": "skill://acme/support/escalation/SKILL.md",
                "frontmatter": {
                    "name": "escalation",
                    "description": "Escalate a ticket",
                    "license": "MIT",
                    "metadata": {"owner": "support"}
                },
                "resources": [
                    {"uri": "skill://acme/support/escalation/SKILL.md", "digest": digest('b'), "size": 800},
                    {"uri": "skill://acme/support/escalation/templates/page.md", "digest": digest('c'), "size": 90}
                ]
            },
            {
                "uri": "skill://metrics/today/SKILL.md",
                "frontmatter": {"name": "today", "description": "Today's numbers"},
                "resources": "dynamic"
            }
        ],
        "nextCursor": "page-2",
        "ttlMs": 300000,
        "cacheScope": "public"
    })
}

#[test]
fn a_listing_round_trips_and_validates() {
    let v = listing();
    let r: ListSkillsResult = round_trip(&v);
    assert_eq!(r.result_type, Some(ResultType::Complete));
    assert_eq!(
        r.cache_hint(),
        Some(CacheHint::new(300_000, CacheScope::Public))
    );
    assert_eq!(r.skills[2].resources, SkillResources::Dynamic);
    assert_eq!(r.skills[1].skill_name_from_uri(), Some("escalation"));
    assert_eq!(r.skills[1].name(), Some("escalation"));
    for entry in v["skills"].as_array().unwrap() {
        check_skill(entry);
    }
    check_base("PaginatedResult", &v);
    check_base("CacheableResult", &v);

    let built = ListSkillsResult::new(r.skills.clone())
        .with_cache(CacheHint::new(300_000, CacheScope::Public));
    let mut built = serde_json::to_value(built).unwrap();
    built["resultType"] = json!("complete");
    built["nextCursor"] = json!("page-2");
    assert_eq!(built, v);
}

#[test]
fn a_get_round_trips_and_carries_no_cursor() {
    let request = json!({"uri": "skill://code-review/SKILL.md"});
    let p: GetSkillRequestParams = round_trip(&request);
    assert_eq!(
        p,
        GetSkillRequestParams::new("skill://code-review/SKILL.md")
    );

    let v = json!({
        "resultType": "complete",
        "skill": listing()["skills"][1].clone(),
        "ttlMs": 0,
        "cacheScope": "private"
    });
    let r: GetSkillResult = round_trip(&v);
    check_skill(&serde_json::to_value(&r.skill).unwrap());
    check_base("CacheableResult", &v);
    let built = serde_json::to_value(GetSkillResult::new(r.skill.clone())).unwrap();
    assert!(built.get("nextCursor").is_none());
    assert!(built.get("ttlMs").is_none());
}

#[test]
fn a_directory_read_round_trips_and_lists_resources() {
    let request = json!({"uri": "skill://acme/support/escalation/templates", "cursor": "c1"});
    let p: ReadResourceDirectoryRequestParams = round_trip(&request);
    assert_eq!(p.cursor.as_deref(), Some("c1"));

    let v = json!({
        "resultType": "complete",
        "resources": [
            {"uri": "skill://acme/support/escalation/templates/page.md", "name": "page.md", "mimeType": "text/markdown"},
            {"uri": "skill://acme/support/escalation/templates/legal", "name": "legal", "mimeType": "inode/directory"}
        ]
    });
    let r: ReadResourceDirectoryResult = round_trip(&v);
    assert!(!r.resources[0].is_directory());
    assert!(r.resources[1].is_directory());
    check_base("PaginatedResult", &v);
    for child in v["resources"].as_array().unwrap() {
        check_base("Resource", child);
    }
    let mut dir = Resource::new("skill://x/templates", "templates");
    dir.mime_type = Some(DIRECTORY_MIME_TYPE.into());
    assert!(dir.is_directory());
}

#[test]
fn the_capability_sits_inline_under_the_extension_id() {
    let caps = mcpwire_types::ServerCapabilities {
        extensions: Some(
            [(
                EXTENSION_ID.to_owned(),
                serde_json::to_value(SkillsCapability {
                    directory_read: Some(true),
                    ..Default::default()
                })
                .unwrap(),
            )]
            .into_iter()
            .collect(),
        ),
        ..Default::default()
    };
    let v = serde_json::to_value(&caps).unwrap();
    assert_eq!(
        v,
        json!({"extensions": {"io.modelcontextprotocol/skills": {"directoryRead": true}}})
    );
    check_base("ServerCapabilities", &v);
    assert!(
        SkillsCapability::of(&caps)
            .unwrap()
            .supports_directory_read()
    );
}

#[test]
fn entries_the_schema_refuses_do_not_parse() {
    for bad in [
        json!({"uri": "skill://a/SKILL.md", "frontmatter": {"name": "a", "description": "d"}}),
        json!({"uri": "skill://a/SKILL.md", "frontmatter": {"name": "a", "description": "d"}, "resources": "static"}),
        json!({"uri": "skill://a/SKILL.md", "frontmatter": {"name": "a", "description": "d"}, "resources": [{"uri": "u", "digest": "d"}]}),
        json!({"uri": "skill://a/SKILL.md", "frontmatter": {"name": "a", "description": "d"}, "resources": [{"uri": "u", "digest": "d", "size": -1}]}),
        json!({"uri": "skill://a/SKILL.md", "frontmatter": "name: a", "resources": "dynamic"}),
    ] {
        assert!(
            serde_json::from_value::<Skill>(bad.clone()).is_err(),
            "{bad}"
        );
    }
}
