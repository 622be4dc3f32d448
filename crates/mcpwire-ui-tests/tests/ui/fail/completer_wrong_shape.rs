fn by_number(prefix: u32) -> Vec<String> {
    vec![prefix.to_string()]
}

/// Greets someone.
#[mcpwire::prompt(complete(name = by_number))]
fn greet(name: String) -> String {
    format!("Say hello to {name}")
}

fn main() {}
