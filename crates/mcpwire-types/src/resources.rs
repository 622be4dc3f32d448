//! Resources: descriptions, templates, contents and the `resources/*` params and results.
//!
//! ```
//! use mcpwire_types::{ReadResourceRequestParams, ReadResourceResult, Resource, TextResourceContents};
//! let listed = Resource::new("file:///README.md", "README");
//! let read = ReadResourceRequestParams::new(listed.uri.clone());
//! let answer = ReadResourceResult::new(vec![
//!     TextResourceContents::new(read.uri.as_str(), "# Hello").with_mime_type("text/markdown").into(),
//! ]);
//! let wire = serde_json::to_value(&answer).unwrap();
//! assert_eq!(wire["contents"][0]["text"], "# Hello");
//! assert_eq!(answer.contents[0].uri(), "file:///README.md");
//! ```

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use crate::cache::CacheScope;
use crate::content::{Annotations, Icon};
use crate::meta::Meta;
use crate::mrtr::{InputResponses, ResultType};
use crate::pagination::Cursor;

/// A resource the server can read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// The URI of the resource.
    pub uri: String,
    /// The programmatic name of the resource.
    pub name: String,
    /// A human-readable title (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// What the resource is.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The MIME type of the resource.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mime_type: Option<String>,
    /// The size of the raw content in bytes (2025-03-26).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub size: Option<u64>,
    /// Icons for display (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub icons: Option<Vec<Icon>>,
    /// Display hints.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub annotations: Option<Annotations>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl Resource {
    /// A resource with a URI and a name.
    pub fn new(uri: impl Into<String>, name: impl Into<String>) -> Self {
        Resource {
            uri: uri.into(),
            name: name.into(),
            title: None,
            description: None,
            mime_type: None,
            size: None,
            icons: None,
            annotations: None,
            meta: None,
        }
    }
}

/// A template of resource URIs (RFC 6570).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceTemplate {
    /// The URI template.
    pub uri_template: String,
    /// The programmatic name of the template.
    pub name: String,
    /// A human-readable title (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// What the template is for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The MIME type of every resource matching the template, if they share one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mime_type: Option<String>,
    /// Icons for display (2025-11-25).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub icons: Option<Vec<Icon>>,
    /// Display hints.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub annotations: Option<Annotations>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ResourceTemplate {
    /// A template with a URI template and a name.
    pub fn new(uri_template: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceTemplate {
            uri_template: uri_template.into(),
            name: name.into(),
            title: None,
            description: None,
            mime_type: None,
            icons: None,
            annotations: None,
            meta: None,
        }
    }
}

/// The text contents of a resource.
///
/// ```
/// use mcpwire_types::TextResourceContents;
/// let c = TextResourceContents::new("file:///a.txt", "hello").with_mime_type("text/plain");
/// assert_eq!(
///     serde_json::to_value(&c).unwrap(),
///     serde_json::json!({"uri": "file:///a.txt", "mimeType": "text/plain", "text": "hello"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextResourceContents {
    /// The URI of the resource.
    pub uri: String,
    /// The MIME type.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mime_type: Option<String>,
    /// The text.
    pub text: String,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl TextResourceContents {
    /// Text contents of the resource at `uri`.
    pub fn new(uri: impl Into<String>, text: impl Into<String>) -> Self {
        TextResourceContents {
            uri: uri.into(),
            mime_type: None,
            text: text.into(),
            meta: None,
        }
    }

    /// Sets the MIME type.
    ///
    /// ```
    /// use mcpwire_types::TextResourceContents;
    /// let c = TextResourceContents::new("file:///notes.md", "# Notes").with_mime_type("text/markdown");
    /// assert_eq!(c.mime_type.as_deref(), Some("text/markdown"));
    /// ```
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(mime_type.into());
        self
    }
}

/// The binary contents of a resource, base64-encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobResourceContents {
    /// The URI of the resource.
    pub uri: String,
    /// The MIME type.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mime_type: Option<String>,
    /// The base64-encoded bytes.
    pub blob: String,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl BlobResourceContents {
    /// Binary contents (already base64-encoded) of the resource at `uri`.
    pub fn new(uri: impl Into<String>, blob: impl Into<String>) -> Self {
        BlobResourceContents {
            uri: uri.into(),
            mime_type: None,
            blob: blob.into(),
            meta: None,
        }
    }

    /// Sets the MIME type.
    ///
    /// ```
    /// use mcpwire_types::BlobResourceContents;
    /// let c = BlobResourceContents::new("file:///logo.png", "iVBORw0KGgo=").with_mime_type("image/png");
    /// assert_eq!(
    ///     serde_json::to_value(&c).unwrap(),
    ///     serde_json::json!({"uri": "file:///logo.png", "mimeType": "image/png", "blob": "iVBORw0KGgo="})
    /// );
    /// ```
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(mime_type.into());
        self
    }
}

