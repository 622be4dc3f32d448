//! Content blocks (text, image, audio, resource links, embedded resources) and their annotations and icons.
//!
//! [`ContentBlock`] is tagged on `"type"` on the wire. Each block struct writes
//! its own `"type"` member, so a block serializes the same alone or inside a
//! `ContentBlock`. Reading a `ContentBlock` is a single pass over the object,
//! wherever `"type"` sits in it.
//!
//! ```
//! use mcpwire_types::ContentBlock;
//! let blocks = vec![
//!     ContentBlock::text("Here is the chart:"),
//!     ContentBlock::image("iVBORw0KGgo=", "image/png"),
//! ];
//! let wire = serde_json::to_value(&blocks).unwrap();
//! assert_eq!(wire[1], serde_json::json!({"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"}));
//! // `"type"` may come anywhere in the object.
//! let read: ContentBlock = serde_json::from_str(r#"{"text":"hi","type":"text"}"#).unwrap();
//! assert_eq!(read.as_text(), Some("hi"));
//! assert_eq!(blocks[1].type_name(), "image");
//! ```

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use crate::meta::Meta;
use crate::num::compact_opt_f64;
use crate::resources::ResourceContents;

/// The sender or recipient of messages and data in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The user.
    User,
    /// The assistant (the model).
    Assistant,
}

/// Hints to the client about how to use or display an object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotations {
    /// Who the object is meant for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub audience: Option<Vec<Role>>,
    /// How important the object is, from 0 (least) to 1 (most).
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        serialize_with = "compact_opt_f64"
    )]
    pub priority: Option<f64>,
    /// When the object was last modified, as an ISO 8601 timestamp (2025-06-18).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_modified: Option<String>,
}

/// The theme an icon is drawn for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IconTheme {
    /// For light backgrounds.
    Light,
    /// For dark backgrounds.
    Dark,
}

/// An icon for display in a user interface (2025-11-25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Icon {
    /// A URI of the icon: `https:` or a `data:` URI.
    pub src: String,
    /// The MIME type, when `src` does not make it plain.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mime_type: Option<String>,
    /// Sizes the icon fits, such as `"48x48"` or `"any"`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sizes: Option<Vec<String>>,
    /// The theme the icon is drawn for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub theme: Option<IconTheme>,
}

impl Icon {
    /// An icon with only a source.
    pub fn new(src: impl Into<String>) -> Self {
        Icon {
            src: src.into(),
            mime_type: None,
            sizes: None,
            theme: None,
        }
    }
}

/// Text given to or produced by a model.
///
/// ```
/// use mcpwire_types::TextContent;
/// let t = TextContent::new("hello");
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"type":"text","text":"hello"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "text")]
pub struct TextContent {
    /// The text.
    pub text: String,
    /// Display hints.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub annotations: Option<Annotations>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl TextContent {
    /// Text with no annotations.
    pub fn new(text: impl Into<String>) -> Self {
        TextContent {
            text: text.into(),
            annotations: None,
            meta: None,
        }
    }
}

/// An image, base64-encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "image", rename_all = "camelCase")]
pub struct ImageContent {
    /// The base64-encoded image data.
    pub data: String,
    /// The image MIME type, such as `image/png`.
    pub mime_type: String,
    /// Display hints.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub annotations: Option<Annotations>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ImageContent {
    /// An image from base64 data and its MIME type.
    pub fn new(data: impl Into<String>, mime_type: impl Into<String>) -> Self {
        ImageContent {
            data: data.into(),
            mime_type: mime_type.into(),
            annotations: None,
            meta: None,
        }
    }
}

/// Audio, base64-encoded (2025-03-26).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "audio", rename_all = "camelCase")]
pub struct AudioContent {
    /// The base64-encoded audio data.
    pub data: String,
    /// The audio MIME type, such as `audio/wav`.
    pub mime_type: String,
    /// Display hints.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub annotations: Option<Annotations>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl AudioContent {
    /// Audio from base64 data and its MIME type.
    pub fn new(data: impl Into<String>, mime_type: impl Into<String>) -> Self {
        AudioContent {
            data: data.into(),
            mime_type: mime_type.into(),
            annotations: None,
            meta: None,
        }
    }
}

