//! Tools: definitions, handlers, and how handler return values become
//! `CallToolResult`s.

use std::future::Future;
use std::sync::Arc;

use mcpwire_types::apps::UiVisibility;
use mcpwire_types::{CallToolResult, ContentBlock, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Context;
use super::arguments::Arguments;
use super::schema::{object_schema, schema_for};
use super::tool_error::ToolError;
use mcpwire_rpc::Error;

pub use mcpwire_rpc::BoxFuture;

/// Runs one tool call. The arguments are the raw `arguments` object of the
/// request; [`ToolRoute::typed`] deserializes them for you.
pub trait ToolHandler: Send + Sync + 'static {
    /// Calls the tool.
    fn call(
        &self,
        cx: Context,
        args: Map<String, Value>,
    ) -> BoxFuture<Result<CallToolResult, Error>>;
}

impl<F, Fut> ToolHandler for F
where
    F: Fn(Context, Map<String, Value>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<CallToolResult, Error>> + Send + 'static,
{
    fn call(
        &self,
        cx: Context,
        args: Map<String, Value>,
    ) -> BoxFuture<Result<CallToolResult, Error>> {
        Box::pin(self(cx, args))
    }
}

/// A tool: its definition as listed, and its handler.
///
/// ```
/// use mcpwire_server::{Json, ToolRoute};
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct AddArgs { a: f64, b: f64 }
/// let add = ToolRoute::typed("add", |_cx, args: AddArgs| async move {
///     Ok::<_, mcpwire_rpc::Error>((args.a + args.b).to_string())
/// })
/// .description("Adds two numbers");
/// assert_eq!(add.definition().name, "add");
/// assert_eq!(add.definition().input_schema["required"], serde_json::json!(["a", "b"]));
/// ```
#[derive(Clone)]
pub struct ToolRoute {
    pub(crate) def: Tool,
    pub(crate) handler: Arc<dyn ToolHandler>,
    /// Whether a call becomes a task only when its handler says so.
    pub(crate) defers_task: bool,
    /// Whether the input schema mirrors arguments into request headers,
    /// worked out on the first call that asks (the definition no longer
    /// changes once the tool is served).
    pub(crate) mirrors_headers: std::sync::OnceLock<bool>,
}

impl std::fmt::Debug for ToolRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolRoute").field("def", &self.def).finish()
    }
}

impl ToolRoute {
    /// A tool from a definition and a raw handler.
    pub fn new(def: Tool, handler: impl ToolHandler) -> Self {
        ToolRoute {
            def,
            handler: Arc::new(handler),
            defers_task: false,
            mirrors_headers: std::sync::OnceLock::new(),
        }
    }

    /// A tool whose arguments deserialize into `A`; its input schema comes
    /// from `A`'s `JsonSchema`, its output schema from the return type (see
    /// [`IntoToolResult`]). Arguments that do not fit `A` give the caller an
    /// `isError` result that says why.
    ///
    /// `A = ()` is a tool without arguments, like a struct without fields:
    /// its input schema is `{"type": "object"}`, and it accepts an absent
    /// or empty `arguments` object (other members are ignored).
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// let now = ToolRoute::typed("now", |_cx, (): ()| async { "12:00".to_string() });
    /// assert_eq!(now.definition().input_schema, mcpwire_server::object_schema());
    /// ```
    pub fn typed<A, F, Fut, R>(name: impl Into<String>, f: F) -> Self
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(Context, A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoToolResult,
    {
        let name = name.into();
        let mut def = Tool::new(name.clone(), Value::Object(input_schema_for::<A>()));
        def.output_schema = R::output_schema();
        let f = Arc::new(f);
        let handler = move |cx: Context, args: Map<String, Value>| {
            let parsed = parse_arguments::<A>(&name, args);
            let f = f.clone();
            async move {
                match parsed {
                    Ok(a) => f(cx, a).await.into_tool_result(),
                    Err(result) => Ok(*result),
                }
            }
        };
        ToolRoute::new(def, handler)
    }

    /// The definition as `tools/list` shows it.
    pub fn definition(&self) -> &Tool {
        &self.def
    }

    /// The tool's name.
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// Sets the description.
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// let t = ToolRoute::typed("now", |_cx, (): ()| async { "12:00" }).description("The current time");
    /// assert_eq!(t.definition().description.as_deref(), Some("The current time"));
    /// ```
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.def.description = Some(text.into());
        self
    }

    /// Sets the human-readable title.
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// let t = ToolRoute::typed("now", |_cx, (): ()| async { "12:00" }).title("Clock");
    /// assert_eq!(t.definition().title.as_deref(), Some("Clock"));
    /// ```
    pub fn title(mut self, text: impl Into<String>) -> Self {
        self.def.title = Some(text.into());
        self
    }

