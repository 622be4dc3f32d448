#[mcpwire::tool(ui = "https://desk.example/board")]
async fn board() -> String {
    "3 open".into()
}

fn main() {}
