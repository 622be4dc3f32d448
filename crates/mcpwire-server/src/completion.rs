//! Argument completion for prompts and resource templates: the
//! [`Completer`] a route holds, and `completion/complete`.

use std::future::Future;
use std::sync::Arc;

use mcpwire_types::{CompleteReference, CompleteRequestParams, CompleteResult};
use serde_json::Value;

use super::params::{params, to_value};
use super::session::Connection;
use super::tool::BoxFuture;
use super::{read, uri_limit};
use mcpwire_rpc::Error;

/// Most values one completion answer may carry.
pub const MAX_COMPLETION_VALUES: usize = 100;

/// Suggests values for one argument from the text typed so far.
#[derive(Clone)]
pub struct Completer(Arc<dyn Fn(String) -> BoxFuture<Vec<String>> + Send + Sync>);

impl Completer {
    /// Wraps an async function of the typed prefix.
    ///
    /// ```
    /// use mcpwire_server::Completer;
    /// let colours = Completer::new(|typed: String| async move {
    ///     ["red", "green"].iter().filter(|c| c.starts_with(&typed)).map(|c| c.to_string()).collect()
    /// });
    /// # let _ = colours;
    /// ```
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

impl Connection {
    /// `completion/complete`: the values the argument's completer suggests,
    /// at most [`MAX_COMPLETION_VALUES`] of them.
    pub(crate) async fn complete(&self, raw: Option<Value>) -> Result<Value, Error> {
        let p: CompleteRequestParams = params(raw)?;
        let inner = &self.server.inner;
        let completer = match &p.reference {
            CompleteReference::Prompt(r) => {
                let registry = read(&inner.registry);
                let Some(prompt) = registry.prompts.get(&r.name) else {
                    return Err(Error::invalid_params(format!("Unknown prompt: {}", r.name)));
                };
                prompt.completers.get(&p.argument.name).cloned()
            }
            CompleteReference::Resource(r) => {
                uri_limit::check(&r.uri, inner.max_uri_length)?;
                let registry = read(&inner.registry);
                let Some(t) = registry
                    .templates
                    .iter()
                    .find(|t| t.def.uri_template == r.uri)
                else {
                    return Err(Error::invalid_params(format!(
                        "Unknown resource template: {}",
                        uri_limit::quoted(&r.uri)
                    )));
                };
                t.completers.get(&p.argument.name).cloned()
            }
        };
        let mut values = match completer {
            Some(c) => c.complete(p.argument.value.clone()).await,
            None => Vec::new(),
        };
        let total = values.len();
        values.truncate(MAX_COMPLETION_VALUES);
        let mut result = CompleteResult::new(values);
        result.completion.total = Some(total as u64);
        result.completion.has_more = Some(total > MAX_COMPLETION_VALUES);
        to_value(&result)
    }
}
