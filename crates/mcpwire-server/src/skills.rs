//! Skills a server publishes (the skills extension, SEP-2640): a skill read
//! from a directory on disk or built from files in memory, validated, with
//! the digest and size of every file computed once.
//!
//! Publish skills with [`ServerBuilder::skill`](super::ServerBuilder::skill)
//! or [`Server::add_skill`](super::Server::add_skill). The server then
//! declares `io.modelcontextprotocol/skills` (with `directoryRead`), serves
//! every file as a resource at `skill://<skill-path>/<file-path>`, and
//! answers `skills/list`, `skills/get` and `resources/directory/read`.
//!
//! ```
//! use mcpwire_server::{Server, Skill};
//! let skill = Skill::from_files([
//!     ("SKILL.md", "---\nname: git-workflow\ndescription: Team Git conventions\n---\n\nSee references/BRANCHES.md.\n"),
//!     ("references/BRANCHES.md", "Branch from main.\n"),
//! ])
//! .unwrap();
//! assert_eq!(skill.uri(), "skill://git-workflow/SKILL.md");
//! let server = Server::builder("docs", "1.0.0").skill(skill).build()?;
//! # drop(server);
//! # Ok::<(), mcpwire_server::BuildError>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mcpwire_types::skills::{
    self as wire, MAX_RESOURCES_PER_SKILL, MAX_SKILL_BYTES, RESERVED_METADATA_PREFIX, SKILL_MD,
    SKILL_MD_MIME_TYPE, SKILL_SCHEME, SkillResource, SkillResources,
};
use mcpwire_types::{
    BlobResourceContents, ReadResourceResult, Resource, ResourceContents, TextResourceContents,
};
use serde_json::{Map, Value};

use super::ResourceRoute;
use mcpwire_types::skill_format::{
    FrontmatterError, base64_encode, check_required_fields, parse_frontmatter, sha256_digest,
};

/// The longest `description` the Agent Skills specification allows.
pub const MAX_DESCRIPTION_CHARS: usize = 1024;

/// Why a skill cannot be published.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SkillBuildError {
    /// Reading the skill directory failed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or directory that could not be read.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A symbolic link in the skill directory; skills are served from
    /// regular files only, so nothing outside the directory leaks.
    #[error("{} is a symbolic link; a skill directory must hold regular files only", .0.display())]
    Symlink(PathBuf),
    /// The skill has no `SKILL.md` at its root.
    #[error("the skill has no SKILL.md at its root")]
    NoSkillMd,
    /// `SKILL.md` is not UTF-8 text.
    #[error("SKILL.md is not UTF-8 text")]
    SkillMdNotText,
    /// The `SKILL.md` frontmatter is missing, malformed or incomplete.
    #[error(transparent)]
    Frontmatter(#[from] FrontmatterError),
    /// The frontmatter `name` breaks the Agent Skills naming rules.
    #[error(
        "skill name {0:?} is invalid: use 1-64 lowercase letters, digits and hyphens, with no leading, trailing or doubled hyphen"
    )]
    InvalidName(String),
    /// The frontmatter `description` is longer than
    /// [`MAX_DESCRIPTION_CHARS`].
    #[error(
        "the skill description has {0} characters; at most {MAX_DESCRIPTION_CHARS} are allowed"
    )]
    DescriptionTooLong(usize),
    /// A frontmatter `metadata` key uses the prefix reserved for MCP
    /// extensions.
    #[error(
        "frontmatter metadata key {0:?} uses the prefix {RESERVED_METADATA_PREFIX:?}, which is reserved for MCP extensions"
    )]
    ReservedMetadataKey(String),
    /// A file path that cannot name a file inside the skill.
    #[error("file path {path:?} is invalid: {reason}")]
    InvalidPath {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two files with the same path.
    #[error("the skill has the file {0:?} twice")]
    DuplicateFile(String),
    /// An organizational prefix that cannot be a URI path.
    #[error("skill path prefix {prefix:?} is invalid: {reason}")]
    InvalidPrefix {
        /// The prefix as given.
        prefix: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// More files than every host must accept.
    #[error(
        "the skill has {0} files; at most {MAX_RESOURCES_PER_SKILL} (SKILL.md included) are allowed"
    )]
    TooManyFiles(usize),
    /// More bytes than every host must accept.
    #[error("the skill's files add up to {0} bytes; at most {MAX_SKILL_BYTES} are allowed")]
    TooLarge(u64),
}

