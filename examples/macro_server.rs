//! A server written with the macros: `#[tool]`, `#[prompt]` and
//! `#[resource]` on plain functions, over stdio or HTTP. One tool asks the
//! client for input (sampling and elicitation), in either protocol era.
//!
//! ```text
//! cargo run -p mcpwire-examples --example macro_server -- stdio
//! cargo run -p mcpwire-examples --example macro_server -- http 127.0.0.1:8080   # at /mcp
//! ```
//!
//! Over HTTP it prints its endpoint on stdout once it listens; give port 0
//! (`http 127.0.0.1:0`) to let the system pick a free one. The
//! `asking_client` example starts it on stdio and answers what
//! `plan_trip` asks.

use mcpwire::server::{Context, Json, Server};
use mcpwire::types::{
    CreateMessageRequestParams, ElicitAction, ElicitRequestFormParams, ElicitRequestParams,
    SamplingMessage, SamplingMessageContentBlock,
};
use serde_json::json;

/// The cities `plan_trip` and the `guide` prompt know.
const CITIES: [&str; 4] = ["Lisbon", "London", "Paris", "Prague"];

/// What `word_count` returns, as structured content.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct Counts {
    /// Words, split on whitespace.
    words: usize,
    /// Characters (Unicode scalar values).
    chars: usize,
}

/// Counts the words and characters of a text.
//
// The doc comment is the description; `title` and the behaviour hints in
// `annotations(...)` are listed with the tool, and `Json<Counts>` gives it
// an output schema.
#[mcpwire::tool(
    title = "Word count",
    annotations(read_only, idempotent, open_world = false)
)]
fn word_count(
    /// The text to count.
    text: String,
) -> Json<Counts> {
    Json(Counts {
        words: text.split_whitespace().count(),
        chars: text.chars().count(),
    })
}

/// Plans a trip: asks the user when they travel (elicitation) and the
/// client's model for a tip (sampling).
//
// In a 2025-11-25 session each ask is a request to the client. In a
// 2026-07-28 stateless call the server answers `input_required`, the
// client gathers both answers and calls again, and this function runs
// again from the start with them at hand; so nothing before the asks may
// have effects. Awaited together, both asks go out in one round.
#[mcpwire::tool(title = "Plan a trip", annotations(read_only))]
async fn plan_trip(
    cx: Context,
    /// Where to go.
    city: String,
) -> Result<String, mcpwire::Error> {
    let when = ElicitRequestParams::Form(ElicitRequestFormParams::new(
        format!("When do you travel to {city}?"),
        json!({
            "type": "object",
            "properties": {"month": {"type": "string", "description": "The month"}},
            "required": ["month"],
        }),
    ));
    let tip = CreateMessageRequestParams::new(
        vec![SamplingMessage::user_text(format!(
            "One tip for a visit to {city}, in one sentence."
        ))],
        100,
    );
    let (when, tip) = tokio::join!(cx.elicit(when), cx.sample(tip));
    let (when, tip) = (when?, tip?);

    let month = match (when.action, &when.content) {
        (ElicitAction::Accept, Some(content)) => content
            .get("month")
            .and_then(|m| m.as_str())
            .unwrap_or("some month")
            .to_owned(),
        _ => "no date given".to_owned(),
    };
    let text: String = tip
        .content
        .blocks()
        .iter()
        .filter_map(|b| match b {
            SamplingMessageContentBlock::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect();
    // The model the client used says who gave the tip.
    Ok(format!("{city} in {month}; {} says: {text}", tip.model))
}

/// The cities that start with what was typed: the completer of the
/// `city` argument below.
fn cities(typed: String) -> Vec<String> {
    CITIES
        .into_iter()
        .filter(|c| c.starts_with(&typed))
        .map(str::to_owned)
        .collect()
}

/// Asks the model for a short guide to a city.
#[mcpwire::prompt(title = "City guide", complete(city = cities))]
fn guide(
    /// The city to write about.
    city: String,
    /// How many days the visit lasts (default: 2).
    days: Option<u32>,
) -> String {
    format!("Write a {}-day guide to {city}.", days.unwrap_or(2))
}

/// Facts about one city: a resource template whose `{city}` completes.
#[mcpwire::resource(
    "cities://{city}",
    title = "City facts",
    mime_type = "text/plain",
    complete(city = cities)
)]
fn city_facts(city: String) -> Result<String, mcpwire::Error> {
    if !CITIES.contains(&city.as_str()) {
        // A URI the server does not serve: the client sees "not found".
        return Err(mcpwire::Error::resource_not_found(format!(
            "cities://{city}"
        )));
    }
    Ok(format!("{city} is one of the cities this server knows."))
}

fn server() -> Result<Server, mcpwire::server::BuildError> {
    // Each macro wrote a sibling function that returns the route.
    Server::builder("macro-server", env!("CARGO_PKG_VERSION"))
        .instructions("Counts words, plans trips and writes city guides.")
        .tool(word_count_tool())
        .tool(plan_trip_tool())
        .prompt(guide_prompt())
        .resource(city_facts_resource())
        .build()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    mcpwire_examples::serve_from_args("macro_server", server()?)
}
