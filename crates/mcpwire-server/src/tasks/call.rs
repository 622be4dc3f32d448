//! Whether a `tools/call` runs as a task, and running it as one: from the
//! start, or from the point where its handler calls
//! [`Context::continue_as_task`](crate::Context::continue_as_task).

use std::sync::Arc;

use futures_util::future::BoxFuture;
use mcpwire_types::{
    CallToolRequestParams, ClientCapabilities, CreateTaskResult, ErrorCode, ErrorObject,
    ResultType, TaskSupport, meta, methods,
};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::binding::Binding;
use super::runtime::{RunEnd, TaskRuntime, store_error as store_failure};
use super::store::{TaskRecord, TaskStoreError};
use super::{task_support, wire};
use crate::input::{Ran, Target};
use crate::params::to_value;
use crate::session::Connection;
use crate::{Era, ToolRoute};
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{Extensions, RequestContext};

/// What became of a `tools/call` that was to run as a task.
pub(crate) enum Routed {
    /// Answered here (a task was made, or the call was refused).
    Done(Value),
    /// A plain call after all (no room for a task): the caller runs it.
    Plain(Box<CallToolRequestParams>),
}

/// How a `tools/call` becomes a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaskStart {
    /// At once.
    Now(TaskSupport),
    /// When its handler says so ([`Context::continue_as_task`]).
    ///
    /// [`Context::continue_as_task`]: crate::Context::continue_as_task
    AfterInput(TaskSupport),
}

/// Whether a stateless request declares the tasks extension in its `_meta`.
pub(crate) fn declares_extension(meta: Option<&Map<String, Value>>) -> bool {
    // Read in place: this runs on every stateless call.
    meta.and_then(|m| mcpwire_rpc::fields::field(m, meta::CLIENT_CAPABILITIES))
        .and_then(|c| mcpwire_rpc::fields::get(c, "extensions"))
        .and_then(Value::as_object)
        .is_some_and(|e| e.contains_key(meta::TASKS_EXTENSION))
}

/// `-32021` naming the tasks extension.
pub(crate) fn extension_required(message: &str) -> Error {
    let caps = ClientCapabilities {
        extensions: Some(Map::from_iter([(
            meta::TASKS_EXTENSION.to_owned(),
            json!({}),
        )])),
        ..Default::default()
    };
    Error::Rpc(ErrorObject::missing_required_client_capability(
        message, caps,
    ))
}

/// How a call that became a task is answered.
fn created(record: &TaskRecord, era: Era) -> Result<Value, Error> {
    match era {
        Era::Stateless => to_value(&wire::detailed_task(record, Some(ResultType::Task))),
        Era::Session => to_value(&CreateTaskResult {
            task: wire::legacy_task(record),
            result_type: None,
            meta: None,
        }),
    }
}

impl Connection {
    /// Whether `p` runs as a task, as the tool, the era and the client
    /// call for (`None` for a plain call); refuses calls that break the
    /// tool's task support. Decided without waiting for anything, so that
    /// a plain call's future carries nothing of a task's.
    pub(crate) fn task_start(
        &self,
        route: &ToolRoute,
        p: &CallToolRequestParams,
        era: Era,
    ) -> Result<Option<TaskStart>, Error> {
        let support = task_support(route);
        match era {
            Era::Session => match (support, p.task.is_some()) {
                (TaskSupport::Optional | TaskSupport::Required, true) => {
                    Ok(Some(TaskStart::Now(support)))
                }
                (TaskSupport::Required, false) => Err(Error::rpc(
                    ErrorCode::METHOD_NOT_FOUND,
                    format!(
                        "Method not found: tool {:?} runs only as a task; call it with params.task",
                        p.name
                    ),
                )),
                (TaskSupport::Forbidden, true) if super::serves_tasks(&self.server) => {
                    Err(Error::rpc(
                        ErrorCode::METHOD_NOT_FOUND,
                        format!(
                            "Method not found: tool {:?} does not run as a task; call it without params.task",
                            p.name
                        ),
                    ))
                }
                _ => Ok(None),
            },
            Era::Stateless => {
                if support == TaskSupport::Forbidden {
                    return Ok(None);
                }
                match (support, declares_extension(p.meta.as_ref())) {
                    (TaskSupport::Forbidden, _) | (TaskSupport::Optional, false) => Ok(None),
                    (TaskSupport::Required, false) => Err(extension_required(&format!(
                        "Missing required client capability: tool {:?} runs only as a task, \
                         which needs the {} extension",
                        p.name,
                        meta::TASKS_EXTENSION
                    ))),
                    (_, true) if route.defers_task => Ok(Some(TaskStart::AfterInput(support))),
                    (_, true) => Ok(Some(TaskStart::Now(support))),
                }
            }
        }
    }

