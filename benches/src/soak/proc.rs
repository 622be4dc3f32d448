//! Processes of the soak: the open-file limit, free ports, servers started and stopped, their
//! memory, and scans of `/proc` for the processes a scenario left behind.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mcpwire_load::procfs::{peak_rss_kib, rss_kib};

/// Longest wait for a server to accept its first connection.
const READY_WITHIN: Duration = Duration::from_secs(20);
/// How long a server may take to exit after SIGINT before it is killed.
const EXIT_WITHIN: Duration = Duration::from_secs(15);

/// `RLIMIT_NOFILE` on Linux.
const RLIMIT_NOFILE: i32 = 7;
/// `SIGKILL`, `SIGINT`.
pub const SIGKILL: i32 = 9;
pub const SIGINT: i32 = 2;

#[repr(C)]
struct Rlimit {
    cur: u64,
    max: u64,
}

unsafe extern "C" {
    /// `int getrlimit(int resource, struct rlimit *rlim)` from the C library that std links.
    fn getrlimit(resource: i32, rlim: *mut Rlimit) -> i32;
    /// `int setrlimit(int resource, const struct rlimit *rlim)`.
    fn setrlimit(resource: i32, rlim: *const Rlimit) -> i32;
    /// `int kill(pid_t pid, int sig)`.
    fn kill(pid: i32, sig: i32) -> i32;
    /// `int prctl(int option, ...)`.
    fn prctl(option: i32, arg2: u64, arg3: u64, arg4: u64, arg5: u64) -> i32;
    /// `pid_t waitpid(pid_t pid, int *status, int options)`.
    fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
}

/// `PR_SET_CHILD_SUBREAPER`, `WNOHANG`.
const PR_SET_CHILD_SUBREAPER: i32 = 36;
const WNOHANG: i32 = 1;

/// Makes this process the one that orphans of its descendants are handed to (instead of pid
/// 1), so that the soak sees them, and reaps them when they die. Whether it worked.
pub fn become_subreaper() -> bool {
    // SAFETY: prctl(PR_SET_CHILD_SUBREAPER) takes plain integers.
    unsafe { prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 }
}

/// Reaps `pid` if it is a dead child of this process; never waits.
pub fn reap(pid: u32) {
    let mut status = 0;
    // SAFETY: `status` is a valid, writable int for the call's duration.
    unsafe { waitpid(pid as i32, &mut status, WNOHANG) };
}

