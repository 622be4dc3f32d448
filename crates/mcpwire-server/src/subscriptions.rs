//! Subscriptions, as an extension of the server: `resources/subscribe` and
//! `resources/unsubscribe` in a session (declared as `resources.subscribe`
//! wherever resources are), and `subscriptions/listen` (2026-07-28), a
//! long-lived request whose stream carries the list-change and
//! resource-update notifications the client asked for, each tagged with
//! the subscription's id.

use futures_util::StreamExt;
use mcpwire_types::request::Capability;
use mcpwire_types::request::requests;
use mcpwire_types::{
    Era, ErrorCode, ServerCapabilities, SubscribeRequestParams, SubscriptionFilter,
    SubscriptionsListenRequestParams, UnsubscribeRequestParams, meta, methods,
};
use serde_json::{Value, json};

use super::extension::{Eras, ExtensionRequest, ExtensionRoute, ServerExtension};
use super::params::params;
use super::state::MAX_SUBSCRIPTIONS_PER_SESSION;
use super::{BoxFuture, Context, Server, ServerEvent, uri_limit};
use mcpwire_rpc::Error;

/// The method of the acknowledgement that opens every subscription.
const ACKNOWLEDGED: &str = "notifications/subscriptions/acknowledged";

/// The subscriptions extension.
pub(crate) struct Subscriptions;

impl ServerExtension for Subscriptions {
    fn declare(&self, _server: &Server, _era: Era, caps: &mut ServerCapabilities) {
        if let Some(resources) = &mut caps.resources {
            resources.subscribe = Some(true);
        }
    }

    fn declared(&self, server: &Server, era: Era) -> bool {
        match era {
            Era::Session => server.declares(Capability::Resources, era),
            // What a stream may carry is agreed when it opens.
            Era::Stateless => true,
        }
    }

    fn routes(&self) -> &[ExtensionRoute] {
        const ROUTES: &[ExtensionRoute] = &[
            ExtensionRoute::of::<requests::Subscribe>(Eras::SESSION),
            ExtensionRoute::of::<requests::Unsubscribe>(Eras::SESSION),
            ExtensionRoute::of::<requests::Listen>(Eras::STATELESS),
        ];
        ROUTES
    }

    fn handle(&self, request: ExtensionRequest) -> BoxFuture<Result<Value, Error>> {
        Box::pin(async move {
            let ExtensionRequest {
                method,
                params,
                context,
                ..
            } = request;
            match method {
                methods::RESOURCES_SUBSCRIBE => subscribe(&context, params).await,
                methods::RESOURCES_UNSUBSCRIBE => unsubscribe(&context, params).await,
                _ => listen(&context, params).await,
            }
        })
    }
}

async fn subscribe(cx: &Context, raw: Option<Value>) -> Result<Value, Error> {
    let p: SubscribeRequestParams = params(raw)?;
    let inner = &cx.server().inner;
    uri_limit::check(&p.uri, inner.max_uri_length)?;
    let session = &cx.inner.session;
    if !session.subscribe(p.uri) {
        return Err(Error::rpc(
            ErrorCode::INVALID_PARAMS,
            format!(
                "Too many subscriptions: a session may hold {MAX_SUBSCRIPTIONS_PER_SESSION}; \
                 unsubscribe from some first"
            ),
        ));
    }
    if let Some(store) = &inner.sessions {
        session.save(&**store).await;
    }
    Ok(json!({}))
}

async fn unsubscribe(cx: &Context, raw: Option<Value>) -> Result<Value, Error> {
    let p: UnsubscribeRequestParams = params(raw)?;
    let inner = &cx.server().inner;
    uri_limit::check(&p.uri, inner.max_uri_length)?;
    let session = &cx.inner.session;
    session.unsubscribe(&p.uri);
    if let Some(store) = &inner.sessions {
        session.save(&**store).await;
    }
    Ok(json!({}))
}

/// Serves one subscription until the client cancels it or the connection
/// ends; a server that stops it answers with a completion.
async fn listen(cx: &Context, raw: Option<Value>) -> Result<Value, Error> {
    let p: SubscriptionsListenRequestParams = params(raw)?;
    let server = cx.server();
    let max = server.inner.max_uri_length;
    for uri in p.notifications.resource_subscriptions.iter().flatten() {
        uri_limit::check(uri, max)?;
    }
    let caps = server.capabilities(Era::Stateless);
    // Honour only what this server can send.
    let agreed = SubscriptionFilter {
        tools_list_changed: p
            .notifications
            .tools_list_changed
            .filter(|&on| on && caps.tools.is_some()),
        prompts_list_changed: p
            .notifications
            .prompts_list_changed
            .filter(|&on| on && caps.prompts.is_some()),
        resources_list_changed: p
            .notifications
            .resources_list_changed
            .filter(|&on| on && caps.resources.is_some()),
        resource_subscriptions: p
            .notifications
            .resource_subscriptions
            .filter(|uris| !uris.is_empty() && caps.resources.is_some()),
    };
    let sub_id = serde_json::to_value(cx.request_id())?;
    let tag = |mut params: Value| {
        params["_meta"] = json!({ meta::SUBSCRIPTION_ID: sub_id });
        params
    };
    let peer = cx.peer();
    // Subscribe before acknowledging, so no change falls in between.
    let mut events = server.inner.bus.subscribe();
    peer.notify_related(
        ACKNOWLEDGED,
        Some(tag(json!({ "notifications": agreed }))),
        cx.request_id(),
    )?;
    loop {
        let event = tokio::select! {
            ev = events.next() => ev,
            _ = cx.cancellation().cancelled() => return Err(Error::Cancelled),
            _ = peer.closed() => return Err(Error::Cancelled),
        };
        // The server is going away: end the subscription gracefully.
        let Some(event) = event else {
            return Ok(tag(json!({})));
        };
        let (method, params) = match event {
            ServerEvent::ToolsChanged if agreed.tools_list_changed == Some(true) => {
                (methods::NOTIFICATIONS_TOOLS_LIST_CHANGED, json!({}))
            }
            ServerEvent::PromptsChanged if agreed.prompts_list_changed == Some(true) => {
                (methods::NOTIFICATIONS_PROMPTS_LIST_CHANGED, json!({}))
            }
            ServerEvent::ResourcesChanged if agreed.resources_list_changed == Some(true) => {
                (methods::NOTIFICATIONS_RESOURCES_LIST_CHANGED, json!({}))
            }
            ServerEvent::ResourceUpdated(uri)
                if agreed
                    .resource_subscriptions
                    .as_ref()
                    .is_some_and(|u| u.contains(&uri)) =>
            {
                (
                    methods::NOTIFICATIONS_RESOURCES_UPDATED,
                    json!({ "uri": uri }),
                )
            }
            _ => continue,
        };
        peer.notify_related(method, Some(tag(params)), cx.request_id())?;
    }
}
