//! [`State<T>`]: shared state given to the server builder, kept by type
//! and handed to every handler that takes it.

use std::any::{Any, TypeId, type_name};
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;

use mcpwire_rpc::Error;

use super::FromContext;
use crate::Context;

/// Shared state of type `T`, given to
/// [`ServerBuilder::state`](crate::ServerBuilder::state) once and shared by
/// every request. Derefs to `T` (`state.field` reads `T`'s field); cloning
/// it is a reference count.
///
/// The server keeps one value per type. A handler that takes a `State<T>`
/// the builder was not given fails with a local error that names `T` (the
/// client sees `Internal error`): that is a fault of the server's setup,
/// not of the request.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use mcpwire_server::{Context, FromContext, Server, State, ToolRoute};
///
/// #[derive(Default)]
/// struct Hits(AtomicU64);
///
/// let server = Server::builder("counter", "1.0.0")
///     .state(Hits::default())
///     .tool(ToolRoute::typed("hit", |cx: Context, _: ()| async move {
///         let hits = State::<Hits>::from_context(&cx)?;
///         Ok::<_, mcpwire_rpc::Error>(hits.0.fetch_add(1, Ordering::Relaxed) + 1)
///     }))
///     .build()?;
/// assert_eq!(server.info().name, "counter");
/// # Ok::<(), mcpwire_server::BuildError>(())
/// ```
pub struct State<T: ?Sized>(Arc<T>);

impl<T: ?Sized> State<T> {
    /// The shared value itself.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use mcpwire_server::State;
    /// let state = State::from(Arc::new(5));
    /// let shared: Arc<i32> = state.into_inner();
    /// assert_eq!(*shared, 5);
    /// ```
    pub fn into_inner(self) -> Arc<T> {
        self.0
    }
}

/// Shares a value the caller already holds, as a handler gets it.
///
/// ```
/// # use std::sync::Arc;
/// # use mcpwire_server::State;
/// let state: State<str> = State::from(Arc::<str>::from("shared"));
/// assert_eq!(&*state, "shared");
/// ```
impl<T: ?Sized> From<Arc<T>> for State<T> {
    fn from(value: Arc<T>) -> Self {
        State(value)
    }
}

impl<T: ?Sized> Clone for State<T> {
    fn clone(&self) -> Self {
        State(Arc::clone(&self.0))
    }
}

impl<T: ?Sized> Deref for State<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for State<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("State").field(&&*self.0).finish()
    }
}

impl<T: Send + Sync + 'static> FromContext for State<T> {
    fn from_context(cx: &Context) -> Result<Self, Error> {
        cx.server()
            .inner
            .state
            .get::<T>()
            .map(State)
            .ok_or_else(|| {
                Error::internal(format!(
                    "no state of type `{}` was given to the server: add it with \
                 `ServerBuilder::state`",
                    type_name::<T>()
                ))
            })
    }
}

/// The builder's shared state, one value per type; read-only once the
/// server is built.
#[derive(Clone, Default)]
pub(crate) struct StateMap(Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl StateMap {
    /// Adds `value`, replacing one of the same type. Only the builder calls
    /// it, before the map is shared.
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        Arc::make_mut(&mut self.0).insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`.
    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let value = self.0.get(&TypeId::of::<T>())?;
        Arc::clone(value).downcast::<T>().ok()
    }
}

impl std::fmt::Debug for StateMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} state value(s)]", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::StateMap;

    #[test]
    fn keeps_one_value_per_type() {
        let mut map = StateMap::default();
        map.insert(1u32);
        map.insert(2u32);
        map.insert("text");
        assert_eq!(map.get::<u32>().as_deref(), Some(&2));
        assert_eq!(map.get::<&str>().as_deref(), Some(&"text"));
        assert!(map.get::<u64>().is_none());
    }
}
