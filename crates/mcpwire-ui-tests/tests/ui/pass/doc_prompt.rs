//! The example in the documentation of `#[prompt]` (crates/mcpwire-macros/src/lib.rs),
//! as written: it builds, and its assertions hold.

/// Greets someone.
#[mcpwire::prompt(title = "Greeting")]
fn greet(
    /// Who to greet
    name: String,
    excited: Option<bool>,
) -> String {
    let end = if excited.unwrap_or(false) { "!" } else { "." };
    format!("Say hello to {name}{end}")
}

fn main() {
    let greet = greet_prompt();
    let args = greet.definition().arguments.as_ref().unwrap();
    assert_eq!((args[0].name.as_str(), args[0].required), ("name", Some(true)));
    assert_eq!((args[1].name.as_str(), args[1].required), ("excited", Some(false)));
}
