//! The child-process client transport: spawn a stdio server and talk to it.
//!
//! Shutdown follows the stdio transport's rules: close the child's stdin,
//! wait, then ask it to stop, wait, then kill it. Killing is portable
//! (`tokio::process::Child::start_kill`), and so is dropping the transport
//! without closing it, which kills the child too. If the child dies, its
//! stdout closes, and the engine fails every pending call at once with the
//! exit status and the child's last stderr lines.
//!
//! On Unix only, the child runs in a process group of its own
//! ([`ChildProcess::process_group`]), and everything in that group is
//! stopped with it: a server started through `sh -c`, `npx` or `uvx` does
//! not leave its own children behind. There, asking to stop is SIGTERM to
//! the group, killing also sends SIGKILL to the group, and whatever the
//! child left running in its group is sent SIGTERM, then SIGKILL. Elsewhere
//! nothing asks politely: after closing stdin and the grace period, the
//! child is killed, and its own children are left to it.
//!
//! The child's stderr is always read to its end, as bytes, in lines of at
//! most [`MAX_STDERR_LINE`] bytes decoded lossily (see [`StderrMode`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use mcpwire_rpc::transport::{ChildProcess, FrameReader, FrameWriter, ReadEvent};
//! // `cat` answers every frame with itself: enough to see both directions.
//! let (mut from_child, mut to_child) = ChildProcess::new("cat").spawn()?;
//! to_child.write_frame(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
//! to_child.flush().await?;
//! let ReadEvent::Frame(frame) = from_child.next_frame().await? else { panic!("no frame") };
//! assert_eq!(frame, br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
//! to_child.close().await?; // closes stdin; `cat` exits
//! assert!(matches!(from_child.next_frame().await?, ReadEvent::Eof));
//! # Ok(()) }
//! ```
//!
//! With the engine, the child is the server:
//! `engine::connect(service, ChildProcess::new("my-server").spawn()?, config)`.

mod kill;
#[cfg(unix)]
mod signal;
mod stderr;

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::process::{ChildStdin, ChildStdout, Command};

#[cfg(unix)]
use signal::GroupSignal;
use tokio::sync::watch;

use super::{DEFAULT_MAX_FRAME, FrameReader, FrameWriter, LineReader, LineWriter, ReadEvent};

pub use stderr::{MAX_STDERR_LINE, STDERR_TAIL_LINES};

/// How long a closed stdout waits for the child's exit status and its last
/// stderr lines, to report them.
const EXIT_REPORT_WAIT: Duration = Duration::from_millis(500);

/// How often stopping checks whether the child's process group is empty.
#[cfg(unix)]
const GROUP_POLL: Duration = Duration::from_millis(20);

/// Where the child's stderr goes.
///
/// In the first two modes stderr is read as bytes, whatever it holds, until
/// the child closes it: lines longer than [`MAX_STDERR_LINE`] are cut into
/// pieces, invalid UTF-8 becomes U+FFFD, and the last [`STDERR_TAIL_LINES`]
/// lines are kept for the error message of a child that exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StderrMode {
    /// Copied line by line to this process's stderr; the last lines are kept
    /// for error messages.
    #[default]
    Forward,
    /// Emitted as `tracing` events (target `mcpwire::child`); the last lines
    /// are kept for error messages.
    Tracing,
    /// Discarded: the child's stderr is `/dev/null`.
    Null,
}

/// How to start a stdio MCP server as a child process.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use mcpwire_rpc::transport::ChildProcess;
/// let transport = ChildProcess::new("python3")
///     .args(["-m", "my_server"])
///     .env("LOG_LEVEL", "debug")
///     .spawn()?;
/// # let _ = transport;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ChildProcess {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    env_clear: bool,
    cwd: Option<PathBuf>,
    stderr: StderrMode,
    max_frame: usize,
    grace: Duration,
    own_group: bool,
}

impl ChildProcess {
    /// A child running `program`.
    pub fn new(program: impl Into<OsString>) -> Self {
        ChildProcess {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            env_clear: false,
            cwd: None,
            stderr: StderrMode::default(),
            max_frame: DEFAULT_MAX_FRAME,
            grace: Duration::from_secs(2),
            own_group: true,
        }
    }

