//! The server, raw client and schema check the stateless tests share.
#![allow(dead_code)]

use crate::support::Schemas;
pub use mcpwire::server::{Context, ResourceRoute, Server, ServerBuilder, ToolRoute};
pub use mcpwire::transport::memory;
pub use mcpwire_types::{ElicitRequestFormParams, ElicitRequestParams, ProtocolVersion};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, JsonSchema)]
pub struct Text {
    pub text: String,
}

pub fn server() -> Server {
    builder().build()
}

pub fn form(message: &str, field: &str) -> ElicitRequestParams {
    ElicitRequestParams::Form(ElicitRequestFormParams::new(
        message,
        json!({"type":"object","properties":{field:{"type":"string"}}}),
    ))
}

pub fn builder() -> ServerBuilder {
    Server::builder("stateless-test", "2.0.0")
        .instructions("Stateless.")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(ToolRoute::typed(
            "chatty",
            |cx: Context, a: Text| async move {
                cx.info("a log line").await;
                a.text
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
                Ok::<_, mcpwire::Error>(format!("hello {}", r.content.unwrap_or_default()["name"]))
            },
        ))
        .tool(ToolRoute::typed(
            "ask_twice",
            |cx: Context, _a: Text| async move {
                let name = cx.elicit(form("Name?", "name")).await?;
                let city = cx.elicit_with_key("city", form("City?", "city")).await?;
                Ok::<_, mcpwire::Error>(format!(
                    "{} from {}",
                    name.content.unwrap_or_default()["name"],
                    city.content.unwrap_or_default()["city"]
                ))
            },
        ))
        .tool(ToolRoute::typed(
            "ask_together",
            |cx: Context, _a: Text| async move {
                let (name, city) = tokio::join!(
                    cx.elicit(form("Name?", "name")),
                    cx.elicit_with_key("city", form("City?", "city")),
                );
                Ok::<_, mcpwire::Error>(format!(
                    "{} from {}",
                    name?.content.unwrap_or_default()["name"],
                    city?.content.unwrap_or_default()["city"]
                ))
            },
        ))
        .tool(ToolRoute::typed(
            "same_key",
            |cx: Context, _a: Text| async move {
                cx.elicit_with_key("k", form("One?", "x")).await?;
                cx.elicit_with_key("k", form("Two?", "x")).await?;
                Ok::<_, mcpwire::Error>("unreachable")
            },
        ))
        .tool(ToolRoute::new(
            mcpwire::types::Tool::new("tagged", json!({"type": "object"})),
            |_cx: Context, _args: serde_json::Map<String, Value>| async move {
                let mut r = mcpwire::types::CallToolResult::text("tagged");
                r.meta = Some(serde_json::Map::from_iter([(
                    "example.com/tag".to_owned(),
                    json!("kept"),
                )]));
                Ok::<_, mcpwire::Error>(r)
            },
        ))
        .resource(ResourceRoute::new("memo://a", "a", |_cx, _u, _v| async {
            "A".to_string()
        }))
}

pub struct Raw {
    pub io: memory::MemoryTransport,
    pub next: i64,
}

pub fn meta(caps: Value) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": caps,
    })
}

impl Raw {
    pub async fn next(&mut self) -> Value {
        crate::wire_support::recv(&mut self.io).await
    }

    pub fn start() -> Raw {
        Raw::with(server())
    }

    pub fn with(s: Server) -> Raw {
        let (a, b) = memory::duplex();
        tokio::spawn(async move { s.serve(a).await });
        Raw { io: b, next: 0 }
    }

    /// Sends a request and returns every message up to its answer.
    pub async fn call(
        &mut self,
        method: &str,
        mut params: Value,
        meta_value: Option<Value>,
    ) -> (Vec<Value>, Value) {
        self.next += 1;
        if let Some(m) = meta_value {
            params["_meta"] = m;
        }
        let msg = json!({"jsonrpc":"2.0","id":self.next,"method":method,"params":params});
        crate::wire_support::send(&mut self.io, &msg).await;
        let mut before = Vec::new();
        loop {
            let v = self.next().await;
            if v.get("id") == Some(&json!(self.next)) {
                return (before, v);
            }
            before.push(v);
        }
    }
}

pub fn check(def: &str, v: &Value) {
    Schemas::get()
        .check(ProtocolVersion::V2026_07_28, def, v)
        .unwrap_or_else(|e| panic!("{e}"));
}
