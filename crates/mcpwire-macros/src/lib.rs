//! Attribute macros for mcpwire: `#[tool]`, `#[resource]`, `#[prompt]` and
//! `#[routes]`.
//!
//! Use them through the `mcpwire` crate (`mcpwire::tool`, ...), which
//! re-exports them. The generated code names only paths under `::mcpwire`
//! (or the path given with `crate = ...`), so a crate that uses the macros
//! needs no direct `serde` or `schemars` dependency.
//!
//! Every macro keeps the function as written, so it stays callable from
//! Rust, and adds a constructor for its route: `#[tool] fn echo` adds
//! `echo_tool()`, `#[resource] fn readme` adds `readme_resource()` and
//! `#[prompt] fn greet` adds `greet_prompt()`. On methods, `#[routes]` on the
//! `impl` block gathers them into one `routes()`.
//!
//! ```
//! use mcpwire::server::Server;
//!
//! /// Adds two numbers.
//! #[mcpwire::tool]
//! fn add(a: f64, b: f64) -> f64 {
//!     a + b
//! }
//!
//! /// The read-me.
//! #[mcpwire::resource("memo://readme")]
//! fn readme() -> String {
//!     "Read me first".to_owned()
//! }
//!
//! /// Asks for a summary.
//! #[mcpwire::prompt]
//! fn summarize(text: String) -> String {
//!     format!("Summarize this: {text}")
//! }
//!
//! assert_eq!(add(1.0, 2.0), 3.0); // still a plain function
//! assert_eq!(add_tool().definition().description.as_deref(), Some("Adds two numbers."));
//! assert_eq!(readme_resource().definition().uri, "memo://readme");
//! assert_eq!(summarize_prompt().definition().name, "summarize");
//! let server = Server::builder("notes", "1.0.0")
//!     .tool(add_tool())
//!     .resource(readme_resource())
//!     .prompt(summarize_prompt())
//!     .build()?;
//! # let _ = server;
//! # Ok::<(), mcpwire::server::BuildError>(())
//! ```

mod args;
mod attr;
mod call;
mod client_call;
mod complete;
mod docs;
mod fields;
mod prompt;
mod resource;
mod route;
mod routes;
mod template;
mod tool;

use proc_macro::TokenStream;

use attr::Kind;

