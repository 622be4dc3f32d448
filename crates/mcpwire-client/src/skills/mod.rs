//! The client side of the skills extension (`io.modelcontextprotocol/skills`,
//! SEP-2640): discover a server's skills, then load one lazily, verifying
//! every file against the skill's entry before handing it over.
//!
//! Listing fetches no file. [`SkillsClient::load`] reads the skill's
//! `SKILL.md` only when asked, and checks its size, its digest and its
//! frontmatter against the entry; [`SkillsClient::read_file`] reads a
//! supporting file only if the entry lists it, and checks it the same way.
//! Content that fails a check is never returned: the call fails with a
//! [`SkillError`] that says which check.
//!
//! ```no_run
//! # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_client::SkillError> {
//! let skills = client.skills();
//! for entry in skills.list().await? {
//!     println!("{}: {}", entry.name().unwrap_or("?"), entry.description().unwrap_or(""));
//! }
//! let entry = skills.get("skill://pdf-processing/SKILL.md").await?;
//! let loaded = skills.load(&entry).await?;
//! println!("{}", loaded.body());
//! let forms = skills.read_file(&loaded, "references/FORMS.md").await?;
//! println!("{}", forms.text().unwrap_or_default());
//! # Ok(()) }
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use mcpwire_types::skills::{
    GetSkillRequestParams, GetSkillResult, ListSkillsResult, MAX_SKILL_BYTES,
    RESOURCES_DIRECTORY_READ, ReadResourceDirectoryRequestParams, ReadResourceDirectoryResult,
    SKILLS_GET, SKILLS_LIST, Skill, SkillResources, SkillsCapability,
};
use mcpwire_types::{
    ErrorCode, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResult,
    ResourceContents, methods,
};
use serde_json::{Map, Value};

use super::Client;
use super::paginate::CursorTrail;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;
use mcpwire_types::skill_format::{base64_decode, parse_frontmatter};

/// Most `skills/list` pages [`SkillsClient::list`] follows before it gives
/// up on a server whose cursors never end.
const MAX_PAGES: usize = super::paginate::DEFAULT_MAX_PAGES;

mod error;
mod verify;

pub use error::SkillError;
use verify::{body_offset, check_entry, differing_fields, verify};

/// A skill whose `SKILL.md` was fetched and verified against its entry,
/// which it holds from then on: files are read and verified against this
/// entry ([`SkillsClient::read_file`]).
#[derive(Debug)]
pub struct LoadedSkill {
    entry: Skill,
    root: String,
    text: String,
    body_start: usize,
    /// Bytes fetched so far, for the size limit of dynamic skills.
    fetched: AtomicU64,
}

impl LoadedSkill {
    /// The entry the skill was loaded from.
    pub fn entry(&self) -> &Skill {
        &self.entry
    }

    /// The URI of the skill's `SKILL.md`.
    pub fn uri(&self) -> &str {
        &self.entry.uri
    }

    /// The URI of the skill's root directory.
    pub fn root_uri(&self) -> &str {
        &self.root
    }

    /// The skill name.
    pub fn name(&self) -> &str {
        self.entry.name().unwrap_or_default()
    }

    /// The frontmatter, as the entry and the file agree on it.
    pub fn frontmatter(&self) -> &Map<String, Value> {
        &self.entry.frontmatter
    }

    /// The whole `SKILL.md`, frontmatter included.
    pub fn content(&self) -> &str {
        &self.text
    }

    /// The instructions: `SKILL.md` after its frontmatter.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// Whether the content was checked against digests; `false` for a
    /// skill whose entry has `"resources": "dynamic"`.
    pub fn is_verified(&self) -> bool {
        matches!(self.entry.resources, SkillResources::Files(_))
    }

    /// The URI of `reference` in this skill: a URI stays as it is; a
    /// relative path resolves against the skill's root. A path that leaves
    /// the skill is [`SkillError::Unlisted`].
    pub fn resolve(&self, reference: &str) -> Result<String, SkillError> {
        if reference.contains("://") {
            return Ok(reference.to_owned());
        }
        let mut segments: Vec<&str> = Vec::new();
        for s in reference.split('/') {
            match s {
                "" | "." => {}
                ".." => {
                    if segments.pop().is_none() {
                        return Err(SkillError::Unlisted {
                            uri: format!("{}/{reference}", self.root),
                        });
                    }
                }
                s => segments.push(s),
            }
        }
        Ok(format!("{}/{}", self.root, segments.join("/")))
    }
}

