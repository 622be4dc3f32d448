//! Where things are: the repository's root, for tests that run its
//! programs or read its files.

use std::path::{Path, PathBuf};

/// The repository's root directory.
///
/// ```
/// assert!(mcpwire_testkit::repo_root().join("Cargo.toml").exists());
/// ```
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the testkit lives at crates/mcpwire-testkit")
        .to_path_buf()
}
