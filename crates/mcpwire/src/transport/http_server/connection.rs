//! Per-connection deadlines of the HTTP server: how long a client may take
//! to send a request's headers, how long a keep-alive connection may wait
//! for its next request, and how long a response may stall because the
//! client does not read it.
//!
//! hyper starts its header timer when it begins waiting for a request, so
//! on its own one setting would bound both a slow header and an idle
//! keep-alive connection. [`ConnTimer`] tells them apart: its timer runs for
//! the idle timeout until the first byte of the next request arrives, then
//! for at most the header timeout from that byte.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::HttpConfig;

/// The deadlines one connection is served with, taken from [`HttpConfig`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadlines {
    pub header: Duration,
    pub idle: Duration,
    pub write: Duration,
}

impl Deadlines {
    pub(crate) fn of(config: &HttpConfig) -> Self {
        Deadlines {
            header: config.header_read_timeout,
            idle: config.idle_timeout,
            write: config.write_timeout,
        }
    }

    /// What hyper's header timer is set to: the longer of the two waits,
    /// which [`ConnTimer`] shortens once a request starts arriving.
    pub(crate) fn hyper_header_timeout(&self) -> Duration {
        self.header.max(self.idle)
    }
}

/// How many reads of the connection returned data; shared by the
/// connection's I/O and its timer.
#[derive(Debug, Default)]
pub(crate) struct Activity {
    reads: AtomicU64,
}

impl Activity {
    fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }
}

/// A TCP stream that counts the reads that bring data and fails a write
/// that has made no progress for the write timeout.
pub(crate) struct Watched<T> {
    inner: T,
    activity: Arc<Activity>,
    write_timeout: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> Watched<T> {
    pub(crate) fn new(inner: T, activity: Arc<Activity>, write_timeout: Duration) -> Self {
        Watched {
            inner,
            activity,
            write_timeout,
            stalled: None,
        }
    }

    /// `Pending` from a write: starts (or checks) the stall timer, and
    /// turns a stall past the write timeout into an error.
    fn stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let timeout = self.write_timeout;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client read nothing for the write timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            self.activity.reads.fetch_add(1, Ordering::Relaxed);
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Pending => self.stall(cx),
            done => {
                self.stalled = None;
                done
            }
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write_vectored(cx, bufs) {
            Poll::Pending => self.stall(cx),
            done => {
                self.stalled = None;
                done
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// hyper's timer for one connection (see the module docs). hyper asks it
/// for one thing only, the wait for a request's head.
#[derive(Clone)]
pub(crate) struct ConnTimer {
    activity: Arc<Activity>,
    deadlines: Deadlines,
}

impl ConnTimer {
    pub(crate) fn new(activity: Arc<Activity>, deadlines: &Deadlines) -> Self {
        ConnTimer {
            activity,
            deadlines: *deadlines,
        }
    }
}

impl Timer for ConnTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        Box::pin(Plain(Box::pin(tokio::time::sleep(duration))))
    }

    /// The wait for a request's head, whatever `deadline` hyper computed
    /// from its own setting: the idle timeout until the first byte, then
    /// the header timeout from it.
    fn sleep_until(&self, _deadline: Instant) -> Pin<Box<dyn Sleep>> {
        let idle_end = tokio::time::Instant::now() + self.deadlines.idle;
        Box::pin(HeadSleep {
            activity: self.activity.clone(),
            reads_at_start: self.activity.reads(),
            header: self.deadlines.header,
            head_started: false,
            sleep: Box::pin(tokio::time::sleep_until(idle_end)),
        })
    }

    fn now(&self) -> Instant {
        // tokio's clock, so that tests with paused time drive it.
        tokio::time::Instant::now().into_std()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        *sleep = self.sleep_until(new_deadline);
    }
}

/// A plain sleep, for anything else hyper might time.
struct Plain(Pin<Box<tokio::time::Sleep>>);

impl Future for Plain {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl Sleep for Plain {}

/// Fires at the idle deadline, or at the header timeout after the first
/// byte of a request arrived.
struct HeadSleep {
    activity: Arc<Activity>,
    reads_at_start: u64,
    header: Duration,
    head_started: bool,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl Future for HeadSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // hyper polls this after every read that left the head incomplete,
        // so the first byte is seen here when it comes.
        if !self.head_started && self.activity.reads() != self.reads_at_start {
            self.head_started = true;
            let deadline = tokio::time::Instant::now() + self.header;
            self.sleep.as_mut().reset(deadline);
        }
        self.sleep.as_mut().poll(cx)
    }
}

impl Sleep for HeadSleep {}
