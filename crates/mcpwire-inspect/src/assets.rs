//! The page: plain HTML, CSS and ES modules, embedded in the binary at
//! build time, so that neither building nor running the inspector needs
//! Node or a build step.
//!
//! ```
//! use mcpwire_inspect::assets;
//! let (page, kind) = assets::find("index.html").unwrap();
//! assert!(kind.starts_with("text/html"));
//! assert!(std::str::from_utf8(page).unwrap().contains("app.js"));
//! assert!(assets::find("../Cargo.toml").is_none());
//! ```

/// Every file of the page: its name under `/ui/` (`index.html` is served
/// at `/`), its bytes and its content type.
const FILES: &[(&str, &[u8], &str)] = &[
    (
        "index.html",
        include_bytes!("../ui/index.html"),
        "text/html; charset=utf-8",
    ),
    (
        "style.css",
        include_bytes!("../ui/style.css"),
        "text/css; charset=utf-8",
    ),
    ("app.js", include_bytes!("../ui/app.js"), JS),
    ("api.js", include_bytes!("../ui/api.js"), JS),
    ("servers.js", include_bytes!("../ui/servers.js"), JS),
    ("tools.js", include_bytes!("../ui/tools.js"), JS),
    ("form.js", include_bytes!("../ui/form.js"), JS),
    ("result.js", include_bytes!("../ui/result.js"), JS),
    ("protocol.js", include_bytes!("../ui/protocol.js"), JS),
    ("resources.js", include_bytes!("../ui/resources.js"), JS),
    ("complete.js", include_bytes!("../ui/complete.js"), JS),
    ("prompts.js", include_bytes!("../ui/prompts.js"), JS),
    ("asks.js", include_bytes!("../ui/asks.js"), JS),
    ("notes.js", include_bytes!("../ui/notes.js"), JS),
    ("extras.js", include_bytes!("../ui/extras.js"), JS),
    ("collections.js", include_bytes!("../ui/collections.js"), JS),
    ("apps.js", include_bytes!("../ui/apps.js"), JS),
    ("oauth.js", include_bytes!("../ui/oauth.js"), JS),
];

const JS: &str = "text/javascript; charset=utf-8";

/// The file `name` and its content type, if the page has one by that name.
pub fn find(name: &str) -> Option<(&'static [u8], &'static str)> {
    FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, bytes, kind)| (*bytes, *kind))
}