/// One file of a published skill.
#[derive(Clone)]
pub(crate) struct SkillFile {
    /// The path inside the skill, `/`-separated, as given.
    pub(crate) path: String,
    /// The resource URI.
    pub(crate) uri: String,
    pub(crate) content: Arc<[u8]>,
    pub(crate) digest: String,
    pub(crate) mime_type: String,
}

/// A skill ready to publish: a `SKILL.md` with valid frontmatter and its
/// supporting files, each with its digest and size.
///
/// The resource URI of a file is `skill://<skill-path>/<file-path>`, where
/// the skill path is the frontmatter `name`, after an optional
/// organizational prefix set with [`Skill::under`]. File paths are
/// percent-encoded in URIs where needed.
#[derive(Clone)]
pub struct Skill {
    /// `<skill-path>`: the prefix (if any) and the name, URI-encoded.
    path: String,
    frontmatter: Map<String, Value>,
    /// `SKILL.md` first, then the rest by path.
    files: Arc<[SkillFile]>,
}

impl fmt::Debug for Skill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Skill")
            .field("uri", &self.uri())
            .field("files", &self.files.len())
            .field("bytes", &self.total_size())
            .finish()
    }
}

impl Skill {
    /// Reads a skill from the directory `dir`: its `SKILL.md` and every
    /// other regular file below it. Files and directories whose names start
    /// with `.` are left out; a symbolic link is an error. This reads the
    /// files synchronously, once.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Skill, SkillBuildError> {
        let dir = dir.as_ref();
        let mut files = Vec::new();
        collect(dir, "", &mut files)?;
        Skill::from_files(files)
    }

    /// Builds a skill from `(path, content)` pairs, where `path` is the
    /// file's `/`-separated path inside the skill (`SKILL.md`,
    /// `references/FORMS.md`, ...).
    pub fn from_files<P, C>(
        files: impl IntoIterator<Item = (P, C)>,
    ) -> Result<Skill, SkillBuildError>
    where
        P: Into<String>,
        C: Into<Vec<u8>>,
    {
        let mut raw: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .map(|(p, c)| (p.into(), c.into()))
            .collect();
        for (path, _) in &raw {
            check_file_path(path)?;
        }
        raw.sort_by(|a, b| (a.0 != SKILL_MD, &a.0).cmp(&(b.0 != SKILL_MD, &b.0)));
        if let Some(w) = raw.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(SkillBuildError::DuplicateFile(w[0].0.clone()));
        }
        if raw.first().is_none_or(|(p, _)| p != SKILL_MD) {
            return Err(SkillBuildError::NoSkillMd);
        }
        if raw.len() > MAX_RESOURCES_PER_SKILL {
            return Err(SkillBuildError::TooManyFiles(raw.len()));
        }
        let total: u64 = raw.iter().map(|(_, c)| c.len() as u64).sum();
        if total > MAX_SKILL_BYTES {
            return Err(SkillBuildError::TooLarge(total));
        }
        let text = std::str::from_utf8(&raw[0].1).map_err(|_| SkillBuildError::SkillMdNotText)?;
        let frontmatter = parse_frontmatter(text)?;
        check_frontmatter(&frontmatter)?;
        let name = frontmatter["name"].as_str().unwrap_or_default().to_owned();
        let path = name.clone();
        let files = raw
            .into_iter()
            .map(|(file_path, content)| {
                let mime_type = if file_path == SKILL_MD {
                    SKILL_MD_MIME_TYPE.to_owned()
                } else {
                    mime_type_of(&file_path, std::str::from_utf8(&content).is_ok()).to_owned()
                };
                SkillFile {
                    uri: file_uri(&path, &file_path),
                    digest: sha256_digest(&content),
                    content: content.into(),
                    path: file_path,
                    mime_type,
                }
            })
            .collect();
        Ok(Skill {
            path,
            frontmatter,
            files,
        })
    }

    /// Serves the skill below an organizational prefix: under `acme/billing`
    /// the skill `refunds` is at `skill://acme/billing/refunds/SKILL.md`.
    /// The prefix is `/`-separated; its first segment is the URI authority.
    pub fn under(self, prefix: &str) -> Result<Skill, SkillBuildError> {
        let bad = |reason| SkillBuildError::InvalidPrefix {
            prefix: prefix.to_owned(),
            reason,
        };
        let mut segments = prefix.split('/');
        let Some(authority) = segments.next().filter(|s| !s.is_empty()) else {
            return Err(bad("it is empty or starts with '/'"));
        };
        if !authority.bytes().all(is_reg_name_byte) {
            return Err(bad(
                "its first segment must be a URI host name: letters, digits and -._~!$&'()*+,;=",
            ));
        }
        for s in segments {
            if s.is_empty() || s == "." || s == ".." {
                return Err(bad("it has an empty, '.' or '..' segment"));
            }
            if !s
                .bytes()
                .all(|b| is_reg_name_byte(b) || b == b':' || b == b'@')
            {
                return Err(bad(
                    "its segments may hold only letters, digits and -._~!$&'()*+,;=:@",
                ));
            }
        }
        let path = format!("{prefix}/{}", self.name());
        let files = self
            .files
            .iter()
            .map(|f| SkillFile {
                uri: file_uri(&path, &f.path),
                ..f.clone()
            })
            .collect();
        Ok(Skill {
            path,
            frontmatter: self.frontmatter,
            files,
        })
    }

    /// The URI of the skill's `SKILL.md`, which identifies the skill.
    pub fn uri(&self) -> String {
        format!("{SKILL_SCHEME}://{}/{SKILL_MD}", self.path)
    }

    /// The URI of the skill's root directory.
    pub fn root_uri(&self) -> String {
        format!("{SKILL_SCHEME}://{}", self.path)
    }

    /// The skill name: the frontmatter `name`.
    pub fn name(&self) -> &str {
        self.frontmatter["name"].as_str().unwrap_or_default()
    }

    /// The frontmatter `description`.
    pub fn description(&self) -> &str {
        self.frontmatter["description"].as_str().unwrap_or_default()
    }

    /// The `SKILL.md` frontmatter, verbatim.
    pub fn frontmatter(&self) -> &Map<String, Value> {
        &self.frontmatter
    }

    /// The resource URIs of the skill's files, `SKILL.md` first.
    pub fn file_uris(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|f| f.uri.as_str())
    }

    /// The bytes of the file at `path` inside the skill (`SKILL.md`,
    /// `references/FORMS.md`, ...).
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| &*f.content)
    }

    /// The sum of the sizes of the skill's files.
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.content.len() as u64).sum()
    }

    /// The skill's entry, as `skills/list` and `skills/get` return it.
    pub fn entry(&self) -> wire::Skill {
        wire::Skill {
            uri: self.uri(),
            frontmatter: self.frontmatter.clone(),
            resources: SkillResources::Files(
                self.files
                    .iter()
                    .map(|f| SkillResource::new(&f.uri, &f.digest, f.content.len() as u64))
                    .collect(),
            ),
        }
    }

    pub(crate) fn files(&self) -> &[SkillFile] {
        &self.files
    }

    /// A resource route per file; `SKILL.md` is named and described from
    /// its frontmatter.
    pub(crate) fn resource_routes(&self) -> Vec<ResourceRoute> {
        self.files
            .iter()
            .map(|f| {
                let content = f.content.clone();
                let mime = f.mime_type.clone();
                ResourceRoute::new(f.uri.clone(), "", move |_cx, uri: String, _vars| {
                    let result = read_result(uri, &content, &mime);
                    async move { result }
                })
                .with_definition(|def| *def = self.file_resource(f))
            })
            .collect()
    }

    /// The resource listing of one file.
    pub(crate) fn file_resource(&self, f: &SkillFile) -> Resource {
        let mut def = if f.path == SKILL_MD {
            let mut r = Resource::new(&f.uri, self.name());
            r.description = Some(self.description().to_owned());
            r
        } else {
            Resource::new(&f.uri, f.path.rsplit('/').next().unwrap_or(&f.path))
        };
        def.mime_type = Some(f.mime_type.clone());
        def.size = Some(f.content.len() as u64);
        def
    }
}

