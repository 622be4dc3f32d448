//! Extractors: what a handler takes from the request it serves, besides the
//! client's arguments. A type that implements [`FromContext`] can be a
//! parameter of a `#[tool]`, `#[prompt]`, `#[resource]` or `#[routes]`
//! method; every other parameter is an argument the client supplies.
//!
//! The extractors mcpwire ships are [`Context`] itself, [`State<T>`] (shared
//! state given to [`ServerBuilder::state`](crate::ServerBuilder::state)),
//! [`RequestMeta`] (the request's `_meta`), [`Cancel`] (the request's
//! cancellation token), [`Extension<T>`] (a value the transport attached to
//! the request) and `Option<E>` of any of them (`None` where `E` would fail).
//! The OAuth crate adds `Auth`, the verified caller.
//!
//! Handlers written without the macros reach the same values by calling
//! [`FromContext::from_context`] on their [`Context`]:
//!
//! ```
//! use mcpwire_server::{Context, FromContext, Server, State, ToolRoute};
//!
//! struct Greeting(&'static str);
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Hello { name: String }
//!
//! let server = Server::builder("greeter", "1.0.0")
//!     .state(Greeting("Hello"))
//!     .tool(ToolRoute::typed("hello", |cx: Context, a: Hello| async move {
//!         let greeting = State::<Greeting>::from_context(&cx)?;
//!         Ok::<_, mcpwire_rpc::Error>(format!("{}, {}!", greeting.0, a.name))
//!     }))
//!     .build()?;
//! assert_eq!(server.info().name, "greeter");
//! # Ok::<(), mcpwire_server::BuildError>(())
//! ```

mod state;

use std::any::type_name;
use std::ops::Deref;
use std::sync::LazyLock;

use mcpwire_rpc::Error;
use mcpwire_types::Meta;
use tokio_util::sync::CancellationToken;

use super::Context;

pub use state::State;
pub(crate) use state::StateMap;

/// A value a handler takes from the request it serves.
///
/// The macros pass a parameter whose type implements `FromContext` from the
/// request; any other parameter is an argument the client supplies, which
/// must implement `Deserialize` and `JsonSchema`. An error ends the call:
/// its JSON-RPC error goes to the client (a local fault such as
/// [`Error::internal`] shows only as `Internal error`).
///
/// Implement it for values of your own that come from the request:
///
/// ```
/// use mcpwire_server::{Context, FromContext};
/// use mcpwire_rpc::Error;
///
/// /// The client's name, as it said at `initialize`.
/// struct ClientName(String);
///
/// impl FromContext for ClientName {
///     fn from_context(cx: &Context) -> Result<Self, Error> {
///         let info = cx
///             .client_info()
///             .ok_or_else(|| Error::invalid_request("The client did not say who it is"))?;
///         Ok(ClientName(info.name))
///     }
/// }
/// # fn main() {}
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an extractor: it does not implement `FromContext`",
    label = "not taken from the request",
    note = "a handler parameter that is no argument must be an extractor: `Context`, `State<T>`, `RequestMeta`, `Cancel`, `Extension<T>`, `Option` of one of these, or a type of your own that implements `FromContext`"
)]
pub trait FromContext: Sized + Send + 'static {
    /// Takes the value from the request's context.
    fn from_context(cx: &Context) -> Result<Self, Error>;
}

/// The context itself, a clone (a reference count). A handler may also
/// borrow it, as `&Context`.
///
/// ```
/// use mcpwire_server::{Context, FromContext, ToolRoute};
/// let tool = ToolRoute::typed("id", |cx: Context, _: ()| async move {
///     let same = Context::from_context(&cx)?;
///     Ok::<_, mcpwire_rpc::Error>(format!("{:?}", same.request_id()))
/// });
/// assert_eq!(tool.name(), "id");
/// ```
impl FromContext for Context {
    fn from_context(cx: &Context) -> Result<Self, Error> {
        Ok(cx.clone())
    }
}

/// `None` where `T` would fail: an optional extractor.
///
/// ```
/// use mcpwire_server::{Context, FromContext, State, ToolRoute};
/// struct Limit(u32);
/// let tool = ToolRoute::typed("limit", |cx: Context, _: ()| async move {
///     let limit = Option::<State<Limit>>::from_context(&cx)?;
///     Ok::<_, mcpwire_rpc::Error>(limit.map_or(10, |l| l.0).to_string())
/// });
/// assert_eq!(tool.name(), "limit");
/// ```
impl<T: FromContext> FromContext for Option<T> {
    fn from_context(cx: &Context) -> Result<Self, Error> {
        Ok(T::from_context(cx).ok())
    }
}

