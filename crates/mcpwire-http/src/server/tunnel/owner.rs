//! The owner's side of a tunnel: serving the requests other instances
//! forward here, and sending each answer back frame by frame.

use std::convert::Infallible;
use std::sync::{Arc, Weak};

use bytes::{Bytes, BytesMut};
use futures_util::{FutureExt, StreamExt};
use http::{Request, Response, StatusCode};
use http_body::Body as HttpBody;
use http_body_util::BodyExt;
use mcpwire_types::ErrorCode;
use tokio::sync::OwnedSemaphorePermit;

use super::super::body;
use super::{
    Body, Envelope, Frame, Hub, Inbound, MAX_CHUNK, TunnelEvent, TunnelFeed, TunneledRequest,
    liveness_ticker, lock,
};

/// Hands the frames addressed to this instance on, until the hub is gone.
pub(super) async fn receive<S, B>(hub: Weak<Hub>, mut feed: TunnelFeed, inner: S)
where
    S: hyper::service::Service<Request<Inbound>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: HttpBody<Data = Bytes> + Send + Unpin + 'static,
{
    while let Some(event) = feed.next().await {
        let Some(hub) = hub.upgrade() else { return };
        let bytes = match event {
            TunnelEvent::Missed => {
                hub.abort_all();
                continue;
            }
            TunnelEvent::Frame(bytes) => bytes,
        };
        let envelope = match Envelope::decode(bytes) {
            Ok(e) => e,
            Err(e) => {
                tracing::debug!(error = %e, "an unreadable tunnel frame was skipped");
                continue;
            }
        };
        if *envelope.requester == *hub.me {
            hub.to_waiter(envelope.tunnel, envelope.frame);
            continue;
        }
        let requester: Arc<str> = Arc::from(envelope.requester);
        let key = (requester, envelope.tunnel);
        match envelope.frame {
            Frame::Request(request) => {
                let Ok(permit) = hub.incoming.clone().try_acquire_owned() else {
                    let busy = body::retry_later(
                        StatusCode::SERVICE_UNAVAILABLE,
                        ErrorCode::SERVER_BUSY,
                        "Service Unavailable: the instance holding the session serves too many forwarded requests; try again shortly",
                    );
                    tokio::spawn(answer(hub.clone(), key.0.clone(), key.1, busy));
                    continue;
                };
                let mut serving = lock(&hub.serving);
                if serving.contains_key(&key) {
                    continue;
                }
                let task = tokio::spawn(serve(
                    hub.clone(),
                    inner.clone(),
                    key.clone(),
                    request,
                    permit,
                ));
                serving.insert(key, task.abort_handle());
            }
            Frame::Abort => {
                if let Some(task) = lock(&hub.serving).remove(&key) {
                    task.abort();
                }
            }
            // Answers go to requesters only.
            _ => {}
        }
    }
}

/// A request another instance forwarded here, while it is served.
struct Serving {
    hub: Arc<Hub>,
    key: (Arc<str>, u64),
    _permit: OwnedSemaphorePermit,
}

impl Drop for Serving {
    fn drop(&mut self) {
        lock(&self.hub.serving).remove(&self.key);
    }
}

/// Serves `request` of `requester` with `inner` and sends the answer back.
async fn serve<S, B>(
    hub: Arc<Hub>,
    inner: S,
    key: (Arc<str>, u64),
    request: TunneledRequest,
    permit: OwnedSemaphorePermit,
) where
    S: hyper::service::Service<Request<Inbound>, Response = Response<B>, Error = Infallible>,
    B: HttpBody<Data = Bytes> + Send + Unpin + 'static,
{
    let _serving = Serving {
        hub: hub.clone(),
        key: key.clone(),
        _permit: permit,
    };
    // The requester waits for this much only so long: what it forwarded
    // may be lost on the way, but once taken, the request runs its course.
    let accepted = Envelope {
        requester: key.0.to_string(),
        tunnel: key.1,
        frame: Frame::Accepted,
    };
    let told = match accepted.encode() {
        Ok(bytes) => hub.tunnel.send(&key.0, bytes).await.is_ok(),
        Err(_) => false,
    };
    if !told {
        return;
    }
    let mut req = Request::new(Inbound::Tunneled(Some(request.body)));
    *req.method_mut() = request.method;
    *req.uri_mut() = request.uri;
    *req.headers_mut() = request.headers;
    let call = inner.call(req);
    let mut call = std::pin::pin!(call);
    let mut check = liveness_ticker();
    let response = loop {
        tokio::select! {
            r = &mut call => match r {
                Ok(r) => break r,
                Err(never) => match never {},
            },
            _ = check.tick() => {
                if let Ok(false) = hub.tunnel.alive(&key.0).await {
                    return;
                }
            }
        }
    };
    answer_with(&hub, &key.0, key.1, response, check).await;
}

