//! One client connection to a [`Server`]: the `initialize` handshake, the
//! negotiated state, and the dispatch of every MCP method.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use mcpwire_types::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, CompleteRequestParams,
    CompleteResult, GetPromptRequestParams, Implementation, InitializeRequestParams,
    InitializeResult, InputRequests, InputRequiredResult, InputResponses, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, LoggingLevel, Meta,
    Notification, PaginatedRequestParams, ProtocolVersion, ReadResourceRequestParams, Request,
    ServerCapabilities, SetLevelRequestParams, SubscribeRequestParams, UnsubscribeRequestParams,
    meta, methods,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::context::Context;
use super::{MAX_COMPLETION_VALUES, Server, ServerEvent, read, uri_limit};
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{Peer, Reply, RequestContext, Service};
use mcpwire_types::Era;

/// What one connection negotiated.
#[derive(Default)]
pub(crate) struct SessionState {
    version: OnceLock<ProtocolVersion>,
    client_info: OnceLock<Implementation>,
    client_caps: OnceLock<ClientCapabilities>,
    /// Lowest level sent, as `LoggingLevel as u8`; `u8::MAX` until set.
    log_level: AtomicU8,
    initialized: AtomicBool,
    subscriptions: Mutex<HashSet<String>>,
    /// Who this session's tasks belong to (2025-11-25).
    pub(crate) task_scope: super::tasks::SessionScope,
}

impl SessionState {
    fn new() -> Self {
        SessionState {
            log_level: AtomicU8::new(u8::MAX),
            ..Default::default()
        }
    }

    pub(crate) fn version(&self) -> ProtocolVersion {
        self.version
            .get()
            .copied()
            .unwrap_or(ProtocolVersion::LATEST_LEGACY)
    }

    pub(crate) fn client_info(&self) -> Option<Implementation> {
        self.client_info.get().cloned()
    }

    pub(crate) fn client_capabilities(&self) -> ClientCapabilities {
        self.client_caps.get().cloned().unwrap_or_default()
    }

    /// Whether a log message at `level` may go out for a request.
    pub(crate) fn logs_enabled(
        &self,
        level: LoggingLevel,
        req_meta: Option<&Meta>,
        era: Era,
    ) -> bool {
        match era {
            Era::Stateless => req_meta
                .and_then(|m| m.get(meta::LOG_LEVEL))
                .and_then(|v| serde_json::from_value::<LoggingLevel>(v.clone()).ok())
                .is_some_and(|min| level >= min),
            Era::Session => match self.log_level.load(Ordering::Relaxed) {
                u8::MAX => true,
                min => level as u8 >= min,
            },
        }
    }
}

/// The per-connection [`Service`].
pub(crate) struct Connection {
    pub(crate) server: Server,
    pub(crate) state: Arc<SessionState>,
    peer: OnceLock<Peer>,
    /// Keeps this session registered for server events while it lives.
    link: OnceLock<Arc<EventLink>>,
}

/// A session as the server's event fan-out sees it.
pub(crate) struct EventLink {
    peer: Peer,
    state: Arc<SessionState>,
}

impl EventLink {
    /// Sends one server event to this session, if it wants it.
    pub(crate) fn deliver(&self, ev: &ServerEvent) {
        let state = &self.state;
        if !(state.initialized.load(Ordering::Relaxed) || state.version.get().is_some()) {
            return;
        }
        let (method, params) = match ev {
            ServerEvent::ToolsChanged => (methods::NOTIFICATIONS_TOOLS_LIST_CHANGED, None),
            ServerEvent::PromptsChanged => (methods::NOTIFICATIONS_PROMPTS_LIST_CHANGED, None),
            ServerEvent::ResourcesChanged => (methods::NOTIFICATIONS_RESOURCES_LIST_CHANGED, None),
            ServerEvent::ResourceUpdated(uri) => {
                let subscribed = state
                    .subscriptions
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .contains(uri);
                if !subscribed {
                    return;
                }
                (
                    methods::NOTIFICATIONS_RESOURCES_UPDATED,
                    Some(json!({ "uri": uri })),
                )
            }
        };
        let _ = self.peer.notify(method, params);
    }
}

pub(crate) fn params<T: DeserializeOwned>(p: Option<Value>) -> Result<T, Error> {
    T::deserialize(p.unwrap_or_else(|| json!({})))
        .map_err(|e| Error::invalid_params(format!("Invalid params: {e}")))
}

/// What a `tools/call` came to.
pub(crate) enum Called {
    /// An answer to send as it is: a task handle, or a request for input.
    Answer(Value),
    /// The tool's own result.
    Result(CallToolResult),
}

