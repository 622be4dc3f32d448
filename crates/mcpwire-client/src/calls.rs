//! The typed calls of [`Client`], the same under both protocol eras.

use mcpwire_types::request::PaginatedRequest;
use mcpwire_types::request::requests::{
    CallTool, Complete, Discover, GetPrompt, ListPrompts, ListResourceTemplates, ListResources,
    ListTools, Ping, ReadResource, SetLevel, Subscribe, Unsubscribe,
};
use mcpwire_types::{
    CallToolRequestParams, CallToolResult, CompleteArgument, CompleteReference,
    CompleteRequestParams, CompleteResult, DiscoverRequestParams, DiscoverResult,
    GetPromptRequestParams, GetPromptResult, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, LoggingLevel, Prompt, ReadResourceRequestParams,
    ReadResourceResult, Resource, ResourceTemplate, Root, SetLevelRequestParams,
    SubscribeRequestParams, Tool, UnsubscribeRequestParams, methods,
};
use serde::de::IgnoredAny;
use serde_json::Value;

use super::Client;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;
use mcpwire_types::Era;

impl Client {
    /// `server/discover` (2026-07-28): the server's supported revisions,
    /// capabilities, identity and instructions. The first answer also fills
    /// [`Client::server_capabilities`], [`Client::server_info`] and
    /// [`Client::instructions`] when the client had not discovered the
    /// server yet (a client pinned to 2026-07-28 does not probe).
    ///
    /// In a session it is an error: `server/discover` belongs to the
    /// stateless era, and the session already knows what `initialize` said.
    pub async fn discover(&self) -> Result<DiscoverResult, Error> {
        if self.era == Era::Session {
            return Err(Error::Protocol(format!(
                "server/discover does not exist in protocol {}: see Client::initialize_result",
                self.version
            )));
        }
        let d = self
            .request::<Discover>(DiscoverRequestParams::default())
            .await?;
        self.server.learn_discovery(d.clone());
        Ok(d)
    }

    /// `ping`. Only in a session: 2026-07-28 removed it.
    pub async fn ping(&self) -> Result<(), Error> {
        self.require_session(
            methods::PING,
            "any request (tools/list, say) shows whether the server is alive",
        )?;
        self.call_as::<Ping, IgnoredAny>(&None, RequestOptions::new())
            .await
            .map(|_| ())
    }

    /// One page of `tools/list`.
    pub async fn list_tools(&self, cursor: Option<String>) -> Result<ListToolsResult, Error> {
        self.request::<ListTools>(ListTools::page_params(cursor))
            .await
    }

    /// Every tool, following all pages (at most
    /// [`DEFAULT_MAX_PAGES`](super::DEFAULT_MAX_PAGES); see
    /// [`Client::paginate`]).
    pub async fn list_all_tools(&self) -> Result<Vec<Tool>, Error> {
        Ok(self.paginate::<ListTools>().collect_all().await?)
    }

    /// Calls a tool with a JSON object of arguments.
    ///
    /// In the stateless era the server may ask for input (elicitation,
    /// sampling, roots) first: the client answers with its handlers and
    /// calls again, up to [`ClientBuilder::max_input_rounds`] times.
    ///
    /// [`ClientBuilder::max_input_rounds`]: super::ClientBuilder::max_input_rounds
    pub async fn call_tool(&self, name: &str, arguments: Value) -> Result<CallToolResult, Error> {
        self.call_tool_with(name, arguments, RequestOptions::new())
            .await
    }

    /// Calls a tool with options: timeout, progress, cancellation. In the
    /// stateless era the options apply to each attempt.
    pub async fn call_tool_with(
        &self,
        name: &str,
        arguments: Value,
        opts: RequestOptions,
    ) -> Result<CallToolResult, Error> {
        let mut p = CallToolRequestParams::new(name);
        p.arguments = match arguments {
            Value::Object(m) => Some(m),
            Value::Null => None,
            other => {
                return Err(Error::invalid_params(format!(
                    "tool arguments must be a JSON object, not {other}"
                )));
            }
        };
        self.request_with::<CallTool>(p, opts).await
    }

    /// One page of `resources/list`.
    pub async fn list_resources(
        &self,
        cursor: Option<String>,
    ) -> Result<ListResourcesResult, Error> {
        self.request::<ListResources>(ListResources::page_params(cursor))
            .await
    }

    /// Every resource, following all pages (at most
    /// [`DEFAULT_MAX_PAGES`](super::DEFAULT_MAX_PAGES)).
    pub async fn list_all_resources(&self) -> Result<Vec<Resource>, Error> {
        Ok(self.paginate::<ListResources>().collect_all().await?)
    }

    /// One page of `resources/templates/list`.
    pub async fn list_resource_templates(
        &self,
        cursor: Option<String>,
    ) -> Result<ListResourceTemplatesResult, Error> {
        self.request::<ListResourceTemplates>(ListResourceTemplates::page_params(cursor))
            .await
    }

