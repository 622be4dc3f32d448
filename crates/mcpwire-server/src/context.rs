//! The [`Context`] a handler gets: progress, logs, the request's `_meta`,
//! cancellation, and requests to the client (elicitation, sampling, roots)
//! that work the same under both protocol eras.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use mcpwire_types::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult, Era,
    Implementation, InputRequest, InputResponse, InputResponses, ListRootsResult, LoggingLevel,
    Meta, PendingInput, ProgressToken, ProtocolVersion, RequestId, meta,
};
use serde::Serialize;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::Server;
use super::state::SessionState;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{Extensions, Peer};

pub(crate) struct ContextInner {
    pub(crate) server: Server,
    pub(crate) session: Arc<SessionState>,
    pub(crate) peer: Peer,
    pub(crate) id: RequestId,
    pub(crate) meta: Option<Meta>,
    pub(crate) cancel: CancellationToken,
    pub(crate) era: Era,
    pub(crate) input_responses: Option<InputResponses>,
    /// What the transport attached to the request.
    pub(crate) extensions: Extensions,
    asked: AtomicU32,
    /// Every input key this handler run has used.
    keys: Mutex<HashSet<String>>,
    /// Stateless asks this run could not answer, in the order they were made.
    unanswered: Mutex<Vec<PendingInput>>,
    /// Whether `unanswered` ever held an ask: read without the lock when a
    /// run ends.
    any_unanswered: AtomicBool,
    /// The task this handler runs as, if any.
    pub(crate) task: super::tasks::TaskSlot,
}

/// What a handler can reach while it serves one request. Cheap to clone.
///
/// ```no_run
/// use mcpwire_server::Context;
/// async fn slow_tool(cx: Context) -> Result<String, mcpwire_rpc::Error> {
///     for i in 0..3 {
///         cx.progress(i as f64, Some(3.0), Some("working")).await;
///         cx.info(format!("step {i}")).await;
///     }
///     Ok("done".into())
/// }
/// ```
///
/// # Input from the client
///
/// Under the stateless revision (2026-07-28) the server answers the request
/// with `input_required`, the client gathers the answers and retries, and the
/// handler runs again from the start with the answers at hand. Code before
/// an ask must therefore be safe to repeat. Answers from earlier rounds
/// travel in the sealed `requestState`, so a client need only send the
/// latest round's answers.
///
/// Asks awaited together go out together: every ask of a run that has no
/// answer yet joins the same `input_required` result, so a handler that
/// needs several independent inputs gets them in one round trip.
///
/// ```no_run
/// # use mcpwire_server::Context;
/// # use mcpwire_types::{CreateMessageRequestParams, ElicitRequestParams};
/// # async fn tool(cx: Context, form: ElicitRequestParams, prompt: CreateMessageRequestParams)
/// # -> Result<(), mcpwire_rpc::Error> {
/// let (name, reply, roots) = tokio::join!(cx.elicit(form), cx.sample(prompt), cx.roots());
/// let (name, reply, roots) = (name?, reply?, roots?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Context {
    pub(crate) inner: Arc<ContextInner>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("id", &self.inner.id)
            .field("era", &self.inner.era)
            .finish()
    }
}

/// The capabilities a stateless request's `_meta` declares; none when it
/// declares none or they do not parse.
pub(crate) fn stateless_capabilities(m: Option<&Meta>) -> mcpwire_types::ClientCapabilities {
    m.and_then(|m| m.get(meta::CLIENT_CAPABILITIES))
        .and_then(|c| serde_json::from_value(c.clone()).ok())
        .unwrap_or_default()
}

/// Whether a stateless request's `_meta` declares MCP Apps (the rule
/// `tools/list` and [`Context::supports_apps`] share).
pub(crate) fn stateless_declares_apps(m: Option<&Meta>) -> bool {
    m.and_then(|m| m.get(meta::CLIENT_CAPABILITIES))
        .is_some_and(mcpwire_types::apps::declared_in)
}

