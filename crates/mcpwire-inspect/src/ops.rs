//! What the page does with one connected server: list and call tools (with
//! progress, cancel and tasks), read and subscribe to resources, get
//! prompts, complete arguments, set the log level, manage roots, and send
//! any request again.
//!
//! | method and path (under `/api/servers/ID`) | what it does |
//! |---|---|
//! | `GET tools` | `tools/list`, every page |
//! | `POST call` | `tools/call` `{"name","arguments","callId"?,"task"?}`; the result's `structuredContent` is checked against the tool's `outputSchema` |
//! | `POST cancel` | cancels the running call `{"callId"}` |
//! | `GET resources` | `resources/list` and `resources/templates/list` |
//! | `POST read`, `POST subscribe`, `POST unsubscribe` | with `{"uri"}` |
//! | `GET prompts` | `prompts/list` |
//! | `POST prompt` | `prompts/get` `{"name","arguments"}` |
//! | `POST complete` | `completion/complete` `{"ref","argument","context"?}` |
//! | `POST log-level` | `{"level"}`: `logging/setLevel` in a session, the level every later request carries in 2026-07-28 |
//! | `PUT roots` | `{"roots":[{"uri","name"?}]}`, the roots offered to the server |
//! | `GET tasks`, `GET tasks/TID`, `GET tasks/TID/result`, `POST tasks/TID/cancel` | the tasks extension |
//! | `POST request` | any request `{"method","params"}`, as sent (replay) |
//! | `POST app` | loads the MCP App `{"uri"}` (a `ui://` resource) for an iframe: `{"url","allow"}` on the app origin (see [`apps`](crate::apps)) |
//! | `GET recording` | the protocol log so far as a [collection](crate::collection) that replays it |
//! | `POST run` | runs a collection (or a recorded log) against the server: a pass/fail report per step |
//!
//! Progress of a call that named a `callId` arrives on the live feed as
//! `{"type":"progress","server","callId","progress"}`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use mcpwire::client::{Client, TaskCall};
use mcpwire::engine::RequestOptions;
use mcpwire::types::{Era, LoggingLevel, Root};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use crate::App;
use crate::api::{ApiBody, error, ok_json, raw_json, read_json};
use crate::asks::ASK_WAIT;
use crate::collection::Collection;
use crate::runner;
use crate::servers::Slot;

/// How many calls with a `callId` may run at once, over every server: 256.
pub const MAX_RUNNING_CALLS: usize = 256;

/// The `_meta` key with which a 2026-07-28 request asks for a log level.
const LOG_LEVEL_META: &str = "io.modelcontextprotocol/logLevel";

/// The calls that can be cancelled, by server and the page's call id.
#[derive(Debug, Default)]
pub struct Running {
    calls: Mutex<HashMap<(u32, String), CancellationToken>>,
}

impl Running {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(u32, String), CancellationToken>> {
        self.calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Takes a call off [`Running`] when it ends, however it ends.
struct Finished<'a> {
    running: &'a Running,
    key: (u32, String),
}

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.running.lock().remove(&self.key);
    }
}

/// `POST call`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallTool {
    name: String,
    #[serde(default)]
    arguments: Map<String, Value>,
    call_id: Option<String>,
    #[serde(default)]
    task: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallId {
    call_id: String,
}

#[derive(Debug, Deserialize)]
struct Uri {
    uri: String,
}

