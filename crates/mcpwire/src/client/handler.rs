//! The client side's answers to server requests (sampling, elicitation,
//! roots) and its intake of notifications.

use std::future::Future;
use std::sync::{Arc, RwLock};

use mcpwire_types::{
    ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams,
    ElicitResult, ListRootsResult, Notification, Request, Root, methods,
};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::ServerNotification;
use crate::Error;
use crate::engine::{Peer, RequestContext, Service};
use crate::server::BoxFuture;

type SamplingFn = Arc<
    dyn Fn(CreateMessageRequestParams) -> BoxFuture<Result<CreateMessageResult, Error>>
        + Send
        + Sync,
>;
type ElicitFn =
    Arc<dyn Fn(ElicitRequestParams) -> BoxFuture<Result<ElicitResult, Error>> + Send + Sync>;

/// How the client answers what servers ask of it.
#[derive(Clone, Default)]
pub struct ClientHandlers {
    pub(crate) sampling: Option<SamplingFn>,
    pub(crate) elicitation: Option<ElicitFn>,
    pub(crate) url_elicitation: bool,
    pub(crate) roots: Option<Arc<RwLock<Vec<Root>>>>,
}

impl std::fmt::Debug for ClientHandlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientHandlers")
            .field("sampling", &self.sampling.is_some())
            .field("elicitation", &self.elicitation.is_some())
            .field("roots", &self.roots.is_some())
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
}

/// The client's [`Service`]: answers server requests, forwards notifications.
pub(crate) struct ClientService {
    pub(crate) handlers: ClientHandlers,
    pub(crate) notifications: broadcast::Sender<ServerNotification>,
}

fn parse<T: serde::de::DeserializeOwned>(p: Option<Value>) -> Result<T, Error> {
    T::deserialize(p.unwrap_or_else(|| json!({})))
        .map_err(|e| Error::invalid_params(format!("Invalid params: {e}")))
}

impl Service for ClientService {
    async fn handle_request(&self, req: Request, _cx: RequestContext) -> Result<Value, Error> {
        match req.method.as_str() {
            methods::PING => Ok(json!({})),
            methods::SAMPLING_CREATE_MESSAGE => match &self.handlers.sampling {
                Some(f) => Ok(serde_json::to_value(f(parse(req.params)?).await?)?),
                None => Err(Error::method_not_found(&req.method)),
            },
            methods::ELICITATION_CREATE => match &self.handlers.elicitation {
                Some(f) => Ok(serde_json::to_value(f(parse(req.params)?).await?)?),
                None => Err(Error::method_not_found(&req.method)),
            },
            methods::ROOTS_LIST => match &self.handlers.roots {
                Some(roots) => {
                    let roots = roots.read().unwrap_or_else(|p| p.into_inner()).clone();
                    Ok(serde_json::to_value(ListRootsResult::new(roots))?)
                }
                None => Err(Error::method_not_found(&req.method)),
            },
            other => Err(Error::method_not_found(other)),
        }
    }

    async fn handle_notification(&self, n: Notification, _peer: &Peer) {
        let _ = self
            .notifications
            .send(ServerNotification::from_notification(n));
    }
}
