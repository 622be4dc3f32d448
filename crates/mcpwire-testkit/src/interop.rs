//! The interop peers: the official SDKs' servers and clients and the
//! reference servers that `tests/interop/setup.sh` installs, found and
//! started for the tests that drive them.
//!
//! Those tests are marked `#[ignore = "needs the interop peers"]` and run
//! with `--include-ignored` (`scripts/test.sh` does so after installing
//! the peers). When run, they fail if the peers are missing: a test that
//! was asked for never passes by skipping.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::repo_root;

/// Overrides where the interop peers are installed.
pub const INTEROP_ENV: &str = "MCPWIRE_INTEROP";

/// Where the peers are installed: `$MCPWIRE_INTEROP`, else
/// `.cache/interop` at the repository's root.
pub fn install_dir() -> PathBuf {
    std::env::var_os(INTEROP_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".cache/interop"))
}

/// The installed peers.
#[derive(Debug, Clone)]
pub struct Peers {
    dir: PathBuf,
}

/// The installed peers; panics, saying how to install them, when they are
/// missing.
pub fn peers() -> Peers {
    let dir = install_dir();
    let peers = Peers { dir };
    let missing: Vec<String> = [peers.python(), peers.everything_js()]
        .into_iter()
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "the interop peers are not installed (missing {}): run `bash tests/interop/setup.sh` \
         (set {INTEROP_ENV} to install them elsewhere), or `bash scripts/test.sh`, which does both",
        missing.join(", ")
    );
    peers
}

impl Peers {
    /// The directory they are installed in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The Python of the venv that holds the Python SDK.
    pub fn python(&self) -> PathBuf {
        self.dir.join("py/bin/python")
    }

    /// The entry point of the reference server-everything.
    pub fn everything_js(&self) -> PathBuf {
        self.dir
            .join("node/node_modules/@modelcontextprotocol/server-everything/dist/index.js")
    }

    /// `python tests/interop/NAME`, with the SDK's venv.
    pub fn python_script(&self, name: &str) -> Command {
        let mut c = Command::new(self.python());
        c.arg(script(name));
        c
    }

    /// `node tests/interop/NAME`, finding the TypeScript SDK through
    /// `MCPWIRE_INTEROP`.
    pub fn node_script(&self, name: &str) -> Command {
        let mut c = Command::new("node");
        c.arg(script(name)).env(INTEROP_ENV, &self.dir);
        c
    }

    /// `node .../server-everything/dist/index.js`, the reference server
    /// (its transport is the next argument: `stdio`, `streamableHttp`).
    pub fn everything(&self) -> Command {
        let mut c = Command::new("node");
        c.arg(self.everything_js());
        c
    }
}

/// A driver script of `tests/interop/`.
pub fn script(name: &str) -> PathBuf {
    repo_root().join("tests/interop").join(name)
}
