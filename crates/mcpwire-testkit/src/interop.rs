//! The interop peers: the official SDKs' servers and clients, the
//! reference server and the MCP Inspector that `tests/interop/setup.sh`
//! installs, found and started for the tests that drive them.
//!
//! Those tests are marked `#[ignore = "needs the interop peers"]` and run
//! with `--include-ignored` (`scripts/test.sh` does so after installing
//! the peers). When run, they fail if a peer is missing, saying what is
//! missing and how to install it: a test that was asked for never passes
//! by skipping.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::repo_root;

/// Overrides where the interop peers are installed.
pub const INTEROP_ENV: &str = "MCPWIRE_INTEROP";

/// What installs the peers (and Node 22 for the Inspector), run from the
/// repository's root.
pub const SETUP: &str = "bash tests/interop/setup.sh";

/// The oldest Node.js major version the TypeScript peers run on.
pub const NODE_MIN_MAJOR: u32 = 18;

/// Where the peers are installed: `$MCPWIRE_INTEROP`, else
/// `.cache/interop` at the repository's root.
pub fn install_dir() -> PathBuf {
    std::env::var_os(INTEROP_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".cache/interop"))
}

/// How to install the peers, for the messages of the tests that miss them.
fn how_to_install() -> String {
    format!(
        "run `{SETUP}` from the repository's root (it installs into .cache/interop, or into \
         ${INTEROP_ENV} when set), or `bash scripts/test.sh`, which installs them and runs \
         every test"
    )
}

/// Fails the test when `path` does not exist, naming `what` is missing,
/// where it was looked for, and `how` to install it.
#[track_caller]
fn require(what: &str, path: &Path, how: &str) {
    assert!(
        path.exists(),
        "{what} not found at {}: {how}",
        path.display()
    );
}

/// The installed SDK peers: the Python SDK's venv and the Node packages
/// (the TypeScript SDK and the reference server).
#[derive(Debug, Clone)]
pub struct Peers {
    dir: PathBuf,
}

/// The installed SDK peers; panics, saying how to install them, when they
/// are missing.
///
/// ```no_run
/// let peers = mcpwire_testkit::interop::peers();
/// let status = peers.python_script("py_server.py").arg("--help").status();
/// # let _ = status;
/// ```
#[track_caller]
pub fn peers() -> Peers {
    let peers = Peers { dir: install_dir() };
    require("the Python SDK's venv", &peers.python(), &how_to_install());
    require(
        "the TypeScript SDK and the reference server",
        &peers.everything_js(),
        &how_to_install(),
    );
    peers
}

/// The installed Python SDK alone (its venv), for tests that drive no
/// Node peer; panics, saying how to install it, when it is missing.
///
/// ```no_run
/// let peers = mcpwire_testkit::interop::python_sdk();
/// let status = peers.python_script("py_support_agent.py").status();
/// # let _ = status;
/// ```
#[track_caller]
pub fn python_sdk() -> Peers {
    let peers = Peers { dir: install_dir() };
    require("the Python SDK's venv", &peers.python(), &how_to_install());
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

    /// `python tests/interop/NAME`, with the SDK's venv (and, like every
    /// peer's command, `MCPWIRE_INTEROP` set to [`Peers::dir`]).
    pub fn python_script(&self, name: &str) -> Command {
        let mut c = Command::new(self.python());
        c.arg(script(name)).env(INTEROP_ENV, &self.dir);
        c
    }

    /// `node tests/interop/NAME`, finding the TypeScript SDK through
    /// `MCPWIRE_INTEROP`; panics when there is no usable [`node`].
    #[track_caller]
    pub fn node_script(&self, name: &str) -> Command {
        let mut c = Command::new(node());
        c.arg(script(name)).env(INTEROP_ENV, &self.dir);
        c
    }

    /// `node .../server-everything/dist/index.js`, the reference server
    /// (its transport is the next argument: `stdio`, `streamableHttp`);
    /// panics when there is no usable [`node`].
    #[track_caller]
    pub fn everything(&self) -> Command {
        let mut c = Command::new(node());
        c.arg(self.everything_js());
        c
    }
}

/// The `node` on `PATH` that runs the TypeScript peers, once it is found,
/// runs and is at least [`NODE_MIN_MAJOR`]; panics, saying how to install
/// it, otherwise.
///
/// ```no_run
/// let node = mcpwire_testkit::interop::node();
/// let status = std::process::Command::new(node).arg("--version").status();
/// # let _ = status;
/// ```
#[track_caller]
pub fn node() -> PathBuf {
    let install = format!(
        "install Node.js {NODE_MIN_MAJOR} or later (from https://nodejs.org or the system's \
         package manager) so that `node` is on PATH, then run `{SETUP}`"
    );
    let path = std::env::var_os("PATH").unwrap_or_default();
    let Some(node) = std::env::split_paths(&path)
        .map(|dir| dir.join(format!("node{}", std::env::consts::EXE_SUFFIX)))
        .find(|p| p.is_file())
    else {
        panic!("the TypeScript peers need `node`, and there is none on PATH: {install}");
    };
    let run = Command::new(&node)
        .arg("--version")
        .stdin(Stdio::null())
        .output();
    let version = match run {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        Ok(out) => panic!(
            "`{} --version` failed ({}): {install}",
            node.display(),
            out.status
        ),
        Err(e) => panic!(
            "`{} --version` did not run ({e}): {install}",
            node.display()
        ),
    };
    let Some(major) = version
        .strip_prefix('v')
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok())
    else {
        panic!(
            "`{} --version` printed {version:?}, not a Node.js version: {install}",
            node.display()
        );
    };
    assert!(
        major >= NODE_MIN_MAJOR,
        "the TypeScript peers need Node.js {NODE_MIN_MAJOR} or later, and `{}` is {version}: \
         {install}",
        node.display()
    );
    node
}

/// The installed MCP Inspector CLI and the Node 22 that runs it.
#[derive(Debug, Clone)]
pub struct Inspector {
    node: PathBuf,
    launcher: PathBuf,
}

/// The installed MCP Inspector (under `inspector/` of [`install_dir`]) and
/// Node 22 (under `.cache/node22`, from `scripts/node22.sh`); panics, saying
/// how to install them, when either is missing.
///
/// ```no_run
/// let out = mcpwire_testkit::interop::inspector()
///     .command()
///     .args(["--cli", "--help"])
///     .output();
/// # let _ = out;
/// ```
#[track_caller]
pub fn inspector() -> Inspector {
    let inspector = Inspector {
        node: repo_root().join(".cache/node22/bin/node"),
        launcher: install_dir().join(
            "inspector/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js",
        ),
    };
    require("the MCP Inspector", &inspector.launcher, &how_to_install());
    // setup.sh fetches Node 22 only while it installs the Inspector, so a
    // Node 22 lost since then comes back from its own script.
    require(
        "Node 22 (which runs the MCP Inspector)",
        &inspector.node,
        "run `bash scripts/node22.sh` from the repository's root (Linux x86_64; it installs \
         into .cache/node22)",
    );
    inspector
}

impl Inspector {
    /// The Node 22 binary that runs the Inspector.
    pub fn node(&self) -> &Path {
        &self.node
    }

    /// The Inspector's launcher script.
    pub fn launcher(&self) -> &Path {
        &self.launcher
    }

    /// `node22 launcher`: the Inspector, ready for its arguments (`--cli`,
    /// then what to run).
    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.node);
        c.arg(&self.launcher);
        c
    }
}

/// A driver or server script of `tests/interop/`.
pub fn script(name: &str) -> PathBuf {
    repo_root().join("tests/interop").join(name)
}
