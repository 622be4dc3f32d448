//! The client side's answers to server requests (sampling, elicitation,
//! roots) and its intake of notifications.

use std::future::Future;
use std::sync::{Arc, RwLock};

use mcpwire_types::{
    ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams,
    ElicitResult, InputRequest, InputResponse, ListRootsResult, Notification, Request, Root,
    methods,
};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::ServerNotification;
use mcpwire_rpc::BoxFuture;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{Peer, Reply, RequestContext, Service};

type SamplingFn = Arc<
    dyn Fn(CreateMessageRequestParams) -> BoxFuture<Result<CreateMessageResult, Error>>
        + Send
        + Sync,
>;
type ElicitFn =
    Arc<dyn Fn(ElicitRequestParams) -> BoxFuture<Result<ElicitResult, Error>> + Send + Sync>;
type RootsFn = Arc<dyn Fn(Vec<Root>) -> BoxFuture<Result<ListRootsResult, Error>> + Send + Sync>;

/// How the client answers what servers ask of it.
#[derive(Clone, Default)]
pub struct ClientHandlers {
    pub(crate) sampling: Option<SamplingFn>,
    pub(crate) elicitation: Option<ElicitFn>,
    pub(crate) url_elicitation: bool,
    pub(crate) roots: Option<Arc<RwLock<Vec<Root>>>>,
    /// Answers `roots/list` itself, given the roots on offer.
    pub(crate) roots_fn: Option<RootsFn>,
}

impl std::fmt::Debug for ClientHandlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientHandlers")
            .field("sampling", &self.sampling.is_some())
            .field("elicitation", &self.elicitation.is_some())
            .field("roots", &self.roots.is_some())
            .field("roots_fn", &self.roots_fn.is_some())
            .finish()
    }
}

impl ClientHandlers {
    pub(crate) fn set_sampling<F, Fut>(&mut self, f: F)
    where
        F: Fn(CreateMessageRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CreateMessageResult, Error>> + Send + 'static,
    {
        self.sampling = Some(Arc::new(move |p| Box::pin(f(p))));
    }

    pub(crate) fn set_elicitation<F, Fut>(&mut self, f: F, url: bool)
    where
        F: Fn(ElicitRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ElicitResult, Error>> + Send + 'static,
    {
        self.elicitation = Some(Arc::new(move |p| Box::pin(f(p))));
        self.url_elicitation = url;
    }

    /// The capabilities these handlers imply.
    pub(crate) fn capabilities(&self) -> ClientCapabilities {
        let mut caps = ClientCapabilities::default();
        if self.sampling.is_some() {
            caps.sampling = Some(serde_json::from_value(json!({})).unwrap_or_default());
        }
        if self.elicitation.is_some() {
            let v = if self.url_elicitation {
                json!({"form": {}, "url": {}})
            } else {
                json!({"form": {}})
            };
            caps.elicitation = serde_json::from_value(v).ok();
        }
        if self.roots.is_some() {
            caps.roots = serde_json::from_value(json!({"listChanged": true})).ok();
        }
        caps
    }

    pub(crate) fn set_roots_fn<F, Fut>(&mut self, f: F)
    where
        F: Fn(Vec<Root>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ListRootsResult, Error>> + Send + 'static,
    {
        self.roots_fn = Some(Arc::new(move |r| Box::pin(f(r))));
        self.roots.get_or_insert_with(Default::default);
    }

    /// The roots on offer right now, if the client declared roots.
    fn current_roots(&self) -> Option<Vec<Root>> {
        let roots = self.roots.as_ref()?;
        Some(roots.read().unwrap_or_else(|p| p.into_inner()).clone())
    }

    /// The answer to `roots/list`: the roots handler's, or the roots on
    /// offer; `None` if the client declared no roots.
    async fn list_roots(&self) -> Option<Result<ListRootsResult, Error>> {
        let offered = self.current_roots()?;
        Some(match &self.roots_fn {
            Some(f) => f(offered).await,
            None => Ok(ListRootsResult::new(offered)),
        })
    }

    /// Answers one input request of a multi round-trip request (2026-07-28)
    /// with the same handler that answers the server-to-client request of a
    /// session. `key` names the request in errors.
    ///
    /// A request this client has no handler for is an error, never an empty
    /// answer: a server must not ask for what the client did not declare.
    pub(crate) async fn fulfil(
        &self,
        key: &str,
        request: InputRequest,
    ) -> Result<InputResponse, Error> {
        let missing = |what: &str, setter: &str| {
            Error::Protocol(format!(
                "the server asked for {} (input request {key:?}), but this client has no {what} \
                 handler; set one with ClientBuilder::{setter}",
                request.method()
            ))
        };
        match &request {
            InputRequest::Elicit(p) => match &self.elicitation {
                Some(f) => f(p.clone()).await.map(InputResponse::Elicit),
                None => Err(missing("elicitation", "on_elicitation")),
            },
            InputRequest::CreateMessage(p) => match &self.sampling {
                Some(f) => f(p.clone()).await.map(InputResponse::CreateMessage),
                None => Err(missing("sampling", "on_sampling")),
            },
            InputRequest::ListRoots(_) => match self.list_roots().await {
                Some(r) => r.map(InputResponse::ListRoots),
                None => Err(missing("roots", "roots")),
            },
            InputRequest::Other { method, .. } => Err(Error::Protocol(format!(
                "the server asked for {method:?} (input request {key:?}), which is not an input \
                 request this client knows (elicitation/create, sampling/createMessage, roots/list)"
            ))),
        }
    }
}

/// The client's [`Service`]: answers server requests, forwards notifications.
pub(crate) struct ClientService {
    pub(crate) handlers: ClientHandlers,
    pub(crate) notifications: broadcast::Sender<ServerNotification>,
    pub(crate) routes: std::sync::Arc<super::listen::Routes>,
}

fn parse<T: serde::de::DeserializeOwned>(p: Option<Value>) -> Result<T, Error> {
    T::deserialize(p.unwrap_or_else(|| json!({})))
        .map_err(|e| Error::invalid_params(format!("Invalid params: {e}")))
}

impl Service for ClientService {
    async fn handle_request(&self, req: Request, _cx: RequestContext) -> Result<Reply, Error> {
        match req.method.as_str() {
            methods::PING => Ok(json!({}).into()),
            methods::SAMPLING_CREATE_MESSAGE => match &self.handlers.sampling {
                Some(f) => Ok(Reply::typed(f(parse(req.params)?).await?)),
                None => Err(Error::method_not_found(&req.method)),
            },
            methods::ELICITATION_CREATE => match &self.handlers.elicitation {
                Some(f) => Ok(Reply::typed(f(parse(req.params)?).await?)),
                None => Err(Error::method_not_found(&req.method)),
            },
            methods::ROOTS_LIST => match self.handlers.list_roots().await {
                Some(r) => Ok(Reply::typed(r?)),
                None => Err(Error::method_not_found(&req.method)),
            },
            other => Err(Error::method_not_found(other)),
        }
    }

    async fn handle_notification(&self, n: Notification, _peer: &Peer) {
        self.routes.route(&n);
        let _ = self
            .notifications
            .send(ServerNotification::from_notification(n));
    }
}