    /// Adds one argument.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use mcpwire_rpc::transport::{ChildProcess, FrameReader, ReadEvent};
    /// let (mut from_child, _to_child) = ChildProcess::new("sh")
    ///     .arg("-c")
    ///     .arg(r#"echo '{"jsonrpc":"2.0","method":"hello"}'"#)
    ///     .spawn()?;
    /// let ReadEvent::Frame(frame) = from_child.next_frame().await? else { panic!("no frame") };
    /// assert_eq!(frame, br#"{"jsonrpc":"2.0","method":"hello"}"#);
    /// # Ok(()) }
    /// ```
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds arguments.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use mcpwire_rpc::transport::{ChildProcess, FrameReader, ReadEvent};
    /// let (mut from_child, _to_child) = ChildProcess::new("sh")
    ///     .args(["-c", r#"printf '{"args":"%s %s"}\n' "$0" "$1""#, "one", "two"])
    ///     .spawn()?;
    /// let ReadEvent::Frame(frame) = from_child.next_frame().await? else { panic!("no frame") };
    /// assert_eq!(frame, br#"{"args":"one two"}"#);
    /// # Ok(()) }
    /// ```
    pub fn args<I, A>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = A>,
        A: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for the child.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use mcpwire_rpc::transport::{ChildProcess, FrameReader, ReadEvent};
    /// let (mut from_child, _to_child) = ChildProcess::new("sh")
    ///     .args(["-c", r#"printf '{"level":"%s"}\n' "$LOG_LEVEL""#])
    ///     .env("LOG_LEVEL", "debug")
    ///     .spawn()?;
    /// let ReadEvent::Frame(frame) = from_child.next_frame().await? else { panic!("no frame") };
    /// assert_eq!(frame, br#"{"level":"debug"}"#);
    /// # Ok(()) }
    /// ```
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Starts the child with only the variables given through [`Self::env`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use mcpwire_rpc::transport::{ChildProcess, FrameReader, ReadEvent};
    /// // `env` prints the variables it was given, one line each.
    /// let (mut from_child, _to_child) = ChildProcess::new("/usr/bin/env")
    ///     .env_clear()
    ///     .env("MODE", "safe")
    ///     .spawn()?;
    /// let ReadEvent::Frame(frame) = from_child.next_frame().await? else { panic!("no frame") };
    /// assert_eq!(frame, b"MODE=safe");
    /// assert!(matches!(from_child.next_frame().await?, ReadEvent::Eof));
    /// # Ok(()) }
    /// ```
    pub fn env_clear(mut self) -> Self {
        self.env_clear = true;
        self
    }

    /// Sets the child's working directory.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use mcpwire_rpc::transport::{ChildProcess, FrameReader, ReadEvent};
    /// let (mut from_child, _to_child) = ChildProcess::new("sh")
    ///     .args(["-c", r#"printf '{"cwd":"%s"}\n' "$(pwd -P)""#])
    ///     .cwd("/")
    ///     .spawn()?;
    /// let ReadEvent::Frame(frame) = from_child.next_frame().await? else { panic!("no frame") };
    /// assert_eq!(frame, br#"{"cwd":"/"}"#);
    /// # Ok(()) }
    /// ```
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    /// Chooses where the child's stderr goes (default:
    /// [`StderrMode::Forward`]). Unless it is [`StderrMode::Null`], the last
    /// lines explain a child that exits.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use mcpwire_rpc::transport::{ChildProcess, FrameReader, ReadEvent};
    /// use mcpwire_rpc::transport::StderrMode;
    /// let (mut from_child, _to_child) = ChildProcess::new("sh")
    ///     .args(["-c", "echo 'no config file' >&2; exit 3"])
    ///     .stderr(StderrMode::Tracing)
    ///     .spawn()?;
    /// assert!(matches!(from_child.next_frame().await?, ReadEvent::Eof));
    /// let why = from_child.close_reason().await.unwrap();
    /// assert!(why.contains("no config file"), "{why}");
    /// # Ok(()) }
    /// ```
    pub fn stderr(mut self, mode: StderrMode) -> Self {
        self.stderr = mode;
        self
    }

    /// Sets the largest frame accepted from the child, in bytes (default:
    /// [`DEFAULT_MAX_FRAME`]). A larger
    /// one is dropped and reported, and the frames after it are read as usual.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use mcpwire_rpc::transport::{ChildProcess, FrameReader, ReadEvent};
    /// let (mut from_child, _to_child) = ChildProcess::new("sh")
    ///     .args(["-c", r#"echo '{"big":"0123456789abcdef"}'; echo '{}'"#])
    ///     .max_frame(16)
    ///     .spawn()?;
    /// assert!(matches!(from_child.next_frame().await?, ReadEvent::TooLarge(_)));
    /// let ReadEvent::Frame(frame) = from_child.next_frame().await? else { panic!("no frame") };
    /// assert_eq!(frame, b"{}");
    /// # Ok(()) }
    /// ```
    pub fn max_frame(mut self, bytes: usize) -> Self {
        self.max_frame = bytes;
        self
    }

    /// How long each shutdown step waits before the next, harsher one
    /// (default: 2 seconds).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use mcpwire_rpc::transport::{ChildProcess, FrameReader, ReadEvent};
    /// use std::time::{Duration, Instant};
    /// use mcpwire_rpc::transport::FrameWriter;
    /// // A child that does not stop when its stdin closes.
    /// let (_from_child, mut to_child) = ChildProcess::new("sleep")
    ///     .arg("30")
    ///     .shutdown_grace(Duration::from_millis(100))
    ///     .spawn()?;
    /// let started = Instant::now();
    /// to_child.close().await?; // stdin closed, 100 ms, SIGTERM
    /// assert!(started.elapsed() < Duration::from_secs(5));
    /// # Ok(()) }
    /// ```
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Whether the child leads a process group of its own, stopped as a
    /// whole with it (`true`, the default). Unix only: elsewhere this does
    /// nothing. Without a group of its own the child stays in this
    /// process's group (a terminal's Ctrl-C reaches it too), and only the
    /// child itself is signalled and killed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use mcpwire_rpc::transport::{ChildProcess, FrameWriter, Transport};
    /// let (_, mut to_child) = ChildProcess::new("cat").process_group(false).spawn()?.split();
    /// to_child.close().await?; // closes stdin; `cat` exits
    /// # Ok(()) }
    /// ```
    pub fn process_group(mut self, own: bool) -> Self {
        self.own_group = own;
        self
    }

    /// Spawns the child, in a process group of its own on Unix (unless
    /// [`ChildProcess::process_group`] says otherwise). Must be called
    /// inside a tokio runtime.
    pub fn spawn(self) -> io::Result<(ChildReader, ChildWriter)> {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(match self.stderr {
                StderrMode::Null => Stdio::null(),
                _ => Stdio::piped(),
            })
            .kill_on_drop(true);
        #[cfg(unix)]
        if self.own_group {
            signal::own_group(&mut cmd);
        }
        if self.env_clear {
            cmd.env_clear();
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        let mut child = cmd.spawn().map_err(|e| {
            io::Error::new(e.kind(), format!("cannot start {:?}: {e}", self.program))
        })?;
        let pid = child.id();
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(io::Error::other(
                "the child's stdin and stdout are not piped",
            ));
        };
        let tail: stderr::Tail = Arc::new(Mutex::new(VecDeque::new()));
        let stderr_task = child
            .stderr
            .take()
            .map(|err| tokio::spawn(stderr::drain(err, self.stderr, tail.clone())));
        let (killer, status) = kill::watch_child(child);
        let state = Arc::new(ChildState {
            group: pid
                .and_then(|p| i32::try_from(p).ok())
                .filter(|&g| g > 0 && self.own_group && cfg!(unix)),
            pid,
            killer,
            group_stopped: AtomicBool::new(false),
            status,
            tail,
            program: self.program.to_string_lossy().into_owned(),
        });
        Ok((
            ChildReader {
                lines: LineReader::new(stdout, self.max_frame),
                state: state.clone(),
                stderr_task,
            },
            ChildWriter {
                lines: Some(LineWriter::new(stdin)),
                state,
                grace: self.grace,
            },
        ))
    }
}

#[derive(Debug)]
struct ChildState {
    /// The child's process group (its pid: it leads a group of its own);
    /// none without one, and always none off Unix.
    #[cfg_attr(not(unix), allow(dead_code))]
    group: Option<i32>,
    /// The child's process id, while it runs.
    #[cfg_attr(not(unix), allow(dead_code))]
    pid: Option<u32>,
    /// Kills the child itself, portably.
    killer: kill::Killer,
    /// Set once the group was found empty after a shutdown.
    group_stopped: AtomicBool,
    status: watch::Receiver<Option<ExitStatus>>,
    tail: stderr::Tail,
    program: String,
}

impl Drop for ChildState {
    /// A transport dropped without being closed takes its process group
    /// with it, as `kill_on_drop` does for the child alone.
    fn drop(&mut self) {
        self.killer.kill();
        #[cfg(unix)]
        if !self.group_stopped.load(Ordering::Relaxed) {
            self.signal_group(GroupSignal::Kill);
        }
    }
}

impl ChildState {
    async fn wait_exit(&self, within: Duration) -> Option<ExitStatus> {
        let mut rx = self.status.clone();
        let waited = tokio::time::timeout(within, rx.wait_for(Option::is_some)).await;
        match waited {
            Ok(Ok(s)) => *s,
            _ => None,
        }
    }

