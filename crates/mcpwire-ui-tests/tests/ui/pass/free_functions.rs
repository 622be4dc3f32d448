//! Tools, resources and prompts on free functions, with every option.
#![deny(warnings, missing_docs, unused_qualifications, unreachable_pub, unused_results)]

use mcpwire::server::{Context, Json, Server};

/// Echoes.
#[mcpwire::tool(
    name = "echo",
    title = "Echo",
    description = "Echoes the text",
    read_only,
    destructive = false,
    idempotent = true,
    open_world = false
)]
pub async fn echo(cx: Context, text: String, times: Option<usize>) -> Json<Vec<String>> {
    let _ = cx.request_id();
    Json(vec![text; times.unwrap_or(1)])
}

#[mcpwire::tool]
fn nothing() {}

#[mcpwire::tool]
fn keyword(r#type: String, mut count: u8) -> String {
    count += 1;
    format!("{type} {count}")
}

/// A fixed resource.
#[mcpwire::resource("memo://readme", name = "readme", title = "Readme", mime_type = "text/plain")]
fn readme() -> String {
    String::new()
}

#[mcpwire::resource(uri = "user://{id}/posts/{post}")]
async fn post(id: u32, post: String, cx: &Context) -> Result<String, mcpwire::Error> {
    let _ = cx.request_id();
    Ok(format!("{id}/{post}"))
}

/// A prompt.
#[mcpwire::prompt(name = "ask", title = "Ask", description = "Asks")]
fn ask(question: String, polite: Option<bool>) -> String {
    format!("{question} {polite:?}")
}

fn main() {
    let _server = Server::builder("s", "1")
        .tool(echo_tool())
        .tool(nothing_tool())
        .tool(keyword_tool())
        .resource(readme_resource())
        .resource(post_resource())
        .prompt(ask_prompt())
        .build().unwrap();
}