/// The contents of a resource: text or a blob. Told apart by which of `text`
/// and `blob` is present.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ResourceContents {
    /// Text contents.
    Text(TextResourceContents),
    /// Binary contents.
    Blob(BlobResourceContents),
}

impl ResourceContents {
    /// The URI of the resource.
    pub fn uri(&self) -> &str {
        match self {
            ResourceContents::Text(t) => &t.uri,
            ResourceContents::Blob(b) => &b.uri,
        }
    }
}

impl From<TextResourceContents> for ResourceContents {
    fn from(c: TextResourceContents) -> Self {
        ResourceContents::Text(c)
    }
}

impl From<BlobResourceContents> for ResourceContents {
    fn from(c: BlobResourceContents) -> Self {
        ResourceContents::Blob(c)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContents {
    uri: String,
    mime_type: Option<String>,
    text: Option<String>,
    blob: Option<String>,
    #[serde(rename = "_meta")]
    meta: Option<Meta>,
}

impl<'de> Deserialize<'de> for ResourceContents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = RawContents::deserialize(d)?;
        match (r.text, r.blob) {
            (Some(text), None) => Ok(ResourceContents::Text(TextResourceContents {
                uri: r.uri,
                mime_type: r.mime_type,
                text,
                meta: r.meta,
            })),
            (None, Some(blob)) => Ok(ResourceContents::Blob(BlobResourceContents {
                uri: r.uri,
                mime_type: r.mime_type,
                blob,
                meta: r.meta,
            })),
            (Some(_), Some(_)) => Err(de::Error::custom(
                "resource contents carry both `text` and `blob`",
            )),
            (None, None) => Err(de::Error::custom(
                "resource contents carry neither `text` nor `blob`",
            )),
        }
    }
}

/// The result of `resources/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResourcesResult {
    /// Whether the result is complete (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The resources on this page.
    pub resources: Vec<Resource>,
    /// The cursor of the next page, if there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_cursor: Option<Cursor>,
    /// How long the client may cache the result, in milliseconds (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ttl_ms: Option<u64>,
    /// Who may share a cached copy (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cache_scope: Option<CacheScope>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The result of `resources/templates/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResourceTemplatesResult {
    /// Whether the result is complete (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The templates on this page.
    pub resource_templates: Vec<ResourceTemplate>,
    /// The cursor of the next page, if there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_cursor: Option<Cursor>,
    /// How long the client may cache the result, in milliseconds (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ttl_ms: Option<u64>,
    /// Who may share a cached copy (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cache_scope: Option<CacheScope>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The params of `resources/read`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadResourceRequestParams {
    /// The URI to read.
    pub uri: String,
    /// Answers to the input requests of an earlier attempt (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub input_responses: Option<InputResponses>,
    /// The opaque state an earlier attempt returned (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_state: Option<String>,
    /// Request metadata; required on 2026-07-28.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ReadResourceRequestParams {
    /// Params reading `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        ReadResourceRequestParams {
            uri: uri.into(),
            input_responses: None,
            request_state: None,
            meta: None,
        }
    }
}

/// The result of `resources/read`.
///
/// ```
/// use mcpwire_types::{ReadResourceResult, TextResourceContents};
/// let r = ReadResourceResult::new(vec![TextResourceContents::new("file:///a", "x").into()]);
/// assert_eq!(r.contents[0].uri(), "file:///a");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadResourceResult {
    /// Whether the result is complete (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_type: Option<ResultType>,
    /// The contents; one resource URI may yield several.
    pub contents: Vec<ResourceContents>,
    /// How long the client may cache the result, in milliseconds (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ttl_ms: Option<u64>,
    /// Who may share a cached copy (2026-07-28).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cache_scope: Option<CacheScope>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ReadResourceResult {
    /// A result with these contents.
    pub fn new(contents: Vec<ResourceContents>) -> Self {
        ReadResourceResult {
            contents,
            ..Default::default()
        }
    }
}

/// The params of `resources/subscribe` (before 2026-07-28).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscribeRequestParams {
    /// The URI to watch.
    pub uri: String,
    /// Request metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The params of `resources/unsubscribe` (before 2026-07-28).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsubscribeRequestParams {
    /// The URI to stop watching.
    pub uri: String,
    /// Request metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contents_are_told_apart_by_text_or_blob() {
        let t: ResourceContents =
            serde_json::from_value(json!({"uri": "u", "text": "x", "mimeType": "text/plain"}))
                .unwrap();
        assert!(matches!(t, ResourceContents::Text(_)));
        let b: ResourceContents =
            serde_json::from_value(json!({"uri": "u", "blob": "AA=="})).unwrap();
        assert!(matches!(b, ResourceContents::Blob(_)));
        assert!(serde_json::from_value::<ResourceContents>(json!({"uri": "u"})).is_err());
        assert!(
            serde_json::from_value::<ResourceContents>(json!({"uri": "u", "text": "", "blob": ""}))
                .is_err()
        );
    }
}
