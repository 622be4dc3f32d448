//! Helpers the workspace's test suites share: where the repository is, and
//! the interop peers (the official SDKs and servers that
//! `tests/interop/setup.sh` installs) the interop tests drive.

use std::path::{Path, PathBuf};

/// Overrides where the interop peers are installed.
pub const INTEROP_ENV: &str = "MCPWIRE_INTEROP";

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the testkit lives at crates/mcpwire-testkit")
        .to_path_buf()
}

/// The interop peers' directory (`$MCPWIRE_INTEROP`, else
/// `.cache/interop`), or `None` after saying on stderr that the test is
/// skipped, when they are not installed. With `CI` set, missing peers fail
/// the test instead: CI installs them.
pub fn interop() -> Option<PathBuf> {
    let dir = std::env::var_os(INTEROP_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".cache/interop"));
    let ready = dir.join("py/bin/python").exists()
        && dir
            .join("node/node_modules/@modelcontextprotocol/server-everything/dist/index.js")
            .exists();
    if ready {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "interop peers missing at {}: run bash tests/interop/setup.sh",
            dir.display()
        );
    }
    eprintln!(
        "SKIPPED: interop peers not installed at {} (bash tests/interop/setup.sh installs them)",
        dir.display()
    );
    None
}

/// A driver script of `tests/interop/`.
pub fn interop_script(name: &str) -> PathBuf {
    repo_root().join("tests/interop").join(name)
}