/// Params that carry a `_meta` object.
pub(crate) trait WithMeta: DeserializeOwned {
    fn put_meta(&mut self, meta: Option<Meta>);
}

macro_rules! with_meta {
    ($($t:ty),*) => {$(
        impl WithMeta for $t {
            fn put_meta(&mut self, meta: Option<Meta>) {
                self.meta = meta;
            }
        }
    )*};
}
with_meta!(
    CallToolRequestParams,
    ReadResourceRequestParams,
    GetPromptRequestParams
);

/// A params field that must be an object, taken out whole.
fn object_field(
    fields: &mut Map<String, Value>,
    field: &str,
) -> Result<Option<Map<String, Value>>, Error> {
    // The rest is deserialized by name, so the order need not be kept.
    match fields.swap_remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(Error::invalid_params(format!(
            "Invalid params: {field} must be an object"
        ))),
    }
}

/// The params of a request whose `_meta` is moved into place rather than
/// rebuilt entry by entry, which is most of the cost of reading a request
/// that carries 2026-07-28 `_meta`.
pub(crate) fn meta_params<T: WithMeta>(p: Option<Value>) -> Result<T, Error> {
    let mut fields = match p {
        Some(Value::Object(fields)) => fields,
        other => return params(other),
    };
    let meta = object_field(&mut fields, "_meta")?;
    let mut t: T = params(Some(Value::Object(fields)))?;
    t.put_meta(meta);
    Ok(t)
}

/// The params of a `tools/call`: its `arguments` too are moved, not
/// rebuilt.
pub(crate) fn call_params(p: Option<Value>) -> Result<CallToolRequestParams, Error> {
    let mut fields = match p {
        Some(Value::Object(fields)) => fields,
        other => return params(other),
    };
    let arguments = object_field(&mut fields, "arguments")?;
    let mut call: CallToolRequestParams = meta_params(Some(Value::Object(fields)))?;
    call.arguments = arguments;
    Ok(call)
}

pub(crate) fn to_value<T: Serialize>(v: &T) -> Result<Value, Error> {
    serde_json::to_value(v).map_err(Error::from)
}