    /// Every resource template, following all pages (at most
    /// [`DEFAULT_MAX_PAGES`](super::DEFAULT_MAX_PAGES)).
    pub async fn list_all_resource_templates(&self) -> Result<Vec<ResourceTemplate>, Error> {
        Ok(self
            .paginate::<ListResourceTemplates>()
            .collect_all()
            .await?)
    }

    /// `resources/read`. In the stateless era the server may ask for input
    /// first, as with [`Client::call_tool`].
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, Error> {
        self.request::<ReadResource>(ReadResourceRequestParams::new(uri))
            .await
    }

    /// `resources/subscribe`: updates arrive as
    /// [`ServerNotification::ResourceUpdated`](super::ServerNotification::ResourceUpdated).
    /// Only in a session: 2026-07-28 replaced it with `subscriptions/listen`
    /// ([`Client::listen`](super::Client::listen) follows resources in both).
    pub async fn subscribe(&self, uri: &str) -> Result<(), Error> {
        self.require_session(
            methods::RESOURCES_SUBSCRIBE,
            "subscriptions/listen replaced it; Client::listen follows resources in both eras",
        )?;
        let p = SubscribeRequestParams {
            uri: uri.to_owned(),
            meta: None,
        };
        self.call_as::<Subscribe, IgnoredAny>(&p, RequestOptions::new())
            .await
            .map(|_| ())
    }

    /// `resources/unsubscribe`. Only in a session.
    pub async fn unsubscribe(&self, uri: &str) -> Result<(), Error> {
        self.require_session(
            methods::RESOURCES_UNSUBSCRIBE,
            "subscriptions/listen replaced it; Client::listen follows resources in both eras",
        )?;
        let p = UnsubscribeRequestParams {
            uri: uri.to_owned(),
            meta: None,
        };
        self.call_as::<Unsubscribe, IgnoredAny>(&p, RequestOptions::new())
            .await
            .map(|_| ())
    }

    /// One page of `prompts/list`.
    pub async fn list_prompts(&self, cursor: Option<String>) -> Result<ListPromptsResult, Error> {
        self.request::<ListPrompts>(ListPrompts::page_params(cursor))
            .await
    }

    /// Every prompt, following all pages (at most
    /// [`DEFAULT_MAX_PAGES`](super::DEFAULT_MAX_PAGES)).
    pub async fn list_all_prompts(&self) -> Result<Vec<Prompt>, Error> {
        Ok(self.paginate::<ListPrompts>().collect_all().await?)
    }

    /// `prompts/get` with string arguments. In the stateless era the server
    /// may ask for input first, as with [`Client::call_tool`].
    pub async fn get_prompt<I, K, V>(
        &self,
        name: &str,
        arguments: I,
    ) -> Result<GetPromptResult, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut p = GetPromptRequestParams::new(name);
        let args: std::collections::BTreeMap<String, String> = arguments
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        if !args.is_empty() {
            p.arguments = Some(args.into_iter().collect());
        }
        self.request::<GetPrompt>(p).await
    }

    /// `completion/complete` for one argument of a prompt or template.
    pub async fn complete(
        &self,
        reference: CompleteReference,
        argument: &str,
        value: &str,
    ) -> Result<CompleteResult, Error> {
        let p = CompleteRequestParams {
            reference,
            argument: CompleteArgument {
                name: argument.to_owned(),
                value: value.to_owned(),
            },
            context: None,
            meta: None,
        };
        self.request::<Complete>(p).await
    }

    /// `logging/setLevel`. Only in a session: in the stateless era every
    /// request carries its level, set with
    /// [`ClientBuilder::log_level`](super::ClientBuilder::log_level).
    pub async fn set_log_level(&self, level: LoggingLevel) -> Result<(), Error> {
        self.require_session(
            methods::LOGGING_SET_LEVEL,
            "each request carries its log level; set it with ClientBuilder::log_level",
        )?;
        let p = SetLevelRequestParams { level, meta: None };
        self.call_as::<SetLevel, IgnoredAny>(&p, RequestOptions::new())
            .await
            .map(|_| ())
    }

    /// Replaces the roots offered to the server. In a session the server is
    /// told they changed; in the stateless era (which has no such
    /// notification) the next input request for roots gets the new ones.
    pub fn set_roots(&self, roots: Vec<Root>) -> Result<(), Error> {
        let Some(cell) = &self.handlers.roots else {
            return Err(Error::Protocol(
                "this client did not declare roots; set them on the builder first".into(),
            ));
        };
        *cell.write().unwrap_or_else(|p| p.into_inner()) = roots;
        match self.era {
            Era::Session => self
                .peer
                .notify(methods::NOTIFICATIONS_ROOTS_LIST_CHANGED, None),
            Era::Stateless => Ok(()),
        }
    }
}
