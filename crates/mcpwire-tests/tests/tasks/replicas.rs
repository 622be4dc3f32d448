//! Tasks across two replicas of a server that share their task store and
//! notification bus, each over HTTP with a client of its own: a task
//! started through one is polled, answered and cancelled through the
//! other, and the replica running it hears of it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mcpwire::server::{
    BoxFuture, InMemoryTaskStore, InProcessBus, TaskChange, TaskPage, TaskRecord, TaskStore,
    TaskStoreError, ToolRoute,
};
use mcpwire::transport::http_server::HttpConfig;
use mcpwire_testkit::http::{Served, serve_mcp};
use mcpwire_testkit::{eventually, within};
use mcpwire_types::{CallToolResult, TaskStatus, TaskSupport};
use serde_json::json;

use crate::fixture::*;
use crate::http::over_http;

/// One task store for both replicas.
#[derive(Clone, Default)]
struct Shared(Arc<InMemoryTaskStore>);

impl TaskStore for Shared {
    fn create(&self, task: TaskRecord) -> BoxFuture<Result<(), TaskStoreError>> {
        self.0.create(task)
    }
    fn get(&self, id: &str) -> BoxFuture<Result<Option<TaskRecord>, TaskStoreError>> {
        self.0.get(id)
    }
    fn update(
        &self,
        id: &str,
        change: TaskChange,
    ) -> BoxFuture<Result<Option<TaskRecord>, TaskStoreError>> {
        self.0.update(id, change)
    }
    fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> BoxFuture<Result<TaskPage, TaskStoreError>> {
        self.0.list(owner, cursor, limit)
    }
}

static STARTED: AtomicBool = AtomicBool::new(false);
static STOPPED: AtomicBool = AtomicBool::new(false);

async fn replicas() -> (Served<std::io::Result<()>>, Served<std::io::Result<()>>) {
    let store = Shared::default();
    let bus = Arc::new(InProcessBus::default());
    let replica = || {
        builder()
            .task_store(store.clone())
            .notification_bus(bus.clone())
            .tool(
                ToolRoute::new(
                    mcpwire_types::Tool::new("until_cancelled", json!({"type": "object"})),
                    |cx: mcpwire::server::Context,
                     _a: serde_json::Map<String, serde_json::Value>| async move {
                        // The handler ends, or is dropped, once cancelled.
                        struct Stopped;
                        impl Drop for Stopped {
                            fn drop(&mut self) {
                                STOPPED.store(true, Ordering::SeqCst);
                            }
                        }
                        let _stopped = Stopped;
                        STARTED.store(true, Ordering::SeqCst);
                        cx.cancellation().cancelled().await;
                        Ok::<_, mcpwire::Error>(CallToolResult::text("stopped"))
                    },
                )
                .task_support(TaskSupport::Optional),
            )
            .build()
            .unwrap()
    };
    let a = serve_mcp(replica(), HttpConfig::default()).await;
    let b = serve_mcp(replica(), HttpConfig::default()).await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_started_on_one_replica_is_answered_through_the_other() {
    let (a, b) = replicas().await;
    // A's client declares elicitation (the task asks it), but B's answers.
    let on_a = over_http(&a.mcp_url(), modern().on_elicitation(naming)).await;
    let on_b = over_http(&b.mcp_url(), modern().on_elicitation(naming)).await;
    let t = task_of(on_a.call_tool("two_questions", json!({})).as_task().await);
    // B polls the task A runs, answers its questions through tasks/update
    // on B, and A's handler gets the answers.
    let r = within(
        PATIENCE,
        "the task's result through B",
        on_b.task_result(&t.task_id),
    )
    .await;
    assert_eq!(text_of(&r.unwrap()), "Ada and Ada");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_cancelled_through_one_replica_stops_on_the_other() {
    let (a, b) = replicas().await;
    let on_a = over_http(&a.mcp_url(), modern()).await;
    let on_b = over_http(&b.mcp_url(), modern()).await;
    let t = task_of(on_a.call_tool("until_cancelled", json!({})).as_task().await);
    // (A task cancelled before its handler starts never runs it at all.)
    eventually(PATIENCE, "the handler on A to start", || async {
        STARTED.load(Ordering::SeqCst)
    })
    .await;
    on_b.cancel_task(&t.task_id).await.unwrap();
    assert_eq!(
        on_a.get_task(&t.task_id).await.unwrap().status,
        TaskStatus::Cancelled
    );
    eventually(PATIENCE, "the handler on A to stop", || async {
        STOPPED.load(Ordering::SeqCst)
    })
    .await;
}
