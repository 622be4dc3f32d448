//! Per-connection deadlines of the HTTP server: how long a client may take
//! to send a request's headers, how long a connection may wait for its
//! next request, and how long a response may stall because the client
//! does not read it.
//!
//! Nothing here runs per request beyond a few counter updates: the I/O
//! counts the reads and writes that moved data, the service wrapper counts
//! requests and marks the connection busy until its response body is
//! dropped, and a [`watchdog`] that wakes a few times per timeout reads
//! those counters and says when the connection must close. A timer per
//! request (as hyper's own header timeout would arm) costs more than
//! the rest of a small call's transport.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use http_body::{Body as HttpBody, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

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
}

/// What one connection did, counted by its I/O and its service.
#[derive(Debug, Default)]
pub(crate) struct Activity {
    reads: AtomicU64,
    writes: AtomicU64,
    requests: AtomicU64,
    /// Requests whose response (body included) is not done yet.
    busy: AtomicUsize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    reads: u64,
    writes: u64,
    requests: u64,
}

impl Activity {
    fn seen(&self) -> Seen {
        Seen {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed),
        }
    }
}

/// Marks a connection busy from a request's start until its response
/// body is dropped.
#[derive(Debug)]
pub(crate) struct Busy(Arc<Activity>);

impl Busy {
    pub(crate) fn new(activity: &Arc<Activity>) -> Self {
        activity.requests.fetch_add(1, Ordering::Relaxed);
        activity.busy.fetch_add(1, Ordering::Relaxed);
        Busy(activity.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A response body that keeps its connection marked busy while it lives.
pub(crate) struct Tracked<B> {
    inner: B,
    _busy: Busy,
}

impl<B> Tracked<B> {
    pub(crate) fn new(inner: B, busy: Busy) -> Self {
        Tracked { inner, _busy: busy }
    }
}

impl<B: HttpBody + Unpin> HttpBody for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Why a connection was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expired {
    /// A request's headers took longer than the header timeout.
    Header,
    /// Nothing happened for the idle timeout.
    Idle,
}

/// Resolves when the connection should close: a request's head has been
/// arriving for longer than the header timeout (counted from when its
/// first bytes were seen), or the connection has done nothing, with no
/// request in flight, for the idle timeout. Each deadline is kept within a
/// quarter of itself.
pub(crate) async fn watchdog(activity: Arc<Activity>, deadlines: Deadlines) -> Expired {
    let tick = (deadlines.header.min(deadlines.idle) / 4).max(Duration::from_millis(5));
    // From zero, not from a first look: by the time this first runs, the
    // connection may have read the start of a head already.
    let mut seen = Seen {
        reads: 0,
        writes: 0,
        requests: 0,
    };
    let mut quiet_since = Instant::now();
    let mut head_since: Option<Instant> = None;
    loop {
        tokio::time::sleep(tick).await;
        let now = Instant::now();
        let current = activity.seen();
        if activity.busy.load(Ordering::Relaxed) > 0 || current.requests != seen.requests {
            // Serving, or served since the last look: the next request's
            // head has not started.
            head_since = None;
            quiet_since = now;
        } else if current.reads != seen.reads {
            // Bytes came, and no request from them yet: a head arriving.
            head_since.get_or_insert(now);
            quiet_since = now;
        } else if current.writes != seen.writes {
            quiet_since = now;
        }
        seen = current;
        match head_since {
            Some(t) if now.duration_since(t) >= deadlines.header => return Expired::Header,
            None if now.duration_since(quiet_since) >= deadlines.idle => return Expired::Idle,
            _ => {}
        }
    }
}

/// A TCP stream that counts the reads and writes that move data, and
/// fails a write that has made no progress for the write timeout.
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

    fn wrote(&mut self, done: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        self.stalled = None;
        if let Poll::Ready(Ok(n)) = &done
            && *n > 0
        {
            self.activity.writes.fetch_add(1, Ordering::Relaxed);
        }
        done
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
            done => self.wrote(done),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write_vectored(cx, bufs) {
            Poll::Pending => self.stall(cx),
            done => self.wrote(done),
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
