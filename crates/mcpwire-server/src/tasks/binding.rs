//! A handler's link to the task it runs as: what [`Context`] offers inside
//! a task, and how its input requests travel there.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use mcpwire_types::{InputRequest, InputResponse, RelatedTaskMetadata, meta};
use serde_json::Value;
use tokio::sync::oneshot;

use super::runtime::{LiveTask, TaskRuntime};
use crate::{Context, Era};
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;

/// The task a handler runs as.
#[derive(Clone)]
pub(crate) struct Binding {
    pub(crate) runtime: Arc<TaskRuntime>,
    pub(crate) live: Arc<LiveTask>,
}

/// The handler's side of a call that may become a task: empty for plain
/// calls, bound once the call is a task.
#[derive(Default)]
pub(crate) struct TaskSlot {
    bound: OnceLock<Binding>,
    /// Set while a handler that starts its task itself
    /// ([`Context::continue_as_task`]) has not done so yet.
    offer: Mutex<Option<oneshot::Sender<oneshot::Sender<()>>>>,
}

impl TaskSlot {
    pub(crate) fn bound(&self) -> Option<&Binding> {
        self.bound.get()
    }

    /// Makes the call the task `binding`, and watches it (time to live,
    /// session end).
    pub(crate) fn bind(&self, binding: Binding, ttl: Option<Duration>) {
        binding.runtime.watch(&binding.live, ttl);
        let _ = self.bound.set(binding);
    }

    /// Lets the handler start the task: [`Context::continue_as_task`] sends
    /// on `offer` and waits for the acknowledgement it carries.
    pub(crate) fn offer(&self, offer: oneshot::Sender<oneshot::Sender<()>>) {
        *self.offer.lock().unwrap_or_else(|p| p.into_inner()) = Some(offer);
    }
}

impl Context {
    /// The id of the task this handler runs as, if the call became one.
    pub fn task_id(&self) -> Option<&str> {
        self.inner.task.bound().map(|b| b.live.id.as_str())
    }

    /// Turns the call into a task from here on, for tools that gather their
    /// input first ([`ToolRoute::task_after_input`](crate::ToolRoute::task_after_input)).
    ///
    /// Before this point, input requests are answered synchronously (in a
    /// stateless request, as `input_required` results that the client
    /// answers by retrying). Here the server answers the call with a task
    /// handle and the handler carries on in the background; the result
    /// reaches the client through `tasks/get`. When the call cannot become a
    /// task (the client did not declare the tasks extension, the tool does
    /// not defer its task, or the call already is one) this does nothing and
    /// the handler simply carries on.
    ///
    /// ```no_run
    /// use mcpwire_server::{Context, ToolRoute};
    /// use mcpwire_types::{ElicitRequestFormParams, ElicitRequestParams, TaskSupport};
    /// let route = ToolRoute::new(
    ///     mcpwire_types::Tool::new("deploy", serde_json::json!({"type": "object"})),
    ///     |cx: Context, _args| async move {
    ///         let form = ElicitRequestFormParams::new("Which region?", serde_json::json!({
    ///             "type": "object", "properties": {"region": {"type": "string"}}}));
    ///         let answer = cx.elicit(ElicitRequestParams::Form(form)).await?;
    ///         cx.continue_as_task().await;
    ///         // ... the long part, now running as a task ...
    ///         Ok(mcpwire_types::CallToolResult::text(format!("{:?}", answer.content)))
    ///     },
    /// )
    /// .task_support(TaskSupport::Optional)
    /// .task_after_input();
    /// # let _ = route;
    /// ```
    pub async fn continue_as_task(&self) {
        let offer = self
            .inner
            .task
            .offer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(offer) = offer else {
            return;
        };
        let (ack, acked) = oneshot::channel();
        if offer.send(ack).is_ok() {
            let _ = acked.await;
        }
    }

    /// Sets the `statusMessage` clients see on the task this handler runs
    /// as; does nothing outside a task.
    pub async fn set_task_status_message(&self, message: impl Into<String>) {
        let Some(b) = self.inner.task.bound() else {
            return;
        };
        let message = message.into();
        let _ = b
            .runtime
            .change(&b.live.id, move |t| t.status_message = Some(message))
            .await;
    }
}

/// Asks the client for input from inside a task.
///
/// A stateless request's own answers (multi round-trip, before the task
/// began) come first. Otherwise a task of the extension waits in
/// `input_required`, its request listed on `tasks/get`, until `tasks/update`
/// answers it; a 2025-11-25 task sends the request to the client directly,
/// tagged with the task, and is `input_required` until the answer comes.
pub(crate) async fn ask(
    cx: &Context,
    task: &Binding,
    key: String,
    request: InputRequest,
) -> Result<InputResponse, Error> {
    match cx.inner.era {
        Era::Stateless => {
            if let Some(answer) = cx.inner.input_responses.as_ref().and_then(|r| r.get(&key)) {
                return Ok(answer.clone());
            }
            task.runtime.ask_client(&task.live, key, request).await
        }
        Era::Session => {
            let rt = &task.runtime;
            rt.mark_waiting(&task.live, key.clone(), Some(request.clone()))
                .await?;
            let answer = send_tagged(cx, &task.live.id, &request).await;
            rt.mark_waiting(&task.live, key, None).await?;
            answer
        }
    }
}

/// Sends `request` to the client with the `related-task` `_meta`, and reads
/// the answer as the kind of result the request calls for.
async fn send_tagged(
    cx: &Context,
    task_id: &str,
    request: &InputRequest,
) -> Result<InputResponse, Error> {
    let method = request.method().to_owned();
    let mut params = match serde_json::to_value(request)? {
        Value::Object(mut m) => m
            .remove("params")
            .unwrap_or_else(|| Value::Object(Default::default())),
        _ => Value::Object(Default::default()),
    };
    let related = serde_json::to_value(RelatedTaskMetadata {
        task_id: task_id.to_owned(),
    })?;
    if let Value::Object(p) = &mut params
        && let Value::Object(m) = p
            .entry("_meta")
            .or_insert_with(|| Value::Object(Default::default()))
    {
        m.insert(meta::RELATED_TASK.to_owned(), related);
    }
    let opts = RequestOptions::new().cancel_token(cx.inner.cancel.clone());
    let v = cx
        .inner
        .peer
        .request_with(&method, Some(params), opts)
        .await?;
    let r = match request {
        InputRequest::Elicit(_) => serde_json::from_value(v).map(InputResponse::Elicit),
        InputRequest::CreateMessage(_) => {
            serde_json::from_value(v).map(InputResponse::CreateMessage)
        }
        _ => serde_json::from_value(v).map(InputResponse::ListRoots),
    };
    r.map_err(|e| Error::Protocol(format!("malformed {method} result: {e}")))
}
