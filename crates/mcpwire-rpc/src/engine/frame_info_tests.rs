//! What the engine tells the transport of each frame it writes: the
//! [`FrameInfo`] a recording writer receives, on both writing paths.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpwire_types::{Notification, ProtocolVersion, Request, RequestId};
use serde_json::{Value, json};

use super::{EngineConfig, Peer, RequestContext, RequestOptions, Service};
use crate::Error;
use crate::transport::{FrameInfo, FrameKind, FrameReader, FrameWriter, ReadEvent};

/// One written frame and the owned parts of its info.
#[derive(Debug, Clone, PartialEq)]
struct Written {
    frame: Value,
    method: Option<String>,
    response_to: Option<RequestId>,
    related: Option<RequestId>,
    target: Option<String>,
    revision: Option<ProtocolVersion>,
    cancels: Option<RequestId>,
}

type Log = Arc<Mutex<Vec<Written>>>;

/// Records what it is given; writes directly when `D`.
struct Recorder<const D: bool>(Log);

impl<const D: bool> FrameWriter for Recorder<D> {
    const DIRECT: bool = D;

    fn write(&mut self, frame: &[u8], info: &FrameInfo<'_>) {
        let response_to = match info.kind() {
            FrameKind::Response { id } => Some(id.clone()),
            FrameKind::Error { id } => id.cloned(),
            _ => None,
        };
        self.0.lock().unwrap().push(Written {
            frame: serde_json::from_slice(frame).unwrap(),
            method: info.method().map(str::to_owned),
            response_to,
            related: info.related().cloned(),
            target: info.target().map(str::to_owned),
            revision: info.revision(),
            cancels: info.cancels().cloned(),
        });
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A reader with nothing to read, until the engine stops.
struct Silent;

impl FrameReader for Silent {
    async fn next_frame(&mut self) -> std::io::Result<ReadEvent<'_>> {
        std::future::pending().await
    }
}

struct Nothing;

impl Service for Nothing {
    async fn handle_request(&self, r: Request, _: RequestContext) -> Result<super::Reply, Error> {
        Err(Error::method_not_found(&r.method))
    }
    async fn handle_notification(&self, _: Notification, _: &Peer) {}
}

/// Sends one of each kind of tagged frame and returns what was written.
async fn exchange<const D: bool>() -> Vec<Written> {
    let log = Log::default();
    let (peer, driver) = super::connect(
        Arc::new(Nothing),
        (Silent, Recorder::<D>(log.clone())),
        EngineConfig::default(),
    );
    let driver = tokio::spawn(driver);
    let quick = || RequestOptions::new().timeout(Duration::from_millis(10));
    // Before any revision was agreed: only what the sender names.
    let stateless = quick()
        .target("echo")
        .revision(ProtocolVersion::V2026_07_28);
    let r = peer
        .request_with("tools/call", Some(json!({"name": "echo"})), stateless)
        .await;
    assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
    assert!(peer.set_negotiated(ProtocolVersion::V2025_11_25));
    let served = RequestId::Number(90);
    peer.notify_related("notifications/progress", None, &served)
        .unwrap();
    let r = peer
        .request_with("tools/list", None, quick().related_to(served.clone()))
        .await;
    assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
    peer.close();
    driver.await.unwrap().unwrap();
    log.lock().unwrap().clone()
}

fn check(written: &[Written]) {
    let methods: Vec<Option<&str>> = written.iter().map(|w| w.method.as_deref()).collect();
    assert_eq!(
        methods,
        [
            Some("tools/call"),
            Some("notifications/cancelled"),
            Some("notifications/progress"),
            Some("tools/list"),
            Some("notifications/cancelled"),
        ],
        "{written:#?}"
    );
    let call = &written[0];
    assert_eq!(call.target.as_deref(), Some("echo"));
    assert_eq!(call.revision, Some(ProtocolVersion::V2026_07_28));
    assert_eq!(call.related, None);
    let call_id = RequestId::from_value(&call.frame["id"]).unwrap();
    // The timed-out call is cancelled; nothing was agreed yet.
    let cancelled = &written[1];
    assert_eq!(cancelled.cancels.as_ref(), Some(&call_id));
    assert_eq!(cancelled.revision, None);
    assert_eq!(cancelled.target, None);
    // After the agreement, frames carry it by default.
    let progress = &written[2];
    assert_eq!(progress.related, Some(RequestId::Number(90)));
    assert_eq!(progress.revision, Some(ProtocolVersion::V2025_11_25));
    let list = &written[3];
    assert_eq!(list.related, Some(RequestId::Number(90)));
    assert_eq!(list.target, None);
    assert_eq!(list.revision, Some(ProtocolVersion::V2025_11_25));
    assert_eq!(written[4].related, Some(RequestId::Number(90)));
    assert!(written.iter().all(|w| w.response_to.is_none()));
}

#[tokio::test]
async fn the_writer_task_tells_the_transport_what_it_knows() {
    check(&exchange::<false>().await);
}

#[tokio::test]
async fn a_direct_writer_is_told_the_same() {
    check(&exchange::<true>().await);
}
