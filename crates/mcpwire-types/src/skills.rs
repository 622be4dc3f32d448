//! The skills extension (`io.modelcontextprotocol/skills`, SEP-2640): skill entries, `skills/list`, `skills/get` and `resources/directory/read`.
//!
//! A server serves [Agent Skills](https://agentskills.io/) as resources,
//! conventionally at `skill://<skill-path>/<file-path>`, and describes each
//! skill with a [`Skill`] entry: the verbatim frontmatter of its `SKILL.md`
//! and a manifest of its files with SHA-256 digests and sizes.
//!
//! ```
//! use mcpwire_types::skills::{Skill, SkillResources};
//! let entry: Skill = serde_json::from_value(serde_json::json!({
//!     "uri": "skill://git-workflow/SKILL.md",
//!     "frontmatter": {"name": "git-workflow", "description": "Team Git conventions"},
//!     "resources": [{
//!         "uri": "skill://git-workflow/SKILL.md",
//!         "digest": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
//!         "size": 2314
//!     }]
//! }))
//! .unwrap();
//! assert_eq!(entry.name(), Some("git-workflow"));
//! assert_eq!(entry.skill_name_from_uri(), Some("git-workflow"));
//! assert!(matches!(entry.resources, SkillResources::Files(ref f) if f.len() == 1));
//! ```

use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::cache::{CacheHint, CacheScope};
use crate::capabilities::ServerCapabilities;
use crate::meta::Meta;
use crate::mrtr::ResultType;
use crate::pagination::Cursor;
use crate::resources::Resource;

/// The extension identifier, the key under `capabilities.extensions`.
pub const EXTENSION_ID: &str = "io.modelcontextprotocol/skills";

/// `skills/list`: the entries of the skills a server serves (paginated).
pub const SKILLS_LIST: &str = "skills/list";
/// `skills/get`: the entry of one skill, by the URI of its `SKILL.md`.
pub const SKILLS_GET: &str = "skills/get";
/// `resources/directory/read`: the direct children of a directory resource
/// (only on servers that declare `directoryRead: true`).
pub const RESOURCES_DIRECTORY_READ: &str = "resources/directory/read";

/// The file every skill has at its root.
pub const SKILL_MD: &str = "SKILL.md";
/// The URI scheme servers should serve skills under.
pub const SKILL_SCHEME: &str = "skill";
/// The MIME type of a directory resource.
pub const DIRECTORY_MIME_TYPE: &str = "inode/directory";
/// The MIME type a `SKILL.md` resource should carry.
pub const SKILL_MD_MIME_TYPE: &str = "text/markdown";
/// The `_meta` key prefix reserved for this extension on skill resources.
pub const META_PREFIX: &str = "io.modelcontextprotocol.skills/";
/// The prefix of frontmatter `metadata` keys reserved for MCP extensions.
pub const RESERVED_METADATA_PREFIX: &str = "io.modelcontextprotocol/";
/// The `resources` value of a skill whose content is generated.
pub const DYNAMIC: &str = "dynamic";

/// Most entries a skill's `resources` may have (`SKILL.md` included) for
/// every host to accept it.
pub const MAX_RESOURCES_PER_SKILL: usize = 512;
/// Most bytes a skill's files may add up to for every host to accept it.
pub const MAX_SKILL_BYTES: u64 = 16 * 1024 * 1024;

/// The server's settings for the extension, under
/// `capabilities.extensions["io.modelcontextprotocol/skills"]`. An empty
/// object declares support with no optional features.
///
/// ```
/// use mcpwire_types::skills::SkillsCapability;
/// let c = SkillsCapability { directory_read: Some(true), ..Default::default() };
/// assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"directoryRead":true}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillsCapability {
    /// Whether the server implements `resources/directory/read`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub directory_read: Option<bool>,
    /// Settings this crate does not know, kept as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl SkillsCapability {
    /// Reads the extension's settings from server capabilities; `None` when
    /// the server does not declare the extension, or declares it with
    /// something other than a settings object.
    pub fn of(caps: &ServerCapabilities) -> Option<SkillsCapability> {
        let value = caps.extensions.as_ref()?.get(EXTENSION_ID)?;
        if !value.is_object() {
            return None;
        }
        serde_json::from_value(value.clone()).ok()
    }

    /// Whether `resources/directory/read` is available.
    pub fn supports_directory_read(&self) -> bool {
        self.directory_read == Some(true)
    }
}