    /// Asks the child to stop: SIGTERM to its group, or to the child alone
    /// without one. Whether anything was asked: never off Unix, where the
    /// next step is killing.
    fn terminate(&self) -> bool {
        #[cfg(unix)]
        {
            match (self.group, self.pid) {
                (Some(_), _) => self.signal_group(GroupSignal::Terminate),
                (None, Some(pid)) => signal::terminate_process(pid),
                (None, None) => false,
            }
        }
        #[cfg(not(unix))]
        {
            false
        }
    }

    /// Kills the child (portably), and on Unix its whole group.
    fn kill(&self) {
        self.killer.kill();
        #[cfg(unix)]
        self.signal_group(GroupSignal::Kill);
    }

    /// Sends `sig` to every process of the child's group; `false` when the
    /// group has no process left.
    #[cfg(unix)]
    fn signal_group(&self, sig: GroupSignal) -> bool {
        let Some(group) = self.group else {
            return false;
        };
        signal::signal_group(group, sig)
    }

    /// After the child itself exited: stops what it left running in its
    /// group (SIGTERM, up to `grace` to exit, then SIGKILL).
    #[cfg_attr(not(unix), allow(unused_variables))]
    async fn stop_leftovers(&self, grace: Duration) {
        #[cfg(unix)]
        if self.signal_group(GroupSignal::Terminate) {
            let deadline = tokio::time::Instant::now() + grace;
            while self.signal_group(GroupSignal::Probe) && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(GROUP_POLL).await;
            }
            self.signal_group(GroupSignal::Kill);
        }
        self.group_stopped.store(true, Ordering::Relaxed);
    }

