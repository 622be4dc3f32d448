//! MCP Apps, host side: the origin an app's HTML is served from.
//!
//! A tool can name an interactive UI (`_meta.ui.resourceUri`, a `ui://`
//! resource of type `text/html;profile=mcp-app`). The page renders it in
//! a sandboxed iframe whose document comes from a second loopback
//! listener, so the app runs on an origin of its own and can reach
//! neither the page nor its cookie. Each document is registered under an
//! unguessable one-time name and served once, with the Content Security
//! Policy its `_meta.ui.csp` asks for (nothing beyond it: no network, no
//! nested frames unless declared). At most [`MAX_APP_DOCUMENTS`] wait to be
//! served, each for at most [`APP_DOCUMENT_TTL`] and [`MAX_APP_HTML`] bytes.
//!
//! ```
//! use mcpwire_inspect::apps::{csp, permissions};
//! use serde_json::json;
//! let ui = json!({"csp": {"connectDomains": ["https://api.example.com"]}, "permissions": {"camera": {}}});
//! let policy = csp(&ui, "http://127.0.0.1:4000");
//! assert!(policy.contains("connect-src https://api.example.com"));
//! assert!(policy.contains("frame-src 'none'"));
//! assert!(policy.contains("frame-ancestors http://127.0.0.1:4000"));
//! assert_eq!(permissions(&ui), "camera");
//! ```

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

pub use mcpwire::types::apps::{EXTENSION_ID as APPS_EXTENSION, MIME_TYPE as APP_MIME_TYPE};

/// How many app documents may wait to be served: 32.
pub const MAX_APP_DOCUMENTS: usize = 32;

/// How long a registered document waits to be served: 60 s.
pub const APP_DOCUMENT_TTL: Duration = Duration::from_secs(60);

/// The largest app document: 4 MiB.
pub const MAX_APP_HTML: usize = 4 * 1024 * 1024;

/// Why a document was not registered.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AppError {
    /// The resource is not an MCP App.
    #[error("{uri} is not an MCP App (its type is {mime:?}, not {APP_MIME_TYPE})")]
    NotAnApp {
        /// The resource.
        uri: String,
        /// Its media type.
        mime: String,
    },
    /// The HTML is larger than [`MAX_APP_HTML`].
    #[error("the app's HTML is larger than {MAX_APP_HTML} bytes")]
    TooLarge,
    /// [`MAX_APP_DOCUMENTS`] documents wait already.
    #[error("{MAX_APP_DOCUMENTS} apps are waiting to load already; try again")]
    Busy,
    /// The system's random generator failed.
    #[error("cannot name the document")]
    Random,
}

struct Doc {
    html: String,
    csp: String,
    born: Instant,
}

/// The documents waiting to be served on the app origin.
pub struct AppDocs {
    docs: Mutex<HashMap<String, Doc>>,
    /// The page's origin: the only one that may frame an app.
    page_origin: String,
}

impl std::fmt::Debug for AppDocs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppDocs")
            .field("waiting", &self.lock().len())
            .finish()
    }
}

impl AppDocs {
    /// No documents yet; apps may be framed by `page_origin` only.
    pub fn new(page_origin: String) -> AppDocs {
        AppDocs {
            docs: Mutex::new(HashMap::new()),
            page_origin,
        }
    }

    /// Registers one `resources/read` content entry (`{"uri","mimeType",
    /// "text","_meta"}`) and returns the name it is served under, and the
    /// iframe `allow` list its `_meta.ui.permissions` asks for.
    pub fn register(&self, content: &Value) -> Result<(String, String), AppError> {
        let uri = content["uri"].as_str().unwrap_or_default().to_owned();
        let mime = content["mimeType"].as_str().unwrap_or_default();
        if mime.replace(' ', "") != APP_MIME_TYPE {
            return Err(AppError::NotAnApp {
                uri,
                mime: mime.to_owned(),
            });
        }
        let html = match (content["text"].as_str(), content["blob"].as_str()) {
            (Some(t), _) => t.to_owned(),
            (None, Some(b)) => decode_base64(b).ok_or(AppError::NotAnApp {
                uri,
                mime: mime.to_owned(),
            })?,
            (None, None) => String::new(),
        };
        if html.len() > MAX_APP_HTML {
            return Err(AppError::TooLarge);
        }
        let ui = &content["_meta"]["ui"];
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|_| AppError::Random)?;
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut docs = self.lock();
        docs.retain(|_, d| d.born.elapsed() < APP_DOCUMENT_TTL);
        if docs.len() >= MAX_APP_DOCUMENTS {
            return Err(AppError::Busy);
        }
        docs.insert(
            name.clone(),
            Doc {
                html,
                csp: csp(ui, &self.page_origin),
                born: Instant::now(),
            },
        );
        Ok((name, permissions(ui)))
    }

    /// Takes document `name` (once): its HTML and Content Security Policy.
    pub fn take(&self, name: &str) -> Option<(String, String)> {
        let doc = self.lock().remove(name)?;
        (doc.born.elapsed() < APP_DOCUMENT_TTL).then_some((doc.html, doc.csp))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Doc>> {
        self.docs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The origins of `list` that are safe to put in a policy (`https://…`,
/// `wss://…` or loopback `http://…`, with no quotes, spaces or `;`).
fn origins(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|o| {
                    !o.is_empty()
                        && o.len() <= 256
                        && !o.contains(|c: char| {
                            c.is_whitespace() || c == ';' || c == '\'' || c == ','
                        })
                        && (o.starts_with("https://")
                            || o.starts_with("wss://")
                            || o.starts_with("http://127.0.0.1")
                            || o.starts_with("http://localhost"))
                })
                .take(32)
                .collect()
        })
        .unwrap_or_default()
}

