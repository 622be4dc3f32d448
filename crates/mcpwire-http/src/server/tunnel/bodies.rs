//! The bodies a tunnel moves: a request's (from the connection, or
//! carried whole), and a forwarded answer's, as its frames arrive.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame as HttpFrame, SizeHint};
use hyper::body::Incoming;
use tokio::sync::mpsc;

use super::{Body, BoxFuture, Frame, RelayError, WaitGuard};

/// A request body: from the connection, or carried whole by a tunnel.
#[derive(Debug)]
pub enum Inbound {
    /// As the connection delivers it.
    Http(Incoming),
    /// Carried by a tunnel (taken once read).
    Tunneled(Option<Bytes>),
}

impl HttpBody for Inbound {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<HttpFrame<Bytes>, hyper::Error>>> {
        match self.get_mut() {
            Inbound::Http(b) => Pin::new(b).poll_frame(cx),
            Inbound::Tunneled(b) => Poll::Ready(b.take().map(|b| Ok(HttpFrame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Inbound::Http(b) => b.is_end_stream(),
            Inbound::Tunneled(b) => b.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Inbound::Http(b) => b.size_hint(),
            Inbound::Tunneled(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
        }
    }
}

/// Why a tunneled answer ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the answer of the instance holding the session was cut off: {0}")]
pub struct TunnelBroken(&'static str);

/// The body of an [`Owned`](super::Owned) service's responses.
#[derive(Debug)]
pub struct OwnedBody<B>(pub(super) Kind<B>);

#[derive(Debug)]
pub(super) enum Kind<B> {
    Local(B),
    Here(Body),
    Tunneled(Box<TunnelBody>),
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<B> HttpBody for OwnedBody<B>
where
    B: HttpBody<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<HttpFrame<Bytes>, BoxError>>> {
        match &mut self.get_mut().0 {
            Kind::Local(b) => Pin::new(b).poll_frame(cx).map_err(Into::into),
            Kind::Here(b) => Pin::new(b).poll_frame(cx).map_err(|never| match never {}),
            Kind::Tunneled(b) => b.poll(cx).map_err(Into::into),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Kind::Local(b) => b.is_end_stream(),
            Kind::Here(b) => b.is_end_stream(),
            Kind::Tunneled(b) => b.done,
        }
    }
}

/// A forwarded answer's body, as its frames arrive.
pub(super) struct TunnelBody {
    pub(super) rx: mpsc::Receiver<Frame>,
    /// Bytes of the chunks waiting in `rx`.
    pub(super) queued: Arc<AtomicUsize>,
    pub(super) next: u32,
    pub(super) check: tokio::time::Interval,
    pub(super) alive: Option<BoxFuture<Result<bool, RelayError>>>,
    pub(super) guard: WaitGuard,
    pub(super) done: bool,
}

impl std::fmt::Debug for TunnelBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TunnelBody")
            .field("owner", &self.guard.owner)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl TunnelBody {
    fn broken(
        &mut self,
        why: &'static str,
    ) -> Poll<Option<Result<HttpFrame<Bytes>, TunnelBroken>>> {
        self.done = true;
        self.guard.hub.give_up(self.guard.id);
        Poll::Ready(Some(Err(TunnelBroken(why))))
    }

    fn poll(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<HttpFrame<Bytes>, TunnelBroken>>> {
        if self.done {
            return Poll::Ready(None);
        }
        loop {
            if let Some(check) = self.alive.as_mut()
                && let Poll::Ready(answer) = check.as_mut().poll(cx)
            {
                self.alive = None;
                if let Ok(false) = answer {
                    return self.broken("the instance holding the session stopped");
                }
            }
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(Frame::Body { seq, chunk })) if seq == self.next => {
                    self.queued.fetch_sub(chunk.len(), Ordering::Relaxed);
                    self.next = self.next.wrapping_add(1);
                    return Poll::Ready(Some(Ok(HttpFrame::data(chunk))));
                }
                Poll::Ready(Some(Frame::End { chunks })) if chunks == self.next => {
                    self.done = true;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Frame::Body { .. } | Frame::End { .. })) => {
                    return self.broken("a piece of the answer was lost");
                }
                Poll::Ready(Some(_) | None) => return self.broken("the tunnel was aborted"),
                Poll::Pending => {}
            }
            if self.alive.is_none() && self.check.poll_tick(cx).is_ready() {
                self.alive = Some(self.guard.hub.tunnel.alive(&self.guard.owner));
                continue;
            }
            return Poll::Pending;
        }
    }
}