#[derive(Debug, Deserialize)]
struct GetPrompt {
    name: String,
    #[serde(default)]
    arguments: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
struct Level {
    level: LoggingLevel,
}

#[derive(Debug, Deserialize)]
struct Roots {
    roots: Vec<Root>,
}

#[derive(Debug, Deserialize)]
struct Raw {
    method: String,
    #[serde(default)]
    params: Option<Value>,
}

/// Answers a request for server `slot`; `rest` is the path after its id.
pub(crate) async fn route(
    app: &App,
    slot: Arc<Slot>,
    method: &Method,
    rest: &[&str],
    req: Request<Incoming>,
) -> Response<ApiBody> {
    let Some(client) = slot.client() else {
        return error(StatusCode::CONFLICT, "the server is not connected");
    };
    let c = &*client;
    match (method, rest) {
        (&Method::GET, ["tools"]) => match c.list_tools().await {
            Ok(tools) => {
                slot.remember_output_schemas(&tools);
                ok_json(&json!({ "tools": tools }))
            }
            Err(e) => error(StatusCode::BAD_GATEWAY, &format!("tools/list: {e}")),
        },
        (&Method::POST, ["call"]) => match read_json::<CallTool>(app, req).await {
            Ok(call) => call_tool(app, &slot, c, call).await,
            Err(r) => r,
        },
        (&Method::POST, ["cancel"]) => match read_json::<CallId>(app, req).await {
            Ok(CallId { call_id }) => match app.running.lock().get(&(slot.id, call_id)) {
                Some(token) => {
                    token.cancel();
                    ok_json(&json!({"cancelled": true}))
                }
                None => error(StatusCode::NOT_FOUND, "no running call has that id"),
            },
            Err(r) => r,
        },
        (&Method::GET, ["resources"]) => {
            let resources = c.list_resources().await;
            let templates = c.list_resource_templates().await;
            ok_json(&json!({
                "resources": listed(resources, "resources/list"),
                "templates": listed(templates, "resources/templates/list"),
            }))
        }
        (&Method::POST, [op @ ("read" | "subscribe" | "unsubscribe")]) => {
            let uri = match read_json::<Uri>(app, req).await {
                Ok(u) => u.uri,
                Err(r) => return r,
            };
            match *op {
                "read" => {
                    answered(raw(&slot, c, "resources/read", Some(json!({"uri": uri}))).await)
                }
                "subscribe" => match slot.subscribe(&client, &uri).await {
                    Ok(()) => ok_json(&json!({"ok": true, "result": {}})),
                    Err(e) => ok_json(&json!({"ok": false, "error": e})),
                },
                _ => ok_json(&json!({"ok": slot.unsubscribe(&uri), "result": {}})),
            }
        }
        (&Method::GET, ["prompts"]) => match c.list_prompts().await {
            Ok(prompts) => ok_json(&json!({ "prompts": prompts })),
            Err(e) => error(StatusCode::BAD_GATEWAY, &format!("prompts/list: {e}")),
        },
        (&Method::POST, ["prompt"]) => match read_json::<GetPrompt>(app, req).await {
            Ok(p) => {
                let params = json!({"name": p.name, "arguments": p.arguments});
                answered(raw(&slot, c, "prompts/get", Some(params)).await)
            }
            Err(r) => r,
        },
        (&Method::POST, ["complete"]) => match read_json::<Value>(app, req).await {
            Ok(params) => answered(raw(&slot, c, "completion/complete", Some(params)).await),
            Err(r) => r,
        },
        (&Method::POST, ["log-level"]) => match read_json::<Level>(app, req).await {
            Ok(Level { level }) => set_level(&slot, c, level).await,
            Err(r) => r,
        },
        (&Method::PUT, ["roots"]) => match read_json::<Roots>(app, req).await {
            Ok(Roots { roots }) => match c.set_roots(roots) {
                Ok(()) => ok_json(&json!({"ok": true})),
                Err(e) => error(StatusCode::CONFLICT, &e.to_string()),
            },
            Err(r) => r,
        },
        (&Method::GET, ["tasks"]) => match c.list_tasks().await {
            Ok(tasks) => ok_json(&json!({ "tasks": tasks })),
            Err(e) => error(StatusCode::BAD_GATEWAY, &format!("tasks/list: {e}")),
        },
        (&Method::GET, ["tasks", id]) => answered(c.get_task(id).await.map(|t| json!(t))),
        (&Method::GET, ["tasks", id, "result"]) => {
            answered(c.task_result(id).await.map(|r| json!(r)))
        }
        (&Method::POST, ["tasks", id, "cancel"]) => {
            answered(c.cancel_task(id).await.map(|t| json!(t)))
        }
        (&Method::POST, ["request"]) => match read_json::<Raw>(app, req).await {
            Ok(r) => answered(raw(&slot, c, &r.method, r.params).await),
            Err(r) => r,
        },
        (&Method::POST, ["app"]) => {
            let uri = match read_json::<Uri>(app, req).await {
                Ok(u) => u.uri,
                Err(r) => return r,
            };
            let read = raw(&slot, c, "resources/read", Some(json!({"uri": uri}))).await;
            let content = match read {
                Ok(v) => v["contents"]
                    .as_array()
                    .and_then(|c| c.iter().find(|x| x["uri"] == uri.as_str()).or(c.first()))
                    .cloned()
                    .unwrap_or(Value::Null),
                Err(e) => {
                    return error(
                        StatusCode::BAD_GATEWAY,
                        &format!("resources/read {uri}: {e}"),
                    );
                }
            };
            match app.app_docs.register(&content) {
                Ok((name, allow)) => ok_json(&json!({
                    "url": format!("{}/app/{name}", app.app_origin),
                    "allow": allow,
                    "ui": content["_meta"]["ui"],
                })),
                Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
            }
        }
        (&Method::GET, ["recording"]) => {
            match Collection::from_protocol_log(slot.log.to_json().as_bytes()) {
                Ok(mut collection) => {
                    collection.name = format!("recorded session of {}", slot.label);
                    raw_json(StatusCode::OK, collection.to_json())
                }
                Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
            }
        }
        (&Method::POST, ["run"]) => {
            let collection = match read_json::<Value>(app, req).await {
                Ok(v) => Collection::load(v.to_string().as_bytes()),
                Err(r) => return r,
            };
            match collection.and_then(|col| col.validate().map(|()| col)) {
                Ok(col) => ok_json(&report(&runner::run(c, &col).await)),
                Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
            }
        }
        _ => error(StatusCode::NOT_FOUND, "no such endpoint"),
    }
}

/// `tools/call`, timed, with progress and cancel when the page named the
/// call, or as a task.
async fn call_tool(app: &App, slot: &Slot, c: &Client, call: CallTool) -> Response<ApiBody> {
    // The tool may ask the person something (sampling, elicitation): the
    // call waits as long as a question may.
    let mut opts = RequestOptions::new().timeout(app.timeout.max(ASK_WAIT));
    let mut _finished = None;
    if let Some(call_id) = call.call_id.clone() {
        let token = CancellationToken::new();
        {
            let mut running = app.running.lock();
            if running.len() >= MAX_RUNNING_CALLS {
                return error(
                    StatusCode::TOO_MANY_REQUESTS,
                    &format!("{MAX_RUNNING_CALLS} calls are running already"),
                );
            }
            let key = (slot.id, call_id.clone());
            if running.contains_key(&key) {
                return error(StatusCode::CONFLICT, "a call with that id is running");
            }
            running.insert(key.clone(), token.clone());
            _finished = Some(Finished {
                running: &app.running,
                key,
            });
        }
        let events = app.events.clone();
        let server = slot.id;
        opts = opts.cancel_token(token).on_progress(move |p| {
            events.publish(
                &json!({"type": "progress", "server": server, "callId": call_id, "progress": p})
                    .to_string(),
            );
        });
    }
    let start = Instant::now();
    if call.task {
        let r = c
            .call_tool(&call.name, &call.arguments)
            .options(opts)
            .meta(slot.request_meta())
            .as_task()
            .await;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        return match r {
            Ok(TaskCall::Task(task)) => ok_json(&json!({"ok": true, "ms": ms, "task": task})),
            Ok(TaskCall::Complete(result)) => {
                let check = slot.check_output(&call.name, &json!(result));
                ok_json(&json!({"ok": true, "ms": ms, "result": result, "schemaCheck": check}))
            }
            Ok(_) => ok_json(
                &json!({"ok": false, "ms": ms, "error": "an answer of a kind this inspector does not know"}),
            ),
            Err(e) => ok_json(&json!({"ok": false, "ms": ms, "error": e.to_string()})),
        };
    }
    let r = c
        .call_tool(&call.name, &call.arguments)
        .options(opts)
        .meta(slot.request_meta())
        .await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    match r {
        Ok(result) => {
            let result = json!(result);
            let check = slot.check_output(&call.name, &result);
            ok_json(&json!({"ok": true, "ms": ms, "result": result, "schemaCheck": check}))
        }
        Err(e) => ok_json(&json!({"ok": false, "ms": ms, "error": e.to_string()})),
    }
}

/// Sends `method` with `params` as they are (the log level of a
/// 2026-07-28 request added), and returns the raw result.
async fn raw(
    slot: &Slot,
    c: &Client,
    method: &str,
    params: Option<Value>,
) -> Result<Value, mcpwire::Error> {
    let params = slot.with_level(params);
    c.request_raw::<Option<Value>, Value>(method, &params, RequestOptions::new())
        .await
}

async fn set_level(slot: &Slot, c: &Client, level: LoggingLevel) -> Response<ApiBody> {
    match c.era() {
        Era::Session => match c.set_log_level(level).await {
            Ok(()) => ok_json(&json!({"level": level})),
            Err(e) => error(StatusCode::BAD_GATEWAY, &format!("logging/setLevel: {e}")),
        },
        Era::Stateless => {
            slot.set_level(level);
            ok_json(&json!({"level": level, "perRequest": true}))
        }
    }
}

/// A listing's items, or why it failed, for the page.
fn listed<T: serde::Serialize>(r: Result<Vec<T>, mcpwire::Error>, what: &str) -> Value {
    match r {
        Ok(items) => json!(items),
        Err(e) => json!({"error": format!("{what}: {e}")}),
    }
}

/// A request's outcome as the page reads it: `{"ok":true,"result"}` or
/// `{"ok":false,"error","code"?}` (a JSON-RPC error is news, not a fault
/// of the inspector).
fn answered(r: Result<Value, mcpwire::Error>) -> Response<ApiBody> {
    match r {
        Ok(result) => ok_json(&json!({"ok": true, "result": result})),
        Err(e) => {
            let code = e.code().map(|c| c.0);
            raw_json(
                StatusCode::OK,
                json!({"ok": false, "error": e.to_string(), "code": code}).to_string(),
            )
        }
    }
}

/// A run's report as the page shows it.
fn report(r: &runner::Report) -> Value {
    let steps: Vec<Value> = r
        .steps
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "method": s.method,
                "ms": s.elapsed.as_secs_f64() * 1000.0,
                "passed": s.passed(),
                "failures": s.failures,
            })
        })
        .collect();
    json!({
        "name": r.name,
        "passed": r.passed(),
        "failed": r.failed(),
        "ms": r.elapsed.as_secs_f64() * 1000.0,
        "steps": steps,
    })
}

/// The `_meta` entry that asks a 2026-07-28 server for `level`.
pub(crate) fn level_meta(level: LoggingLevel) -> (String, Value) {
    (LOG_LEVEL_META.to_owned(), json!(level))
}