    /// Runs the call `p` as a task, as `start` says.
    pub(crate) fn run_as_task<'a>(
        &'a self,
        start: TaskStart,
        route: Arc<ToolRoute>,
        p: CallToolRequestParams,
        cx: &'a RequestContext,
        era: Era,
    ) -> BoxFuture<'a, Result<Routed, Error>> {
        match start {
            TaskStart::Now(support) => Box::pin(self.start_task(route, p, cx, era, support)),
            TaskStart::AfterInput(support) => {
                Box::pin(self.start_task_later(route, p, cx, support))
            }
        }
    }

    /// Makes the call a task at once and runs its handler in the
    /// background.
    async fn start_task(
        &self,
        route: Arc<ToolRoute>,
        mut p: CallToolRequestParams,
        cx: &RequestContext,
        era: Era,
        support: TaskSupport,
    ) -> Result<Routed, Error> {
        let runtime = self.server.inner.tasks.clone();
        let answers = self.answers(
            era,
            call_target(&p.name),
            p.request_state.as_deref(),
            p.input_responses.take(),
        )?;
        let token = CancellationToken::new();
        let (owner, notify) = match era {
            Era::Session => (
                Some(self.state.task_scope.id().to_owned()),
                Some(cx.peer.clone()),
            ),
            Era::Stateless => (stateless_owner(&cx.extensions), None),
        };
        let requested_ttl = p.task.as_ref().and_then(|t| t.ttl);
        let legacy = era == Era::Session;
        // A task running here hears what other replicas relay about it.
        self.server.start_fan_out();
        let (record, live) = match runtime
            .create(owner, requested_ttl, legacy, notify, token.clone())
            .await
        {
            Ok(made) => made,
            Err(TaskStoreError::Full(_)) if support == TaskSupport::Optional && !legacy => {
                // No room for another task: answer this one directly.
                p.input_responses = answers;
                return Ok(Routed::Plain(Box::new(p)));
            }
            Err(e) => return Err(store_failure(e)),
        };
        let ttl = record.ttl;
        let task_cx = RequestContext {
            id: cx.id.clone(),
            peer: cx.peer.clone(),
            cancel: token.clone(),
            extensions: cx.extensions.clone(),
        };
        let context = self.context(task_cx, era, p.meta.take(), answers);
        let binding = Binding {
            runtime: runtime.clone(),
            live: live.clone(),
        };
        context.inner.task.bind(binding, ttl);
        let handler = route.handler.call(context, p.arguments.unwrap_or_default());
        TaskRuntime::run(handler, token, move |end| async move {
            runtime.finish(&live, end).await;
        });
        created(&record, era).map(Routed::Done)
    }

    /// Runs the handler now and makes the call a task when the handler
    /// says so ([`Context::continue_as_task`]); until then it is a plain
    /// (multi round-trip) call.
    ///
    /// [`Context::continue_as_task`]: crate::Context::continue_as_task
    async fn start_task_later(
        &self,
        route: Arc<ToolRoute>,
        mut p: CallToolRequestParams,
        cx: &RequestContext,
        support: TaskSupport,
    ) -> Result<Routed, Error> {
        let era = Era::Stateless;
        let runtime = self.server.inner.tasks.clone();
        let answers = self.answers(
            era,
            call_target(&p.name),
            p.request_state.as_deref(),
            p.input_responses.take(),
        )?;
        let token = CancellationToken::new();
        let task_cx = RequestContext {
            id: cx.id.clone(),
            peer: cx.peer.clone(),
            cancel: token.clone(),
            extensions: cx.extensions.clone(),
        };
        let context = self.context(task_cx, era, p.meta.take(), answers.clone());
        let (offer, mut asked) = oneshot::channel();
        context.inner.task.offer(offer);
        let (done_tx, mut done) = oneshot::channel();
        let handler = route
            .handler
            .call(context.clone(), p.arguments.unwrap_or_default());
        let runner = context.clone();
        TaskRuntime::run(handler, token.clone(), move |end| async move {
            match runner.inner.task.bound().cloned() {
                Some(b) => b.runtime.finish(&b.live, end).await,
                None => {
                    let _ = done_tx.send(end);
                }
            }
        });
        let end = tokio::select! {
            end = &mut done => end,
            Ok(ack) = &mut asked => {
                let owner = stateless_owner(&cx.extensions);
                self.server.start_fan_out();
                let made = runtime.create(owner, None, false, None, token.clone()).await;
                let result = match made {
                    Ok((record, live)) => {
                        let ttl = record.ttl;
                        context.inner.task.bind(Binding { runtime, live }, ttl);
                        Some(created(&record, era))
                    }
                    // No room for another task: the handler carries on and
                    // answers this call directly.
                    Err(TaskStoreError::Full(_)) if support == TaskSupport::Optional => None,
                    Err(e) => {
                        token.cancel();
                        Some(Err(store_failure(e)))
                    }
                };
                let _ = ack.send(());
                match result {
                    Some(r) => return r.map(Routed::Done),
                    None => (&mut done).await,
                }
            }
            () = cx.cancel.cancelled() => {
                token.cancel();
                return Err(Error::Cancelled);
            }
        };
        let end = end.map_err(|_| Error::internal("a tool handler vanished"))?;
        self.plain_outcome(&context, end, &p.name, answers)
            .map(Routed::Done)
    }

    /// The answer to a call whose handler ended before making a task, as
    /// a plain call would give it.
    fn plain_outcome(
        &self,
        cx: &crate::Context,
        end: RunEnd,
        name: &str,
        answers: Option<mcpwire_types::InputResponses>,
    ) -> Result<Value, Error> {
        let out = match end {
            RunEnd::Done(out) => out,
            RunEnd::Panicked => {
                return Err(Error::internal(format!(
                    "the handler of tool {name:?} panicked"
                )));
            }
            RunEnd::Stopped => return Err(Error::Cancelled),
        };
        match self.settle(cx, out, call_target(name), answers)? {
            Ran::InputRequired(v) => Ok(v),
            Ran::Done(Ok(r)) => to_value(&r),
            Ran::Done(Err(e)) => to_value(&crate::tool_error::tool_fault(name, e)?),
        }
    }
}

/// Where the answers of a call of the tool `name` are sealed.
fn call_target(name: &str) -> Target<'_> {
    Target {
        method: methods::TOOLS_CALL,
        name,
    }
}

/// Who owns a task of the extension (2026-07-28): the principal of the
/// request that made it ([`Extensions::principal`], e.g. the OAuth
/// subject), so only that principal can see, update or cancel it; nobody
/// in particular without one.
pub(crate) fn stateless_owner(extensions: &Extensions) -> Option<String> {
    // Prefixed, so no principal can pass for a session's scope.
    extensions.principal().map(|p| format!("principal:{p}"))
}
