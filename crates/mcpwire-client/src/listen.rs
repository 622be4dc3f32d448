//! Following the server's changes with [`Client::listen`]: one
//! `subscriptions/listen` request on 2026-07-28, or `resources/subscribe`
//! plus the session's unasked list changes on earlier revisions, read
//! through the same [`Subscription`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use mcpwire_types::{
    MetaExt, Notification, RequestId, SubscriptionFilter, SubscriptionsListenRequestParams, methods,
};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{Client, ServerNotification};
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{Peer, RequestOptions};
use mcpwire_types::Era;

/// How long [`Client::listen`] waits for the server to acknowledge.
pub const LISTEN_ACK_TIMEOUT: Duration = Duration::from_secs(30);
/// How many tagged notifications wait for a slow reader before newer ones
/// are dropped (with a warning).
const ROUTE_CAPACITY: usize = 1024;
/// The listen request stays open until the client or the server ends it.
const LISTEN_FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where notifications tagged with a subscription id go: the reader of
/// that subscription.
#[derive(Debug, Default)]
pub(crate) struct Routes {
    map: Mutex<HashMap<RequestId, mpsc::Sender<Notification>>>,
}

impl Routes {
    /// Hands `n` to the subscription it is tagged with, if one listens.
    pub(crate) fn route(&self, n: &Notification) {
        let Some(id) = n
            .params
            .as_ref()
            .and_then(|p| p.get("_meta"))
            .and_then(Value::as_object)
            .and_then(|m| m.subscription_id())
        else {
            return;
        };
        let map = lock(&self.map);
        let Some(tx) = map.get(&id) else {
            return;
        };
        if tx.try_send(n.clone()).is_err() && !tx.is_closed() {
            tracing::warn!(
                subscription = %id,
                method = %n.method,
                "a subscription's reader fell behind; dropped a notification"
            );
        }
    }

    fn insert(&self, id: RequestId, tx: mpsc::Sender<Notification>) {
        lock(&self.map).insert(id, tx);
    }

    fn remove(&self, ids: &[RequestId]) {
        let mut map = lock(&self.map);
        for id in ids {
            map.remove(id);
        }
    }
}

/// A live subscription to the server's changes, from [`Client::listen`].
///
/// Read it with [`Subscription::next`]; end it with
/// [`Subscription::close`] (dropping it ends it too, without waiting).
#[derive(Debug)]
pub struct Subscription {
    agreed: SubscriptionFilter,
    source: Source,
}

#[derive(Debug)]
enum Source {
    /// A `subscriptions/listen` request and the notifications tagged with
    /// its id.
    Listen {
        id: RequestId,
        rx: mpsc::Receiver<Notification>,
        request: Option<JoinHandle<Result<Value, Error>>>,
        cancel: CancellationToken,
        routes: Arc<Routes>,
        ids: Arc<Mutex<Vec<RequestId>>>,
    },
    /// A session's notifications, filtered.
    Session {
        rx: broadcast::Receiver<ServerNotification>,
        peer: Peer,
        subscribed: Vec<String>,
    },
}