    fn describe_exit(&self, status: Option<ExitStatus>) -> String {
        let mut msg = match status {
            Some(s) => format!("MCP server process {:?} exited ({s})", self.program),
            None => format!("MCP server process {:?} closed its stdout", self.program),
        };
        let tail = self.tail.lock().unwrap_or_else(|p| p.into_inner());
        if !tail.is_empty() {
            msg.push_str("; its last stderr lines:\n");
            for line in tail.iter() {
                msg.push_str("  ");
                msg.push_str(line);
                msg.push('\n');
            }
        }
        msg
    }
}

/// The receiving half: the child's stdout.
#[derive(Debug)]
pub struct ChildReader {
    lines: LineReader<ChildStdout>,
    state: Arc<ChildState>,
    /// Reads the child's stderr; done once the child closed it.
    stderr_task: Option<tokio::task::JoinHandle<()>>,
}

impl FrameReader for ChildReader {
    fn next_frame(
        &mut self,
    ) -> impl std::future::Future<Output = io::Result<ReadEvent<'_>>> + Send {
        self.lines.next_frame()
    }

    /// The exit status and the last stderr lines, waiting (up to
    /// half a second in all) for the child to exit and for its last
    /// stderr lines to be read.
    async fn close_reason(&mut self) -> Option<String> {
        let deadline = tokio::time::Instant::now() + EXIT_REPORT_WAIT;
        let status = self.state.wait_exit(EXIT_REPORT_WAIT).await;
        if let Some(task) = self.stderr_task.take() {
            let _ = tokio::time::timeout_at(deadline, task).await;
        }
        Some(self.state.describe_exit(status))
    }
}

/// The sending half: the child's stdin. Closing it shuts the child down.
#[derive(Debug)]
pub struct ChildWriter {
    lines: Option<LineWriter<ChildStdin>>,
    state: Arc<ChildState>,
    grace: Duration,
}

impl ChildWriter {
    /// Queues one raw frame for the child's stdin (dropped once stdin is
    /// closed).
    pub fn write_frame(&mut self, frame: &[u8]) {
        if let Some(l) = &mut self.lines {
            l.write_frame(frame);
        }
    }
}

impl FrameWriter for ChildWriter {
    fn write(&mut self, frame: &[u8], _info: &super::FrameInfo<'_>) {
        self.write_frame(frame);
    }

    async fn flush(&mut self) -> io::Result<()> {
        match &mut self.lines {
            Some(l) => l.flush().await,
            None => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the child's stdin is closed",
            )),
        }
    }

    /// Closes stdin, waits, asks the child to stop (on Unix: SIGTERM to its
    /// process group), waits, then kills it (and on Unix its group). Once
    /// the child exited, whatever it left in its group is stopped too.
    async fn close(&mut self) -> io::Result<()> {
        if let Some(mut l) = self.lines.take() {
            let _ = l.flush().await;
            let _ = l.close().await;
            drop(l);
        }
        let state = &self.state;
        let mut exited = state.wait_exit(self.grace).await.is_some();
        if !exited && state.terminate() {
            exited = state.wait_exit(self.grace).await.is_some();
        }
        if !exited {
            state.kill();
            exited = state.wait_exit(self.grace).await.is_some();
        }
        if exited {
            state.stop_leftovers(self.grace).await;
        }
        Ok(())
    }
}