/// The `resources/read` result of a file: text when it is UTF-8, else a
/// Base64 blob.
fn read_result(uri: String, content: &[u8], mime: &str) -> ReadResourceResult {
    let contents: ResourceContents = match std::str::from_utf8(content) {
        Ok(text) => TextResourceContents::new(uri, text)
            .with_mime_type(mime)
            .into(),
        Err(_) => BlobResourceContents::new(uri, base64_encode(content))
            .with_mime_type(mime)
            .into(),
    };
    ReadResourceResult::new(vec![contents])
}

/// Checks what the Agent Skills specification and the extension require of
/// the frontmatter.
fn check_frontmatter(fm: &Map<String, Value>) -> Result<(), SkillBuildError> {
    check_required_fields(fm)?;
    let name = fm["name"].as_str().unwrap_or_default();
    if !wire::is_valid_skill_name(name) {
        return Err(SkillBuildError::InvalidName(name.to_owned()));
    }
    let chars = fm["description"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .count();
    if chars > MAX_DESCRIPTION_CHARS {
        return Err(SkillBuildError::DescriptionTooLong(chars));
    }
    if let Some(Value::Object(metadata)) = fm.get("metadata")
        && let Some(key) = metadata
            .keys()
            .find(|k| k.starts_with(RESERVED_METADATA_PREFIX))
    {
        return Err(SkillBuildError::ReservedMetadataKey(key.clone()));
    }
    Ok(())
}

fn check_file_path(path: &str) -> Result<(), SkillBuildError> {
    let bad = |reason| {
        Err(SkillBuildError::InvalidPath {
            path: path.to_owned(),
            reason,
        })
    };
    if path.is_empty() {
        return bad("it is empty");
    }
    if path.contains('\\') || path.chars().any(char::is_control) {
        return bad("it holds a backslash or a control character; separate segments with '/'");
    }
    if path
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return bad("it is absolute or has an empty, '.' or '..' segment");
    }
    Ok(())
}

