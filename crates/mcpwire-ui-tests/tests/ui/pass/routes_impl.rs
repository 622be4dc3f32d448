//! A #[routes] impl block with every kind of route and receiver.
#![deny(warnings, missing_docs, unused_qualifications, unreachable_pub, unused_results)]

use std::sync::Arc;

use mcpwire::server::{Context, Routes, Server};

#[derive(Default)]
struct App {
    name: String,
}

#[mcpwire::routes]
impl App {
    /// Says hello.
    #[tool]
    async fn hello(&self, who: String) -> String {
        format!("{} greets {who}", self.name)
    }

    #[mcpwire::tool(name = "shared")]
    fn by_arc(self: Arc<Self>, cx: Context) -> Result<String, mcpwire::Error> {
        let _ = cx.request_id();
        Ok(self.name.clone())
    }

    #[tool]
    fn no_state(n: i32) -> i32 {
        n
    }

    #[resource("app://name")]
    fn name(&self) -> String {
        self.name.clone()
    }

    #[resource("app://items/{index}", mime_type = "application/json")]
    async fn item(&self, index: usize) -> String {
        index.to_string()
    }

    #[prompt]
    fn intro(&self, topic: Option<String>) -> String {
        format!("{topic:?}")
    }

    fn plain(&self) {}
}

fn main() {
    let app = Arc::new(App::default());
    app.plain();
    let routes: Routes = app.routes();
    let _server = Server::builder("s", "1").routes(routes).build().unwrap();
}