/// Turns a function into an MCP tool.
///
/// The function stays as written; a sibling `<name>_tool()` with the same
/// visibility returns its `mcpwire::server::ToolRoute`.
///
/// - **Extractors.** A parameter whose type implements
///   `mcpwire::server::FromContext` is taken from the request and is no
///   argument: `Context` (or `&Context`, lent without a clone), `State<T>`
///   (given to `ServerBuilder::state`), `RequestMeta`, `Cancel`,
///   `Extension<T>`, `mcpwire::auth::Auth`, `Option` of any of them, or a
///   type of your own. The generated code asks the compiler, so a type of
///   your own named `Context` is an argument like any other. Mark an
///   extractor of your own `#[extractor]` so that the typed call leaves it
///   out (see [Typed calls](#typed-calls)).
/// - **Arguments.** Every other parameter is an argument of the tool,
///   described in its input schema: any type that implements serde's
///   `Deserialize` and schemars' `JsonSchema`. `Option<T>` parameters are
///   optional. A `///` comment on a parameter (or
///   `#[arg(description = "...")]`) describes it; `#[serde(...)]` and
///   `#[schemars(...)]` attributes on a parameter apply to the argument
///   (`#[serde(rename = "q")]`, `#[schemars(range(min = 1))]`, ...), and
///   mark it as one. A type that is neither is a compile error at the
///   parameter.
/// - **Result.** The return type is anything that implements
///   `IntoToolResult`: `String`, numbers, `()`, `Json<T>` (structured output
///   with an output schema), `CallToolResult`, or a `Result<T, E>` of these
///   whose error becomes an `isError` result. The function may be `async`.
/// - **Description.** The function's doc comment, unless `description` is
///   given.
/// - **Typed call.** A struct named like the function (`add`, in the type
///   namespace, so it does not clash with the function) gets
///   `add::call(&client, a, b)`: it calls the tool by its name on any
///   server (see [Typed calls](#typed-calls)).
///
/// # Options
///
/// - `name = "..."`: the tool's name (default: the function's name).
/// - `title = "..."`: the human-readable title.
/// - `description = "..."`: instead of the doc comment.
/// - `annotations(read_only, destructive = false, idempotent, open_world = false)`:
///   the behaviour hints; a hint alone means `true`, a hint left out stays
///   unset. The hints may also be written at the top level
///   (`#[tool(read_only)]`), but each only once.
/// - `icons = EXPR`: icons for the listing; `EXPR` is anything that
///   iterates over `mcpwire::types::Icon`s (an array, a `Vec`, a function
///   call), evaluated when the route is built.
/// - `ui = "ui://..."`: the MCP App that shows the tool's results, set as
///   `_meta.ui.resourceUri` (as `ToolRoute::ui` does; serve the page with
///   `mcpwire::server::apps::AppResource`). A URI that is not `ui://` is a
///   compile error. Clients that did not declare the extension get the tool
///   without it; the handler asks `cx.supports_apps()`.
/// - `output = Type`: the output schema is `Type`'s `JsonSchema` (an object
///   schema; another shape gives none), instead of the one the return type
///   implies; `output = none`: no output schema at all.
/// - `crate = path`: when mcpwire is reached through another path.
///
/// ```
/// use mcpwire::server::{Context, Server};
///
/// /// Returns the text, unchanged.
/// #[mcpwire::tool]
/// async fn echo(
///     /// The text to send back
///     text: String,
/// ) -> String {
///     text
/// }
///
/// #[mcpwire::tool(name = "add_numbers", title = "Add", annotations(read_only, idempotent))]
/// fn add(a: f64, b: Option<f64>) -> f64 {
///     a + b.unwrap_or(0.0)
/// }
///
/// /// Reports who is calling.
/// #[mcpwire::tool]
/// fn whoami(cx: &Context) -> Result<String, mcpwire::Error> {
///     Ok(format!("{:?}", cx.client_info().map(|c| c.name)))
/// }
///
/// let echo = echo_tool();
/// assert_eq!(echo.definition().description.as_deref(), Some("Returns the text, unchanged."));
/// let adder = add_tool();
/// assert_eq!(adder.name(), "add_numbers");
/// assert_eq!(adder.definition().input_schema["required"], serde_json::json!(["a"]));
/// assert_eq!(adder.definition().annotations.as_ref().unwrap().read_only_hint, Some(true));
/// assert_eq!(add(1.0, None), 1.0); // still a plain function
/// let server = Server::builder("demo", "1.0")
///     .tool(echo)
///     .tool(adder)
///     .tool(whoami_tool())
///     .build()?;
/// # Ok::<(), mcpwire::server::BuildError>(())
/// ```
///
/// Icons and the output schema:
///
/// ```
/// use mcpwire::types::{CallToolResult, Icon};
///
/// #[derive(serde::Serialize, schemars::JsonSchema)]
/// struct Forecast {
///     celsius: f64,
/// }
///
/// /// Tomorrow's weather, as text and as structured content.
/// #[mcpwire::tool(
///     icons = [Icon::new("https://example.com/sun.svg")],
///     output = Forecast,
///     annotations(read_only, open_world),
/// )]
/// fn forecast(city: String) -> CallToolResult {
///     let mut r = CallToolResult::text(format!("{city}: 21 °C"));
///     r.structured_content = Some(serde_json::json!({ "celsius": 21.0 }));
///     r
/// }
///
/// /// Writes a line; the caller reads no schema into its result.
/// #[mcpwire::tool(output = none, annotations(destructive = false))]
/// fn log(line: String) -> mcpwire::server::Json<Vec<String>> {
///     mcpwire::server::Json(vec![line])
/// }
///
/// let tool = forecast_tool();
/// let def = tool.definition();
/// assert_eq!(def.icons.as_ref().unwrap()[0].src, "https://example.com/sun.svg");
/// assert_eq!(def.output_schema.as_ref().unwrap()["properties"]["celsius"]["type"], "number");
/// assert_eq!(log_tool().definition().output_schema, None);
/// ```
///
/// # Typed calls
///
/// `#[tool] fn add(a: f64, b: f64) -> f64` also gives
/// `add::call(client: &Client, a: f64, b: f64)`, an `async fn` answering
/// `Result<f64, mcpwire::client::StructuredError>`. It sends the
/// arguments under their wire names (after `#[serde(rename)]` and the
/// like; a `None` is left out) to the tool of the route's name, and reads
/// the result as the return type wrote it (`mcpwire::ToolOutput`):
/// `String` is the text itself, numbers and `bool` are parsed from the
/// text, `Json<T>` (or `output = T`) reads `T` from `structuredContent`,
/// `Result<T, E>` reads as `T`, and `CallToolResult`, `Vec<ContentBlock>`
/// and `()` give the result, its content or nothing. An `isError` result
/// is `StructuredError::Tool` with the tool's text. The call works against
/// any server with a tool of that name and schema, mcpwire or not.
///
/// Extractors are not arguments, and the call leaves them out. The
/// signature is written before the compiler can say which parameters are
/// extractors, so the call decides by what it sees: `&Context`, a
/// parameter marked `#[extractor]`, and a type (or an `Option` of one)
/// named like mcpwire's extractors (`Context`, `State`, `RequestMeta`,
/// `Cancel`, `Extension`, `Auth`) are left out, unless a `#[serde]`,
/// `#[schemars]` or `#[arg]` attribute marks the parameter as an argument.
/// Mark an extractor of your own `#[extractor]`. The call checks its
/// guesses: what it leaves out must implement `FromContext`, what it sends
/// must serialize, and the return type must implement `ToolOutput`. A
/// guess that does not hold is a compile error where the call is used,
/// never where the tool is defined, which builds either way. Inside a
/// `#[routes]` impl block no call is generated: call such a tool with
/// `client.call_tool(name, args).typed::<T>()`.
///
/// The struct takes the function's name in the type namespace, so a type
/// or module of that name in the same scope (`use std::fs;` beside
/// `#[tool] fn fs`) clashes with it; rename the function and keep the
/// tool's name with `name = "..."`. The call takes no options; for a
/// timeout, progress or a task, use `Client::call_tool`.
///
/// ```
/// use mcpwire::client::{Client, StructuredError};
/// use mcpwire::server::{FromContext, Json, State};
///
/// /// Adds two numbers.
/// #[mcpwire::tool]
/// async fn add(a: f64, b: f64) -> f64 {
///     a + b
/// }
///
/// #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
/// struct Forecast {
///     celsius: f64,
/// }
///
/// struct Units(String);
///
/// /// Who is asking, taken from the request.
/// struct Caller(String);
///
/// impl FromContext for Caller {
///     fn from_context(cx: &mcpwire::server::Context) -> Result<Self, mcpwire::Error> {
///         Ok(Caller(cx.client_info().map(|c| c.name).unwrap_or_default()))
///     }
/// }
///
/// /// Tomorrow's weather in a town.
/// #[mcpwire::tool]
/// fn forecast(
///     units: State<Units>,
///     #[extractor] caller: Caller,
///     #[serde(rename = "town")] city: String,
/// ) -> Result<Json<Forecast>, String> {
///     if city.is_empty() {
///         return Err(format!("{}: which town?", caller.0));
///     }
///     let _ = &units.0;
///     Ok(Json(Forecast { celsius: 21.5 }))
/// }
///
/// async fn ask(client: &Client) -> Result<(), StructuredError> {
///     let sum: f64 = add::call(client, 2.0, 3.5).await?;
///     // Sends `{"town": "Oslo"}`; `units` and `caller` are extractors.
///     let tomorrow: Forecast = forecast::call(client, "Oslo".into()).await?;
///     println!("{sum}, {} °C", tomorrow.celsius);
///     match forecast::call(client, String::new()).await {
///         Err(StructuredError::Tool(text)) => println!("the tool said: {text}"),
///         other => println!("{:?}", other.map(|f| f.celsius)),
///     }
///     Ok(())
/// }
/// # let _ = ask;
/// ```
///
/// Mistakes are compile errors that point at the problem: generic
/// functions, patterns as parameters, borrowed parameter types, `self`
/// outside a `#[routes]` impl, unknown options, and the attribute on
/// something other than a function.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    route::expand_free(Kind::Tool, attr.into(), item.into()).into()
}

