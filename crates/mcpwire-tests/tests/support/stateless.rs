//! The server, raw client and schema check the stateless tests share
//! (`stateless.rs` and `stateless_mrtr.rs`; each test file includes the
//! modules of `tests/support/` it needs).
#![allow(dead_code)]

use crate::schemas::Schemas;
pub use mcpwire::server::{Context, ResourceRoute, Server, ServerBuilder, ToolRoute};
use mcpwire_testkit::RawPeer;
pub use mcpwire_types::{ElicitRequestFormParams, ElicitRequestParams, ProtocolVersion};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, JsonSchema)]
pub struct Text {
    pub text: String,
}

pub fn server() -> Server {
    builder().build().unwrap()
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

/// A raw client of a stateless server.
pub struct Raw(pub RawPeer);

pub fn meta(caps: Value) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": caps,
    })
}

impl Raw {
    /// The next message.
    pub async fn next(&mut self) -> Value {
        self.0.recv().await
    }

    /// A raw client of [`server`].
    pub fn start() -> Raw {
        Raw::with(server())
    }

    /// A raw client of `s`.
    pub fn with(s: Server) -> Raw {
        Raw(RawPeer::serving(&s))
    }

    /// Sends a request, with `meta_value` as its `_meta` when given, and
    /// returns every message up to its answer, and the answer.
    pub async fn call(
        &mut self,
        method: &str,
        mut params: Value,
        meta_value: Option<Value>,
    ) -> (Vec<Value>, Value) {
        if let Some(m) = meta_value {
            params["_meta"] = m;
        }
        self.0.call(method, params).await
    }
}

pub fn check(def: &str, v: &Value) {
    Schemas::get()
        .check(ProtocolVersion::V2026_07_28, def, v)
        .unwrap_or_else(|e| panic!("{e}"));
}
