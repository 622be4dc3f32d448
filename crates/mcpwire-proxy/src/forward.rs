//! Forwarding HTTP sessions to stdio server processes: the engine
//! [`Service`] behind each session of the proxy's HTTP endpoint, and the
//! one that relays what a process asks of its client.
//!
//! A session opened by `initialize` (revisions up to 2025-11-25) gets a
//! process of its own, started by that `initialize` and stopped when the
//! session ends; the session ends too when the process exits. At most
//! `max_children` such processes run at once. Self-describing 2026-07-28
//! requests need no session: they all go to one shared process, started on
//! the first such request and started again on the next one if it exits.
//!
//! The shared process serves many callers, so what it sends reaches a
//! caller only when it names that caller's request: a response by the id
//! the proxy gave the forwarded request (every forwarded request gets an
//! id of the proxy's own, so callers' ids never clash), progress by the
//! token the proxy put in that request (mapped back to the caller's), and a
//! subscription's notifications by the id of its `subscriptions/listen`
//! request, while it runs. Nothing else it sends names a caller: its other
//! notifications are dropped, its requests to a client are answered with
//! an error (`ping` by the proxy), and an answer that comes after its
//! caller cancelled or left finds no request and is dropped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use mcpwire_types::{ErrorCode, ErrorObject, Notification, Request, RequestId};
use serde_json::Value;

use mcpwire_http::server::{Driver, SessionBackend, SessionTransport};
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{
    self, EngineConfig, Inline, Peer, Reply, RequestContext, RequestOptions, Service,
};
use mcpwire_rpc::transport::{ChildProcess, Transport};

/// Forwards the proxy's HTTP sessions to processes. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Forwarder {
    inner: Arc<Inner>,
}

struct Inner {
    command: ChildProcess,
    /// How long a forwarded request may wait for its answer.
    timeout: Duration,
    /// How many session processes may run at once.
    max_children: usize,
    /// How many session processes run now (until each is reaped).
    running: Arc<AtomicUsize>,
    /// The process serving self-describing (2026-07-28) requests.
    shared: Mutex<Option<Arc<ChildLink>>>,
    /// Every process started, to stop them all on shutdown.
    children: Mutex<Vec<std::sync::Weak<ChildLink>>>,
}

