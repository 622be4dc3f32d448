//! A client that answers what a server asks of it: sampling (a message from
//! the client's model) and elicitation (a form for the user). It starts
//! the `macro_server` example on stdio, calls `plan_trip`, whose handler
//! asks for both, and prints what it was asked and the tool's answer.
//! It does so twice: in a 2025-11-25 session (`ClientMode::Legacy`), where
//! each ask is a request from the server, and in the default
//! `ClientMode::Auto`, which speaks 2026-07-28 to an mcpwire server: there
//! the server answers `input_required`, the client runs its handlers and
//! calls again with the answers. The handlers are the same.
//!
//! ```text
//! cargo run -p mcpwire-examples --example asking_client
//! ```
//!
//! It starts the `macro_server` binary built next to it, or `cargo run`s
//! that example when there is none yet.

use mcpwire::client::{Client, ClientBuilder, ClientMode};
use mcpwire::types::{
    CreateMessageResult, ElicitRequestParams, ElicitResult, SamplingMessageContentBlock,
};
use mcpwire_examples::sibling_example;
use serde_json::{Map, json};

/// A client whose handlers answer for a user and a model. A real host
/// shows the form to its user and sends the messages to its model; these
/// answer at once, and print what they were asked.
fn answering(mode: ClientMode) -> ClientBuilder {
    Client::builder("asking-client", env!("CARGO_PKG_VERSION"))
        .mode(mode)
        .on_elicitation(|params| async move {
            let message = match &params {
                ElicitRequestParams::Form(form) => form.message.clone(),
                ElicitRequestParams::Url(url) => url.message.clone(),
            };
            println!("  elicitation asked: {message}");
            let mut content = Map::new();
            content.insert("month".to_owned(), json!("May"));
            Ok(ElicitResult::accept(content))
        })
        .on_sampling(|params| async move {
            let asked: String = params
                .messages
                .iter()
                .flat_map(|m| m.content.blocks())
                .filter_map(|b| match b {
                    SamplingMessageContentBlock::Text(t) => Some(t.text.as_str()),
                    _ => None,
                })
                .collect();
            println!("  sampling asked: {asked}");
            Ok(CreateMessageResult::assistant_text(
                "example-model",
                "Take the tram up the hill early in the morning.",
            ))
        })
}

/// Connects in `mode`, calls `plan_trip` and prints the answer.
async fn plan(label: &str, mode: ClientMode) -> Result<(), Box<dyn std::error::Error>> {
    let server = sibling_example("macro_server", &["stdio"]).spawn()?;
    let client = answering(mode).connect(server).await?;
    println!("{label}: protocol {}", client.protocol_version());
    let result = client
        .call_tool("plan_trip", json!({"city": "Lisbon"}))
        .await?;
    let text: String = result.content.iter().filter_map(|c| c.as_text()).collect();
    if result.is_error() {
        return Err(format!("plan_trip failed: {text}").into());
    }
    println!("  plan_trip: {text}");
    client.close().await;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    plan("legacy", ClientMode::Legacy).await?;
    plan("auto", ClientMode::Auto).await?;
    Ok(())
}