/// A verified file of a loaded skill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillFile {
    /// The file's URI.
    pub uri: String,
    /// Its MIME type, as the server gave it.
    pub mime_type: Option<String>,
    /// Its bytes.
    pub content: Vec<u8>,
    /// Whether they were checked against a digest (`false` in a dynamic
    /// skill).
    pub verified: bool,
}

impl SkillFile {
    /// The content as text, if it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.content).ok()
    }
}

/// The skills extension on one connection; from [`Client::skills`].
#[derive(Debug, Clone, Copy)]
pub struct SkillsClient<'c> {
    client: &'c Client,
}

impl Client {
    /// The skills extension on this connection: list, get, load and read
    /// skills, verified against their entries.
    pub fn skills(&self) -> SkillsClient<'_> {
        SkillsClient { client: self }
    }
}

impl SkillsClient<'_> {
    /// The server's settings for the extension, if it declares it.
    pub fn capability(&self) -> Option<SkillsCapability> {
        SkillsCapability::of(self.client.server_capabilities())
    }

    /// Whether the server declares the extension.
    pub fn is_supported(&self) -> bool {
        self.capability().is_some()
    }

    fn require(&self) -> Result<SkillsCapability, SkillError> {
        self.capability().ok_or(SkillError::NotDeclared)
    }

    /// One page of `skills/list`. Fetches no skill file.
    pub async fn list_page(&self, cursor: Option<String>) -> Result<ListSkillsResult, SkillError> {
        self.require()?;
        let params = PaginatedRequestParams { cursor, meta: None };
        Ok(self
            .client
            .request_raw(SKILLS_LIST, &params, RequestOptions::new())
            .await?)
    }

    /// Every entry of `skills/list`, following all pages. Fetches no skill
    /// file. An empty or partial listing does not mean the server has no
    /// other skills: [`SkillsClient::get`] reaches any skill by URI.
    ///
    /// An empty `nextCursor` ends the listing. A server that gives a cursor
    /// it gave before, or has more after
    /// [`DEFAULT_MAX_PAGES`](crate::DEFAULT_MAX_PAGES) pages, is stopped
    /// with [`SkillError::Request`] holding [`Error::Protocol`].
    pub async fn list(&self) -> Result<Vec<Skill>, SkillError> {
        let mut all = Vec::new();
        let mut trail = CursorTrail::new(SKILLS_LIST, MAX_PAGES);
        let mut cursor = None;
        loop {
            trail.check_budget().map_err(Error::from)?;
            let page = self.list_page(cursor).await?;
            trail.count_page();
            all.extend(page.skills);
            match page.next_cursor {
                Some(c) if c.is_empty() => return Ok(all),
                Some(c) if trail.first_time(&c) => cursor = Some(c),
                Some(_) => return Err(Error::from(trail.repeated()).into()),
                None => return Ok(all),
            }
        }
    }

    /// The entry of the skill whose `SKILL.md` is at `uri` (`skills/get`),
    /// listed or not. Fetches no skill file.
    pub async fn get(&self, uri: &str) -> Result<Skill, SkillError> {
        self.require()?;
        let result: Result<GetSkillResult, Error> = self
            .client
            .request_raw(
                SKILLS_GET,
                &GetSkillRequestParams::new(uri),
                RequestOptions::new(),
            )
            .await;
        match result {
            Ok(r) if r.skill.uri == uri => Ok(r.skill),
            Ok(r) => Err(SkillError::InvalidEntry {
                uri: uri.to_owned(),
                reason: format!("skills/get answered with the entry of {}", r.skill.uri),
            }),
            Err(Error::Rpc(e)) if e.code == ErrorCode::INVALID_PARAMS => {
                Err(SkillError::UnknownSkill {
                    uri: uri.to_owned(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Loads the skill `entry` describes: checks the entry, reads its
    /// `SKILL.md`, verifies the size and digest against the entry (unless
    /// the skill is dynamic), then parses the frontmatter and compares it
    /// field by field with the entry's. Nothing that fails a check is
    /// returned.
    pub async fn load(&self, entry: &Skill) -> Result<LoadedSkill, SkillError> {
        self.require()?;
        let root = check_entry(entry)?;
        let bytes = self.fetch(&entry.uri).await?;
        let fetched = bytes.len() as u64;
        verify(&entry.resources, &entry.uri, &bytes)?;
        let text = String::from_utf8(bytes).map_err(|_| SkillError::BadContent {
            uri: entry.uri.clone(),
            reason: "a SKILL.md that is not UTF-8 text".into(),
        })?;
        let file_fm = parse_frontmatter(&text).map_err(|source| SkillError::Frontmatter {
            uri: entry.uri.clone(),
            source,
        })?;
        let fields = differing_fields(&file_fm, &entry.frontmatter);
        if !fields.is_empty() {
            return Err(SkillError::FrontmatterMismatch {
                uri: entry.uri.clone(),
                fields,
            });
        }
        let body_start = body_offset(&text);
        Ok(LoadedSkill {
            entry: entry.clone(),
            root,
            text,
            body_start,
            fetched: AtomicU64::new(fetched),
        })
    }

    /// Reads a file of a loaded skill: `reference` is a path relative to
    /// the skill's root (`references/FORMS.md`) or a URI. In a skill with a
    /// manifest the file must be listed, and its size and digest must
    /// match; in a dynamic skill it must lie inside the skill, and reads
    /// stop at the 16 MiB total.
    pub async fn read_file(
        &self,
        skill: &LoadedSkill,
        reference: &str,
    ) -> Result<SkillFile, SkillError> {
        let uri = skill.resolve(reference)?;
        match &skill.entry.resources {
            SkillResources::Files(files) => {
                if !files.iter().any(|f| f.uri == uri) {
                    return Err(SkillError::Unlisted { uri });
                }
            }
            SkillResources::Dynamic => {
                if !uri.starts_with(&format!("{}/", skill.root)) {
                    return Err(SkillError::Unlisted { uri });
                }
            }
        }
        let (content, mime_type) = self.fetch_with_type(&uri).await?;
        verify(&skill.entry.resources, &uri, &content)?;
        let total = skill
            .fetched
            .fetch_add(content.len() as u64, Ordering::Relaxed)
            + content.len() as u64;
        if !skill.is_verified() && total > MAX_SKILL_BYTES {
            return Err(SkillError::LimitExceeded {
                uri: skill.entry.uri.clone(),
                reason: format!("its files add up to more than {MAX_SKILL_BYTES} bytes"),
            });
        }
        Ok(SkillFile {
            uri,
            mime_type,
            content,
            verified: skill.is_verified(),
        })
    }

    /// One page of `resources/directory/read`: the direct children of the
    /// directory resource at `uri`. The children are a live view: they do
    /// not extend what a loaded skill's entry lets
    /// [`SkillsClient::read_file`] read.
    pub async fn read_directory(
        &self,
        uri: &str,
        cursor: Option<String>,
    ) -> Result<ReadResourceDirectoryResult, SkillError> {
        if !self.require()?.supports_directory_read() {
            return Err(SkillError::DirectoryReadUnsupported);
        }
        let mut params = ReadResourceDirectoryRequestParams::new(uri);
        params.cursor = cursor;
        Ok(self
            .client
            .request_raw(RESOURCES_DIRECTORY_READ, &params, RequestOptions::new())
            .await?)
    }

    async fn fetch(&self, uri: &str) -> Result<Vec<u8>, SkillError> {
        Ok(self.fetch_with_type(uri).await?.0)
    }

    /// The raw bytes of the resource at `uri`, and its MIME type.
    async fn fetch_with_type(&self, uri: &str) -> Result<(Vec<u8>, Option<String>), SkillError> {
        let result: Result<ReadResourceResult, Error> = self
            .client
            .request_raw(
                methods::RESOURCES_READ,
                &ReadResourceRequestParams::new(uri),
                RequestOptions::new(),
            )
            .await;
        let result = match result {
            Ok(r) => r,
            Err(Error::Rpc(e))
                if e.code == ErrorCode::INVALID_PARAMS
                    || e.code == ErrorCode::RESOURCE_NOT_FOUND =>
            {
                return Err(SkillError::FileNotServed {
                    uri: uri.to_owned(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let bad = |reason: &str| SkillError::BadContent {
            uri: uri.to_owned(),
            reason: reason.to_owned(),
        };
        let mut matching = result.contents.iter().filter(|c| c.uri() == uri);
        let content = match (matching.next(), matching.next()) {
            (Some(c), None) => c,
            (Some(_), Some(_)) => return Err(bad("several contents for the file")),
            (None, _) => match result.contents.as_slice() {
                [only] => only,
                [] => return Err(bad("no contents")),
                _ => return Err(bad("no contents for the file")),
            },
        };
        Ok(match content {
            ResourceContents::Text(t) => (t.text.clone().into_bytes(), t.mime_type.clone()),
            ResourceContents::Blob(b) => (
                base64_decode(&b.blob).ok_or_else(|| bad("a blob that is not valid Base64"))?,
                b.mime_type.clone(),
            ),
        })
    }
}