/// Cursors are opaque to clients; here they are the offset of the next page.
pub(crate) fn page<T: Clone>(
    items: &[T],
    cursor: Option<&str>,
    size: Option<usize>,
) -> Result<(Vec<T>, Option<String>), Error> {
    let start = match cursor {
        None => 0,
        Some(c) => c
            .strip_prefix("o")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n <= items.len())
            .ok_or_else(|| Error::invalid_params(format!("Invalid cursor: {c:?}")))?,
    };
    let end = size.map_or(items.len(), |s| (start + s).min(items.len()));
    let next = (end < items.len()).then(|| format!("o{end}"));
    Ok((items[start..end].to_vec(), next))
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

    pub(crate) fn capabilities(&self) -> ServerCapabilities {
        let inner = &self.server.inner;
        let mut caps = ServerCapabilities::default();
        let has_completions = read(&inner.prompts)
            .values()
            .any(|p| !p.completers.is_empty())
            || read(&inner.templates)
                .iter()
                .any(|t| !t.completers.is_empty());
        caps.logging = Some(Default::default());
        if !read(&inner.tools).is_empty() {
            caps.tools = Some(mcpwire_types::ToolsCapability {
                list_changed: Some(true),
            });
        }
        if !read(&inner.resources).is_empty() || !read(&inner.templates).is_empty() {
            caps.resources = Some(mcpwire_types::ResourcesCapability {
                subscribe: Some(true),
                list_changed: Some(true),
            });
        }
        if !read(&inner.prompts).is_empty() {
            caps.prompts = Some(mcpwire_types::PromptsCapability {
                list_changed: Some(true),
            });
        }
        if has_completions {
            caps.completions = Some(Default::default());
        }
        inner.skills.declare(&mut caps);
        caps
    }

    fn initialize(&self, p: InitializeRequestParams) -> Result<Value, Error> {
        let requested = p.protocol_version.parse::<ProtocolVersion>().ok();
        let version = match requested {
            Some(v) if v.is_legacy() => v,
            _ => ProtocolVersion::LATEST_LEGACY,
        };
        if self.state.version.set(version).is_err() {
            return Err(Error::invalid_request(
                "Invalid Request: the session is already initialized",
            ));
        }
        if let Some(peer) = self.peer.get() {
            peer.set_negotiated(version);
        }
        let _ = self.state.client_info.set(p.client_info);
        let _ = self.state.client_caps.set(p.capabilities);
        self.start_events();
        let mut caps = self.capabilities();
        super::tasks::advertise(&self.server, &mut caps, Era::Session);
        let mut result =
            InitializeResult::new(version.as_str(), caps, self.server.inner.info.clone());
        result.instructions = self.server.inner.instructions.clone();
        to_value(&result)
    }

    /// Registers this session for server events (list changes, resource
    /// updates); the server delivers them without a task per session.
    fn start_events(&self) {
        let Some(peer) = self.peer.get().cloned() else {
            return;
        };
        let link = Arc::new(EventLink {
            peer,
            state: self.state.clone(),
        });
        self.server.register_session(&link);
        let _ = self.link.set(link);
    }

    pub(crate) fn context(
        &self,
        cx: RequestContext,
        era: Era,
        meta: Option<Meta>,
        inputs: Option<InputResponses>,
    ) -> Context {
        Context::new(
            self.server.clone(),
            self.state.clone(),
            cx.peer,
            cx.id,
            meta,
            cx.cancel,
            era,
            inputs,
            cx.extensions,
        )
    }

    /// The answers a request brings: in a stateless retry, those sealed in
    /// its `requestState` (checked against `method` and `target`) merged
    /// with its `inputResponses`, the latter winning on a shared key.
    pub(crate) fn answers(
        &self,
        era: Era,
        method: &str,
        target: &str,
        state: Option<&str>,
        responses: Option<InputResponses>,
    ) -> Result<Option<InputResponses>, Error> {
        if era == Era::Session {
            return Ok(responses);
        }
        let mut answers = match state {
            Some(s) => self.server.inner.request_state.open(s, method, target)?,
            None => InputResponses::new(),
        };
        answers.extend(responses.unwrap_or_default());
        Ok(Some(answers))
    }

    /// The `input_required` result for `pending` and every other ask of the
    /// run still unanswered; stateless ones carry a `requestState` sealing
    /// every answer received so far.
    pub(crate) fn input_required(
        &self,
        cx: &Context,
        pending: super::PendingInput,
        era: Era,
        method: &str,
        target: &str,
        answers: Option<InputResponses>,
    ) -> Result<Value, Error> {
        let mut requests = InputRequests::new();
        for ask in cx.take_unanswered() {
            requests.insert(ask.key, ask.request);
        }
        requests.entry(pending.key).or_insert(pending.request);
        let mut result = InputRequiredResult::new(requests);
        if era == Era::Stateless {
            let state = self.server.inner.request_state.seal(
                method,
                target,
                &answers.unwrap_or_default(),
            )?;
            result = result.with_request_state(state);
        }
        let mut v = to_value(&result)?;
        v["resultType"] = json!("input_required");
        Ok(v)
    }

    async fn call_tool(&self, req: Request, cx: RequestContext, era: Era) -> Result<Value, Error> {
        match self.call_tool_outcome(req, cx, era).await? {
            Called::Answer(v) => Ok(v),
            Called::Result(r) => to_value(&r),
        }
    }

    /// Serves a `tools/call` up to the tool's own result, which the
    /// caller serializes as its era needs.
    pub(crate) async fn call_tool_outcome(
        &self,
        req: Request,
        cx: RequestContext,
        era: Era,
    ) -> Result<Called, Error> {
        let p = call_params(req.params)?;
        let p = match self.route_tool_call(p, &cx, era).await? {
            super::tasks::Routed::Done(v) => return Ok(Called::Answer(v)),
            super::tasks::Routed::Plain(p) => *p,
        };
        let Some(handler) = read(&self.server.inner.tools)
            .get(&p.name)
            .map(|t| t.handler.clone())
        else {
            return Err(Error::invalid_params(format!("Unknown tool: {}", p.name)));
        };
        let method = methods::TOOLS_CALL;
        let answers = self.answers(
            era,
            method,
            &p.name,
            p.request_state.as_deref(),
            p.input_responses,
        )?;
        let cx = self.context(cx, era, p.meta, answers.clone());
        let outcome = handler
            .call(cx.clone(), p.arguments.unwrap_or_default())
            .await;
        let result = match outcome {
            Ok(r) => r,
            Err(e @ (Error::Rpc(_) | Error::Cancelled)) => return Err(e),
            Err(Error::InputRequired(pending)) => {
                return self
                    .input_required(&cx, *pending, era, method, &p.name, answers)
                    .map(Called::Answer);
            }
            Err(e) => CallToolResult::error_text(e.to_string()),
        };
        Ok(Called::Result(result))
    }

    async fn read_resource(
        &self,
        req: Request,
        cx: RequestContext,
        era: Era,
    ) -> Result<Value, Error> {
        let p: ReadResourceRequestParams = meta_params(req.params)?;
        let inner = &self.server.inner;
        uri_limit::check(&p.uri, inner.max_uri_length)?;
        let fixed = read(&inner.resources)
            .get(&p.uri)
            .map(|r| (r.handler.clone(), r.cache));
        let ((handler, cache), vars) = match fixed {
            Some(h) => (h, HashMap::new()),
            None => {
                let found = read(&inner.templates).iter().find_map(|t| {
                    t.template
                        .match_uri(&p.uri)
                        .map(|v| ((t.handler.clone(), t.cache), v))
                });
                match found {
                    Some(f) => f,
                    None => {
                        let version = match era {
                            Era::Stateless => ProtocolVersion::V2026_07_28,
                            Era::Session => self.state.version(),
                        };
                        return Err(uri_limit::resource_not_found(&p.uri, version));
                    }
                }
            }
        };
        let method = methods::RESOURCES_READ;
        let answers = self.answers(
            era,
            method,
            &p.uri,
            p.request_state.as_deref(),
            p.input_responses,
        )?;
        let cx = self.context(cx, era, p.meta, answers.clone());
        match handler.read(cx.clone(), p.uri.clone(), vars).await {
            Ok(r) => {
                let mut v = to_value(&r)?;
                if let (Era::Stateless, Some(hint), Value::Object(obj)) = (era, cache, &mut v) {
                    obj.entry("ttlMs").or_insert_with(|| json!(hint.ttl_ms));
                    obj.entry("cacheScope").or_insert_with(|| json!(hint.scope));
                }
                Ok(v)
            }
            Err(Error::InputRequired(pending)) => {
                self.input_required(&cx, *pending, era, method, &p.uri, answers)
            }
            Err(e) => Err(e),
        }
    }

    async fn get_prompt(&self, req: Request, cx: RequestContext, era: Era) -> Result<Value, Error> {
        let p: GetPromptRequestParams = meta_params(req.params)?;
        let Some(route) = read(&self.server.inner.prompts).get(&p.name).cloned() else {
            return Err(Error::invalid_params(format!("Unknown prompt: {}", p.name)));
        };
        let args: HashMap<String, String> = p.arguments.unwrap_or_default().into_iter().collect();
        for a in route.def.arguments.iter().flatten() {
            if a.required == Some(true) && !args.contains_key(&a.name) {
                return Err(Error::invalid_params(format!(
                    "Missing required argument {:?} for prompt {:?}",
                    a.name, p.name
                )));
            }
        }
        let method = methods::PROMPTS_GET;
        let answers = self.answers(
            era,
            method,
            &p.name,
            p.request_state.as_deref(),
            p.input_responses,
        )?;
        let cx = self.context(cx, era, p.meta, answers.clone());
        match route.handler.get(cx.clone(), args).await {
            Ok(r) => to_value(&r),
            Err(Error::InputRequired(pending)) => {
                self.input_required(&cx, *pending, era, method, &p.name, answers)
            }
            Err(e) => Err(e),
        }
    }

    async fn complete(&self, req: Request) -> Result<Value, Error> {
        let p: CompleteRequestParams = params(req.params)?;
        let inner = &self.server.inner;
        let completer = match &p.reference {
            mcpwire_types::CompleteReference::Prompt(r) => {
                let prompts = read(&inner.prompts);
                let Some(prompt) = prompts.get(&r.name) else {
                    return Err(Error::invalid_params(format!("Unknown prompt: {}", r.name)));
                };
                prompt.completers.get(&p.argument.name).cloned()
            }
            mcpwire_types::CompleteReference::Resource(r) => {
                uri_limit::check(&r.uri, inner.max_uri_length)?;
                let templates = read(&inner.templates);
                let Some(t) = templates.iter().find(|t| t.def.uri_template == r.uri) else {
                    return Err(Error::invalid_params(format!(
                        "Unknown resource template: {}",
                        uri_limit::quoted(&r.uri)
                    )));
                };
                t.completers.get(&p.argument.name).cloned()
            }
        };
        let mut values = match completer {
            Some(c) => c.complete(p.argument.value.clone()).await,
            None => Vec::new(),
        };
        let total = values.len();
        values.truncate(MAX_COMPLETION_VALUES);
        let mut result = CompleteResult::new(values);
        result.completion.total = Some(total as u64);
        result.completion.has_more = Some(total > MAX_COMPLETION_VALUES);
        to_value(&result)
    }

    fn list<T: Clone, R: Serialize>(
        &self,
        req: Request,
        items: Vec<T>,
        build: impl FnOnce(Vec<T>, Option<String>) -> R,
    ) -> Result<Value, Error> {
        let p: PaginatedRequestParams = params(req.params)?;
        let (items, next) = page(&items, p.cursor.as_deref(), self.server.inner.page_size)?;
        to_value(&build(items, next))
    }
}

