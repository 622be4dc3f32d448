//! The server, client builders and scripted peer the client-era tests
//! share (`client_eras.rs` and `client_rounds.rs`).
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mcpwire::Error;
use mcpwire::client::{Client, ClientBuilder};
use mcpwire::server::{Context, PromptRoute, ResourceRoute, Server, ToolRoute};
use mcpwire_testkit::{RawPeer, memory, within};
use mcpwire_types::{
    CreateMessageRequestParams, ElicitAction, ElicitRequestFormParams, ElicitRequestParams,
    ElicitResult, ProtocolVersion, SamplingMessage,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

pub const MODERN: ProtocolVersion = ProtocolVersion::V2026_07_28;

#[derive(Deserialize, JsonSchema)]
pub struct Text {
    pub text: String,
}

#[derive(Deserialize, JsonSchema)]
pub struct NoArgs {
    /// Unused.
    #[allow(dead_code)]
    pub note: Option<String>,
}

pub async fn ask(cx: &Context, question: &str) -> Result<String, Error> {
    let form = ElicitRequestFormParams::new(
        question,
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
    );
    let r = cx.elicit(ElicitRequestParams::Form(form)).await?;
    Ok(match r.action {
        ElicitAction::Accept => r.content.unwrap_or_default()["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        other => format!("{other:?}"),
    })
}

pub fn server() -> Server {
    Server::builder("eras-server", "3.1.4")
        .instructions("Ask away.")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(ToolRoute::typed(
            "ask_once",
            |cx: Context, _a: Text| async move {
                let first = ask(&cx, "First name?").await?;
                Ok::<_, Error>(format!("hello {first}"))
            },
        ))
        .tool(ToolRoute::typed(
            "ask_twice",
            |cx: Context, _a: Text| async move {
                let first = ask(&cx, "First name?").await?;
                let last = ask(&cx, "Last name?").await?;
                Ok::<_, Error>(format!("hello {first} {last}"))
            },
        ))
        .tool(ToolRoute::typed(
            "chatty",
            |cx: Context, a: Text| async move {
                cx.info("a log line").await;
                a.text
            },
        ))
        .prompt(PromptRoute::typed(
            "rooted",
            |cx: Context, _a: NoArgs| async move {
                let roots = cx.roots().await?;
                Ok::<_, Error>(format!("{} roots", roots.roots.len()))
            },
        ))
        .resource(ResourceRoute::new(
            "memo://plain",
            "plain",
            |_cx, _uri, _vars| async { "plain text".to_string() },
        ))
        .resource(ResourceRoute::new(
            "memo://sampled",
            "sampled",
            |cx: Context, _uri, _vars| async move {
                let p = CreateMessageRequestParams::new(vec![SamplingMessage::user_text("hi")], 9);
                let r = cx.sample(p).await?;
                Ok::<_, Error>(format!("model {}", r.model))
            },
        ))
        .build()
        .unwrap()
}

/// A builder whose elicitation handler answers "Ada" to the first name and
/// "Lovelace" to the last, counting its calls.
pub fn asking_builder(calls: Arc<AtomicUsize>) -> ClientBuilder {
    Client::builder("eras-client", "0.9").on_elicitation(move |p| {
        calls.fetch_add(1, Ordering::SeqCst);
        async move {
            let ElicitRequestParams::Form(f) = p else {
                panic!("form mode expected")
            };
            let name = if f.message.starts_with("First") {
                "Ada"
            } else {
                "Lovelace"
            };
            let mut content = serde_json::Map::new();
            content.insert("name".into(), json!(name));
            Ok(ElicitResult::accept(content))
        }
    })
}

pub async fn connect_to_server(builder: ClientBuilder) -> Client {
    memory::connect(&server(), builder).await
}

/// What the scripted server does beyond the raw peer's own steps.
pub trait Scripted {
    /// The next message that is not a `notifications/cancelled`.
    async fn recv_skipping_cancels(&mut self) -> Value;

    /// Answers an `initialize` with `version` and takes the
    /// `notifications/initialized` that follows.
    async fn accept_initialize(&mut self, init: &Value, version: &str);
}

impl Scripted for RawPeer {
    async fn recv_skipping_cancels(&mut self) -> Value {
        loop {
            let v = self.recv().await;
            if v["method"] != "notifications/cancelled" {
                return v;
            }
        }
    }

    async fn accept_initialize(&mut self, init: &Value, version: &str) {
        assert_eq!(init["method"], "initialize", "{init}");
        self.reply(
            init,
            json!({
                "protocolVersion": version,
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "raw-legacy", "version": "1"},
            }),
        )
        .await;
        let note = self.recv().await;
        assert_eq!(note["method"], "notifications/initialized", "{note}");
    }
}

pub async fn connected(connecting: tokio::task::JoinHandle<Result<Client, Error>>) -> Client {
    within(
        memory::CONNECT_PATIENCE,
        "the client to connect",
        connecting,
    )
    .await
    .unwrap()
    .expect("connects")
}
