//! Test support: validates JSON values against the official MCP schemas, and
//! builds the revision-dependent parts of messages.
//!
//! [`Schemas::check`] validates a value against `#/$defs/<Name>` (or
//! `#/definitions/<Name>` for the draft-07 schemas of 2024-11-05 to
//! 2025-06-18) of one revision's schema document and reports every error with
//! its instance path; [`assert_valid`] does so for a list of revisions.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use mcpwire_types::ProtocolVersion::{self, *};
use mcpwire_types::*;
use serde::Serialize;
use serde_json::Value;

/// The schema documents of every revision.
pub struct Schemas {
    docs: HashMap<ProtocolVersion, Value>,
}

impl Schemas {
    pub fn get() -> &'static Schemas {
        static S: OnceLock<Schemas> = OnceLock::new();
        S.get_or_init(|| {
            // `shared/spec` beside the repository; a checkout in a
            // worktree sits deeper, so look further up too.
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .map(|d| d.join("shared/spec"))
                .find(|d| d.is_dir())
                .expect("the MCP schemas in shared/spec beside the repository");
            let docs = ProtocolVersion::ALL
                .into_iter()
                .map(|v| {
                    let p = dir.join(v.as_str()).join("schema.json");
                    let text = std::fs::read_to_string(&p)
                        .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
                    (v, serde_json::from_str(&text).unwrap())
                })
                .collect();
            Schemas { docs }
        })
    }

    fn defs_key(&self, rev: ProtocolVersion) -> &'static str {
        if self.docs[&rev].get("$defs").is_some() {
            "$defs"
        } else {
            "definitions"
        }
    }

    pub fn defs(&self, rev: ProtocolVersion) -> &serde_json::Map<String, Value> {
        self.docs[&rev][self.defs_key(rev)].as_object().unwrap()
    }

    pub fn has_def(&self, rev: ProtocolVersion, def: &str) -> bool {
        self.defs(rev).contains_key(def)
    }

    /// Validates `value` against the definition `def` of revision `rev`.
    pub fn check(&self, rev: ProtocolVersion, def: &str, value: &Value) -> Result<(), String> {
        if !self.has_def(rev, def) {
            return Err(format!("{rev} has no definition {def}"));
        }
        let mut schema = self.docs[&rev].clone();
        schema.as_object_mut().unwrap().insert(
            "$ref".to_owned(),
            Value::from(format!("#/{}/{def}", self.defs_key(rev))),
        );
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| format!("{rev} {def}: cannot build validator: {e}"))?;
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("  at {:?}: {e}", e.instance_path().as_str()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{rev} {def}: {} error(s)\n{}\ninstance: {value:#}",
                errors.len(),
                errors.join("\n")
            ))
        }
    }
}

/// Validates what `build(rev)` returns against `def` of each revision in `revs`.
pub fn assert_valid<T: Serialize>(
    revs: &[ProtocolVersion],
    def: &str,
    build: impl Fn(ProtocolVersion) -> T,
) {
    let s = Schemas::get();
    let failures: Vec<String> = revs
        .iter()
        .filter_map(|&rev| {
            let v = serde_json::to_value(build(rev)).unwrap();
            s.check(rev, def, &v).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

pub const ALL: &[ProtocolVersion] = &ProtocolVersion::ALL;
pub const LEGACY: &[ProtocolVersion] = &[V2024_11_05, V2025_03_26, V2025_06_18, V2025_11_25];
pub const SINCE_06: &[ProtocolVersion] = &[V2025_06_18, V2025_11_25, V2026_07_28];
pub const SINCE_11: &[ProtocolVersion] = &[V2025_11_25, V2026_07_28];
pub const NEWEST: &[ProtocolVersion] = &[V2026_07_28];

pub fn is_2026(rev: ProtocolVersion) -> bool {
    rev == V2026_07_28
}

/// `resultType: complete` on 2026-07-28, absent before.
pub fn result_type(rev: ProtocolVersion) -> Option<ResultType> {
    is_2026(rev).then_some(ResultType::Complete)
}

/// The `_meta` every 2026-07-28 request carries; none before.
pub fn request_meta(rev: ProtocolVersion) -> Option<Meta> {
    is_2026(rev).then(|| {
        meta::request_meta(
            rev.as_str(),
            &ClientCapabilities::default(),
            Some(&Implementation::new("test-client", "0.1.0")),
        )
    })
}

pub fn cache(rev: ProtocolVersion) -> CacheHint {
    if is_2026(rev) {
        CacheHint::new(60_000, CacheScope::Public)
    } else {
        CacheHint::NO_CACHE
    }
}

pub fn request(method: &str, params: impl Serialize) -> Message {
    Message::Request(Request {
        id: RequestId::from(1),
        method: method.to_owned(),
        params: Some(serde_json::to_value(params).unwrap()),
    })
}

pub fn notification(method: &str, params: impl Serialize) -> Message {
    Message::Notification(Notification {
        method: method.to_owned(),
        params: Some(serde_json::to_value(params).unwrap()),
    })
}

pub fn error_response(e: ErrorObject) -> Message {
    Message::Response(Response {
        id: Some(RequestId::from("r1")),
        outcome: Err(e),
    })
}

/// A tool with every optional field set, for the messages that carry one.
pub fn weather_tool() -> Tool {
    let mut t = Tool::new(
        "get_weather",
        serde_json::json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
    .with_title("Weather")
    .with_description("Current weather of a city")
    .with_output_schema(serde_json::json!({"type": "object", "properties": {"temp": {"type": "number"}}}))
    .with_annotations(ToolAnnotations {
        title: Some("Weather".into()),
        read_only_hint: Some(true),
        open_world_hint: Some(true),
        ..Default::default()
    });
    t.icons = Some(vec![Icon {
        src: "https://example.com/w.png".into(),
        mime_type: Some("image/png".into()),
        sizes: Some(vec!["48x48".into()]),
        theme: Some(IconTheme::Dark),
    }]);
    t.execution = Some(ToolExecution {
        task_support: Some(TaskSupport::Optional),
    });
    t
}