/// The request's `_meta`: the progress token, the protocol version and the
/// client's capabilities of a stateless request, and whatever else the
/// client sent. Empty when the request had none.
///
/// Named `RequestMeta` rather than `Meta`, since
/// [`mcpwire_types::Meta`] is the map it derefs to. It holds the context,
/// so taking it copies nothing.
///
/// ```
/// use mcpwire_server::{Context, FromContext, RequestMeta, ToolRoute};
/// let tool = ToolRoute::typed("trace", |cx: Context, _: ()| async move {
///     let meta = RequestMeta::from_context(&cx)?;
///     let trace = meta.get("traceId").and_then(|v| v.as_str()).unwrap_or("none");
///     Ok::<_, mcpwire_rpc::Error>(trace.to_owned())
/// });
/// assert_eq!(tool.name(), "trace");
/// ```
#[derive(Clone)]
pub struct RequestMeta(Context);

impl RequestMeta {
    /// Whether the request had a `_meta` at all.
    ///
    /// ```
    /// # use mcpwire_server::RequestMeta;
    /// fn had_meta(meta: &RequestMeta) -> bool {
    ///     meta.is_present()
    /// }
    /// # let _ = had_meta;
    /// ```
    pub fn is_present(&self) -> bool {
        self.0.meta().is_some()
    }
}

static NO_META: LazyLock<Meta> = LazyLock::new(Meta::new);

impl Deref for RequestMeta {
    type Target = Meta;

    fn deref(&self) -> &Meta {
        self.0.meta().unwrap_or(&NO_META)
    }
}

impl std::fmt::Debug for RequestMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RequestMeta").field(&**self).finish()
    }
}

impl FromContext for RequestMeta {
    fn from_context(cx: &Context) -> Result<Self, Error> {
        Ok(RequestMeta(cx.clone()))
    }
}

/// The request's cancellation token: it fires when the client cancels the
/// request or goes away. Derefs to the
/// [`CancellationToken`], so a handler can `select!` on
/// `cancel.cancelled()` or poll `cancel.is_cancelled()`.
///
/// ```
/// use mcpwire_server::{Cancel, Context, FromContext, ToolRoute};
/// let tool = ToolRoute::typed("wait", |cx: Context, _: ()| async move {
///     let cancel = Cancel::from_context(&cx)?;
///     tokio::select! {
///         _ = cancel.cancelled() => Ok::<_, mcpwire_rpc::Error>("cancelled"),
///         _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => Ok("done"),
///     }
/// });
/// assert_eq!(tool.name(), "wait");
/// ```
#[derive(Debug, Clone)]
pub struct Cancel(pub CancellationToken);

impl Deref for Cancel {
    type Target = CancellationToken;

    fn deref(&self) -> &CancellationToken {
        &self.0
    }
}

impl FromContext for Cancel {
    fn from_context(cx: &Context) -> Result<Self, Error> {
        Ok(Cancel(cx.cancellation().clone()))
    }
}

/// A value the transport attached to the request (see
/// [`Context::extensions`]): what a layer in front of the HTTP server put
/// in the request's [`Extensions`](mcpwire_rpc::engine::Extensions). A
/// request without one fails with a local error that names the type (the
/// client sees `Internal error`); take `Option<Extension<T>>` when it may
/// be missing.
///
/// ```
/// use mcpwire_server::{Context, Extension, FromContext, ToolRoute};
///
/// /// Put in the request's extensions by a layer in front of the server.
/// #[derive(Clone)]
/// struct Tenant(String);
///
/// let tool = ToolRoute::typed("tenant", |cx: Context, _: ()| async move {
///     let Extension(tenant) = Extension::<Tenant>::from_context(&cx)?;
///     Ok::<_, mcpwire_rpc::Error>(tenant.0)
/// });
/// assert_eq!(tool.name(), "tenant");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extension<T>(pub T);

impl<T> Deref for Extension<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone + Send + Sync + 'static> FromContext for Extension<T> {
    fn from_context(cx: &Context) -> Result<Self, Error> {
        cx.extensions()
            .get::<T>()
            .cloned()
            .map(Extension)
            .ok_or_else(|| {
                Error::internal(format!(
                    "no extension of type `{}` is attached to this request: the layer \
                 in front of the server that attaches it is missing",
                    type_name::<T>()
                ))
            })
    }
}