/// Sends `response` to `requester` as the answer of its tunnel `id`.
async fn answer(hub: Arc<Hub>, requester: Arc<str>, id: u64, response: Response<Body>) {
    answer_with(&hub, &requester, id, response, liveness_ticker()).await;
}

/// Sends `response`'s head, then its body, in order, each frame once the
/// previous one is sent; stops when the requester dies.
async fn answer_with<B>(
    hub: &Arc<Hub>,
    requester: &Arc<str>,
    id: u64,
    response: Response<B>,
    mut check: tokio::time::Interval,
) where
    B: HttpBody<Data = Bytes> + Unpin,
{
    let send = |frame: Frame| {
        let envelope = Envelope {
            requester: requester.to_string(),
            tunnel: id,
            frame,
        };
        let tunnel = hub.tunnel.clone();
        let to = requester.clone();
        async move {
            match envelope.encode() {
                Ok(bytes) => tunnel.send(&to, bytes).await.is_ok(),
                Err(_) => false,
            }
        }
    };
    let (parts, mut body) = response.into_parts();
    if !send(Frame::Head {
        status: parts.status,
        headers: parts.headers,
    })
    .await
    {
        return;
    }
    let mut seq = 0u32;
    loop {
        tokio::select! {
            frame = body.frame().map(|f| f.map(|r| r.map_err(drop))) => match frame {
                None => {
                    send(Frame::End { chunks: seq }).await;
                    return;
                }
                Some(Ok(frame)) => {
                    let Ok(first) = frame.into_data() else { continue };
                    // What else the answer has ready goes in the same
                    // frame: a burst of small pieces costs one frame.
                    let (mut data, ended) = ready_after(&mut body, first);
                    while !data.is_empty() {
                        let piece = data.split_to(data.len().min(MAX_CHUNK));
                        if !send(Frame::Body { seq, chunk: piece }).await {
                            return;
                        }
                        seq = seq.wrapping_add(1);
                    }
                    match ended {
                        Some(true) => {
                            send(Frame::End { chunks: seq }).await;
                            return;
                        }
                        Some(false) => {
                            send(Frame::Abort).await;
                            return;
                        }
                        None => {}
                    }
                }
                Some(Err(_)) => {
                    send(Frame::Abort).await;
                    return;
                }
            },
            _ = check.tick() => {
                if let Ok(false) = hub.tunnel.alive(requester).await {
                    tracing::debug!(requester = %requester, "the instance waiting for an answer died; dropped");
                    return;
                }
            }
        }
    }
}

/// `first`, and the data `body` has ready now after it (up to
/// [`MAX_CHUNK`]); and whether `body` ended meanwhile (`Some(true)`) or
/// failed (`Some(false)`).
fn ready_after<B>(body: &mut B, first: Bytes) -> (Bytes, Option<bool>)
where
    B: HttpBody<Data = Bytes> + Unpin,
{
    let mut more: Option<BytesMut> = None;
    let len = |more: &Option<BytesMut>| more.as_ref().map_or(first.len(), BytesMut::len);
    let mut ended = None;
    while len(&more) < MAX_CHUNK {
        match body.frame().now_or_never() {
            None => break,
            Some(None) => {
                ended = Some(true);
                break;
            }
            Some(Some(Err(_))) => {
                ended = Some(false);
                break;
            }
            Some(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    more.get_or_insert_with(|| BytesMut::from(&first[..]))
                        .extend_from_slice(&data);
                }
            }
        }
    }
    (more.map_or(first, BytesMut::freeze), ended)
}
