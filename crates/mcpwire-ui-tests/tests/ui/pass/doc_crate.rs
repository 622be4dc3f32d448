//! The example in the crate documentation of mcpwire-macros (crates/mcpwire-macros/src/lib.rs),
//! as written: it builds, and its assertions hold.

use mcpwire::server::Server;

/// Adds two numbers.
#[mcpwire::tool]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// The read-me.
#[mcpwire::resource("memo://readme")]
fn readme() -> String {
    "Read me first".to_owned()
}

/// Asks for a summary.
#[mcpwire::prompt]
fn summarize(text: String) -> String {
    format!("Summarize this: {text}")
}

fn main() -> Result<(), mcpwire::server::BuildError> {
    assert_eq!(add(1.0, 2.0), 3.0); // still a plain function
    assert_eq!(add_tool().definition().description.as_deref(), Some("Adds two numbers."));
    assert_eq!(readme_resource().definition().uri, "memo://readme");
    assert_eq!(summarize_prompt().definition().name, "summarize");
    let server = Server::builder("notes", "1.0.0")
        .tool(add_tool())
        .resource(readme_resource())
        .prompt(summarize_prompt())
        .build()?;
    let _ = server;
    Ok(())
}