/// Turns a function into an MCP resource, or a resource template when its
/// URI has `{variables}`.
///
/// The function stays as written; a sibling `<name>_resource()` returns a
/// `mcpwire::server::ResourceRoute` for a fixed URI, or a
/// `mcpwire::server::TemplateRoute` for a template. `ServerBuilder::resource`
/// adds either.
///
/// Each template variable needs a parameter of the same name (checked at
/// compile time); every other parameter is an extractor (see
/// [`macro@tool`]), and a type that is none is a compile error. Values are parsed from the URI with `FromStr`; one that
/// does not parse is answered with an `invalid_params` (-32602) error. An
/// `Option<T>` parameter is `None` when its variable is absent (query
/// variables such as `{?page}`). The return type is anything that
/// implements `IntoReadResult` (`String`, `ResourceContents`,
/// `ReadResourceResult`, `Result` of these, ...).
///
/// # Options
///
/// - the URI first (or `uri = "..."`): a fixed URI or a URI template.
/// - `name = "..."` (default: the function's name), `title = "..."`,
///   `description = "..."` (default: the doc comment), `mime_type = "..."`.
/// - `complete(var = completer, ...)`: completes the template variable
///   `var` for `completion/complete`; see [`macro@prompt`] for the
///   completers. Each name must be a variable of the template.
/// - `crate = path`.
///
/// ```
/// use mcpwire::server::Server;
///
/// /// The read-me.
/// #[mcpwire::resource("memo://readme", mime_type = "text/plain")]
/// fn readme() -> String {
///     "Read me first".to_owned()
/// }
///
/// /// The ticket numbers that start with what was typed.
/// fn ticket_ids(prefix: String) -> Vec<String> {
///     (40..50).map(|n| n.to_string()).filter(|n| n.starts_with(&prefix)).collect()
/// }
///
/// /// One ticket.
/// #[mcpwire::resource("ticket://{id}{?verbose}", complete(id = ticket_ids))]
/// async fn ticket(id: u64, verbose: Option<bool>) -> Result<String, mcpwire::Error> {
///     Ok(format!("ticket {id} (verbose: {verbose:?})"))
/// }
///
/// assert_eq!(readme_resource().definition().uri, "memo://readme");
/// assert_eq!(ticket_resource().definition().uri_template, "ticket://{id}{?verbose}");
/// let server = Server::builder("demo", "1.0")
///     .resource(readme_resource())
///     .resource(ticket_resource())
///     .build()?;
/// # Ok::<(), mcpwire::server::BuildError>(())
/// ```
#[proc_macro_attribute]
pub fn resource(attr: TokenStream, item: TokenStream) -> TokenStream {
    route::expand_free(Kind::Resource, attr.into(), item.into()).into()
}