    /// Sets the behaviour hints.
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// use mcpwire_types::ToolAnnotations;
    /// let hints = ToolAnnotations { read_only_hint: Some(true), ..Default::default() };
    /// let t = ToolRoute::typed("now", |_cx, (): ()| async { "12:00" }).annotations(hints);
    /// assert_eq!(t.definition().annotations.as_ref().and_then(|a| a.read_only_hint), Some(true));
    /// ```
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.def.annotations = Some(annotations);
        self
    }

    /// Adds an icon.
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// use mcpwire_types::Icon;
    /// let t = ToolRoute::typed("now", |_cx, (): ()| async { "12:00" })
    ///     .icon(Icon::new("https://example.com/clock.svg"));
    /// assert_eq!(t.definition().icons.as_ref().map(Vec::len), Some(1));
    /// ```
    pub fn icon(mut self, icon: mcpwire_types::Icon) -> Self {
        self.def.icons.get_or_insert_with(Vec::new).push(icon);
        self
    }

    /// Adds several icons, after any already set.
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// use mcpwire_types::Icon;
    /// let t = ToolRoute::typed("ping", |_cx, (): ()| async { "pong" })
    ///     .icons([Icon::new("https://example.com/ping.svg")]);
    /// assert_eq!(t.definition().icons.as_ref().map(Vec::len), Some(1));
    /// ```
    pub fn icons(mut self, icons: impl IntoIterator<Item = mcpwire_types::Icon>) -> Self {
        self.def.icons.get_or_insert_with(Vec::new).extend(icons);
        self
    }

    /// Replaces the input schema.
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// use serde_json::{Map, Value, json};
    /// // Raw arguments, checked against a schema written by hand.
    /// let schema = json!({
    ///     "type": "object",
    ///     "properties": { "city": { "type": "string" } },
    ///     "required": ["city"],
    /// });
    /// let t = ToolRoute::typed("weather", |_cx, args: Map<String, Value>| async move {
    ///     format!("sunny in {}", args["city"])
    /// })
    /// .input_schema(schema.as_object().cloned().unwrap_or_default());
    /// assert_eq!(t.definition().input_schema["required"], json!(["city"]));
    /// ```
    pub fn input_schema(mut self, schema: Map<String, Value>) -> Self {
        self.def.input_schema = schema;
        self
    }

    /// Replaces the output schema.
    ///
    /// ```
    /// use mcpwire_server::{Json, ToolRoute};
    /// #[derive(serde::Serialize, schemars::JsonSchema)]
    /// struct Forecast { celsius: f64 }
    /// // A typed tool that returns Json<T> gets T's schema as its output schema;
    /// // None takes it away (the result is then plain content only).
    /// let t = ToolRoute::typed("forecast", |_cx, (): ()| async { Json(Forecast { celsius: 21.5 }) });
    /// assert!(t.definition().output_schema.is_some());
    /// let t = t.output_schema(None);
    /// assert!(t.definition().output_schema.is_none());
    /// ```
    pub fn output_schema(mut self, schema: Option<Map<String, Value>>) -> Self {
        self.def.output_schema = schema;
        self
    }

    /// Names the MCP App that shows this tool's results: the `ui://`
    /// resource (see [`AppResource`](crate::apps::AppResource)) a host that
    /// declared the extension renders, set as `_meta.ui.resourceUri`.
    /// Clients that did not declare it get the tool without `_meta.ui`
    /// from `tools/list`; the handler can tell them apart with
    /// [`Context::supports_apps`].
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// let t = ToolRoute::typed("board", |_cx, (): ()| async { "3 open" }).ui("ui://desk/board");
    /// let ui = t.definition().ui().unwrap();
    /// assert_eq!(ui.resource_uri.as_deref(), Some("ui://desk/board"));
    /// ```
    pub fn ui(mut self, resource_uri: impl Into<String>) -> Self {
        let mut ui = self.def.ui().unwrap_or_default();
        ui.resource_uri = Some(resource_uri.into());
        self.def.set_ui(ui);
        self
    }

    /// Says who may call this tool: the model, the app (its page, through
    /// the host), or both (the default when unset), as
    /// `_meta.ui.visibility`.
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// use mcpwire_types::apps::UiVisibility;
    /// // A tool only the board's page calls.
    /// let t = ToolRoute::typed("refresh", |_cx, (): ()| async { "ok" })
    ///     .ui("ui://desk/board")
    ///     .ui_visibility([UiVisibility::App]);
    /// assert_eq!(t.definition().ui().unwrap().visibility, Some(vec![UiVisibility::App]));
    /// ```
    pub fn ui_visibility(mut self, who: impl IntoIterator<Item = UiVisibility>) -> Self {
        let mut ui = self.def.ui().unwrap_or_default();
        ui.visibility = Some(who.into_iter().collect());
        self.def.set_ui(ui);
        self
    }

    /// Edits the definition in place, for fields without a builder method.
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// let t = ToolRoute::typed("now", |_cx, (): ()| async { "12:00" })
    ///     .with_definition(|def| def.name = "clock_now".into());
    /// assert_eq!(t.name(), "clock_now");
    /// ```
    pub fn with_definition(mut self, edit: impl FnOnce(&mut Tool)) -> Self {
        edit(&mut self.def);
        self
    }
}