impl Client {
    /// Follows the server's list changes and resource updates, as `filter`
    /// asks.
    ///
    /// On 2026-07-28 this sends `subscriptions/listen` and returns once the
    /// server acknowledged it (within [`LISTEN_ACK_TIMEOUT`]); the
    /// notifications that follow are the ones tagged with this
    /// subscription's id. In a session it subscribes to each resource
    /// with `resources/subscribe` and passes on the list changes the
    /// session gets anyway. Either way, [`Subscription::agreed`] says what
    /// the server will send: only what it can.
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// use mcpwire_types::SubscriptionFilter;
    /// let filter = SubscriptionFilter {
    ///     tools_list_changed: Some(true),
    ///     resource_subscriptions: Some(vec!["file:///notes.txt".into()]),
    ///     ..Default::default()
    /// };
    /// let mut sub = client.listen(filter).await?;
    /// while let Some(change) = sub.next().await {
    ///     println!("{change:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn listen(&self, filter: SubscriptionFilter) -> Result<Subscription, Error> {
        match self.era {
            Era::Stateless => self.listen_stateless(filter).await,
            Era::Session => self.listen_session(filter).await,
        }
    }

    async fn listen_stateless(&self, filter: SubscriptionFilter) -> Result<Subscription, Error> {
        let (tx, mut rx) = mpsc::channel(ROUTE_CAPACITY);
        let ids: Arc<Mutex<Vec<RequestId>>> = Arc::default();
        let cancel = CancellationToken::new();
        // The route exists before the request leaves, so the
        // acknowledgement cannot arrive unrouted.
        let opts = RequestOptions::new()
            .timeout(LISTEN_FOREVER)
            .revision(self.version)
            .cancel_token(cancel.clone())
            .on_sent({
                let routes = self.routes.clone();
                let ids = ids.clone();
                move |id: &RequestId| {
                    routes.insert(id.clone(), tx.clone());
                    lock(&ids).push(id.clone());
                }
            });
        let params = SubscriptionsListenRequestParams {
            notifications: filter,
            meta: Some(self.meta.clone()),
        };
        let params = serde_json::to_value(&params)?;
        let peer = self.peer.clone();
        let mut request = tokio::spawn(async move {
            peer.request_with(methods::SUBSCRIPTIONS_LISTEN, Some(params), opts)
                .await
        });
        let forget = |ids: &Mutex<Vec<RequestId>>| self.routes.remove(&lock(ids));
        let ack = tokio::select! {
            n = rx.recv() => n,
            r = &mut request => {
                forget(&ids);
                return Err(match r {
                    Ok(Err(e)) => e,
                    Ok(Ok(_)) => Error::Protocol(
                        "the server ended subscriptions/listen before acknowledging it".into(),
                    ),
                    Err(_) => Error::Closed("the listen request's task ended".into()),
                });
            }
            () = tokio::time::sleep(LISTEN_ACK_TIMEOUT) => None,
        };
        let acked = ack.filter(|n| n.method == methods::NOTIFICATIONS_SUBSCRIPTIONS_ACKNOWLEDGED);
        let Some(ack) = acked else {
            cancel.cancel();
            forget(&ids);
            return Err(Error::Protocol(format!(
                "the server did not acknowledge subscriptions/listen first (within {}s); \
                 the acknowledgement must precede every other notification",
                LISTEN_ACK_TIMEOUT.as_secs()
            )));
        };
        let agreed = ack
            .params
            .as_ref()
            .and_then(|p| p.get("notifications"))
            .map(SubscriptionFilter::deserialize)
            .transpose()
            .map_err(|e| Error::Protocol(format!("malformed subscription acknowledgement: {e}")))?
            .unwrap_or_default();
        let id = lock(&ids).last().cloned().unwrap_or(RequestId::Number(0));
        Ok(Subscription {
            agreed,
            source: Source::Listen {
                id,
                rx,
                request: Some(request),
                cancel,
                routes: self.routes.clone(),
                ids,
            },
        })
    }

    async fn listen_session(&self, filter: SubscriptionFilter) -> Result<Subscription, Error> {
        let caps = self.server_capabilities();
        let on =
            |asked: Option<bool>, offered: bool| (asked == Some(true) && offered).then_some(true);
        let agreed = SubscriptionFilter {
            tools_list_changed: on(
                filter.tools_list_changed,
                caps.tools
                    .as_ref()
                    .is_some_and(|t| t.list_changed == Some(true)),
            ),
            prompts_list_changed: on(
                filter.prompts_list_changed,
                caps.prompts
                    .as_ref()
                    .is_some_and(|p| p.list_changed == Some(true)),
            ),
            resources_list_changed: on(
                filter.resources_list_changed,
                caps.resources
                    .as_ref()
                    .is_some_and(|r| r.list_changed == Some(true)),
            ),
            resource_subscriptions: filter.resource_subscriptions.filter(|uris| {
                !uris.is_empty()
                    && caps
                        .resources
                        .as_ref()
                        .is_some_and(|r| r.subscribe == Some(true))
            }),
        };
        // Listen before subscribing, so no update falls in between.
        let rx = self.notifications();
        let mut subscribed = Vec::new();
        for uri in agreed.resource_subscriptions.iter().flatten() {
            if let Err(e) = self.subscribe(uri).await {
                unsubscribe_all(&self.peer, &subscribed).await;
                return Err(e);
            }
            subscribed.push(uri.clone());
        }
        Ok(Subscription {
            agreed,
            source: Source::Session {
                rx,
                peer: self.peer.clone(),
                subscribed,
            },
        })
    }
}

