fn names(prefix: String) -> Vec<String> {
    vec![prefix]
}

/// Greets someone.
#[mcpwire::prompt(complete(nmae = names))]
fn greet(name: String) -> String {
    format!("Say hello to {name}")
}

/// One note.
#[mcpwire::resource("note://{id}", complete(id = names, title = names))]
fn note(id: String) -> String {
    id
}

/// The read-me.
#[mcpwire::resource("memo://readme", complete(id = names))]
fn readme() -> String {
    String::new()
}

fn main() {}