/// `skill://<skill-path>/<file-path>`, with the file path percent-encoded
/// where a URI path needs it.
fn file_uri(skill_path: &str, file_path: &str) -> String {
    let mut uri = format!("{SKILL_SCHEME}://{skill_path}");
    for segment in file_path.split('/') {
        uri.push('/');
        for b in segment.bytes() {
            if is_reg_name_byte(b) || b == b':' || b == b'@' {
                uri.push(char::from(b));
            } else {
                uri.push_str(&format!("%{b:02X}"));
            }
        }
    }
    uri
}

/// RFC 3986 `unreserved` and `sub-delims`: what a `reg-name` may hold
/// without percent-encoding.
fn is_reg_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&b)
}

/// A MIME type from the file extension.
fn mime_type_of(path: &str, is_text: bool) -> &'static str {
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase());
    match ext.as_deref() {
        Some("md" | "markdown") => "text/markdown",
        Some("txt") => "text/plain",
        Some("py") => "text/x-python",
        Some("sh" | "bash") => "application/x-sh",
        Some("js" | "mjs" | "cjs") => "text/javascript",
        Some("ts") => "text/x-typescript",
        Some("json") => "application/json",
        Some("yaml" | "yml") => "application/yaml",
        Some("toml") => "application/toml",
        Some("xml") => "application/xml",
        Some("html" | "htm") => "text/html",
        Some("css") => "text/css",
        Some("csv") => "text/csv",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("zip") => "application/zip",
        _ if is_text => "text/plain",
        _ => "application/octet-stream",
    }
}