impl Connection {
    /// Serves one request of either era.
    pub(crate) async fn dispatch(
        &self,
        req: Request,
        cx: RequestContext,
        era: Era,
    ) -> Result<Value, Error> {
        let inner = &self.server.inner;
        match req.method.as_str() {
            methods::INITIALIZE => self.initialize(params(req.params)?),
            methods::PING => Ok(json!({})),
            methods::TOOLS_LIST => {
                let tools: Vec<_> = read(&inner.tools).values().map(|t| t.def.clone()).collect();
                self.list(req, tools, |tools, next| {
                    let mut r = ListToolsResult::new(tools);
                    r.next_cursor = next;
                    r
                })
            }
            methods::TOOLS_CALL => self.call_tool(req, cx, era).await,
            methods::RESOURCES_LIST => {
                let all: Vec<_> = read(&inner.resources)
                    .values()
                    .map(|r| r.def.clone())
                    .collect();
                self.list(req, all, |resources, next| ListResourcesResult {
                    resources,
                    next_cursor: next,
                    ..Default::default()
                })
            }
            methods::RESOURCES_TEMPLATES_LIST => {
                let all: Vec<_> = read(&inner.templates)
                    .iter()
                    .map(|t| t.def.clone())
                    .collect();
                self.list(req, all, |templates, next| ListResourceTemplatesResult {
                    resource_templates: templates,
                    next_cursor: next,
                    ..Default::default()
                })
            }
            methods::RESOURCES_READ => self.read_resource(req, cx, era).await,
            methods::RESOURCES_SUBSCRIBE => {
                let p: SubscribeRequestParams = params(req.params)?;
                uri_limit::check(&p.uri, inner.max_uri_length)?;
                self.state
                    .subscriptions
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(p.uri);
                Ok(json!({}))
            }
            methods::RESOURCES_UNSUBSCRIBE => {
                let p: UnsubscribeRequestParams = params(req.params)?;
                uri_limit::check(&p.uri, inner.max_uri_length)?;
                self.state
                    .subscriptions
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&p.uri);
                Ok(json!({}))
            }
            methods::PROMPTS_LIST => {
                let all: Vec<_> = read(&inner.prompts)
                    .values()
                    .map(|p| p.def.clone())
                    .collect();
                self.list(req, all, |prompts, next| ListPromptsResult {
                    prompts,
                    next_cursor: next,
                    ..Default::default()
                })
            }
            methods::PROMPTS_GET => self.get_prompt(req, cx, era).await,
            methods::COMPLETION_COMPLETE => self.complete(req).await,
            methods::TASKS_GET
            | methods::TASKS_RESULT
            | methods::TASKS_LIST
            | methods::TASKS_CANCEL
            // Rare and with large state: boxed, so every request's future
            // does not carry it.
            | mcpwire_types::tasks_extension::TASKS_UPDATE => {
                Box::pin(self.task_method(req, cx, era)).await
            }
            methods::LOGGING_SET_LEVEL => {
                let p: SetLevelRequestParams = params(req.params)?;
                self.state.log_level.store(p.level as u8, Ordering::Relaxed);
                Ok(json!({}))
            }
            m if inner.skills.handles(m) => inner.skills.dispatch(m, req.params, inner.page_size),
            other => Err(Error::method_not_found(other)),
        }
    }
}

impl Service for Connection {
    async fn handle_request(&self, req: Request, cx: RequestContext) -> Result<Value, Error> {
        self.handle_request_reply(req, cx).await?.into_value()
    }

    async fn handle_request_reply(&self, req: Request, cx: RequestContext) -> Result<Reply, Error> {
        match super::stateless::era_of(&req)? {
            Era::Session => self.dispatch(req, cx, Era::Session).await.map(Reply::from),
            Era::Stateless => self.stateless(req, cx).await,
        }
    }

    async fn handle_notification(&self, n: Notification, _peer: &Peer) {
        if n.method == methods::NOTIFICATIONS_INITIALIZED {
            self.state.initialized.store(true, Ordering::Relaxed);
        }
    }

    fn allows_batches(&self) -> bool {
        self.state.version.get().is_some_and(|v| v.allows_batches())
    }

    fn handles_notifications_inline(&self) -> bool {
        // Marking the session initialized never waits on anything.
        true
    }

    fn protocol_version(&self) -> Option<&'static str> {
        Some(self.state.version().as_str())
    }
}
