//! `subscriptions/listen` (2026-07-28): a long-lived request whose stream
//! carries the list-change and resource-update notifications the client
//! asked for, each tagged with the subscription's id.

use futures_util::StreamExt;
use mcpwire_types::{Request, SubscriptionFilter, SubscriptionsListenRequestParams, meta, methods};
use serde_json::{Value, json};

use super::ServerEvent;
use super::session::{Connection, params};
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestContext;

/// The method of the acknowledgement that opens every subscription.
const ACKNOWLEDGED: &str = "notifications/subscriptions/acknowledged";

impl Connection {
    /// Serves one subscription until the client cancels it or the
    /// connection ends; a server that stops it answers with a completion.
    pub(crate) async fn listen(&self, req: Request, cx: RequestContext) -> Result<Value, Error> {
        let p: SubscriptionsListenRequestParams = params(req.params)?;
        let max = self.server.inner.max_uri_length;
        for uri in p.notifications.resource_subscriptions.iter().flatten() {
            super::uri_limit::check(uri, max)?;
        }
        let caps = self.capabilities();
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
        let sub_id = serde_json::to_value(&req.id)?;
        let tag = |mut params: Value| {
            params["_meta"] = json!({ meta::SUBSCRIPTION_ID: sub_id });
            params
        };
        // Subscribe before acknowledging, so no change falls in between.
        let mut events = self.server.inner.bus.subscribe();
        cx.peer.notify_related(
            ACKNOWLEDGED,
            Some(tag(json!({ "notifications": agreed }))),
            &cx.id,
        )?;
        loop {
            let event = tokio::select! {
                ev = events.next() => ev,
                _ = cx.cancel.cancelled() => return Err(Error::Cancelled),
                _ = cx.peer.closed() => return Err(Error::Cancelled),
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
            cx.peer.notify_related(method, Some(tag(params)), &cx.id)?;
        }
    }
}