/// Adds every regular file below `dir` to `out`, by its path inside the
/// skill, skipping hidden names.
fn collect(
    dir: &Path,
    prefix: &str,
    out: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), SkillBuildError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SkillBuildError::Io { path, source }
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(SkillBuildError::InvalidPath {
                path: path.display().to_string(),
                reason: "the name is not UTF-8",
            });
        };
        if name.starts_with('.') {
            continue;
        }
        let inner = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type().map_err(io(&path))?;
        if kind.is_symlink() {
            return Err(SkillBuildError::Symlink(path));
        } else if kind.is_dir() {
            collect(&path, &inner, out)?;
        } else if kind.is_file() {
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            out.push((inner, bytes));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SKILL_MD_TEXT: &str = "---\nname: pdf-processing\ndescription: Extract PDF text\nlicense: MIT\nmetadata:\n  version: \"2.1\"\n---\n\n# PDF\n";

    #[test]
    fn files_get_uris_digests_and_mime_types() {
        let s = Skill::from_files([
            ("templates/My Form.md", &b"form"[..]),
            ("SKILL.md", SKILL_MD_TEXT.as_bytes()),
            ("assets/logo.bin", &[0xff, 0x00][..]),
        ])
        .unwrap();
        assert_eq!(s.uri(), "skill://pdf-processing/SKILL.md");
        let uris: Vec<_> = s.file_uris().collect();
        assert_eq!(
            uris,
            [
                "skill://pdf-processing/SKILL.md",
                "skill://pdf-processing/assets/logo.bin",
                "skill://pdf-processing/templates/My%20Form.md",
            ]
        );
        assert_eq!(s.frontmatter()["metadata"]["version"], "2.1");
        let entry = s.entry();
        let files = entry.resources.files().unwrap();
        assert_eq!(files[0].digest, sha256_digest(SKILL_MD_TEXT.as_bytes()));
        assert_eq!(files[0].size, SKILL_MD_TEXT.len() as u64);
        assert_eq!(s.files()[1].mime_type, "application/octet-stream");
        assert_eq!(s.files()[2].mime_type, "text/markdown");
        let r = read_result("u".into(), &[0xff, 0x00], "application/octet-stream");
        assert!(matches!(&r.contents[0], ResourceContents::Blob(b) if b.blob == "/wA="));
    }

    #[test]
    fn a_prefix_moves_every_uri() {
        let s = Skill::from_files([("SKILL.md", SKILL_MD_TEXT), ("a/b.md", "x")])
            .unwrap()
            .under("acme/billing")
            .unwrap();
        assert_eq!(s.uri(), "skill://acme/billing/pdf-processing/SKILL.md");
        assert_eq!(s.root_uri(), "skill://acme/billing/pdf-processing");
        assert!(
            s.file_uris()
                .any(|u| u == "skill://acme/billing/pdf-processing/a/b.md")
        );
        for bad in ["", "/acme", "acme//x", "acme/../x", "ac me", "a:b"] {
            let s = Skill::from_files([("SKILL.md", SKILL_MD_TEXT)]).unwrap();
            assert!(
                matches!(s.under(bad), Err(SkillBuildError::InvalidPrefix { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn invalid_skills_are_refused_with_the_reason() {
        let one = |md: &str| Skill::from_files([("SKILL.md", md.to_owned())]).unwrap_err();
        assert!(matches!(
            Skill::from_files([("README.md", "x")]).unwrap_err(),
            SkillBuildError::NoSkillMd
        ));
        assert!(matches!(
            one("# no frontmatter"),
            SkillBuildError::Frontmatter(FrontmatterError::Missing)
        ));
        assert!(matches!(
            one("---\nname: Bad_Name\ndescription: d\n---\n"),
            SkillBuildError::InvalidName(n) if n == "Bad_Name"
        ));
        assert!(matches!(
            one("---\nname: ok\n---\n"),
            SkillBuildError::Frontmatter(FrontmatterError::MissingField("description"))
        ));
        let long = format!("---\nname: ok\ndescription: {}\n---\n", "d".repeat(1025));
        assert!(matches!(
            one(&long),
            SkillBuildError::DescriptionTooLong(1025)
        ));
        assert!(matches!(
            one("---\nname: ok\ndescription: d\nmetadata:\n  io.modelcontextprotocol/x: 1\n---\n"),
            SkillBuildError::ReservedMetadataKey(_)
        ));
        for path in ["../x", "/x", "a//b", "a\\b", "./a", ""] {
            let e = Skill::from_files([("SKILL.md", SKILL_MD_TEXT), (path, "x")]).unwrap_err();
            assert!(
                matches!(e, SkillBuildError::InvalidPath { .. }),
                "{path:?}: {e}"
            );
        }
        let e = Skill::from_files([("SKILL.md", SKILL_MD_TEXT), ("SKILL.md", SKILL_MD_TEXT)])
            .unwrap_err();
        assert!(matches!(e, SkillBuildError::DuplicateFile(_)));
        let many = (0..MAX_RESOURCES_PER_SKILL).map(|i| (format!("f{i}"), Vec::new()));
        let e = Skill::from_files(
            std::iter::once(("SKILL.md".to_owned(), SKILL_MD_TEXT.as_bytes().to_vec())).chain(many),
        )
        .unwrap_err();
        assert!(matches!(e, SkillBuildError::TooManyFiles(513)));
        let big = vec![b'x'; MAX_SKILL_BYTES as usize];
        let e = Skill::from_files([
            ("SKILL.md", SKILL_MD_TEXT.as_bytes().to_vec()),
            ("big", big),
        ])
        .unwrap_err();
        assert!(matches!(e, SkillBuildError::TooLarge(_)));
        assert!(e.to_string().contains("16777216"), "{e}");
    }
}
