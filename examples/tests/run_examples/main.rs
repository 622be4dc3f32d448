//! Runs the user-facing examples for real, one module per example: each is
//! started as the program users run (servers on `127.0.0.1:0`, handing
//! over the endpoint they print) and driven with the mcpwire client, plain
//! HTTP, or the `http_client` example.

#[path = "../common/mod.rs"]
mod common;

mod axum_mount;
mod clients;
mod http_client;
mod oauth_protected;
mod quickstart;
mod routes_with_state;
mod schemas;
mod servers;

use mcpwire::types::{CallToolResult, ContentBlock};

/// The text blocks of a tool result, joined.
fn text(r: &CallToolResult) -> String {
    r.content.iter().filter_map(ContentBlock::as_text).collect()
}
