//! Every message the server produces validates against the official schema
//! of the revision the session negotiated.

#[allow(dead_code)]
#[path = "../../mcpwire-types/tests/support/mod.rs"]
mod schemas;

use mcpwire::server::{
    Context, Json, PromptRoute, ResourceRoute, Server, TemplateRoute, ToolRoute,
};
use mcpwire_testkit::RawPeer;
use mcpwire_types::{ElicitRequestFormParams, ElicitRequestParams, ProtocolVersion};
use schemars::JsonSchema;
use schemas::Schemas;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Deserialize, JsonSchema)]
struct Text {
    text: String,
}

#[derive(Serialize, JsonSchema)]
struct Len {
    len: usize,
}

#[derive(Deserialize, JsonSchema)]
struct Who {
    name: String,
}

fn server() -> Server {
    Server::builder("schema-check", "1.0.0")
        .instructions("For schema checks.")
        .tool(ToolRoute::typed("echo", |_cx, a: Text| async move { a.text }).title("Echo"))
        .tool(ToolRoute::typed("len", |_cx, a: Text| async move {
            Json(Len { len: a.text.len() })
        }))
        .tool(ToolRoute::typed(
            "chatty",
            |cx: Context, a: Text| async move {
                cx.progress(1.0, Some(2.0), Some("half")).await;
                cx.info(json!({"said": a.text})).await;
                "ok"
            },
        ))
        .tool(ToolRoute::typed(
            "ask",
            |cx: Context, _a: Text| async move {
                let form = ElicitRequestFormParams::new(
                    "Name?",
                    json!({"type":"object","properties":{"name":{"type":"string"}}}),
                );
                let r = cx.elicit(ElicitRequestParams::Form(form)).await?;
                Ok::<_, mcpwire::Error>(format!("{:?}", r.action))
            },
        ))
        .resource(
            ResourceRoute::new("memo://a", "a", |_cx, _u, _v| async { "A".to_string() })
                .mime_type("text/plain"),
        )
        .template(
            TemplateRoute::new("memo://{id}", "memo", |_cx, _u, v| async move {
                format!("memo {}", v["id"])
            })
            .unwrap()
            .complete("id", |_t: String| async { vec!["1".into(), "2".into()] }),
        )
        .prompt(
            PromptRoute::typed("hi", |_cx, a: Who| async move {
                format!("Say hi to {}", a.name)
            })
            .description("Hi"),
        )
        .build()
        .unwrap()
}

struct Session {
    io: RawPeer,
    rev: ProtocolVersion,
    next: i64,
    checked: usize,
}

impl Session {
    async fn start(rev: ProtocolVersion) -> Session {
        let mut s = Session {
            io: RawPeer::serving(&server()),
            rev,
            next: 0,
            checked: 0,
        };
        let caps = if rev >= ProtocolVersion::V2025_06_18 {
            json!({"elicitation": {}})
        } else {
            json!({})
        };
        let init = s
            .call("initialize", json!({"protocolVersion": rev.as_str(), "capabilities": caps, "clientInfo": {"name": "t", "version": "0"}}), "InitializeResult")
            .await;
        assert_eq!(init["protocolVersion"], rev.as_str());
        s.send(json!({"jsonrpc":"2.0","method":"notifications/initialized"}))
            .await;
        s
    }

    async fn send(&mut self, v: Value) {
        self.io.send(&v).await;
    }

    async fn recv(&mut self) -> Value {
        self.io.recv().await
    }

    fn check(&mut self, def: &str, v: &Value) {
        Schemas::get()
            .check(self.rev, def, v)
            .unwrap_or_else(|e| panic!("{e}"));
        self.checked += 1;
    }

