//! The example in the documentation of `#[resource]` (crates/mcpwire-macros/src/lib.rs),
//! as written: it builds, and its assertions hold.

use mcpwire::server::Server;

/// The read-me.
#[mcpwire::resource("memo://readme", mime_type = "text/plain")]
fn readme() -> String {
    "Read me first".to_owned()
}

/// The ticket numbers that start with what was typed.
fn ticket_ids(prefix: String) -> Vec<String> {
    (40..50).map(|n| n.to_string()).filter(|n| n.starts_with(&prefix)).collect()
}

/// One ticket.
#[mcpwire::resource("ticket://{id}{?verbose}", complete(id = ticket_ids))]
async fn ticket(id: u64, verbose: Option<bool>) -> Result<String, mcpwire::Error> {
    Ok(format!("ticket {id} (verbose: {verbose:?})"))
}

fn main() {
    assert_eq!(readme_resource().definition().uri, "memo://readme");
    assert_eq!(ticket_resource().definition().uri_template, "ticket://{id}{?verbose}");
    let server = Server::builder("demo", "1.0")
        .resource(readme_resource())
        .resource(ticket_resource())
        .build()
        .unwrap();
    let _ = server;
}
