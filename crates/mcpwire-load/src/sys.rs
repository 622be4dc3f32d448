//! The few system calls the drivers make that std does not wrap: CPU
//! pinning, an epoll set and `kill`. This is the crate's only module with
//! `unsafe` code.

use std::io;
use std::net::TcpStream;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

/// Number of 64-bit words in the kernel's default `cpu_set_t` (1024 CPUs).
const CPU_SET_WORDS: usize = 16;

/// `SIGKILL`.
pub const SIGKILL: i32 = 9;

/// `struct epoll_event`, packed on x86-64 as in the kernel's ABI.
#[cfg_attr(target_arch = "x86_64", repr(C, packed))]
#[cfg_attr(not(target_arch = "x86_64"), repr(C))]
#[derive(Clone, Copy)]
pub struct EpollEvent {
    events: u32,
    data: u64,
}

impl EpollEvent {
    /// An empty slot for [`Epoll::wait`] to fill.
    pub const EMPTY: EpollEvent = EpollEvent { events: 0, data: 0 };
}

unsafe extern "C" {
    /// `int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)` from the C library that std links.
    fn sched_setaffinity(pid: i32, cpusetsize: usize, mask: *const u64) -> i32;
    /// `int kill(pid_t pid, int sig)`.
    fn kill(pid: i32, sig: i32) -> i32;
    /// `int epoll_create1(int flags)`.
    fn epoll_create1(flags: i32) -> i32;
    /// `int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)`.
    fn epoll_ctl(epfd: i32, op: i32, fd: i32, event: *mut EpollEvent) -> i32;
    /// `int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)`.
    fn epoll_wait(epfd: i32, events: *mut EpollEvent, maxevents: i32, timeout: i32) -> i32;
}

/// Pins the calling thread (and whatever it spawns afterwards) to the single CPU `cpu`.
///
/// ```
/// // A CPU past the kernel's default set is refused before any system call.
/// mcpwire_load::sys::pin_current_thread(4096).unwrap_err();
/// ```
pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
    if cpu >= CPU_SET_WORDS * 64 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("cpu {cpu} out of range"),
        ));
    }
    let mut mask = [0u64; CPU_SET_WORDS];
    mask[cpu / 64] = 1 << (cpu % 64);
    // SAFETY: `mask` is a properly sized, initialised cpu_set_t that outlives the call; pid 0 means the caller.
    let rc = unsafe { sched_setaffinity(0, std::mem::size_of_val(&mask), mask.as_ptr()) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Sends `signal` to process `pid`, which must be a child of this process
/// that has not been reaped yet (else the pid may name someone else).
pub fn signal_child(pid: u32, signal: i32) -> io::Result<()> {
    let pid = i32::try_from(pid)
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a child's pid"))?;
    // SAFETY: plain syscall with integer arguments; a positive pid names one process.
    if unsafe { kill(pid, signal) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// A level-triggered epoll set of sockets, each tagged with a token (its
/// session's index).
pub struct Epoll(OwnedFd);

impl Epoll {
    /// A new, empty set.
    pub fn new() -> io::Result<Self> {
        const EPOLL_CLOEXEC: i32 = 0o2_000_000;
        // SAFETY: plain syscall; a non-negative result is a new fd that we own from here on.
        let fd = unsafe { epoll_create1(EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by epoll_create1 and is owned by nobody else.
        Ok(Self(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    /// Watches `stream` for reading, tagged with `token`.
    pub fn add(&self, stream: &TcpStream, token: usize) -> io::Result<()> {
        const EPOLL_CTL_ADD: i32 = 1;
        const EPOLLIN: u32 = 1;
        let mut ev = EpollEvent {
            events: EPOLLIN,
            data: token as u64,
        };
        // SAFETY: both fds are open for the duration of the call; `ev` is a valid epoll_event.
        let rc = unsafe {
            epoll_ctl(
                self.0.as_raw_fd(),
                EPOLL_CTL_ADD,
                stream.as_raw_fd(),
                &mut ev,
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Waits for readable sockets; their tokens go into `ready`, with
    /// `events` as the kernel's scratch (its length bounds one wake-up).
    /// Nothing within `timeout` is a `TimedOut` error.
    pub fn wait(
        &self,
        events: &mut [EpollEvent],
        ready: &mut Vec<usize>,
        timeout: Duration,
    ) -> io::Result<()> {
        ready.clear();
        let max = i32::try_from(events.len()).unwrap_or(i32::MAX);
        let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        let n = loop {
            // SAFETY: `events` is a valid, writable buffer of at least `max` epoll_events.
            let n = unsafe { epoll_wait(self.0.as_raw_fd(), events.as_mut_ptr(), max, millis) };
            if n >= 0 {
                break n as usize;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        };
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no response within {timeout:?}"),
            ));
        }
        ready.extend(events[..n].iter().map(|e| e.data as usize));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    #[test]
    fn epoll_reports_the_token_of_the_readable_socket() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (a, b) = (
            TcpStream::connect(addr).unwrap(),
            TcpStream::connect(addr).unwrap(),
        );
        let (mut a_srv, _) = listener.accept().unwrap();
        let (_b_srv, _) = listener.accept().unwrap();
        let ep = Epoll::new().unwrap();
        ep.add(&a, 7).unwrap();
        ep.add(&b, 9).unwrap();
        a_srv.write_all(b"x").unwrap();
        let mut events = [EpollEvent::EMPTY; 4];
        let mut ready = Vec::new();
        ep.wait(&mut events, &mut ready, Duration::from_secs(10))
            .unwrap();
        assert_eq!(ready, [7]);
    }

    #[test]
    fn epoll_times_out_when_nothing_is_readable() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let a = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let ep = Epoll::new().unwrap();
        ep.add(&a, 1).unwrap();
        let mut events = [EpollEvent::EMPTY; 1];
        let mut ready = vec![5];
        let e = ep
            .wait(&mut events, &mut ready, Duration::from_millis(1))
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(ready.is_empty());
    }

    #[test]
    fn pinning_refuses_a_cpu_past_the_set() {
        let e = pin_current_thread(CPU_SET_WORDS * 64).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            signal_child(0, SIGKILL).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }
}