/// The input schema for `A`: an object schema even for `()` (no arguments).
pub fn input_schema_for<A: JsonSchema>() -> Map<String, Value> {
    let schema = schema_for::<A>();
    if super::schema::is_object_schema(&schema) {
        schema
    } else {
        object_schema()
    }
}

/// The `outputSchema` of a tool whose structured output is a `T`, as
/// [`Json<T>`] declares it: `T`'s schema, or `None` when that schema does
/// not describe an object (an output schema must).
///
/// ```
/// #[derive(schemars::JsonSchema)]
/// struct Sum { total: i64 }
/// assert!(mcpwire_server::output_schema_for::<Sum>().is_some());
/// assert!(mcpwire_server::output_schema_for::<i64>().is_none());
/// ```
pub fn output_schema_for<T: JsonSchema>() -> Option<Map<String, Value>> {
    let schema = schema_for::<T>();
    super::schema::is_object_schema(&schema).then_some(schema)
}

/// Deserializes tool arguments, or builds the `isError` result that tells
/// the caller what is wrong with them. `A = ()` accepts any object (no
/// arguments).
pub fn parse_arguments<A: DeserializeOwned>(
    tool: &str,
    args: Map<String, Value>,
) -> Result<A, Box<CallToolResult>> {
    A::deserialize(Arguments(args)).map_err(|e| {
        Box::new(CallToolResult::error_text(format!(
            "Invalid arguments for tool {tool:?}: {e}"
        )))
    })
}

/// Structured tool output: serialized as `structuredContent`, with a text
/// copy for clients that read only `content`, and an `outputSchema` derived
/// from `T`.
///
/// ```
/// use mcpwire_server::{IntoToolResult, Json};
/// #[derive(serde::Serialize, schemars::JsonSchema)]
/// struct Sum { value: f64 }
/// let r = Json(Sum { value: 3.0 }).into_tool_result().unwrap();
/// assert_eq!(r.structured_content, Some(serde_json::json!({"value": 3.0})));
/// assert!(<Json<Sum> as IntoToolResult>::output_schema().is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Json<T>(pub T);

/// Turns a handler's return value into a `CallToolResult`.
///
/// The `Err` of a `Result<T, E>` goes through [`ToolError`]: text meant
/// for the model (a [`ToolError::new`], a `String`, a `&str`) becomes an
/// `isError` result carrying it, so the model can see what went wrong. An
/// [`Error`] is answered as that error: JSON-RPC errors ([`Error::Rpc`])
/// and input requests stay protocol-level, and a local fault becomes an
/// `isError` result saying only `Internal error` (the details are logged,
/// not sent).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a tool",
    note = "a tool may return String, &str, numbers, bool, (), ContentBlock, Vec<ContentBlock>, Json<T>, CallToolResult, or a Result of one of these whose error converts into ToolError (a String, &str, mcpwire::Error, or ToolError itself)"
)]
pub trait IntoToolResult {
    /// Converts the value.
    fn into_tool_result(self) -> Result<CallToolResult, Error>;

    /// The `outputSchema` this return type implies, if any.
    fn output_schema() -> Option<Map<String, Value>> {
        None
    }
}

impl IntoToolResult for CallToolResult {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(self)
    }
}

impl IntoToolResult for String {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(CallToolResult::text(self))
    }
}

impl IntoToolResult for &'static str {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(CallToolResult::text(self))
    }
}

impl IntoToolResult for () {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(CallToolResult::new(Vec::new()))
    }
}

impl IntoToolResult for ContentBlock {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(CallToolResult::new(vec![self]))
    }
}

impl IntoToolResult for Vec<ContentBlock> {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(CallToolResult::new(self))
    }
}

macro_rules! display_results {
    ($($t:ty),*) => {$(
        impl IntoToolResult for $t {
            fn into_tool_result(self) -> Result<CallToolResult, Error> {
                Ok(CallToolResult::text(self.to_string()))
            }
        }
    )*};
}
display_results!(
    bool, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);

impl<T: Serialize + JsonSchema> IntoToolResult for Json<T> {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        let value = serde_json::to_value(&self.0)?;
        let text = serde_json::to_string(&value)?;
        let mut r = CallToolResult::text(text);
        r.structured_content = Some(value);
        Ok(r)
    }

    fn output_schema() -> Option<Map<String, Value>> {
        // outputSchema must describe an object; other shapes are sent
        // without one.
        output_schema_for::<T>()
    }
}

/// An `Err` becomes what its [`ToolError`] says: text for the model (a
/// [`ToolError`] made from a message, a `String` or a `&str`) becomes an
/// `isError` result carrying it; an [`Error`] is answered by the server,
/// which knows the tool's name: a JSON-RPC error ([`Error::Rpc`]) as that
/// error, a cancellation or input request as such, and a local fault (any
/// other variant) as an `isError` result saying only `Internal error`,
/// with the details logged.
impl<T: IntoToolResult, E: Into<ToolError>> IntoToolResult for Result<T, E> {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        match self {
            Ok(v) => v.into_tool_result(),
            Err(e) => e.into().into_result(),
        }
    }

    fn output_schema() -> Option<Map<String, Value>> {
        T::output_schema()
    }
}