impl Forwarder {
    /// A forwarder starting `command`; at most `max_children` sessions have
    /// a process at once (the shared 2026-07-28 process comes on top).
    pub(crate) fn new(command: ChildProcess, timeout: Duration, max_children: usize) -> Self {
        Forwarder {
            inner: Arc::new(Inner {
                command,
                timeout,
                max_children,
                running: Arc::new(AtomicUsize::new(0)),
                shared: Mutex::new(None),
                children: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Starts the engine of one HTTP session.
    fn connect_inline<T: Transport>(
        &self,
        transport: T,
    ) -> (
        Peer,
        impl std::future::Future<Output = Result<(), Error>> + Send + 'static,
        Inline,
    ) {
        let service = Arc::new(SessionForward {
            fwd: self.inner.clone(),
            child: OnceLock::new(),
            http: OnceLock::new(),
        });
        let config = EngineConfig::default().request_timeout(self.inner.timeout);
        let (peer, driver, inline) = engine::connect_inline(service.clone(), transport, config);
        let _ = service.http.set(peer.clone());
        (peer, driver, inline)
    }

    /// Stops every process still running and waits (up to `within`) for
    /// them to exit.
    pub(crate) async fn shutdown(&self, within: Duration) {
        let links: Vec<Arc<ChildLink>> = lock(&self.inner.children)
            .drain(..)
            .filter_map(|w| w.upgrade())
            .collect();
        lock(&self.inner.shared).take();
        for link in &links {
            link.peer.close();
        }
        let _ = tokio::time::timeout(within, async {
            for link in links {
                let driver = lock(&link.driver).take();
                if let Some(d) = driver {
                    let _ = d.await;
                }
            }
        })
        .await;
    }
}

impl Inner {
    /// Starts a process; `session` is the HTTP session it serves alone, if
    /// any (its unrelated messages go to that session's GET stream). A
    /// session's process takes one of the `max_children` slots until it is
    /// reaped.
    fn spawn(&self, session: Option<Peer>) -> Result<Arc<ChildLink>, Error> {
        let slot = match &session {
            Some(_) => Some(ChildSlot::take(&self.running, self.max_children)?),
            None => None,
        };
        let transport = self.command.clone().spawn().map_err(|e| {
            tracing::warn!(error = %e, "could not start the proxied MCP server");
            Error::Rpc(ErrorObject::new(
                ErrorCode::INTERNAL_ERROR,
                format!("the proxy could not start its MCP server: {e}"),
            ))
        })?;
        let routes = Arc::new(Routes {
            inflight: Mutex::new(Vec::new()),
            session,
            timeout: self.timeout,
        });
        let config = EngineConfig::default().request_timeout(self.timeout);
        let (peer, driver) = engine::connect(
            Arc::new(ChildSide {
                routes: routes.clone(),
            }),
            transport,
            config,
        );
        let ended = routes.clone();
        let driver = tokio::spawn(async move {
            if let Err(e) = driver.await {
                tracing::debug!(error = %e, "proxied MCP server connection failed");
            }
            // The connection's end stopped and reaped the process.
            drop(slot);
            ended.end_session().await;
        });
        let link = Arc::new(ChildLink {
            peer,
            routes,
            driver: Mutex::new(Some(driver)),
        });
        let mut children = lock(&self.children);
        children.retain(|w| w.strong_count() > 0);
        children.push(Arc::downgrade(&link));
        Ok(link)
    }

    /// The process of self-describing requests, started (again) if it is
    /// not running.
    fn shared_child(&self) -> Result<Arc<ChildLink>, Error> {
        let mut shared = lock(&self.shared);
        if let Some(link) = shared.as_ref().filter(|l| !l.peer.is_closed()) {
            return Ok(link.clone());
        }
        if let Some(old) = shared.take() {
            tracing::info!(reason = %old.peer.close_reason(), "proxied MCP server exited; starting it again");
        }
        let link = self.spawn(None)?;
        *shared = Some(link.clone());
        Ok(link)
    }
}

/// One of the session processes that may run at once; given back on drop.
struct ChildSlot(Arc<AtomicUsize>);

impl ChildSlot {
    /// Takes a slot, or fails with a "try again later" error when all
    /// `max` are taken.
    fn take(running: &Arc<AtomicUsize>, max: usize) -> Result<ChildSlot, Error> {
        let taken = running.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < max).then_some(n + 1)
        });
        match taken {
            Ok(_) => Ok(ChildSlot(running.clone())),
            Err(_) => {
                tracing::warn!(max, "the proxy runs its limit of MCP server processes");
                Err(Error::Rpc(ErrorObject::new(
                    ErrorCode::SERVER_BUSY,
                    format!(
                        "Service Unavailable: the proxy runs its limit of {max} MCP server processes; try again later"
                    ),
                )))
            }
        }
    }
}

impl Drop for ChildSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One running process and the HTTP requests it is serving.
struct ChildLink {
    peer: Peer,
    routes: Arc<Routes>,
    driver: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for ChildLink {
    /// Closing the connection closes the process's stdin, then signals it.
    fn drop(&mut self) {
        self.peer.close();
    }
}

/// A forwarded request still waiting for the process.
struct Inflight {
    key: u64,
    /// The HTTP session's engine, and the request's id there.
    peer: Peer,
    id: RequestId,
    /// The id the process knows the request by.
    upstream: Option<RequestId>,
}

/// Where a process's own messages go: the HTTP requests it is serving.
struct Routes {
    /// Forwarded requests still waiting for the process, oldest first.
    inflight: Mutex<Vec<Inflight>>,
    /// The one HTTP session this process serves, if it is a session's.
    session: Option<Peer>,
    timeout: Duration,
}

impl Routes {
    /// Where a message of the process that names no request goes: for a
    /// session's own process, with the only request in flight when there
    /// is one, else to the session unrelated to any. The shared process
    /// serves many callers, and such a message could be any one's: it goes
    /// nowhere.
    fn target(&self) -> Option<(Peer, Option<RequestId>)> {
        let session = self.session.as_ref()?;
        let inflight = lock(&self.inflight);
        match inflight.as_slice() {
            [only] => Some((only.peer.clone(), Some(only.id.clone()))),
            _ => Some((session.clone(), None)),
        }
    }