/// A link to a resource the server can read (2025-06-18); it may not appear in `resources/list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "resource_link", rename_all = "camelCase")]
pub struct ResourceLink {
    /// The URI of the resource.
    pub uri: String,
    /// The programmatic name of the resource.
    pub name: String,
    /// A human-readable title.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    /// What the resource is.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// The MIME type of the resource.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mime_type: Option<String>,
    /// The size of the raw content in bytes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub size: Option<u64>,
    /// Icons for display.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub icons: Option<Vec<Icon>>,
    /// Display hints.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub annotations: Option<Annotations>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl ResourceLink {
    /// A link with a URI and a name.
    pub fn new(uri: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceLink {
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

/// The contents of a resource, embedded in a prompt or tool result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "resource")]
pub struct EmbeddedResource {
    /// The contents: text or a blob.
    pub resource: ResourceContents,
    /// Display hints.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub annotations: Option<Annotations>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl EmbeddedResource {
    /// Embeds resource contents with no annotations.
    pub fn new(resource: impl Into<ResourceContents>) -> Self {
        EmbeddedResource {
            resource: resource.into(),
            annotations: None,
            meta: None,
        }
    }
}

/// Content of prompts and tool results: text, image, audio, a resource link or an embedded resource.
///
/// ```
/// use mcpwire_types::ContentBlock;
/// let b: ContentBlock = serde_json::from_str(r#"{"text":"hi","type":"text"}"#).unwrap();
/// assert_eq!(b, ContentBlock::text("hi"));
/// assert_eq!(b.as_text(), Some("hi"));
/// assert_eq!(serde_json::to_string(&b).unwrap(), r#"{"type":"text","text":"hi"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ContentBlock {
    /// `"type": "text"`.
    Text(TextContent),
    /// `"type": "image"`.
    Image(ImageContent),
    /// `"type": "audio"` (2025-03-26).
    Audio(AudioContent),
    /// `"type": "resource_link"` (2025-06-18).
    ResourceLink(ResourceLink),
    /// `"type": "resource"`.
    Resource(EmbeddedResource),
}

impl ContentBlock {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        ContentBlock::Text(TextContent::new(text))
    }

    /// An image block from base64 data.
    pub fn image(data: impl Into<String>, mime_type: impl Into<String>) -> Self {
        ContentBlock::Image(ImageContent::new(data, mime_type))
    }

    /// An audio block from base64 data.
    pub fn audio(data: impl Into<String>, mime_type: impl Into<String>) -> Self {
        ContentBlock::Audio(AudioContent::new(data, mime_type))
    }

    /// A resource link block.
    pub fn resource_link(uri: impl Into<String>, name: impl Into<String>) -> Self {
        ContentBlock::ResourceLink(ResourceLink::new(uri, name))
    }

    /// An embedded resource block.
    pub fn resource(resource: impl Into<ResourceContents>) -> Self {
        ContentBlock::Resource(EmbeddedResource::new(resource))
    }

    /// The text, when this is a text block.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ContentBlock::Text(t) => Some(&t.text),
            _ => None,
        }
    }

    /// The wire value of `"type"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            ContentBlock::Text(_) => "text",
            ContentBlock::Image(_) => "image",
            ContentBlock::Audio(_) => "audio",
            ContentBlock::ResourceLink(_) => "resource_link",
            ContentBlock::Resource(_) => "resource",
        }
    }
}

impl From<TextContent> for ContentBlock {
    fn from(c: TextContent) -> Self {
        ContentBlock::Text(c)
    }
}

impl From<ImageContent> for ContentBlock {
    fn from(c: ImageContent) -> Self {
        ContentBlock::Image(c)
    }
}

impl From<AudioContent> for ContentBlock {
    fn from(c: AudioContent) -> Self {
        ContentBlock::Audio(c)
    }
}

impl From<ResourceLink> for ContentBlock {
    fn from(c: ResourceLink) -> Self {
        ContentBlock::ResourceLink(c)
    }
}

impl From<EmbeddedResource> for ContentBlock {
    fn from(c: EmbeddedResource) -> Self {
        ContentBlock::Resource(c)
    }
}

/// The `"type"` values of every content block kind, across content unions.
#[derive(Deserialize)]
pub(crate) enum BlockKind {
    #[serde(rename = "text")]
    Text,
    #[serde(rename = "image")]
    Image,
    #[serde(rename = "audio")]
    Audio,
    #[serde(rename = "resource_link")]
    ResourceLink,
    #[serde(rename = "resource")]
    Resource,
    #[serde(rename = "tool_use")]
    ToolUse,
    #[serde(rename = "tool_result")]
    ToolResult,
    #[serde(other)]
    Unknown,
}

pub(crate) fn missing<E: de::Error>(field: &'static str, kind: &str) -> E {
    E::custom(format_args!("missing field `{field}` in {kind} content"))
}

/// Every member any [`ContentBlock`] kind may carry, read in one pass.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBlock {
    #[serde(rename = "type")]
    kind: BlockKind,
    text: Option<String>,
    data: Option<String>,
    mime_type: Option<String>,
    uri: Option<String>,
    name: Option<String>,
    title: Option<String>,
    description: Option<String>,
    size: Option<u64>,
    icons: Option<Vec<Icon>>,
    resource: Option<ResourceContents>,
    annotations: Option<Annotations>,
    #[serde(rename = "_meta")]
    meta: Option<Meta>,
}

