//! `crate = path` points the generated code at a re-export of mcpwire.

mod sdk {
    pub use mcpwire as wire;
}

use sdk::wire;

#[wire::tool(crate = sdk::wire)]
fn tool_here(n: Option<u8>) -> u8 {
    n.unwrap_or(0)
}

#[wire::resource("r://{id}", crate = sdk::wire)]
fn resource_here(id: u8) -> String {
    id.to_string()
}

#[wire::prompt(crate = "sdk::wire")]
fn prompt_here(topic: String) -> String {
    topic
}

struct State;

#[wire::routes(crate = sdk::wire)]
impl State {
    #[tool]
    fn method(&self) -> String {
        String::new()
    }
}

fn main() {
    let _ = wire::server::Server::builder("s", "1")
        .tool(tool_here_tool())
        .resource(resource_here_resource())
        .prompt(prompt_here_prompt())
        .routes(State)
        .build()
        .unwrap();
    let _ = wire::server::Server::builder("s", "1")
        .routes(std::sync::Arc::new(State))
        .build()
        .unwrap();
}