/// A file of a skill with the digest and size of its content.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SkillResource {
    /// The resource URI of the file.
    pub uri: String,
    /// The SHA-256 digest of the file's raw bytes: `sha256:` and 64
    /// lowercase hexadecimal characters.
    pub digest: String,
    /// The length in bytes of the file's raw content (the bytes `digest`
    /// covers).
    pub size: u64,
}

impl SkillResource {
    /// A manifest entry.
    pub fn new(uri: impl Into<String>, digest: impl Into<String>, size: u64) -> Self {
        SkillResource {
            uri: uri.into(),
            digest: digest.into(),
            size,
        }
    }
}

/// Whether `digest` has the form `sha256:{64 lowercase hex}`.
///
/// ```
/// use mcpwire_types::skills::is_valid_digest;
/// assert!(is_valid_digest(&format!("sha256:{}", "ab".repeat(32))));
/// assert!(!is_valid_digest(&format!("sha256:{}", "AB".repeat(32))));
/// assert!(!is_valid_digest("md5:00"));
/// ```
pub fn is_valid_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// A skill's files: a complete manifest, or `"dynamic"` for a skill whose
/// content is generated so that no stable digests exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkillResources {
    /// Every file of the skill, `SKILL.md` included, each exactly once.
    Files(Vec<SkillResource>),
    /// `"dynamic"`: no manifest, so no integrity check is possible.
    Dynamic,
}

impl SkillResources {
    /// The manifest, unless the skill is dynamic.
    pub fn files(&self) -> Option<&[SkillResource]> {
        match self {
            SkillResources::Files(f) => Some(f),
            SkillResources::Dynamic => None,
        }
    }

    /// The manifest entry of `uri`, if the manifest lists it.
    pub fn find(&self, uri: &str) -> Option<&SkillResource> {
        self.files()?.iter().find(|r| r.uri == uri)
    }
}

impl Serialize for SkillResources {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SkillResources::Files(files) => files.serialize(s),
            SkillResources::Dynamic => s.serialize_str(DYNAMIC),
        }
    }
}

impl<'de> Deserialize<'de> for SkillResources {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) if s == DYNAMIC => Ok(SkillResources::Dynamic),
            v @ Value::Array(_) => serde_json::from_value(v)
                .map(SkillResources::Files)
                .map_err(de::Error::custom),
            other => Err(de::Error::custom(format_args!(
                "skill `resources` must be an array of {{uri, digest, size}} or \"dynamic\", not {other}"
            ))),
        }
    }
}

/// The entry of one skill, as `skills/list` and `skills/get` return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skill {
    /// The resource URI of the skill's `SKILL.md`.
    pub uri: String,
    /// The `SKILL.md` YAML frontmatter as a JSON object, verbatim: `name` and
    /// `description` and every other field the author wrote.
    pub frontmatter: Map<String, Value>,
    /// The skill's files, or [`SkillResources::Dynamic`].
    pub resources: SkillResources,
}

impl Skill {
    /// The frontmatter `name`, if it is a string.
    pub fn name(&self) -> Option<&str> {
        self.frontmatter.get("name").and_then(Value::as_str)
    }

    /// The frontmatter `description`, if it is a string.
    pub fn description(&self) -> Option<&str> {
        self.frontmatter.get("description").and_then(Value::as_str)
    }

    /// The skill name as the URI spells it: the segment before the final
    /// `/SKILL.md`. `None` when the URI does not end in `/SKILL.md` or has
    /// no segment before it.
    pub fn skill_name_from_uri(&self) -> Option<&str> {
        skill_root(&self.uri).and_then(|root| {
            let path = root.split_once("://").map_or(root, |(_, p)| p);
            path.rsplit('/').next().filter(|s| !s.is_empty())
        })
    }

