//! Prompts: definitions with arguments, handlers, and how handler return
//! values become `GetPromptResult`s.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use mcpwire_types::{GetPromptResult, Prompt, PromptArgument, PromptMessage};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Context;
use super::arguments::Arguments;
use super::completion::Completer;
use super::schema::schema_for;
use super::tool::BoxFuture;
use mcpwire_rpc::Error;

/// Renders one prompt from its string arguments.
pub trait PromptHandler: Send + Sync + 'static {
    /// Renders the prompt.
    fn get(
        &self,
        cx: Context,
        args: HashMap<String, String>,
    ) -> BoxFuture<Result<GetPromptResult, Error>>;
}

impl<F, Fut, R> PromptHandler for F
where
    F: Fn(Context, HashMap<String, String>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoPromptResult,
{
    fn get(
        &self,
        cx: Context,
        args: HashMap<String, String>,
    ) -> BoxFuture<Result<GetPromptResult, Error>> {
        let fut = self(cx, args);
        Box::pin(async move { fut.await.into_prompt_result() })
    }
}

/// Turns a prompt handler's return value into a `GetPromptResult`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a prompt",
    note = "a prompt may return String, PromptMessage, Vec<PromptMessage>, GetPromptResult, or a Result of one of these whose error converts into mcpwire::Error"
)]
pub trait IntoPromptResult {
    /// Converts the value.
    fn into_prompt_result(self) -> Result<GetPromptResult, Error>;
}

impl IntoPromptResult for GetPromptResult {
    fn into_prompt_result(self) -> Result<GetPromptResult, Error> {
        Ok(self)
    }
}

impl IntoPromptResult for Vec<PromptMessage> {
    fn into_prompt_result(self) -> Result<GetPromptResult, Error> {
        Ok(GetPromptResult::new(self))
    }
}

impl IntoPromptResult for PromptMessage {
    fn into_prompt_result(self) -> Result<GetPromptResult, Error> {
        Ok(GetPromptResult::new(vec![self]))
    }
}

/// A plain string becomes one user message.
impl IntoPromptResult for String {
    fn into_prompt_result(self) -> Result<GetPromptResult, Error> {
        Ok(GetPromptResult::new(vec![PromptMessage::user_text(self)]))
    }
}

impl<T: IntoPromptResult, E: Into<Error>> IntoPromptResult for Result<T, E> {
    fn into_prompt_result(self) -> Result<GetPromptResult, Error> {
        self.map_err(Into::into)
            .and_then(IntoPromptResult::into_prompt_result)
    }
}

/// A prompt: its listing, its renderer, and completion of its arguments.
///
/// ```
/// use mcpwire_server::PromptRoute;
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Greet {
///     /// Who to greet
///     name: String,
/// }
/// let p = PromptRoute::typed("greet", |_cx, a: Greet| async move { format!("Say hello to {}", a.name) });
/// let arg = &p.definition().arguments.as_ref().unwrap()[0];
/// assert_eq!((arg.name.as_str(), arg.required), ("name", Some(true)));
/// ```
#[derive(Clone)]
pub struct PromptRoute {
    pub(crate) def: Prompt,
    pub(crate) handler: Arc<dyn PromptHandler>,
    pub(crate) completers: HashMap<String, Completer>,
}

impl std::fmt::Debug for PromptRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromptRoute")
            .field("def", &self.def)
            .finish()
    }
}

impl PromptRoute {
    /// A prompt from a definition and a raw handler.
    pub fn new(def: Prompt, handler: impl PromptHandler) -> Self {
        PromptRoute {
            def,
            handler: Arc::new(handler),
            completers: HashMap::new(),
        }
    }

    /// A prompt whose arguments deserialize into `A`. Its argument list
    /// (names, descriptions, which are required) comes from `A`'s schema.
    pub fn typed<A, F, Fut, R>(name: impl Into<String>, f: F) -> Self
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(Context, A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoPromptResult,
    {
        let mut def = Prompt::new(name);
        let args = arguments_for::<A>();
        if !args.is_empty() {
            def.arguments = Some(args);
        }
        let f = Arc::new(f);
        let handler = move |cx: Context, args: HashMap<String, String>| {
            let parsed = parse_prompt_arguments::<A>(args);
            let f = f.clone();
            async move {
                match parsed {
                    Ok(a) => f(cx, a).await.into_prompt_result(),
                    Err(e) => Err(e),
                }
            }
        };
        PromptRoute::new(def, handler)
    }

    /// The listing.
    pub fn definition(&self) -> &Prompt {
        &self.def
    }

    /// Sets the description.
    ///
    /// ```
    /// use mcpwire_server::PromptRoute;
    /// let p = PromptRoute::typed("standup", |_cx, (): ()| async { "Write my standup".to_owned() })
    ///     .description("Drafts a standup note");
    /// assert_eq!(p.definition().description.as_deref(), Some("Drafts a standup note"));
    /// ```
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.def.description = Some(text.into());
        self
    }