    /// After the process exited: ends the HTTP session it served alone,
    /// once the requests in flight were answered (with the exit), so that
    /// the client's next request finds no session and starts a new one.
    async fn end_session(&self) {
        let Some(session) = &self.session else {
            return;
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while !lock(&self.inflight).is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // The last answers are written just after their requests leave
        // the table.
        tokio::time::sleep(Duration::from_millis(100)).await;
        session.close();
    }

    /// The request the process knows by `upstream`: its session's engine
    /// and its id there.
    fn by_upstream(&self, upstream: &RequestId) -> Option<(Peer, RequestId)> {
        lock(&self.inflight)
            .iter()
            .find(|f| f.upstream.as_ref() == Some(upstream))
            .map(|f| (f.peer.clone(), f.id.clone()))
    }

    fn enter(self: &Arc<Self>, peer: Peer, id: RequestId) -> InflightGuard {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let key = NEXT.fetch_add(1, Ordering::Relaxed);
        lock(&self.inflight).push(Inflight {
            key,
            peer,
            id,
            upstream: None,
        });
        InflightGuard {
            routes: self.clone(),
            key,
        }
    }
}

/// Removes a forwarded request from [`Routes::inflight`] when it ends.
struct InflightGuard {
    routes: Arc<Routes>,
    key: u64,
}

impl Drop for InflightGuard {
    fn drop(&mut self) {
        lock(&self.routes.inflight).retain(|f| f.key != self.key);
    }
}

impl InflightGuard {
    /// Options that record the id the process will know the request by.
    fn record_upstream(&self, opts: RequestOptions) -> RequestOptions {
        let (routes, key) = (self.routes.clone(), self.key);
        opts.on_sent(move |id: &RequestId| {
            if let Some(f) = lock(&routes.inflight).iter_mut().find(|f| f.key == key) {
                f.upstream = Some(id.clone());
            }
        })
    }
}

/// The service of one HTTP session: forwards each message to a process.
struct SessionForward {
    fwd: Arc<Inner>,
    /// This session's own process, started by its first request.
    child: OnceLock<Result<Arc<ChildLink>, String>>,
    /// This session's engine, for messages of the process unrelated to a
    /// request.
    http: OnceLock<Peer>,
}

impl SessionForward {
    fn session_child(&self) -> Result<Arc<ChildLink>, Error> {
        let link = self.child.get_or_init(|| {
            self.fwd
                .spawn(self.http.get().cloned())
                .map_err(|e| e.to_error_object().message)
        });
        match link {
            Ok(l) if l.peer.is_closed() => Err(not_running(&l.peer)),
            Ok(l) => Ok(l.clone()),
            Err(m) => Err(Error::Rpc(ErrorObject::new(
                ErrorCode::INTERNAL_ERROR,
                m.clone(),
            ))),
        }
    }

    /// The process a message goes to: the shared one for self-describing
    /// requests, the session's own otherwise.
    fn child_for(&self, params: Option<&Value>) -> Result<Arc<ChildLink>, Error> {
        if mcpwire_types::Era::claims_stateless(params) {
            self.fwd.shared_child()
        } else {
            self.session_child()
        }
    }
}

impl Drop for SessionForward {
    fn drop(&mut self) {
        if let Some(Ok(link)) = self.child.get() {
            link.peer.close();
        }
    }
}

impl Service for SessionForward {
    async fn handle_request(&self, req: Request, cx: RequestContext) -> Result<Reply, Error> {
        self.forward(req, cx).await.map(Reply::from)
    }