    /// The skill's root directory URI: [`Skill::uri`] without `/SKILL.md`.
    pub fn root_uri(&self) -> Option<&str> {
        skill_root(&self.uri)
    }
}

/// The root directory URI of the skill whose `SKILL.md` is at `uri`: `uri`
/// without its final `/SKILL.md`, or `None` if it does not end so.
///
/// ```
/// use mcpwire_types::skills::skill_root;
/// assert_eq!(skill_root("skill://acme/refunds/SKILL.md"), Some("skill://acme/refunds"));
/// assert_eq!(skill_root("skill://refunds/README.md"), None);
/// ```
pub fn skill_root(uri: &str) -> Option<&str> {
    let start = uri.find("://").map_or(0, |i| i + 3);
    let dir = uri[start..].strip_suffix(SKILL_MD)?.strip_suffix('/')?;
    (!dir.is_empty()).then(|| &uri[..start + dir.len()])
}

/// Whether `name` follows the Agent Skills naming rules: 1 to 64 characters
/// of lowercase ASCII letters, digits and hyphens, with no leading, trailing
/// or consecutive hyphens.
///
/// ```
/// use mcpwire_types::skills::is_valid_skill_name;
/// assert!(is_valid_skill_name("pdf-processing"));
/// assert!(!is_valid_skill_name("PDF"));
/// assert!(!is_valid_skill_name("a--b"));
/// assert!(!is_valid_skill_name("-a"));
/// assert!(!is_valid_skill_name(""));
/// ```
pub fn is_valid_skill_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// The params of `skills/list`.
pub type ListSkillsRequestParams = crate::pagination::PaginatedRequestParams;

/// The result of `skills/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListSkillsResult {
    /// Whether the result is complete (always `complete`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The entries on this page; an entry is never split across pages.
    pub skills: Vec<Skill>,
    /// The cursor of the next page, if there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_cursor: Option<Cursor>,
    /// How long the client may cache the listing, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ttl_ms: Option<u64>,
    /// Who may share a cached copy.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cache_scope: Option<CacheScope>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ListSkillsResult {
    /// A page of entries.
    pub fn new(skills: Vec<Skill>) -> Self {
        ListSkillsResult {
            skills,
            ..Default::default()
        }
    }
}

/// The params of `skills/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetSkillRequestParams {
    /// The URI of the skill's `SKILL.md`.
    pub uri: String,
    /// Request metadata; required on 2026-07-28.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl GetSkillRequestParams {
    /// Params asking for the skill whose `SKILL.md` is at `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        GetSkillRequestParams {
            uri: uri.into(),
            meta: None,
        }
    }
}

/// The result of `skills/get`. It carries no cursor: one entry is not a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetSkillResult {
    /// Whether the result is complete (always `complete`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The skill's entry.
    pub skill: Skill,
    /// How long the entry may be treated as current, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ttl_ms: Option<u64>,
    /// Who may share a cached copy.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cache_scope: Option<CacheScope>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl GetSkillResult {
    /// The result holding `skill`.
    pub fn new(skill: Skill) -> Self {
        GetSkillResult {
            result_type: None,
            skill,
            ttl_ms: None,
            cache_scope: None,
            meta: None,
        }
    }
}

macro_rules! cacheable {
    ($($t:ty),* $(,)?) => {$(
        impl $t {
            /// Sets `ttlMs` and `cacheScope`.
            ///
            /// ```
            /// use mcpwire_types::{CacheHint, CacheScope};
            /// use mcpwire_types::skills::ListSkillsResult;
            /// let r = ListSkillsResult::new(vec![]).with_cache(CacheHint::new(5_000, CacheScope::Public));
            /// assert_eq!(r.cache_hint(), Some(CacheHint::new(5_000, CacheScope::Public)));
            /// assert_eq!(serde_json::to_value(&r).unwrap()["ttlMs"], 5_000);
            /// ```
            pub fn with_cache(mut self, hint: CacheHint) -> Self {
                self.ttl_ms = Some(hint.ttl_ms);
                self.cache_scope = Some(hint.scope);
                self
            }

            /// The `ttlMs` and `cacheScope` pair, when both are present.
            pub fn cache_hint(&self) -> Option<CacheHint> {
                Some(CacheHint::new(self.ttl_ms?, self.cache_scope?))
            }
        }
    )*};
}