impl Context {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        server: Server,
        session: Arc<SessionState>,
        peer: Peer,
        id: RequestId,
        meta: Option<Meta>,
        cancel: CancellationToken,
        era: Era,
        input_responses: Option<InputResponses>,
        extensions: Extensions,
    ) -> Self {
        Context {
            inner: Arc::new(ContextInner {
                server,
                session,
                peer,
                id,
                meta,
                cancel,
                era,
                input_responses,
                extensions,
                asked: AtomicU32::new(0),
                keys: Mutex::new(HashSet::new()),
                unanswered: Mutex::new(Vec::new()),
                any_unanswered: AtomicBool::new(false),
                task: Default::default(),
            }),
        }
    }

    /// The server this request reached; use it to add tools or announce
    /// resource updates.
    pub fn server(&self) -> &Server {
        &self.inner.server
    }

    /// The request's id.
    pub fn request_id(&self) -> &RequestId {
        &self.inner.id
    }

    /// The request's `_meta`, if it had one.
    pub fn meta(&self) -> Option<&Meta> {
        self.inner.meta.as_ref()
    }

    /// What the transport attached to this request: values a layer in
    /// front of the HTTP server put in the request's
    /// [`Extensions`](mcpwire_rpc::engine::Extensions), such as the
    /// verified access token the OAuth layer attaches (read it with the
    /// OAuth crate's `Auth` extractor). Empty on other transports. The
    /// [`Extension`](crate::Extension) extractor takes one value from it.
    pub fn extensions(&self) -> &Extensions {
        &self.inner.extensions
    }

    /// The era of this request.
    pub fn era(&self) -> Era {
        self.inner.era
    }

    /// The negotiated protocol revision.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.inner.session.version()
    }

    /// Who the client said it is: at `initialize` in a session, in the
    /// request's `_meta` (`io.modelcontextprotocol/clientInfo`) in a
    /// stateless request.
    pub fn client_info(&self) -> Option<Implementation> {
        match self.inner.era {
            Era::Session => self.inner.session.client_info(),
            Era::Stateless => self
                .inner
                .meta
                .as_ref()
                .and_then(mcpwire_types::MetaExt::client_info),
        }
    }

    /// The client's declared capabilities.
    ///
    /// In a session these are what the client declared at `initialize`; in
    /// a stateless request, what the request's `_meta` declares.
    pub fn client_capabilities(&self) -> mcpwire_types::ClientCapabilities {
        match self.inner.era {
            Era::Session => self.inner.session.client_capabilities(),
            Era::Stateless => stateless_capabilities(self.inner.meta.as_ref()),
        }
    }

    /// Whether the client declared MCP Apps (the `io.modelcontextprotocol/ui`
    /// extension; see [`mcpwire_types::apps`]), so it renders the UI a tool
    /// names. A tool with a UI answers others with content they can read
    /// without it, such as a text table.
    ///
    /// In a session this is what the client declared at `initialize`; in a
    /// stateless request, what the request's `_meta` declares.
    ///
    /// ```
    /// use mcpwire_server::{Context, ToolRoute};
    /// let board = ToolRoute::typed("board", |cx: Context, (): ()| async move {
    ///     if cx.supports_apps() { "shown on the board" } else { "| # | Subject |" }
    /// })
    /// .ui("ui://desk/board");
    /// # let _ = board;
    /// ```
    pub fn supports_apps(&self) -> bool {
        match self.inner.era {
            Era::Session => self.inner.session.client_supports_apps(),
            Era::Stateless => stateless_declares_apps(self.inner.meta.as_ref()),
        }
    }

    /// The error for asking a client for something it did not declare:
    /// `-32021` with the missing capability on stateless requests, and
    /// `-32600` in a session (whose revision names no such error).
    fn missing_capability(&self, message: &str, required: Value) -> Error {
        match self.inner.era {
            Era::Stateless => Error::Rpc(
                mcpwire_types::ErrorObject::missing_required_client_capability(
                    message,
                    serde_json::from_value(required).unwrap_or_default(),
                ),
            ),
            Era::Session => Error::rpc(mcpwire_types::ErrorCode::INVALID_REQUEST, message),
        }
    }

    /// Fires when the client cancels the request.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.inner.cancel
    }

    /// Whether the client cancelled the request.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancel.is_cancelled()
    }

    /// The peer, for requests and notifications of your own.
    pub fn peer(&self) -> &Peer {
        &self.inner.peer
    }

    /// The progress token the client sent, if it asked for progress.
    pub fn progress_token(&self) -> Option<ProgressToken> {
        meta::progress_token_of(self.inner.meta.as_ref())
    }

    /// Ends this request's response stream now and asks the client to
    /// reconnect after `retry` (SSE polling, SEP-1699): a long-running
    /// handler need not hold a connection open. What the handler sends
    /// afterwards, its result included, is delivered on the reconnection.
    /// Transports without per-request streams (stdio) ignore it.
    pub fn close_stream(&self, retry: std::time::Duration) {
        self.inner.peer.close_stream(&self.inner.id, retry);
    }

    /// Reports progress. Does nothing when the client did not ask for it.
    pub async fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        let Some(token) = self.progress_token() else {
            return;
        };
        let mut params = json!({ "progressToken": token.to_value(), "progress": progress });
        if let Some(t) = total {
            params["total"] = json!(t);
        }
        if let Some(m) = message {
            params["message"] = json!(m);
        }
        let _ =
            self.inner
                .peer
                .notify_related("notifications/progress", Some(params), &self.inner.id);
    }

    /// Sends a log message at `level`, if the client asked for that level.
    pub async fn log(&self, level: LoggingLevel, logger: Option<&str>, data: impl Serialize) {
        if !self
            .inner
            .session
            .logs_enabled(level, self.inner.meta.as_ref(), self.inner.era)
        {
            return;
        }
        let mut params =
            json!({ "level": level, "data": serde_json::to_value(data).unwrap_or(Value::Null) });
        if let Some(l) = logger {
            params["logger"] = json!(l);
        }
        let _ =
            self.inner
                .peer
                .notify_related("notifications/message", Some(params), &self.inner.id);
    }

    /// Logs at `debug`.
    pub async fn debug(&self, data: impl Serialize) {
        self.log(LoggingLevel::Debug, None, data).await
    }

    /// Logs at `info`.
    pub async fn info(&self, data: impl Serialize) {
        self.log(LoggingLevel::Info, None, data).await
    }

    /// Logs at `warning`.
    pub async fn warning(&self, data: impl Serialize) {
        self.log(LoggingLevel::Warning, None, data).await
    }

    /// Logs at `error`.
    pub async fn error(&self, data: impl Serialize) {
        self.log(LoggingLevel::Error, None, data).await
    }

    /// Asks the user for input through the client (form or URL mode).
    ///
    /// Fails with `-32600` when the client did not declare elicitation (or
    /// the requested mode): a server never asks a client for what it cannot
    /// do.
    pub async fn elicit(&self, params: ElicitRequestParams) -> Result<ElicitResult, Error> {
        self.elicit_keyed(None, params).await
    }

    /// Like [`elicit`](Self::elicit), under a key the handler chooses for
    /// the `inputRequests` entry of a stateless request (instead of a
    /// generated `elicit-N`). Keys must be unique within one handler run;
    /// reusing one fails.
    pub async fn elicit_with_key(
        &self,
        key: impl Into<String>,
        params: ElicitRequestParams,
    ) -> Result<ElicitResult, Error> {
        self.elicit_keyed(Some(key.into()), params).await
    }

    async fn elicit_keyed(
        &self,
        key: Option<String>,
        params: ElicitRequestParams,
    ) -> Result<ElicitResult, Error> {
        let caps = self.client_capabilities();
        let supported = match &params {
            ElicitRequestParams::Form(_) => caps.supports_form_elicitation(),
            ElicitRequestParams::Url(_) => caps.supports_url_elicitation(),
        };
        if !supported {
            let required = match &params {
                ElicitRequestParams::Form(_) => json!({"elicitation": {"form": {}}}),
                ElicitRequestParams::Url(_) => json!({"elicitation": {"url": {}}}),
            };
            return Err(self.missing_capability(
                "The client does not support this kind of elicitation",
                required,
            ));
        }
        match self
            .ask("elicit", key, InputRequest::Elicit(params))
            .await?
        {
            InputResponse::Elicit(r) => Ok(r),
            _ => Err(Error::Protocol(
                "the client answered an elicitation with another kind of result".into(),
            )),
        }
    }

    /// Tells the client that the URL-mode elicitation `elicitation_id` has
    /// finished (`notifications/elicitation/complete`, 2025-11-25). Stateless
    /// requests learn the outcome by retrying, so there it does nothing.
    pub fn elicitation_complete(&self, elicitation_id: &str) -> Result<(), Error> {
        if self.inner.era == Era::Stateless {
            return Ok(());
        }
        self.inner.peer.notify_related(
            mcpwire_types::methods::NOTIFICATIONS_ELICITATION_COMPLETE,
            Some(json!({ "elicitationId": elicitation_id })),
            &self.inner.id,
        )
    }

    /// Asks the client's model for a completion (sampling).
    pub async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, Error> {
        self.sample_keyed(None, params).await
    }

    /// Like [`sample`](Self::sample), under a key the handler chooses for
    /// the `inputRequests` entry of a stateless request (instead of a
    /// generated `sample-N`). Keys must be unique within one handler run;
    /// reusing one fails.
    pub async fn sample_with_key(
        &self,
        key: impl Into<String>,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, Error> {
        self.sample_keyed(Some(key.into()), params).await
    }

    async fn sample_keyed(
        &self,
        key: Option<String>,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, Error> {
        let caps = self.client_capabilities();
        if !caps.supports_sampling() {
            return Err(self.missing_capability(
                "The client does not support sampling",
                json!({"sampling": {}}),
            ));
        }
        if params.tools.as_ref().is_some_and(|t| !t.is_empty()) && !caps.supports_sampling_tools() {
            return Err(self.missing_capability(
                "The client does not support tools in sampling",
                json!({"sampling": {"tools": {}}}),
            ));
        }
        match self
            .ask("sample", key, InputRequest::CreateMessage(params))
            .await?
        {
            InputResponse::CreateMessage(r) => Ok(r),
            _ => Err(Error::Protocol(
                "the client answered sampling with another kind of result".into(),
            )),
        }
    }

    /// Asks the client for its roots.
    pub async fn roots(&self) -> Result<ListRootsResult, Error> {
        self.roots_keyed(None).await
    }

    /// Like [`roots`](Self::roots), under a key the handler chooses for the
    /// `inputRequests` entry of a stateless request (instead of a generated
    /// `roots-N`). Keys must be unique within one handler run; reusing one
    /// fails.
    pub async fn roots_with_key(&self, key: impl Into<String>) -> Result<ListRootsResult, Error> {
        self.roots_keyed(Some(key.into())).await
    }

    async fn roots_keyed(&self, key: Option<String>) -> Result<ListRootsResult, Error> {
        if !self.client_capabilities().supports_roots() {
            return Err(
                self.missing_capability("The client does not support roots", json!({"roots": {}}))
            );
        }
        match self
            .ask("roots", key, InputRequest::ListRoots(None))
            .await?
        {
            InputResponse::ListRoots(r) => Ok(r),
            _ => Err(Error::Protocol(
                "the client answered roots/list with another kind of result".into(),
            )),
        }
    }

    /// Whether a stateless ask of this run went without an answer.
    pub(crate) fn has_unanswered(&self) -> bool {
        self.inner.any_unanswered.load(Ordering::Relaxed)
    }

    /// Takes the stateless asks of this run that had no answer, oldest first.
    pub(crate) fn take_unanswered(&self) -> Vec<PendingInput> {
        std::mem::take(&mut *lock(&self.inner.unanswered))
    }

    /// Sends one input request: a server-to-client request in a session, or
    /// an `input_required` answer (unless already answered) when stateless.
    ///
    /// The key is `chosen`, or `{kind}-{n}` with `n` counting the generated
    /// keys of this handler run; a key used twice in one run is an error.
    async fn ask(
        &self,
        kind: &str,
        chosen: Option<String>,
        request: InputRequest,
    ) -> Result<InputResponse, Error> {
        let key = match chosen {
            Some(k) => k,
            None => {
                let n = self.inner.asked.fetch_add(1, Ordering::Relaxed);
                format!("{kind}-{n}")
            }
        };
        let fresh = lock(&self.inner.keys).insert(key.clone());
        if !fresh {
            return Err(Error::internal(format!(
                "the input key {key:?} was used twice in one request"
            )));
        }
        if let Some(task) = self.inner.task.bound() {
            return super::tasks::ask(self, task, key, request).await;
        }
        match self.inner.era {
            Era::Session => {
                let method = request.method().to_owned();
                let params = match serde_json::to_value(&request)? {
                    Value::Object(mut m) => m.remove("params"),
                    _ => None,
                };
                let opts = mcpwire_rpc::engine::RequestOptions::new()
                    .cancel_token(self.inner.cancel.clone())
                    .related_to(self.inner.id.clone());
                let v = self.inner.peer.request_with(&method, params, opts).await?;
                let r = match request {
                    InputRequest::Elicit(_) => serde_json::from_value(v).map(InputResponse::Elicit),
                    InputRequest::CreateMessage(_) => {
                        serde_json::from_value(v).map(InputResponse::CreateMessage)
                    }
                    _ => serde_json::from_value(v).map(InputResponse::ListRoots),
                };
                r.map_err(|e| Error::Protocol(format!("malformed {method} result: {e}")))
            }
            Era::Stateless => {
                if let Some(answer) = self
                    .inner
                    .input_responses
                    .as_ref()
                    .and_then(|r| r.get(&key))
                {
                    return Ok(answer.clone());
                }
                let pending = PendingInput { key, request };
                lock(&self.inner.unanswered).push(pending.clone());
                self.inner.any_unanswered.store(true, Ordering::Relaxed);
                Err(Error::InputRequired(Box::new(pending)))
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
