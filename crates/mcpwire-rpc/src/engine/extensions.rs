//! [`Extensions`]: typed values a transport attaches to one incoming
//! request (such as the verified identity behind an HTTP request), carried
//! through the engine to the request's handler.

use std::any::{Any, TypeId};
use std::sync::Arc;

#[derive(Default)]
struct Inner {
    /// Who sent the request, as a key sessions are bound to.
    principal: Option<Box<str>>,
    values: Vec<(TypeId, Arc<dyn Any + Send + Sync>)>,
}

/// Values a transport attaches to one incoming request, for its handler.
///
/// The HTTP server takes an `Extensions` from the HTTP request's own
/// extensions (`req.extensions_mut().insert(ext)`), so a tower layer or a
/// framework middleware in front of it can hand anything to the handlers;
/// the `auth` layer puts the verified token here. Handlers read it from
/// `mcpwire_server::Context::extensions`.
///
/// Empty, it is one null pointer: requests without extensions allocate
/// nothing. Cloning is a reference count.
///
/// The *principal* names who sent the request. A session opened by one
/// principal serves only requests of the same principal; the others get
/// 404, as for a session that does not exist.
///
/// ```
/// use mcpwire_rpc::engine::Extensions;
///
/// #[derive(Debug, PartialEq)]
/// struct Tenant(&'static str);
///
/// let ext = Extensions::new().with(Tenant("acme")).with_principal("alice");
/// assert_eq!(ext.get::<Tenant>(), Some(&Tenant("acme")));
/// assert_eq!(ext.principal(), Some("alice"));
/// assert!(ext.get::<String>().is_none());
/// assert!(Extensions::new().is_empty());
/// ```
#[derive(Clone, Default)]
pub struct Extensions(Option<Arc<Inner>>);

impl Extensions {
    /// No extensions.
    pub const fn new() -> Self {
        Extensions(None)
    }

    /// Whether nothing is attached (no values and no principal).
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    fn inner_mut(&mut self) -> &mut Inner {
        let arc = self.0.get_or_insert_with(Default::default);
        // Values are shared `Arc`s, so copying the list is cheap.
        if Arc::get_mut(arc).is_none() {
            let copy = Inner {
                principal: arc.principal.clone(),
                values: arc.values.clone(),
            };
            *arc = Arc::new(copy);
        }
        Arc::get_mut(arc).expect("just made unique")
    }

    /// Attaches `value`, replacing one of the same type.
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.insert_arc(Arc::new(value));
    }

    /// Attaches a shared `value`, replacing one of the same type.
    pub fn insert_arc<T: Any + Send + Sync>(&mut self, value: Arc<T>) {
        let values = &mut self.inner_mut().values;
        let id = TypeId::of::<T>();
        values.retain(|(t, _)| *t != id);
        values.push((id, value));
    }

    /// [`Extensions::insert`], by value.
    ///
    /// ```
    /// use mcpwire_rpc::engine::Extensions;
    /// #[derive(Debug, PartialEq)]
    /// struct RequestIdHeader(String);
    /// let ext = Extensions::new()
    ///     .with(RequestIdHeader("a".into()))
    ///     .with(RequestIdHeader("b".into())); // replaces the first
    /// assert_eq!(ext.get::<RequestIdHeader>(), Some(&RequestIdHeader("b".into())));
    /// ```
    pub fn with<T: Any + Send + Sync>(mut self, value: T) -> Self {
        self.insert(value);
        self
    }

    /// The attached value of type `T`.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        let inner = self.0.as_deref()?;
        let id = TypeId::of::<T>();
        inner
            .values
            .iter()
            .find(|(t, _)| *t == id)
            .and_then(|(_, v)| v.downcast_ref::<T>())
    }

    /// Sets who sent the request (see the type's documentation).
    pub fn set_principal(&mut self, principal: impl Into<Box<str>>) {
        self.inner_mut().principal = Some(principal.into());
    }

    /// [`Extensions::set_principal`], by value.
    ///
    /// ```
    /// use mcpwire_rpc::engine::Extensions;
    /// let ext = Extensions::new().with_principal("client-7");
    /// assert_eq!(ext.principal(), Some("client-7"));
    /// assert!(!ext.is_empty());
    /// ```
    pub fn with_principal(mut self, principal: impl Into<Box<str>>) -> Self {
        self.set_principal(principal);
        self
    }

    /// Who sent the request, if the transport knows.
    pub fn principal(&self) -> Option<&str> {
        self.0.as_deref()?.principal.as_deref()
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be secrets of their owner: only their number is shown.
        let (principal, values) = match self.0.as_deref() {
            Some(i) => (i.principal.is_some(), i.values.len()),
            None => (false, 0),
        };
        f.debug_struct("Extensions")
            .field("has_principal", &principal)
            .field("values", &values)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_is_not_changed_by_later_inserts() {
        let a = Extensions::new().with(1u32);
        let mut b = a.clone();
        b.insert(2u32);
        b.insert("x");
        assert_eq!(a.get::<u32>(), Some(&1));
        assert_eq!(b.get::<u32>(), Some(&2));
        assert_eq!(a.get::<&str>(), None);
        assert_eq!(b.get::<&str>(), Some(&"x"));
        assert_eq!(a.principal(), None);
    }

    #[test]
    fn empty_extensions_are_one_pointer() {
        assert_eq!(
            std::mem::size_of::<Extensions>(),
            std::mem::size_of::<usize>()
        );
    }
}
