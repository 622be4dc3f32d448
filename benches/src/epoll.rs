//! The one-thread multi-session loop of the HTTP load driver: a level-triggered epoll set of
//! session sockets (a plain blocking read for a single session).

use std::io;
use std::net::TcpStream;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Instant;

use crate::http::IO_TIMEOUT;
use crate::http_session::{Calls, Session};
use crate::show;

/// `struct epoll_event`, packed on x86-64 as in the kernel's ABI.
#[cfg_attr(target_arch = "x86_64", repr(C, packed))]
#[cfg_attr(not(target_arch = "x86_64"), repr(C))]
#[derive(Clone, Copy)]
struct EpollEvent {
    events: u32,
    data: u64,
}

unsafe extern "C" {
    /// `int epoll_create1(int flags)`.
    fn epoll_create1(flags: i32) -> i32;
    /// `int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)`.
    fn epoll_ctl(epfd: i32, op: i32, fd: i32, event: *mut EpollEvent) -> i32;
    /// `int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)`.
    fn epoll_wait(epfd: i32, events: *mut EpollEvent, maxevents: i32, timeout: i32) -> i32;
}

/// A level-triggered epoll set of session sockets, each tagged with its session's index.
struct Epoll(OwnedFd);

impl Epoll {
    fn new() -> io::Result<Self> {
        const EPOLL_CLOEXEC: i32 = 0o2_000_000;
        // SAFETY: plain syscall; a non-negative result is a new fd that we own from here on.
        let fd = unsafe { epoll_create1(EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by epoll_create1 and is owned by nobody else.
        Ok(Self(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    fn add(&self, stream: &TcpStream, token: usize) -> io::Result<()> {
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

    /// Waits for readable sockets; their tokens go into `ready`. Nothing within IO_TIMEOUT is an error.
    fn wait(&self, events: &mut [EpollEvent], ready: &mut Vec<usize>) -> io::Result<()> {
        ready.clear();
        let n = loop {
            // SAFETY: `events` is a valid, writable buffer of `events.len()` epoll_events.
            let n = unsafe {
                epoll_wait(
                    self.0.as_raw_fd(),
                    events.as_mut_ptr(),
                    events.len() as i32,
                    IO_TIMEOUT.as_millis() as i32,
                )
            };
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
                format!("no response within {IO_TIMEOUT:?}"),
            ));
        }
        ready.extend(events[..n].iter().map(|e| e.data as usize));
        Ok(())
    }
}

/// Runs `calls[j]` on `sessions[j]` for every j, each session one call at a time and all of them
/// at once, from this one thread: write a request, and whenever sockets turn readable (epoll;
/// a plain blocking read for a single session), read once, verify every whole response buffered
/// and write that session's next request. With `latencies`, each call's round trip is pushed.
pub fn run_calls(
    sessions: &mut [Session],
    calls: &[Calls],
    mut latencies: Option<&mut Vec<u64>>,
) -> Result<(), String> {
    let k = sessions.len();
    let epoll = if k > 1 {
        let ep = Epoll::new().map_err(|e| format!("epoll_create1: {e}"))?;
        for (j, s) in sessions.iter().enumerate() {
            ep.add(&s.conn.stream, j)
                .map_err(|e| format!("epoll_ctl: {e}"))?;
        }
        Some(ep)
    } else {
        None
    };
    let mut events = vec![EpollEvent { events: 0, data: 0 }; k];
    let mut ready = Vec::with_capacity(k);
    let mut next = vec![0usize; k];
    let mut sent_at = vec![Instant::now(); k];
    let mut active = 0;
    for (j, s) in sessions.iter_mut().enumerate() {
        if calls[j].len() > 0 {
            sent_at[j] = Instant::now();
            s.send(&calls[j], 0)?;
            active += 1;
        }
    }
    while active > 0 {
        match &epoll {
            Some(ep) => ep
                .wait(&mut events, &mut ready)
                .map_err(|e| format!("epoll_wait: {e}"))?,
            None => {
                ready.clear();
                ready.push(0);
            }
        }
        for &j in &ready {
            let (s, calls) = (&mut sessions[j], &calls[j]);
            s.conn
                .fill()
                .map_err(|e| format!("session {j}: reading response: {e}"))?;
            while let Some(head) = s
                .conn
                .try_response()
                .map_err(|e| format!("session {j}: reading response: {e}"))?
            {
                let i = next[j];
                if i >= calls.len() {
                    return Err(format!(
                        "session {j}: a response nobody asked for: {}",
                        show(&s.conn.body)
                    ));
                }
                s.verify_call(&head, calls, i)
                    .map_err(|e| format!("session {j}: {e}"))?;
                if let Some(l) = latencies.as_deref_mut() {
                    l.push(sent_at[j].elapsed().as_nanos() as u64);
                }
                s.settle(&head)?;
                if head.close
                    && let Some(ep) = &epoll
                {
                    ep.add(&s.conn.stream, j)
                        .map_err(|e| format!("epoll_ctl: {e}"))?;
                }
                next[j] += 1;
                if next[j] < calls.len() {
                    sent_at[j] = Instant::now();
                    s.send(calls, next[j])?;
                } else {
                    active -= 1;
                }
            }
        }
    }
    Ok(())
}