impl<'de> Deserialize<'de> for ContentBlock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = RawBlock::deserialize(d)?;
        Ok(match r.kind {
            BlockKind::Text => ContentBlock::Text(TextContent {
                text: r.text.ok_or_else(|| missing("text", "text"))?,
                annotations: r.annotations,
                meta: r.meta,
            }),
            BlockKind::Image => ContentBlock::Image(ImageContent {
                data: r.data.ok_or_else(|| missing("data", "image"))?,
                mime_type: r.mime_type.ok_or_else(|| missing("mimeType", "image"))?,
                annotations: r.annotations,
                meta: r.meta,
            }),
            BlockKind::Audio => ContentBlock::Audio(AudioContent {
                data: r.data.ok_or_else(|| missing("data", "audio"))?,
                mime_type: r.mime_type.ok_or_else(|| missing("mimeType", "audio"))?,
                annotations: r.annotations,
                meta: r.meta,
            }),
            BlockKind::ResourceLink => ContentBlock::ResourceLink(ResourceLink {
                uri: r.uri.ok_or_else(|| missing("uri", "resource_link"))?,
                name: r.name.ok_or_else(|| missing("name", "resource_link"))?,
                title: r.title,
                description: r.description,
                mime_type: r.mime_type,
                size: r.size,
                icons: r.icons,
                annotations: r.annotations,
                meta: r.meta,
            }),
            BlockKind::Resource => ContentBlock::Resource(EmbeddedResource {
                resource: r.resource.ok_or_else(|| missing("resource", "resource"))?,
                annotations: r.annotations,
                meta: r.meta,
            }),
            BlockKind::ToolUse | BlockKind::ToolResult | BlockKind::Unknown => {
                return Err(de::Error::custom(
                    "unknown content block type: expected text, image, audio, resource_link or resource",
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::{BlobResourceContents, TextResourceContents};
    use serde_json::json;

    fn rt(v: serde_json::Value) -> ContentBlock {
        let b: ContentBlock = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(&b).unwrap(), v);
        b
    }

    #[test]
    fn each_kind_is_read_by_its_tag_wherever_it_sits() {
        assert!(matches!(
            rt(json!({"text": "a", "type": "text"})),
            ContentBlock::Text(_)
        ));
        assert!(matches!(
            rt(json!({"type": "image", "data": "AA==", "mimeType": "image/png"})),
            ContentBlock::Image(_)
        ));
        assert!(matches!(
            rt(json!({"data": "AA==", "mimeType": "audio/wav", "type": "audio"})),
            ContentBlock::Audio(_)
        ));
        assert!(matches!(
            rt(json!({"type": "resource_link", "uri": "file:///a", "name": "a", "size": 3})),
            ContentBlock::ResourceLink(_)
        ));
        let b = rt(json!({"type": "resource", "resource": {"uri": "file:///a", "text": "x"}}));
        assert_eq!(
            b,
            ContentBlock::resource(TextResourceContents::new("file:///a", "x"))
        );
        let b = rt(json!({"type": "resource", "resource": {"uri": "file:///b", "blob": "AA=="}}));
        assert_eq!(
            b,
            ContentBlock::resource(BlobResourceContents::new("file:///b", "AA=="))
        );
    }

    #[test]
    fn the_tag_decides_not_the_fields() {
        // An image tag with text: the image fields are missing.
        let e = serde_json::from_value::<ContentBlock>(json!({"type": "image", "text": "a"}))
            .unwrap_err();
        assert!(e.to_string().contains("data"), "{e}");
        // A text tag with extra image fields is text; the extra fields are dropped.
        let b: ContentBlock =
            serde_json::from_value(json!({"type": "text", "text": "a", "data": "AA=="})).unwrap();
        assert_eq!(b, ContentBlock::text("a"));
    }

    #[test]
    fn unknown_or_missing_tags_are_errors() {
        assert!(
            serde_json::from_value::<ContentBlock>(json!({"type": "video", "text": "a"})).is_err()
        );
        assert!(serde_json::from_value::<ContentBlock>(json!({"text": "a"})).is_err());
        assert!(
            serde_json::from_value::<ContentBlock>(
                json!({"type": "tool_use", "id": "1", "name": "n", "input": {}})
            )
            .is_err()
        );
    }

    #[test]
    fn annotations_and_meta_survive() {
        let b = rt(json!({
            "type": "text", "text": "t",
            "annotations": {"audience": ["user", "assistant"], "priority": 1, "lastModified": "2025-01-01T00:00:00Z"},
            "_meta": {"x": [1, 2]}
        }));
        let ContentBlock::Text(t) = b else { panic!() };
        assert_eq!(
            t.annotations.unwrap().audience.unwrap(),
            vec![Role::User, Role::Assistant]
        );
    }
}
