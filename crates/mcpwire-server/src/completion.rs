//! Argument completion for prompts and resource templates: the
//! [`Completer`] a route holds, and `completion/complete`.

use std::collections::BTreeMap;
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

/// The arguments a client has already given, by name, as a completer may
/// read them (`context.arguments` of `completion/complete`).
pub type GivenArguments = BTreeMap<String, String>;

type CompleteBox = dyn Fn(String, GivenArguments) -> BoxFuture<Vec<String>> + Send + Sync;

/// Suggests values for one argument from the text typed so far, and the
/// other arguments already given.
#[derive(Clone)]
pub struct Completer(Arc<CompleteBox>);

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
        Completer(Arc::new(move |s, _| Box::pin(f(s))))
    }

    /// Wraps an async function of the typed prefix and of the arguments
    /// the client has already given (a repository completed within the
    /// owner given first, say).
    ///
    /// ```
    /// use mcpwire_server::{Completer, GivenArguments};
    /// let repos = Completer::with_arguments(|typed: String, given: GivenArguments| async move {
    ///     let owner = given.get("owner").cloned().unwrap_or_default();
    ///     vec![format!("{owner}/{typed}")]
    /// });
    /// # let _ = repos;
    /// ```
    pub fn with_arguments<F, Fut>(f: F) -> Self
    where
        F: Fn(String, GivenArguments) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<String>> + Send + 'static,
    {
        Completer(Arc::new(move |s, given| Box::pin(f(s, given))))
    }

    /// Runs the completer with no other argument given.
    pub async fn complete(&self, typed: String) -> Vec<String> {
        (self.0)(typed, GivenArguments::new()).await
    }

    /// Runs the completer with the arguments already given.
    pub async fn complete_given(&self, typed: String, given: GivenArguments) -> Vec<String> {
        (self.0)(typed, given).await
    }
}

/// A function that completes one argument, as `complete(arg = path)` on
/// `#[prompt]` and `#[resource]` names it. The shapes it may take:
///
/// - `fn(prefix: String) -> Vec<String>`, or an `async fn`;
/// - the same with the arguments already given last:
///   `fn(prefix: String, given: GivenArguments)`;
/// - in a `#[routes]` impl, either of these with `&self` first, to read the
///   shared state: `async fn ids(&self, prefix: String) -> Vec<String>`.
///
/// `S` is the state (`()` outside `#[routes]`) and `M` tells the shapes
/// apart; neither is written by hand. The generated code calls
/// [`complete`](Self::complete); it is public for that reason only.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot complete an argument",
    label = "not a completer",
    note = "a completer is `fn(prefix: String) -> Vec<String>` or `async fn`, optionally with `&self` first (in a #[routes] impl) and `given: GivenArguments` last"
)]
pub trait CompleteFn<'a, S: ?Sized + 'a, M> {
    /// What a call returns.
    type Future: Future<Output = Vec<String>> + Send + 'a;

    /// Calls the function with what it takes of the state, the typed
    /// prefix and the arguments given.
    fn complete(&self, state: &'a S, prefix: String, given: GivenArguments) -> Self::Future;
}

/// The shapes of [`CompleteFn`], told apart by type only.
mod shapes {
    /// Returns a future.
    pub struct Async;
    /// Returns the values.
    pub struct Blocking;
    /// Takes the prefix.
    pub struct Prefix;
    /// Takes the state and the prefix.
    pub struct StatePrefix;
    /// Takes the prefix and the given arguments.
    pub struct PrefixGiven;
    /// Takes the state, the prefix and the given arguments.
    pub struct StatePrefixGiven;
}
use shapes::{Async, Blocking, Prefix, PrefixGiven, StatePrefix, StatePrefixGiven};

macro_rules! complete_fn {
    ($shape:ident, [$($param:ty),*], |$s:ident, $p:ident, $g:ident| ($($call:expr),*)) => {
        impl<'a, S: ?Sized + 'a, F, Fut> CompleteFn<'a, S, ($shape, Async)> for F
        where
            F: Fn($($param),*) -> Fut,
            Fut: Future<Output = Vec<String>> + Send + 'a,
        {
            type Future = Fut;

            #[allow(unused_variables)]
            fn complete(&self, $s: &'a S, $p: String, $g: GivenArguments) -> Fut {
                self($($call),*)
            }
        }

        impl<'a, S: ?Sized + 'a, F> CompleteFn<'a, S, ($shape, Blocking)> for F
        where
            F: Fn($($param),*) -> Vec<String>,
        {
            type Future = std::future::Ready<Vec<String>>;

            #[allow(unused_variables)]
            fn complete(&self, $s: &'a S, $p: String, $g: GivenArguments) -> Self::Future {
                std::future::ready(self($($call),*))
            }
        }
    };
}

complete_fn!(Prefix, [String], |s, p, g| (p));
complete_fn!(StatePrefix, [&'a S, String], |s, p, g| (s, p));
complete_fn!(PrefixGiven, [String, GivenArguments], |s, p, g| (p, g));
complete_fn!(StatePrefixGiven, [&'a S, String, GivenArguments], |s, p, g| (s, p, g));

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
        let given = p.context.and_then(|c| c.arguments).unwrap_or_default();
        let mut values = match completer {
            Some(c) => c.complete_given(p.argument.value, given).await,
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
