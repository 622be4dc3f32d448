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
    #[tool(annotations(destructive = false))]
    fn hit(&self) -> u64 {
        self.hits.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The count.
    #[resource("counter://hits")]
    async fn hits(&self) -> String {
        self.hits.load(Ordering::SeqCst).to_string()
    }

    /// Asks for a report.
    #[prompt(complete(style = Self::styles))]
    fn report(&self, style: Option<String>) -> String {
        format!("Report the hits in a {} style", style.as_deref().unwrap_or("plain"))
    }

    /// The styles that start with what was typed; more once there are hits.
    async fn styles(&self, prefix: String) -> Vec<String> {
        let styles: &[&str] = if self.hits.load(Ordering::SeqCst) > 0 {
            &["plain", "proud"]
        } else {
            &["plain"]
        };
        styles.iter().filter(|s| s.starts_with(&prefix)).map(|s| s.to_string()).collect()
    }
}

fn main() {
    // The state itself...
    let by_value = Server::builder("counter", "1.0").routes(Counter::default()).build();
    // ...or an `Arc` of it, to keep a handle on the state.
    let counter = Arc::new(Counter::default());
    let shared = Server::builder("counter", "1.0").routes(counter.clone()).build();
    // `routes()` shows what the block registers.
    let routes = counter.routes();
    assert_eq!(routes.tools[0].name(), "hit");
    assert_eq!((routes.resources.len(), routes.prompts.len()), (1, 1));
    let _ = (by_value.unwrap(), shared.unwrap());
}