cacheable!(ListSkillsResult, GetSkillResult);

/// The params of `resources/directory/read`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadResourceDirectoryRequestParams {
    /// The URI of the directory resource, without a trailing slash.
    pub uri: String,
    /// The cursor from the previous page; absent for the first page.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cursor: Option<Cursor>,
    /// Request metadata; required on 2026-07-28.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ReadResourceDirectoryRequestParams {
    /// Params reading the first page of the directory at `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        ReadResourceDirectoryRequestParams {
            uri: uri.into(),
            cursor: None,
            meta: None,
        }
    }
}

/// The result of `resources/directory/read`: the directory's direct
/// children; subdirectories carry the MIME type [`DIRECTORY_MIME_TYPE`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadResourceDirectoryResult {
    /// Whether the result is complete (always `complete`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The children on this page.
    pub resources: Vec<Resource>,
    /// The cursor of the next page, if there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_cursor: Option<Cursor>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl Resource {
    /// Whether this resource is a directory (MIME type `inode/directory`).
    pub fn is_directory(&self) -> bool {
        self.mime_type.as_deref() == Some(DIRECTORY_MIME_TYPE)
    }
}

impl fmt::Display for SkillResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} bytes, {})", self.uri, self.size, self.digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resources_are_an_array_or_dynamic_and_nothing_else() {
        let d: SkillResources = serde_json::from_value(json!("dynamic")).unwrap();
        assert_eq!(d, SkillResources::Dynamic);
        assert_eq!(serde_json::to_value(&d).unwrap(), json!("dynamic"));
        let f: SkillResources =
            serde_json::from_value(json!([{"uri": "u", "digest": "d", "size": 1}])).unwrap();
        assert_eq!(f.find("u").map(|r| r.size), Some(1));
        for bad in [json!("static"), json!(null), json!({}), json!(3)] {
            let e = serde_json::from_value::<SkillResources>(bad.clone()).unwrap_err();
            assert!(e.to_string().contains("\"dynamic\""), "{bad}: {e}");
        }
        // A missing `resources` makes the entry invalid.
        assert!(serde_json::from_value::<Skill>(json!({"uri": "u", "frontmatter": {}})).is_err());
    }

    #[test]
    fn capability_reads_directory_read_and_keeps_unknown_settings() {
        let caps: ServerCapabilities = serde_json::from_value(json!({
            "extensions": {EXTENSION_ID: {"directoryRead": true, "future": 1}}
        }))
        .unwrap();
        let c = SkillsCapability::of(&caps).unwrap();
        assert!(c.supports_directory_read());
        assert_eq!(c.other["future"], 1);
        let empty: ServerCapabilities =
            serde_json::from_value(json!({"extensions": {EXTENSION_ID: {}}})).unwrap();
        assert!(
            !SkillsCapability::of(&empty)
                .unwrap()
                .supports_directory_read()
        );
        let not_object: ServerCapabilities =
            serde_json::from_value(json!({"extensions": {EXTENSION_ID: true}})).unwrap();
        assert!(SkillsCapability::of(&not_object).is_none());
        assert!(SkillsCapability::of(&ServerCapabilities::default()).is_none());
    }

    #[test]
    fn names_come_from_the_final_skill_path_segment() {
        let entry = |uri: &str| Skill {
            uri: uri.into(),
            frontmatter: Map::new(),
            resources: SkillResources::Dynamic,
        };
        assert_eq!(
            entry("skill://acme/billing/refunds/SKILL.md").skill_name_from_uri(),
            Some("refunds")
        );
        assert_eq!(
            entry("skill://acme/billing/refunds/SKILL.md").root_uri(),
            Some("skill://acme/billing/refunds")
        );
        assert_eq!(entry("skill://SKILL.md").skill_name_from_uri(), None);
        assert_eq!(entry("skill:///SKILL.md").skill_name_from_uri(), None);
        assert_eq!(entry("skill://a/SKILLS.md").skill_name_from_uri(), None);
    }
}