/// Turns a function into an MCP prompt.
///
/// The function stays as written; a sibling `<name>_prompt()` returns its
/// `mcpwire::server::PromptRoute`. Parameters become the prompt's
/// arguments, as for [`macro@tool`]: `Option<T>` ones are optional, `///`
/// comments describe them, and extractors (`Context`, `State<T>`, ...) are
/// taken from the request. Prompt arguments arrive as strings; numbers and booleans are
/// parsed from them. A missing required argument, or one that does not
/// parse, is answered with an `invalid_params` (-32602) error. The return
/// type is anything that implements `IntoPromptResult` (a `String` becomes
/// one user message; `PromptMessage`, `Vec<PromptMessage>`,
/// `GetPromptResult`, `Result` of these).
///
/// # Options
///
/// - `name = "..."`, `title = "..."`, `description = "..."` (default: the
///   doc comment).
/// - `complete(arg = completer, other = ...)`: completes the argument `arg`
///   for `completion/complete` with `completer`, a path to a function (or a
///   closure). Each name must be an argument of the prompt (its name on the
///   wire, after `#[serde(rename)]`); an argument without a completer is
///   answered with no values. A completer is any of:
///   - `fn(prefix: String) -> Vec<String>`, or an `async fn`;
///   - the same with the arguments the client already gave last,
///     `given: mcpwire::server::GivenArguments` (a map of name to value);
///   - in a `#[routes]` impl, either with `&self` first, to read the shared
///     state (`complete(arg = Self::method)`).
///
///   A function of another shape is a compile error at its name.
/// - `crate = path`.
///
/// ```
/// use mcpwire::server::GivenArguments;
///
/// /// The names that start with what was typed.
/// fn names(prefix: String) -> Vec<String> {
///     ["Ada", "Alan", "Grace"].iter().filter(|n| n.starts_with(&prefix)).map(|n| n.to_string()).collect()
/// }
///
/// /// Greetings in the language already chosen.
/// async fn greetings(prefix: String, given: GivenArguments) -> Vec<String> {
///     let all: &[&str] = match given.get("language").map(String::as_str) {
///         Some("fr") => &["bonjour", "salut"],
///         _ => &["hello", "hi"],
///     };
///     all.iter().filter(|g| g.starts_with(&prefix)).map(|g| g.to_string()).collect()
/// }
///
/// /// Greets someone.
/// #[mcpwire::prompt(title = "Greeting", complete(name = names, greeting = greetings))]
/// fn greet(
///     /// Who to greet
///     name: String,
///     excited: Option<bool>,
///     language: Option<String>,
///     greeting: Option<String>,
/// ) -> String {
///     let end = if excited.unwrap_or(false) { "!" } else { "." };
///     let greeting = greeting.unwrap_or_else(|| "hello".into());
///     format!("Say {greeting} to {name}{end} ({})", language.unwrap_or_default())
/// }
///
/// let greet = greet_prompt();
/// let args = greet.definition().arguments.as_ref().unwrap();
/// assert_eq!((args[0].name.as_str(), args[0].required), ("name", Some(true)));
/// assert_eq!((args[1].name.as_str(), args[1].required), ("excited", Some(false)));
/// ```
#[proc_macro_attribute]
pub fn prompt(attr: TokenStream, item: TokenStream) -> TokenStream {
    route::expand_free(Kind::Prompt, attr.into(), item.into()).into()
}

