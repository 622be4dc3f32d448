//! One client connection to a [`Server`]: the engine's [`Service`], which
//! sends each request down the route the router gives it.

use std::sync::{Arc, OnceLock};

use futures_util::FutureExt;
use mcpwire_types::request::requests;
use mcpwire_types::{Notification, Request, methods};
use serde_json::{Value, json};

use super::Server;
use super::calls::Called;
use super::envelope::Body;
use super::events::EventLink;
use super::extension::ExtensionRequest;
use super::lists::List;
use super::params::params_of;
use super::router::{Core, Route, Target};
use super::state::SessionState;
use super::tool_error::peer_fault;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{Peer, Reply, RequestContext, Service};
use mcpwire_types::{Era, ErrorCode, ProtocolVersion};

/// The per-connection [`Service`].
pub(crate) struct Connection {
    pub(crate) server: Server,
    pub(crate) state: Arc<SessionState>,
    pub(crate) peer: OnceLock<Peer>,
    /// Keeps this session registered for server events while it lives.
    pub(crate) link: OnceLock<Arc<EventLink>>,
}

impl Connection {
    pub(crate) fn new(server: Server) -> Self {
        Connection {
            server,
            state: Arc::new(SessionState::new()),
            peer: OnceLock::new(),
            link: OnceLock::new(),
        }
    }

    pub(crate) fn attach(&self, peer: Peer) {
        let _ = self.peer.set(peer);
    }

    /// Serves one request down its route, and wraps the answer in its
    /// era's envelope.
    pub(crate) async fn serve(
        &self,
        req: Request,
        cx: RequestContext,
        era: Era,
    ) -> Result<Reply, Error> {
        let route = self.route(&req.method, era)?;
        self.serve_route(route, req, cx, era)
            .await
            .map_err(|e| self.error_for_peer(e, route.method, era))
    }

    /// What the peer is told of an error that ended a request: a local
    /// fault only as `-32603 Internal error` (logged here with its
    /// details), "resource not found" with its revision's code, anything
    /// else as it is.
    fn error_for_peer(&self, e: Error, method: &str, era: Era) -> Error {
        match e {
            Error::Rpc(mut obj) if obj.code == ErrorCode::RESOURCE_NOT_FOUND => {
                if !self.revision(era).is_legacy() {
                    obj.code = ErrorCode::INVALID_PARAMS;
                }
                Error::Rpc(obj)
            }
            e if e.is_local_fault() => peer_fault(method, "", e),
            e => e,
        }
    }

    /// The revision a request in `era` is answered under.
    pub(crate) fn revision(&self, era: Era) -> ProtocolVersion {
        match era {
            Era::Stateless => ProtocolVersion::V2026_07_28,
            Era::Session => self.state.version(),
        }
    }

    /// Serves one request down `route`.
    async fn serve_route(
        &self,
        route: Route,
        req: Request,
        cx: RequestContext,
        era: Era,
    ) -> Result<Reply, Error> {
        let core = match route.target {
            Target::Core(core) => core,
            Target::Extension(i) => {
                let v = self.extension(i, route, req, cx, era).await?;
                return Ok(self.reply(Body::Value(v), era, &route));
            }
        };
        let body = match core {
            Core::Initialize => {
                let result = self.initialize(params_of::<requests::Initialize>(req.params)?)?;
                if let Some(store) = &self.server.inner.sessions {
                    self.state.save(&**store).await;
                }
                Body::Value(result)
            }
            Core::Ping => Body::Value(json!({})),
            Core::Discover => Body::Discover(Box::new(self.discover())),
            Core::ListTools => {
                let list = self.tool_list(era, req.params.as_ref());
                Body::Shared(self.list(list, req.params)?)
            }
            Core::CallTool => match self.call_tool_outcome(req, cx, era).await? {
                Called::Answer(v) => Body::Value(v),
                Called::Result(r) => Body::Tool(r),
            },
            Core::ListPrompts => Body::Shared(self.list(List::Prompts, req.params)?),
            Core::GetPrompt => Body::Value(self.get_prompt(req, cx, era).await?),
            Core::ListResources => Body::Shared(self.list(List::Resources, req.params)?),
            Core::ListTemplates => Body::Shared(self.list(List::Templates, req.params)?),
            Core::ReadResource => Body::Value(self.read_resource(req, cx, era).await?),
            Core::Complete => Body::Value(self.complete(req.params).await?),
            Core::SetLevel => Body::Value(
                self.set_level(params_of::<requests::SetLevel>(req.params)?)
                    .await?,
            ),
        };
        Ok(self.reply(body, era, &route))
    }

    /// Hands a request to the extension at `index`.
    async fn extension(
        &self,
        index: usize,
        route: Route,
        req: Request,
        cx: RequestContext,
        era: Era,
    ) -> Result<Value, Error> {
        let Some(ext) = self.server.inner.extensions.get(index) else {
            return Err(Error::method_not_found(route.method));
        };
        let meta = req
            .params
            .as_ref()
            .and_then(|p| p.get("_meta"))
            .and_then(Value::as_object)
            .cloned();
        let context = self.context(cx, era, meta, None);
        ext.handle(ExtensionRequest {
            method: route.method,
            params: req.params,
            context,
        })
        .await
    }
}

impl Drop for Connection {
    /// Tells the session store the session has ended, unless the store is
    /// shared with other processes.
    fn drop(&mut self) {
        let (Some(store), Some(id)) = (&self.server.inner.sessions, self.state.id_if_drawn())
        else {
            return;
        };
        if store.is_shared() {
            // Other processes may serve the session on: it ends when the
            // client ends it, or when the store lets it expire.
            return;
        }
        let mut forget = store.remove(id);
        // A store that works when called (the in-memory one) is done at
        // once; one that works in its future gets a task for it.
        if (&mut forget).now_or_never().is_none()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(forget);
        }
    }
}

impl Service for Connection {
    fn handle_request(
        &self,
        req: Request,
        cx: RequestContext,
    ) -> impl Future<Output = Result<Reply, Error>> + Send {
        // The era is decided before the future is made, so the future
        // holds no error of its own.
        let era = Era::of_params(req.params.as_ref());
        async move {
            let era = era.map_err(|e| Error::Rpc(e.to_error_object()))?;
            self.serve(req, cx, era).await
        }
    }

    async fn handle_notification(&self, n: Notification, _peer: &Peer) {
        if n.method == methods::NOTIFICATIONS_INITIALIZED {
            self.state.mark_initialized();
        }
    }

    fn allows_batches(&self) -> bool {
        self.state.negotiated().is_some_and(|v| v.allows_batches())
    }

    fn handles_notifications_inline(&self) -> bool {
        // Marking the session initialized never waits on anything.
        true
    }

    fn protocol_version(&self) -> Option<&'static str> {
        Some(self.state.version().as_str())
    }
}