    async fn handle_notification(&self, n: Notification, peer: &Peer) {
        self.forward_notification(n, peer).await
    }

    fn handles_notifications_inline(&self) -> bool {
        true
    }

    /// The HTTP endpoint lets batches through only for sessions of the
    /// revision that has them; each request in one is forwarded alone.
    fn allows_batches(&self) -> bool {
        true
    }
}

impl SessionForward {
    /// Forwards one request to the process that serves it.
    async fn forward(&self, req: Request, cx: RequestContext) -> Result<Value, Error> {
        let link = self.child_for(req.params.as_ref())?;
        // The forwarded request runs in a task of its own, so that when
        // this handler is dropped (the client closed the HTTP response of
        // a stateless request) the process is still told to stop.
        let cancel = cx.cancel.child_token();
        let _cancel_on_drop = cancel.clone().drop_guard();
        let mut opts = forward_options(&req, &cx, self.fwd.timeout);
        opts = opts.cancel_token(cancel);
        let entry = link.routes.enter(cx.peer.clone(), cx.id.clone());
        let opts = entry.record_upstream(opts);
        let method = req.method.clone();
        let forwarded = tokio::spawn(async move {
            let _entry = entry;
            let r = link.peer.request_with(&req.method, req.params, opts).await;
            r.map_err(|e| upstream_error(e, &link.peer, &req.method))
        });
        match forwarded.await {
            Ok(Ok(result)) if method == mcpwire_types::methods::INITIALIZE => {
                // The process agreed on a revision: the HTTP session learns
                // it from its connection, as for an in-process server.
                let agreed = result
                    .get("protocolVersion")
                    .and_then(Value::as_str)
                    .and_then(|v| v.parse::<mcpwire_types::ProtocolVersion>().ok());
                if let Some(v) = agreed {
                    cx.peer.set_negotiated(v);
                }
                Ok(result)
            }
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, %method, "forwarding task failed");
                Err(Error::Rpc(ErrorObject::new(
                    ErrorCode::INTERNAL_ERROR,
                    format!("the proxy could not forward {method:?}"),
                )))
            }
        }
    }

    /// Forwards one notification to the process it belongs to.
    async fn forward_notification(&self, n: Notification, _peer: &Peer) {
        // Progress on requests the process sent is routed by the engine;
        // anything else goes on as it came.
        let link = if mcpwire_types::Era::claims_stateless(n.params.as_ref()) {
            self.fwd.shared_child().ok()
        } else {
            match self.child.get() {
                Some(Ok(l)) => Some(l.clone()),
                _ => None,
            }
        };
        match link {
            Some(l) => {
                let _ = l.peer.notify(&n.method, n.params);
            }
            None => {
                tracing::debug!(method = %n.method, "no MCP server process for a notification; dropped")
            }
        }
    }
}

/// The service of a process's connection: relays its requests and
/// notifications to the HTTP client it is serving.
struct ChildSide {
    routes: Arc<Routes>,
}

impl Service for ChildSide {
    async fn handle_request(&self, req: Request, cx: RequestContext) -> Result<Reply, Error> {
        self.relay(req, cx).await.map(Reply::from)
    }
    async fn handle_notification(&self, n: Notification, _peer: &Peer) {
        if n.method == "notifications/progress" {
            // Progress of forwarded requests reached their callbacks.
            return;
        }
        // A 2026-07-28 subscription's notifications name the
        // `subscriptions/listen` request by the id the process knows. One
        // that names no running subscription is nobody else's.
        let mut params = n.params;
        let tagged = params
            .as_mut()
            .and_then(|p| p.get_mut("_meta"))
            .and_then(|m| m.get_mut(mcpwire_types::meta::SUBSCRIPTION_ID));
        if let Some(tag) = tagged {
            let listener = RequestId::from_value(tag).and_then(|u| self.routes.by_upstream(&u));
            let Some((peer, id)) = listener else {
                tracing::debug!(method = %n.method, "a notification of an ended subscription; dropped");
                return;
            };
            *tag = serde_json::to_value(&id).unwrap_or(Value::Null);
            let _ = peer.notify_related(&n.method, params, &id);
            return;
        }
        match self.routes.target() {
            Some((peer, Some(id))) => {
                let _ = peer.notify_related(&n.method, params, &id);
            }
            Some((peer, None)) => {
                let _ = peer.notify(&n.method, params);
            }
            None => {
                tracing::debug!(method = %n.method, "no client for a notification of the MCP server; dropped")
            }
        }
    }