/// The Content Security Policy of an app whose `_meta.ui` is `ui`: inline
/// code and styles of its own, and only the origins it declared
/// (`resourceDomains` for scripts, styles, images, fonts and media;
/// `connectDomains` for fetches; `frameDomains` for nested frames;
/// `baseUriDomains` for `<base>`). Only `page_origin` may frame it.
pub fn csp(ui: &Value, page_origin: &str) -> String {
    let csp = &ui["csp"];
    let list = |key: &str, none: &str| {
        let o = origins(&csp[key]);
        if o.is_empty() {
            none.to_owned()
        } else {
            o.join(" ")
        }
    };
    let res = list("resourceDomains", "");
    let with = |base: &str| format!("{base} {res}").trim().to_owned();
    format!(
        "default-src 'none'; script-src {}; style-src {}; img-src {}; font-src {}; media-src {}; \
         connect-src {}; frame-src {}; base-uri {}; form-action 'none'; frame-ancestors {page_origin}",
        with("'unsafe-inline'"),
        with("'unsafe-inline'"),
        with("data: blob:"),
        with("data:"),
        with("data: blob:"),
        list("connectDomains", "'none'"),
        list("frameDomains", "'none'"),
        list("baseUriDomains", "'self'"),
    )
}

/// The iframe `allow` list `_meta.ui.permissions` asks for.
pub fn permissions(ui: &Value) -> String {
    let p = &ui["permissions"];
    [
        ("camera", "camera"),
        ("microphone", "microphone"),
        ("geolocation", "geolocation"),
        ("clipboardWrite", "clipboard-write"),
    ]
    .iter()
    .filter(|(k, _)| p.get(*k).is_some())
    .map(|(_, v)| *v)
    .collect::<Vec<_>>()
    .join("; ")
}

fn decode_base64(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app(text: &str) -> Value {
        json!({"uri": "ui://desk/board", "mimeType": APP_MIME_TYPE, "text": text, "_meta": {"ui": {}}})
    }

    #[test]
    fn a_document_is_served_once() {
        let docs = AppDocs::new("http://127.0.0.1:1".into());
        let (name, allow) = docs.register(&app("<p>hi</p>")).unwrap();
        assert_eq!(name.len(), 32);
        assert_eq!(allow, "");
        let (html, csp) = docs.take(&name).unwrap();
        assert_eq!(html, "<p>hi</p>");
        assert!(csp.starts_with("default-src 'none'; script-src 'unsafe-inline';"));
        assert!(csp.contains("connect-src 'none'"));
        assert!(docs.take(&name).is_none(), "served once");
    }

    #[test]
    fn what_is_not_an_app_or_too_much_is_refused() {
        let docs = AppDocs::new("http://127.0.0.1:1".into());
        let plain = json!({"uri": "ui://x", "mimeType": "text/html", "text": "<p>"});
        assert!(matches!(
            docs.register(&plain),
            Err(AppError::NotAnApp { .. })
        ));
        let big = "x".repeat(MAX_APP_HTML + 1);
        assert_eq!(docs.register(&app(&big)), Err(AppError::TooLarge));
        for _ in 0..MAX_APP_DOCUMENTS {
            docs.register(&app("<p>")).unwrap();
        }
        assert_eq!(docs.register(&app("<p>")), Err(AppError::Busy));
    }

    #[test]
    fn declared_origins_are_kept_and_hostile_ones_dropped() {
        let ui = json!({"csp": {
            "resourceDomains": ["https://cdn.example.com", "https://x.com; script-src *", "javascript:alert(1)"],
            "frameDomains": ["https://www.youtube.com"],
        }});
        let p = csp(&ui, "http://127.0.0.1:9");
        assert!(
            p.contains("script-src 'unsafe-inline' https://cdn.example.com;"),
            "{p}"
        );
        assert!(p.contains("frame-src https://www.youtube.com;"), "{p}");
        assert!(!p.contains("javascript") && !p.contains("x.com"), "{p}");
    }

    #[test]
    fn base64_documents_decode() {
        let docs = AppDocs::new("http://127.0.0.1:1".into());
        let c = json!({"uri": "ui://b", "mimeType": APP_MIME_TYPE, "blob": "PGI+aGk8L2I+"});
        let (name, _) = docs.register(&c).unwrap();
        assert_eq!(docs.take(&name).unwrap().0, "<b>hi</b>");
    }
}
