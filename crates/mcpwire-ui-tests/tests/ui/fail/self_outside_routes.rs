struct App;

impl App {
    #[mcpwire::tool]
    fn hello(&self) -> String {
        String::new()
    }
}

fn main() {}