    fn handles_notifications_inline(&self) -> bool {
        true
    }
}

impl ChildSide {
    /// Relays one request of the process to the client it serves.
    async fn relay(&self, req: Request, cx: RequestContext) -> Result<Value, Error> {
        let Some((peer, related)) = self.routes.target() else {
            if req.method == "ping" {
                return Ok(Value::Object(serde_json::Map::new()));
            }
            return Err(Error::Rpc(ErrorObject::new(
                ErrorCode::INTERNAL_ERROR,
                format!(
                    "the proxy cannot send {:?} to a client: this process serves 2026-07-28 requests of many clients, which ask for input through results",
                    req.method
                ),
            )));
        };
        let mut opts = forward_options(&req, &cx, self.routes.timeout);
        if let Some(id) = related {
            opts = opts.related_to(id);
        }
        peer.request_with(&req.method, req.params, opts)
            .await
            .map_err(|e| upstream_error(e, &peer, &req.method))
    }
}

/// Options of a forwarded request: the caller's cancellation, and its
/// progress relayed under the caller's own progress token.
fn forward_options(req: &Request, cx: &RequestContext, timeout: Duration) -> RequestOptions {
    let mut opts = RequestOptions::new()
        .timeout(timeout)
        .cancel_token(cx.cancel.clone());
    let token = req
        .params
        .as_ref()
        .and_then(|p| p.get("_meta"))
        .and_then(|m| m.get("progressToken"))
        .cloned();
    if let Some(token) = token {
        let (peer, id) = (cx.peer.clone(), cx.id.clone());
        opts = opts.on_progress(move |mut p| {
            if let Some(obj) = p.as_object_mut() {
                obj.insert("progressToken".to_owned(), token.clone());
            }
            let _ = peer.notify_related("notifications/progress", Some(p), &id);
        });
    }
    opts
}

/// What the requester is told when the far side failed to answer.
fn upstream_error(e: Error, peer: &Peer, method: &str) -> Error {
    match e {
        Error::Rpc(_) | Error::Cancelled => e,
        Error::Closed(_) => not_running(peer),
        Error::Timeout { after, .. } => Error::Rpc(ErrorObject::new(
            ErrorCode::INTERNAL_ERROR,
            format!("the proxied {method:?} got no answer within {after:?}"),
        )),
        other => {
            tracing::warn!(error = %other, %method, "forwarding failed");
            Error::Rpc(ErrorObject::new(
                ErrorCode::INTERNAL_ERROR,
                format!("the proxy could not forward {method:?}"),
            ))
        }
    }
}

/// The error of a request whose process is gone: names the exit, not the
/// process's stderr (which stays in the proxy's log).
fn not_running(peer: &Peer) -> Error {
    let reason = peer.close_reason();
    tracing::warn!(%reason, "the proxied MCP server is not running");
    let first = reason.split("; its last stderr lines").next().unwrap_or("");
    Error::Rpc(ErrorObject::new(
        ErrorCode::INTERNAL_ERROR,
        format!("the proxied MCP server is not running: {first}"),
    ))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SessionBackend for Forwarder {
    fn connect(&self, transport: SessionTransport) -> (Peer, Driver, Inline) {
        let (peer, driver, inline) = self.connect_inline(transport);
        (peer, Box::pin(driver), inline)
    }
}
