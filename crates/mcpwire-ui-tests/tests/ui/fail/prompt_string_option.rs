#[mcpwire::prompt("greet")]
fn greet(name: String) -> String {
    name
}

fn main() {}