    fn error_def(&self) -> &'static str {
        if Schemas::get().has_def(self.rev, "JSONRPCErrorResponse") {
            "JSONRPCErrorResponse"
        } else {
            "JSONRPCError"
        }
    }

    /// Sends a request, validates everything that comes back (notifications,
    /// server requests, which get an answer, and the response), and returns
    /// the result (or the error object).
    async fn call(&mut self, method: &str, params: Value, result_def: &str) -> Value {
        self.next += 1;
        let id = self.next;
        self.send(json!({"jsonrpc":"2.0","id":id,"method":method,"params":params}))
            .await;
        loop {
            let msg = self.recv().await;
            self.check("JSONRPCMessage", &msg);
            if msg.get("method").is_some() {
                let def = match msg["method"].as_str().unwrap() {
                    "notifications/progress" => "ProgressNotification",
                    "notifications/message" => "LoggingMessageNotification",
                    "elicitation/create" => "ElicitRequest",
                    other => panic!("unexpected message {other}"),
                };
                self.check(def, &msg);
                if msg.get("id").is_some() {
                    self.send(
                        json!({"jsonrpc":"2.0","id":msg["id"],"result":{"action":"decline"}}),
                    )
                    .await;
                }
                continue;
            }
            assert_eq!(msg["id"], json!(id));
            if let Some(e) = msg.get("error") {
                let def = self.error_def();
                self.check(def, &msg);
                return e.clone();
            }
            self.check(result_def, &msg["result"]);
            return msg["result"].clone();
        }
    }
}

#[tokio::test]
async fn every_produced_message_fits_the_negotiated_revision() {
    let legacy = [
        ProtocolVersion::V2024_11_05,
        ProtocolVersion::V2025_03_26,
        ProtocolVersion::V2025_06_18,
        ProtocolVersion::V2025_11_25,
    ];
    for rev in legacy {
        let mut s = Session::start(rev).await;
        s.call("ping", json!({}), "EmptyResult").await;
        let tools = s.call("tools/list", json!({}), "ListToolsResult").await;
        assert_eq!(tools["tools"].as_array().unwrap().len(), 4);
        let r = s
            .call(
                "tools/call",
                json!({"name":"echo","arguments":{"text":"hi"}}),
                "CallToolResult",
            )
            .await;
        assert_eq!(r["content"][0]["text"], "hi");
        s.call(
            "tools/call",
            json!({"name":"len","arguments":{"text":"abc"}}),
            "CallToolResult",
        )
        .await;
        let r = s
            .call(
                "tools/call",
                json!({"name":"echo","arguments":{}}),
                "CallToolResult",
            )
            .await;
        assert_eq!(r["isError"], true);
        let e = s
            .call("tools/call", json!({"name":"missing"}), "CallToolResult")
            .await;
        assert_eq!(e["code"], -32602);
        s.call(
            "tools/call",
            json!({"name":"chatty","arguments":{"text":"x"},"_meta":{"progressToken":"p1"}}),
            "CallToolResult",
        )
        .await;
        if rev >= ProtocolVersion::V2025_06_18 {
            let r = s
                .call(
                    "tools/call",
                    json!({"name":"ask","arguments":{"text":""}}),
                    "CallToolResult",
                )
                .await;
            assert_eq!(r["content"][0]["text"], "Decline");
        }
        s.call("resources/list", json!({}), "ListResourcesResult")
            .await;
        s.call(
            "resources/templates/list",
            json!({}),
            "ListResourceTemplatesResult",
        )
        .await;
        s.call(
            "resources/read",
            json!({"uri":"memo://7"}),
            "ReadResourceResult",
        )
        .await;
        let e = s
            .call(
                "resources/read",
                json!({"uri":"nope://x"}),
                "ReadResourceResult",
            )
            .await;
        assert_eq!(e["code"], -32002);
        s.call(
            "resources/subscribe",
            json!({"uri":"memo://a"}),
            "EmptyResult",
        )
        .await;
        s.call("prompts/list", json!({}), "ListPromptsResult").await;
        s.call(
            "prompts/get",
            json!({"name":"hi","arguments":{"name":"Ada"}}),
            "GetPromptResult",
        )
        .await;
        s.call("completion/complete", json!({"ref":{"type":"ref/resource","uri":"memo://{id}"},"argument":{"name":"id","value":""}}), "CompleteResult").await;
        s.call("logging/setLevel", json!({"level":"debug"}), "EmptyResult")
            .await;
        let e = s.call("nope/nope", json!({}), "EmptyResult").await;
        assert_eq!(e["code"], -32601);
        assert!(s.checked >= 30, "{rev}: checked {}", s.checked);
    }
}