/// Kills each of `pids` and reaps those that were handed to this process (within a second).
pub fn kill_and_reap(pids: &[u32]) {
    for &p in pids {
        signal(p, SIGKILL);
    }
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut left: Vec<u32> = pids.to_vec();
    while !left.is_empty() && Instant::now() < deadline {
        left.retain(|&p| {
            reap(p);
            stat(p).is_some_and(|s| s.state != 'Z' || s.ppid != std::process::id())
        });
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Raises this process's soft open-file limit to its hard limit (the servers started afterwards
/// inherit it); the new soft and the hard limit.
pub fn raise_fd_limit() -> Result<(u64, u64), String> {
    let mut lim = Rlimit { cur: 0, max: 0 };
    // SAFETY: `lim` is a valid, writable rlimit for the call's duration.
    if unsafe { getrlimit(RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(format!(
            "reading the open-file limit: {}",
            std::io::Error::last_os_error()
        ));
    }
    if lim.cur < lim.max {
        let raised = Rlimit {
            cur: lim.max,
            max: lim.max,
        };
        // SAFETY: `raised` is a valid rlimit for the call's duration.
        if unsafe { setrlimit(RLIMIT_NOFILE, &raised) } != 0 {
            return Err(format!(
                "raising the open-file limit to {}: {}",
                lim.max,
                std::io::Error::last_os_error()
            ));
        }
        lim.cur = lim.max;
    }
    Ok((lim.cur, lim.max))
}

/// Sends `sig` to process `pid`; whether it was delivered.
pub fn signal(pid: u32, sig: i32) -> bool {
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe { kill(pid as i32, sig) == 0 }
}

/// A port of 127.0.0.1 that was free a moment ago.
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("finding a free port: {e}"))
}

/// A server process listening on `addr`; killed when dropped.
pub struct Served {
    /// The process.
    pub child: Child,
    /// Its pid.
    pub pid: u32,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Served {
    /// Starts `cmd` (stdin closed, stdout and stderr to `log`) and waits until it accepts on
    /// `port` of 127.0.0.1.
    pub fn start(mut cmd: Command, port: u16, log: &Path) -> Result<Served, String> {
        let out =
            std::fs::File::create(log).map_err(|e| format!("creating {}: {e}", log.display()))?;
        let err = out
            .try_clone()
            .map_err(|e| format!("opening {}: {e}", log.display()))?;
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        let what = format!("{cmd:?}");
        let child = cmd.spawn().map_err(|e| format!("starting {what}: {e}"))?;
        let mut served = Served {
            pid: child.id(),
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        };
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Ok(Some(status)) = served.child.try_wait() {
                let tail = std::fs::read_to_string(log).unwrap_or_default();
                return Err(format!(
                    "{what} exited ({status}) before accepting on {}: {}",
                    served.addr,
                    tail.lines().last().unwrap_or("")
                ));
            }
            if TcpStream::connect_timeout(&served.addr, Duration::from_millis(200)).is_ok() {
                return Ok(served);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{what} does not accept on {} after {READY_WITHIN:?}",
                    served.addr
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Peak resident set (`VmHWM`), KiB; 0 if it cannot be read.
    pub fn peak(&self) -> u64 {
        peak_rss_kib(self.pid).unwrap_or(0)
    }

    /// Resident set now (`VmRSS`), KiB; 0 if it cannot be read.
    pub fn rss(&self) -> u64 {
        rss_kib(self.pid).unwrap_or(0)
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Asks the process to stop with SIGINT and waits for it (killing it past a deadline);
    /// whether it exited on its own.
    pub fn interrupt(&mut self) -> bool {
        if !self.alive() {
            return true;
        }
        signal(self.pid, SIGINT);
        let deadline = Instant::now() + EXIT_WITHIN;
        while Instant::now() < deadline {
            if !self.alive() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One process as `/proc/PID/stat` shows it.
#[derive(Debug, Clone, Copy)]
pub struct ProcInfo {
    /// Its pid.
    pub pid: u32,
    /// Its parent's pid.
    pub ppid: u32,
    /// Its state letter (`R`, `S`, `Z`, ...).
    pub state: char,
}

/// `/proc/PID/stat` of `pid`, if it still exists.
pub fn stat(pid: u32) -> Option<ProcInfo> {
    parse_stat(
        pid,
        &std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?,
    )
}

/// The state and parent of a `/proc/PID/stat` line.
fn parse_stat(pid: u32, text: &str) -> Option<ProcInfo> {
    // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some(ProcInfo { pid, ppid, state })
}

/// The pids of every process now.
fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Processes whose environment holds `KEY=VALUE` exactly (a marker the scenario set on the
/// process it started, which its descendants inherit). Zombies show no environment: find them
/// with [`children_of`].
pub fn marked(key: &str, value: &str) -> Vec<ProcInfo> {
    let needle = format!("{key}={value}");
    all_pids()
        .into_iter()
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|&b| b == 0).any(|v| v == needle.as_bytes()))
        })
        .filter_map(stat)
        .collect()
}

/// The processes whose parent is `ppid`.
pub fn children_of(ppid: u32) -> Vec<ProcInfo> {
    all_pids()
        .into_iter()
        .filter_map(stat)
        .filter(|p| p.ppid == ppid)
        .collect()
}

/// `kib` as MiB with one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `sleep` child (30 s at most) killed and reaped when dropped.
    struct Sleeper(Child);

    impl Drop for Sleeper {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn stat_reads_state_and_parent_past_an_odd_command_name() {
        let line = "4242 (a (b) c) Z 17 4242 4242 0 -1 4227084";
        let p = parse_stat(4242, line).unwrap();
        assert_eq!((p.pid, p.ppid, p.state), (4242, 17, 'Z'));
        assert!(parse_stat(1, "garbage").is_none());
    }

    #[test]
    fn a_marked_child_is_found_by_its_marker_and_its_parent() {
        let value = format!("found-{}", std::process::id());
        let child = Sleeper(
            Command::new("sleep")
                .arg("30")
                .env("MCPWIRE_SOAK_TEST_MARK", &value)
                .spawn()
                .unwrap(),
        );
        let me = std::process::id();
        let found = marked("MCPWIRE_SOAK_TEST_MARK", &value);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].pid, found[0].ppid), (child.0.id(), me));
        assert!(children_of(me).iter().any(|p| p.pid == child.0.id()));
        // Another value, or a prefix of this one, finds nothing.
        assert!(marked("MCPWIRE_SOAK_TEST_MARK", "found").is_empty());
        assert!(marked("MCPWIRE_SOAK_TEST_MAR", &value).is_empty());
    }

    #[test]
    fn a_dead_child_is_a_zombie_until_reaped() {
        let child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        // Waits for the exit itself, not for a fixed time.
        let deadline = Instant::now() + Duration::from_secs(10);
        while stat(pid).is_some_and(|p| p.state != 'Z') {
            assert!(Instant::now() < deadline, "`true` did not exit");
            std::thread::yield_now();
        }
        assert_eq!(stat(pid).map(|p| p.state), Some('Z'));
        reap(pid);
        assert!(stat(pid).is_none());
        drop(child);
    }

    #[test]
    fn the_open_file_limit_ends_at_the_hard_limit() {
        let (soft, hard) = raise_fd_limit().unwrap();
        assert_eq!(soft, hard);
    }
}
