//! The example in the documentation of `#[routes]` (crates/mcpwire-macros/src/lib.rs),
//! as written: it builds, and its assertions hold.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use mcpwire::server::Server;

#[derive(Default)]
struct Counter {
    hits: AtomicU64,
}

#[mcpwire::routes]
impl Counter {
    /// Counts one hit.
    #[tool]
    fn hit(&self) -> u64 {
        self.hits.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The count.
    #[resource("counter://hits")]
    async fn hits(&self) -> String {
        self.hits.load(Ordering::SeqCst).to_string()
    }

    /// Asks for a report.
    #[prompt]
    fn report(&self, style: Option<String>) -> String {
        format!("Report the hits in a {} style", style.as_deref().unwrap_or("plain"))
    }
}

fn main() {
    let routes = Arc::new(Counter::default()).routes();
    assert_eq!(routes.tools[0].name(), "hit");
    assert_eq!((routes.resources.len(), routes.prompts.len()), (1, 1));
    let server = Server::builder("counter", "1.0").routes(routes).build().unwrap();
    let _ = server;
}