    /// Sets the title.
    ///
    /// ```
    /// use mcpwire_server::PromptRoute;
    /// let p = PromptRoute::typed("standup", |_cx, (): ()| async { "Write my standup".to_owned() })
    ///     .title("Standup");
    /// assert_eq!(p.definition().title.as_deref(), Some("Standup"));
    /// ```
    pub fn title(mut self, text: impl Into<String>) -> Self {
        self.def.title = Some(text.into());
        self
    }

    /// Completes values of the argument `arg` from what the user typed.
    ///
    /// ```
    /// use mcpwire_server::PromptRoute;
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Translate { text: String, language: String }
    /// let p = PromptRoute::typed("translate", |_cx, a: Translate| async move {
    ///     format!("Translate into {}: {}", a.language, a.text)
    /// })
    /// // `completion/complete` for `language` with "Fr" answers `["French"]`.
    /// .complete("language", |typed: String| async move {
    ///     ["English", "French", "German"]
    ///         .into_iter()
    ///         .filter(|l| l.starts_with(&typed))
    ///         .map(String::from)
    ///         .collect()
    /// });
    /// # let _ = p;
    /// ```
    pub fn complete<F, Fut>(mut self, arg: impl Into<String>, f: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<String>> + Send + 'static,
    {
        self.completers.insert(arg.into(), Completer::new(f));
        self
    }

    /// Completes values of the argument `arg` with a ready [`Completer`]
    /// (one that also reads the arguments already given, say).
    ///
    /// ```
    /// use mcpwire_server::{Completer, GivenArguments, PromptRoute};
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Issue { repo: String, number: String }
    /// // Issue numbers complete within the repository already given.
    /// let numbers = Completer::with_arguments(|typed: String, given: GivenArguments| async move {
    ///     let repo = given.get("repo").cloned().unwrap_or_default();
    ///     if repo.is_empty() { Vec::new() } else { vec![format!("{typed}1"), format!("{typed}2")] }
    /// });
    /// let p = PromptRoute::typed("triage", |_cx, a: Issue| async move {
    ///     format!("Triage issue {} of {}", a.number, a.repo)
    /// })
    /// .completer("number", numbers);
    /// # let _ = p;
    /// ```
    pub fn completer(mut self, arg: impl Into<String>, completer: Completer) -> Self {
        self.completers.insert(arg.into(), completer);
        self
    }

    /// Edits the listing in place.
    ///
    /// ```
    /// use mcpwire_server::PromptRoute;
    /// use mcpwire_types::Icon;
    /// let p = PromptRoute::typed("standup", |_cx, (): ()| async { "Write my standup".to_owned() })
    ///     .with_definition(|def| def.icons = Some(vec![Icon::new("https://example.com/sun.svg")]));
    /// assert_eq!(p.definition().icons.as_ref().map(Vec::len), Some(1));
    /// ```
    pub fn with_definition(mut self, edit: impl FnOnce(&mut Prompt)) -> Self {
        edit(&mut self.def);
        self
    }
}

/// The prompt arguments described by `A`'s schema.
pub fn arguments_for<A: JsonSchema>() -> Vec<PromptArgument> {
    arguments_of(&schema_for::<A>())
}

/// The prompt arguments an object schema describes.
pub(crate) fn arguments_of(schema: &Map<String, Value>) -> Vec<PromptArgument> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(name, p)| {
            let mut a = PromptArgument::new(name.clone());
            a.description = p
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned);
            a.required = Some(required.contains(&name.as_str()));
            a
        })
        .collect()
}

/// Prompt arguments arrive as strings; values that look like other JSON
/// types are offered as such first, so `A` may use numbers and booleans.
/// `A = ()` is a prompt without arguments.
pub fn parse_prompt_arguments<A: DeserializeOwned>(
    args: HashMap<String, String>,
) -> Result<A, Error> {
    let as_strings: Map<String, Value> = args
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    match A::deserialize(Arguments(as_strings)) {
        Ok(a) => Ok(a),
        Err(first) => {
            let coerced: Map<String, Value> = args
                .into_iter()
                .map(|(k, v)| {
                    let parsed = serde_json::from_str::<Value>(&v)
                        .ok()
                        .filter(|j| !j.is_string())
                        .unwrap_or(Value::String(v));
                    (k, parsed)
                })
                .collect();
            A::deserialize(Arguments(coerced))
                .map_err(|_| Error::invalid_params(format!("Invalid prompt arguments: {first}")))
        }
    }
}
