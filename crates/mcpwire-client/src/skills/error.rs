//! What can go wrong discovering, loading or reading a skill.

use mcpwire_rpc::Error;
use mcpwire_types::skill_format::FrontmatterError;

/// What went wrong discovering, loading or reading a skill.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SkillError {
    /// The server did not declare the extension (or the client has not
    /// learned its capabilities: a client pinned to 2026-07-28 must call
    /// [`Client::discover`](crate::Client::discover) first).
    #[error(
        "the server does not declare the skills extension (io.modelcontextprotocol/skills); a stateless client that did not probe must call discover() first"
    )]
    NotDeclared,
    /// The server did not declare `directoryRead: true`.
    #[error("the server does not declare directoryRead, so it cannot read directories")]
    DirectoryReadUnsupported,
    /// `skills/get` answered that no skill is served at the URI.
    #[error("the server serves no skill at {uri}")]
    UnknownSkill {
        /// The URI asked for.
        uri: String,
    },
    /// The entry breaks the extension's rules, so it must not be loaded.
    #[error("the entry of {uri} is invalid: {reason}")]
    InvalidEntry {
        /// The entry's URI.
        uri: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The skill is larger than this client accepts (512 files, 16 MiB).
    #[error("the skill {uri} is too large to load: {reason}")]
    LimitExceeded {
        /// The skill's URI.
        uri: String,
        /// Which limit.
        reason: String,
    },
    /// A file of the skill that the held entry does not list: the skill
    /// changed since its entry was fetched (refresh it with
    /// [`SkillsClient::get`](crate::SkillsClient::get)), or the path leaves the skill.
    #[error(
        "{uri} is not listed in the skill's resources; the skill may have changed, so fetch its entry again"
    )]
    Unlisted {
        /// The file asked for.
        uri: String,
    },
    /// The content's length differs from the entry's `size`.
    #[error(
        "{uri} is {actual} bytes but the skill's entry says {expected}; the content was not used"
    )]
    SizeMismatch {
        /// The file.
        uri: String,
        /// The size in the entry.
        expected: u64,
        /// The size received.
        actual: u64,
    },
    /// The content's SHA-256 differs from the entry's `digest`.
    #[error(
        "{uri} does not match the digest in the skill's entry (expected {expected}, got {actual}); the content was not used"
    )]
    DigestMismatch {
        /// The file.
        uri: String,
        /// The digest in the entry.
        expected: String,
        /// The digest of what was received.
        actual: String,
    },
    /// The `SKILL.md` received has no usable frontmatter.
    #[error("{uri} has no usable frontmatter: {source}; the skill was not loaded")]
    Frontmatter {
        /// The `SKILL.md`.
        uri: String,
        /// Why.
        #[source]
        source: FrontmatterError,
    },
    /// The frontmatter of the `SKILL.md` received differs from the entry's.
    #[error(
        "the frontmatter of {uri} differs from the skill's entry in {}; the skill was not loaded",
        fields.join(", ")
    )]
    FrontmatterMismatch {
        /// The `SKILL.md`.
        uri: String,
        /// The fields that differ.
        fields: Vec<String>,
    },
    /// The server does not serve a file the entry lists.
    #[error(
        "the server no longer serves {uri}, which the skill's entry lists; fetch the entry again"
    )]
    FileNotServed {
        /// The file.
        uri: String,
    },
    /// `resources/read` returned nothing usable for the file.
    #[error("resources/read of {uri} returned {reason}")]
    BadContent {
        /// The file.
        uri: String,
        /// What came back.
        reason: String,
    },
    /// The request itself failed (transport, timeout, protocol error).
    #[error(transparent)]
    Request(#[from] Error),
}

impl SkillError {
    /// Whether this is a verification failure: content that does not match
    /// the held entry (size, digest, frontmatter, or an unlisted file). The
    /// remedy is to fetch the entry again and re-approve the skill.
    pub fn is_verification_failure(&self) -> bool {
        matches!(
            self,
            SkillError::SizeMismatch { .. }
                | SkillError::DigestMismatch { .. }
                | SkillError::Frontmatter { .. }
                | SkillError::FrontmatterMismatch { .. }
                | SkillError::Unlisted { .. }
        )
    }
}
