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

mod args;
mod attr;
mod call;
mod docs;
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
/// - **Arguments.** Every parameter is an argument of the tool, described in
///   its input schema: any type that implements serde's `Deserialize` and
///   schemars' `JsonSchema`. `Option<T>` parameters are optional. A `///`
///   comment on a parameter (or `#[arg(description = "...")]`) describes
///   it; `#[serde(...)]` and `#[schemars(...)]` attributes on a parameter
///   apply to the argument (`#[serde(rename = "q")]`,
///   `#[schemars(range(min = 1))]`, ...).
/// - **Context.** A parameter whose type is `Context` (any path ending in
///   `Context`), by value or as `&Context`, receives the request's
///   `mcpwire::server::Context` and is no argument.
/// - **Result.** The return type is anything that implements
///   `IntoToolResult`: `String`, numbers, `()`, `Json<T>` (structured output
///   with an output schema), `CallToolResult`, or a `Result<T, E>` of these
///   whose error becomes an `isError` result. The function may be `async`.
/// - **Description.** The function's doc comment, unless `description` is
///   given.
///
/// Options: `name = "..."` (default: the function's name), `title = "..."`,
/// `description = "..."`, the behaviour hints `read_only`, `destructive`,
/// `idempotent` and `open_world` (each alone means `true`, or write
/// `destructive = false`), and `crate = path` when mcpwire is reached
/// through another path.
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
/// #[mcpwire::tool(name = "add_numbers", title = "Add", read_only, idempotent)]
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
/// assert_eq!(add(1.0, None), 1.0); // still a plain function
/// let server = Server::builder("demo", "1.0")
///     .tool(echo)
///     .tool(adder)
///     .tool(whoami_tool())
///     .build()?;
/// # Ok::<(), mcpwire::server::BuildError>(())
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
/// `mcpwire::server::TemplateRoute` for a template. Add the first with
/// `ServerBuilder::resource` and the second with `ServerBuilder::template`.
///
/// Each template variable needs a parameter of the same name, and every
/// parameter (other than a `Context`) must be a variable; both are checked
/// at compile time. Values are parsed from the URI with `FromStr`; one that
/// does not parse is answered with an `invalid_params` (-32602) error. An
/// `Option<T>` parameter is `None` when its variable is absent (query
/// variables such as `{?page}`). The return type is anything that
/// implements `IntoReadResult` (`String`, `ResourceContents`,
/// `ReadResourceResult`, `Result` of these, ...).
///
/// Options: the URI first (or `uri = "..."`), then `name = "..."` (default:
/// the function's name), `title`, `description` (default: the doc
/// comment), `mime_type` and `crate = path`.
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
/// /// One ticket.
/// #[mcpwire::resource("ticket://{id}{?verbose}")]
/// async fn ticket(id: u64, verbose: Option<bool>) -> Result<String, mcpwire::Error> {
///     Ok(format!("ticket {id} (verbose: {verbose:?})"))
/// }
///
/// assert_eq!(readme_resource().definition().uri, "memo://readme");
/// assert_eq!(ticket_resource().definition().uri_template, "ticket://{id}{?verbose}");
/// let server = Server::builder("demo", "1.0")
///     .resource(readme_resource())
///     .template(ticket_resource())
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
/// comments describe them, and a `Context` parameter receives the request's
/// context. Prompt arguments arrive as strings; numbers and booleans are
/// parsed from them. A missing required argument, or one that does not
/// parse, is answered with an `invalid_params` (-32602) error. The return
/// type is anything that implements `IntoPromptResult` (a `String` becomes
/// one user message; `PromptMessage`, `Vec<PromptMessage>`,
/// `GetPromptResult`, `Result` of these).
///
/// Options: `name = "..."`, `title`, `description` (default: the doc
/// comment) and `crate = path`.
///
/// ```
/// /// Greets someone.
/// #[mcpwire::prompt(title = "Greeting")]
/// fn greet(
///     /// Who to greet
///     name: String,
///     excited: Option<bool>,
/// ) -> String {
///     let end = if excited.unwrap_or(false) { "!" } else { "." };
///     format!("Say hello to {name}{end}")
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
/// `impl` block into one constructor:
/// `pub fn routes(self: Arc<Self>) -> mcpwire::server::Routes`, to add with
/// `ServerBuilder::routes`.
///
/// Marked methods take `&self` (or `self: Arc<Self>`), or no `self` at all;
/// each route holds a clone of the `Arc`, so every route shares the state.
/// Inside the block, the marker attributes are read by `#[routes]` itself:
/// write them as `#[tool]` or `#[mcpwire::tool]`, with the same options as
/// on free functions. Unmarked methods are left alone. Two tools (or two
/// prompts, or two resources with one URI) of the same name are a compile
/// error.
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
///     #[tool]
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
///     #[prompt]
///     fn report(&self, style: Option<String>) -> String {
///         format!("Report the hits in a {} style", style.as_deref().unwrap_or("plain"))
///     }
/// }
///
/// let routes = Arc::new(Counter::default()).routes();
/// assert_eq!(routes.tools[0].name(), "hit");
/// assert_eq!((routes.resources.len(), routes.prompts.len()), (1, 1));
/// let server = Server::builder("counter", "1.0").routes(routes).build()?;
/// # Ok::<(), mcpwire::server::BuildError>(())
/// ```
#[proc_macro_attribute]
pub fn routes(attr: TokenStream, item: TokenStream) -> TokenStream {
    routes::expand(attr.into(), item.into()).into()
}
