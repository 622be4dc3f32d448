struct App;

#[mcpwire::routes]
impl App {
    #[tool]
    fn search(&self, q: String) -> String {
        q
    }

    #[tool(name = "search")]
    fn find(&self, q: String) -> String {
        q
    }
}

fn main() {}