async fn unsubscribe_all(peer: &Peer, uris: &[String]) {
    for uri in uris {
        let params = serde_json::json!({ "uri": uri });
        if let Err(e) = peer
            .request(methods::RESOURCES_UNSUBSCRIBE, Some(params))
            .await
        {
            tracing::debug!(%uri, error = %e, "resources/unsubscribe failed");
        }
    }
}

impl Subscription {
    /// What the server agreed to send: the asked-for notifications it can
    /// send, and nothing else.
    pub fn agreed(&self) -> &SubscriptionFilter {
        &self.agreed
    }

    /// The `subscriptions/listen` request's id, which tags every
    /// notification of this subscription; `None` in a session.
    pub fn id(&self) -> Option<&RequestId> {
        match &self.source {
            Source::Listen { id, .. } => Some(id),
            Source::Session { .. } => None,
        }
    }

    /// The next change, or `None` once the subscription ended: the server
    /// ended it, or the connection closed.
    pub async fn next(&mut self) -> Option<ServerNotification> {
        match &mut self.source {
            Source::Listen {
                rx,
                request,
                routes,
                ids,
                ..
            } => loop {
                let n = match request {
                    Some(task) => tokio::select! {
                        biased;
                        n = rx.recv() => n,
                        r = task => {
                            if let Ok(Err(e)) = r {
                                tracing::debug!(error = %e, "subscriptions/listen ended");
                            }
                            *request = None;
                            // What was routed already is still read.
                            routes.remove(&lock(ids));
                            continue;
                        }
                    },
                    None => rx.try_recv().ok(),
                };
                let n = n?;
                if n.method == methods::NOTIFICATIONS_SUBSCRIPTIONS_ACKNOWLEDGED {
                    continue;
                }
                return Some(ServerNotification::from_notification(n));
            },
            Source::Session { rx, peer, .. } => loop {
                let n = tokio::select! {
                    n = rx.recv() => n,
                    () = peer.closed() => return None,
                };
                match n {
                    Ok(n) if wanted(&self.agreed, &n) => return Some(n),
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(k)) => {
                        tracing::warn!(missed = k, "a subscription's reader fell behind");
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            },
        }
    }

    /// Ends the subscription: cancels the listen request, or unsubscribes
    /// from the session's resources.
    pub async fn close(mut self) {
        match &mut self.source {
            Source::Listen {
                request, cancel, ..
            } => {
                cancel.cancel();
                if let Some(task) = request.take() {
                    let _ = task.await;
                }
            }
            Source::Session {
                peer, subscribed, ..
            } => {
                let uris = std::mem::take(subscribed);
                unsubscribe_all(peer, &uris).await;
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        match &mut self.source {
            Source::Listen {
                cancel,
                routes,
                ids,
                ..
            } => {
                cancel.cancel();
                routes.remove(&lock(ids));
            }
            Source::Session {
                peer, subscribed, ..
            } => {
                if subscribed.is_empty() {
                    return;
                }
                let (peer, uris) = (peer.clone(), std::mem::take(subscribed));
                if let Ok(rt) = tokio::runtime::Handle::try_current() {
                    rt.spawn(async move { unsubscribe_all(&peer, &uris).await });
                }
            }
        }
    }
}

/// Whether a session notification is one the subscription asked for.
fn wanted(agreed: &SubscriptionFilter, n: &ServerNotification) -> bool {
    match n {
        ServerNotification::ToolsListChanged => agreed.tools_list_changed == Some(true),
        ServerNotification::PromptsListChanged => agreed.prompts_list_changed == Some(true),
        ServerNotification::ResourcesListChanged => agreed.resources_list_changed == Some(true),
        ServerNotification::ResourceUpdated { uri } => agreed
            .resource_subscriptions
            .as_ref()
            .is_some_and(|u| u.contains(uri)),
        _ => false,
    }
}
