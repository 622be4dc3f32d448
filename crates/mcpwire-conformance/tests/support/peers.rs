//! The interop peers: the official SDKs, the reference server and the MCP
//! Inspector that `bash tests/interop/setup.sh` installs. The tests that
//! need them are `#[ignore = "needs the interop peers"]`; run with
//! `--include-ignored`, a test whose peers are missing fails, saying how to
//! install them, and never passes by skipping.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Overrides where the interop peers are installed.
pub const INTEROP_ENV: &str = "MCPWIRE_INTEROP";

/// What installs the peers, run from the repository's root.
pub const SETUP: &str = "bash tests/interop/setup.sh";

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("this crate lives at crates/mcpwire-conformance")
        .to_path_buf()
}

/// Where the peers are installed: `$MCPWIRE_INTEROP`, else `.cache/interop`.
pub fn interop_dir() -> PathBuf {
    std::env::var_os(INTEROP_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".cache/interop"))
}

/// Fails the test, naming what is missing and how to install it.
fn missing(what: &str, at: &Path) -> ! {
    panic!(
        "{what} is not installed (looked for {}): run `{SETUP}` from the repository root \
         (it installs the interop peers into .cache/interop, or into ${INTEROP_ENV} when set)",
        at.display()
    )
}

/// The peers' directory, once the Python SDK and the Node packages (the
/// TypeScript SDK and the reference server) are there; fails otherwise.
pub fn sdk_peers() -> PathBuf {
    let dir = interop_dir();
    let python = dir.join("py/bin/python");
    if !python.exists() {
        missing("the Python SDK peer", &python);
    }
    let everything =
        dir.join("node/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    if !everything.exists() {
        missing("the TypeScript SDK peers", &everything);
    }
    dir
}

/// The Python interpreter of the peers' virtualenv.
pub fn python(dir: &Path) -> PathBuf {
    dir.join("py/bin/python")
}

/// The `node` on `PATH`, which runs the TypeScript peers; fails when there
/// is none.
pub fn node() -> PathBuf {
    let found = Command::new("node")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        panic!(
            "the TypeScript peers need `node` (18 or later) on PATH; \
             install Node.js, then run `{SETUP}`"
        );
    }
    PathBuf::from("node")
}

/// The Inspector's launcher script and the Node 22 binary that runs it;
/// fails when either is missing.
pub fn inspector() -> (PathBuf, PathBuf) {
    let launcher = interop_dir().join(
        "inspector/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js",
    );
    if !launcher.exists() {
        missing("the MCP Inspector", &launcher);
    }
    let node = repo_root().join(".cache/node22/bin/node");
    if !node.exists() {
        missing("Node 22 (for the MCP Inspector)", &node);
    }
    (node, launcher)
}

/// A driver or server script of `tests/interop/`.
pub fn script(name: &str) -> PathBuf {
    repo_root().join("tests/interop").join(name)
}
