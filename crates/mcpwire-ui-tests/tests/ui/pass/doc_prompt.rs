//! The example in the documentation of `#[prompt]` (crates/mcpwire-macros/src/lib.rs),
//! as written: it builds, and its assertions hold.

use mcpwire::server::GivenArguments;

/// The names that start with what was typed.
fn names(prefix: String) -> Vec<String> {
    ["Ada", "Alan", "Grace"].iter().filter(|n| n.starts_with(&prefix)).map(|n| n.to_string()).collect()
}

/// Greetings in the language already chosen.
async fn greetings(prefix: String, given: GivenArguments) -> Vec<String> {
    let all: &[&str] = match given.get("language").map(String::as_str) {
        Some("fr") => &["bonjour", "salut"],
        _ => &["hello", "hi"],
    };
    all.iter().filter(|g| g.starts_with(&prefix)).map(|g| g.to_string()).collect()
}

/// Greets someone.
#[mcpwire::prompt(title = "Greeting", complete(name = names, greeting = greetings))]
fn greet(
    /// Who to greet
    name: String,
    excited: Option<bool>,
    language: Option<String>,
    greeting: Option<String>,
) -> String {
    let end = if excited.unwrap_or(false) { "!" } else { "." };
    let greeting = greeting.unwrap_or_else(|| "hello".into());
    format!("Say {greeting} to {name}{end} ({})", language.unwrap_or_default())
}

fn main() {
    let greet = greet_prompt();
    let args = greet.definition().arguments.as_ref().unwrap();
    assert_eq!((args[0].name.as_str(), args[0].required), ("name", Some(true)));
    assert_eq!((args[1].name.as_str(), args[1].required), ("excited", Some(false)));
}
