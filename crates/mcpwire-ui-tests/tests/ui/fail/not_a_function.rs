#[mcpwire::tool]
struct Echo {
    text: String,
}

fn main() {}
