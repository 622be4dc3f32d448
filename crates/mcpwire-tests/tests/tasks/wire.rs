//! Every task message the server produces validates against the official
//! schema: 2025-11-25 in a session, and the 2026-07-28 result and error
//! shapes the extension builds on.

use mcpwire_testkit::RawPeer;
use mcpwire_types::ProtocolVersion;
use serde_json::{Value, json};

use crate::fixture::{TASKS, server};
use crate::schemas::Schemas;

struct Raw {
    io: RawPeer,
    rev: ProtocolVersion,
    next: i64,
    /// Notifications seen so far.
    notes: Vec<Value>,
}

impl Raw {
    fn start(rev: ProtocolVersion) -> Raw {
        Raw {
            io: RawPeer::serving(&server()),
            rev,
            next: 0,
            notes: Vec::new(),
        }
    }

    fn check(&self, def: &str, v: &Value) {
        Schemas::get()
            .check(self.rev, def, v)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    async fn recv(&mut self) -> Value {
        self.io.recv().await
    }

    /// Sends a request and returns its whole response, checking it and
    /// every notification before it against the schema.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let msg = json!({"jsonrpc": "2.0", "id": self.next, "method": method, "params": params});
        self.io.send(&msg).await;
        loop {
            let msg = self.recv().await;
            self.check("JSONRPCMessage", &msg);
            if msg.get("id") == Some(&json!(self.next)) {
                return msg;
            }
            if msg["method"] == "notifications/tasks/status" {
                self.check("TaskStatusNotification", &msg);
                assert!(
                    msg["params"].get("_meta").is_none(),
                    "no related-task _meta on status notifications"
                );
            }
            self.notes.push(msg);
        }
    }

    async fn result(&mut self, method: &str, params: Value, def: &str) -> Value {
        let msg = self.call(method, params).await;
        assert!(msg.get("error").is_none(), "{method}: {msg}");
        self.check(def, &msg["result"]);
        msg["result"].clone()
    }

    async fn error(&mut self, method: &str, params: Value) -> Value {
        let msg = self.call(method, params).await;
        self.check("JSONRPCErrorResponse", &msg);
        msg["error"].clone()
    }
}

#[tokio::test]
async fn session_task_messages_fit_2025_11_25() {
    let mut s = Raw::start(ProtocolVersion::V2025_11_25);
    let init = json!({"protocolVersion": "2025-11-25", "capabilities": {},
                      "clientInfo": {"name": "t", "version": "0"}});
    let r = s.result("initialize", init, "InitializeResult").await;
    assert!(r["capabilities"]["tasks"]["requests"]["tools"]["call"].is_object());
    s.result("tools/list", json!({}), "ListToolsResult").await;

    let call = json!({"name": "slow", "arguments": {"ms": 30}, "task": {"ttl": 60000}});
    let created = s.result("tools/call", call, "CreateTaskResult").await;
    let id = created["task"]["taskId"].clone();
    assert_eq!(created["task"]["ttl"], 60000);
    s.result("tasks/get", json!({"taskId": id}), "GetTaskResult")
        .await;
    let payload = s
        .result(
            "tasks/result",
            json!({"taskId": id}),
            "GetTaskPayloadResult",
        )
        .await;
    s.check("CallToolResult", &payload);
    assert_eq!(
        payload["_meta"]["io.modelcontextprotocol/related-task"]["taskId"],
        id
    );
    s.result("tasks/list", json!({}), "ListTasksResult").await;
    assert!(
        s.notes
            .iter()
            .any(|n| n["method"] == "notifications/tasks/status"),
        "a status notification came"
    );

    let call = json!({"name": "forever", "arguments": {}, "task": {}});
    let created = s.result("tools/call", call, "CreateTaskResult").await;
    let id = created["task"]["taskId"].clone();
    let cancelled = s
        .result("tasks/cancel", json!({"taskId": id}), "CancelTaskResult")
        .await;
    assert_eq!(cancelled["status"], "cancelled");
    let e = s.error("tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(e["code"], -32602);
    let e = s.error("tasks/get", json!({"taskId": "unknown"})).await;
    assert_eq!(e["code"], -32602);
    let e = s
        .error("tools/call", json!({"name": "needs_task", "arguments": {}}))
        .await;
    assert_eq!(e["code"], -32601);
}

fn stateless(mut params: Value, declare: bool) -> Value {
    let caps = if declare {
        json!({"extensions": {TASKS: {}}})
    } else {
        json!({})
    };
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": caps,
    });
    params
}

#[tokio::test]
async fn extension_messages_fit_2026_07_28() {
    let mut s = Raw::start(ProtocolVersion::V2026_07_28);
    let d = s
        .result(
            "server/discover",
            stateless(json!({}), false),
            "DiscoverResult",
        )
        .await;
    assert_eq!(d["capabilities"]["extensions"][TASKS], json!({}));
    assert!(d["capabilities"].get("tasks").is_none());

    let call = stateless(json!({"name": "needs_task", "arguments": {}}), false);
    let msg = s.call("tools/call", call).await;
    s.check("MissingRequiredClientCapabilityError", &msg);

    let call = stateless(json!({"name": "slow", "arguments": {"ms": 0}}), true);
    let created = s.result("tools/call", call, "Result").await;
    assert_eq!(created["resultType"], "task");
    for absent in [
        "task",
        "result",
        "error",
        "inputRequests",
        "requestState",
        "ttl",
    ] {
        assert!(created.get(absent).is_none(), "{absent} in {created}");
    }
    assert!(created["ttlMs"].is_u64());
    let get = stateless(json!({"taskId": created["taskId"]}), true);
    let got = s.result("tasks/get", get, "Result").await;
    assert_eq!(got["resultType"], "complete");
    let cancel = stateless(json!({"taskId": created["taskId"]}), true);
    let ack = s.result("tasks/cancel", cancel, "Result").await;
    assert!(ack.get("taskId").is_none() && ack.get("status").is_none());
    let get = stateless(json!({"taskId": created["taskId"]}), false);
    let msg = s.call("tasks/get", get).await;
    s.check("MissingRequiredClientCapabilityError", &msg);
}