/// Collects the `#[tool]`, `#[resource]` and `#[prompt]` methods of an
/// `impl` block into one constructor,
/// `pub fn routes(self: Arc<Self>) -> mcpwire::server::Routes`, and
/// implements `mcpwire::server::SharedRoutes` for the type, so that
/// `ServerBuilder::routes` takes the state itself or an `Arc` of it,
/// whichever you have.
///
/// Marked methods take `&self` (or `self: Arc<Self>`), or no `self` at all;
/// each route holds a clone of the `Arc`, so every route shares the state.
/// Inside the block, the marker attributes are read by `#[routes]` itself:
/// write them as `#[tool]` or `#[mcpwire::tool]`, with the same options as
/// on free functions. A completer named in `complete(...)` may be a method
/// taking `&self` (`complete(arg = Self::method)`), defined in this block or
/// another. Unmarked methods are left alone. Two tools (or two prompts, or
/// two resources with one URI) of the same name are a compile error.
///
/// Option: `crate = path`, which the methods' routes inherit.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// use mcpwire::server::Server;
///
/// #[derive(Default)]
/// struct Counter {
///     hits: AtomicU64,
/// }
///
/// #[mcpwire::routes]
/// impl Counter {
///     /// Counts one hit.
///     #[tool(annotations(destructive = false))]
///     fn hit(&self) -> u64 {
///         self.hits.fetch_add(1, Ordering::SeqCst) + 1
///     }
///
///     /// The count.
///     #[resource("counter://hits")]
///     async fn hits(&self) -> String {
///         self.hits.load(Ordering::SeqCst).to_string()
///     }
///
///     /// Asks for a report.
///     #[prompt(complete(style = Self::styles))]
///     fn report(&self, style: Option<String>) -> String {
///         format!("Report the hits in a {} style", style.as_deref().unwrap_or("plain"))
///     }
///
///     /// The styles that start with what was typed; more once there are hits.
///     async fn styles(&self, prefix: String) -> Vec<String> {
///         let styles: &[&str] = if self.hits.load(Ordering::SeqCst) > 0 {
///             &["plain", "proud"]
///         } else {
///             &["plain"]
///         };
///         styles.iter().filter(|s| s.starts_with(&prefix)).map(|s| s.to_string()).collect()
///     }
/// }
///
/// // The state itself...
/// let by_value = Server::builder("counter", "1.0").routes(Counter::default()).build();
/// // ...or an `Arc` of it, to keep a handle on the state.
/// let counter = Arc::new(Counter::default());
/// let shared = Server::builder("counter", "1.0").routes(counter.clone()).build();
/// // `routes()` shows what the block registers.
/// let routes = counter.routes();
/// assert_eq!(routes.tools[0].name(), "hit");
/// assert_eq!((routes.resources.len(), routes.prompts.len()), (1, 1));
/// # let _ = (by_value?, shared?);
/// # Ok::<(), mcpwire::server::BuildError>(())
/// ```
#[proc_macro_attribute]
pub fn routes(attr: TokenStream, item: TokenStream) -> TokenStream {
    routes::expand(attr.into(), item.into()).into()
}
