//! Argument completion for prompts and resource templates.

use std::future::Future;
use std::sync::Arc;

use super::tool::BoxFuture;

/// Most values one completion answer may carry.
pub const MAX_COMPLETION_VALUES: usize = 100;

/// Suggests values for one argument from the text typed so far.
#[derive(Clone)]
pub struct Completer(Arc<dyn Fn(String) -> BoxFuture<Vec<String>> + Send + Sync>);

impl Completer {
    /// Wraps an async function of the typed prefix.
    pub fn new<F, Fut>(f: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<String>> + Send + 'static,
    {
        Completer(Arc::new(move |s| Box::pin(f(s))))
    }

    /// Runs the completer.
    pub async fn complete(&self, typed: String) -> Vec<String> {
        (self.0)(typed).await
    }
}

impl std::fmt::Debug for Completer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Completer")
    }
}
