//! The keys that seal `requestState`, replaceable while the server runs:
//! the [`KeyRing`] several replicas of a server share, so that a state
//! one sealed is opened by any, and keys can rotate without a restart.

use std::sync::{Arc, RwLock};

/// A set of `requestState` keys that can be replaced at any time: the
/// first seals, every one opens. Cheap to clone; clones share the keys.
///
/// Give one to [`ServerBuilder::request_state_key_ring`](crate::ServerBuilder::request_state_key_ring)
/// and keep a clone to rotate with. A ring kept in a shared store (such as
/// the Redis one of `mcpwire-redis`) keeps every replica on the same keys.
///
/// ```
/// use mcpwire_server::KeyRing;
/// let ring = KeyRing::new(vec![vec![1u8; 32]]);
/// // Rotate: seal with the new key, still open what the old one sealed.
/// ring.set(vec![vec![2u8; 32], vec![1u8; 32]]);
/// assert_eq!(ring.keys().len(), 2);
/// ```
#[derive(Clone, Default)]
pub struct KeyRing {
    keys: Arc<RwLock<Arc<[Vec<u8>]>>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The keys are secrets: only how many there are.
        write!(f, "KeyRing([{} key(s)])", self.keys().len())
    }
}

impl KeyRing {
    /// A ring holding `keys` (newest first).
    ///
    /// ```
    /// let ring = mcpwire_server::KeyRing::new(vec![b"secret".to_vec()]);
    /// assert_eq!(ring.keys()[0], b"secret");
    /// ```
    pub fn new(keys: Vec<Vec<u8>>) -> KeyRing {
        KeyRing {
            keys: Arc::new(RwLock::new(keys.into())),
        }
    }

    /// Replaces the keys (newest first). An empty list is ignored: a ring
    /// never loses the keys it seals with.
    ///
    /// ```
    /// let ring = mcpwire_server::KeyRing::new(vec![b"a".to_vec()]);
    /// ring.set(Vec::new());
    /// assert_eq!(ring.keys().len(), 1);
    /// ```
    pub fn set(&self, keys: Vec<Vec<u8>>) {
        if keys.is_empty() {
            return;
        }
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = keys.into();
    }

    /// The keys now (newest first).
    ///
    /// ```
    /// assert!(mcpwire_server::KeyRing::default().keys().is_empty());
    /// ```
    pub fn keys(&self) -> Arc<[Vec<u8>]> {
        self.keys.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A handle that does not keep the ring alive: for a task that
    /// refreshes the ring while anyone uses it, and then stops.
    ///
    /// ```
    /// let ring = mcpwire_server::KeyRing::new(vec![b"k".to_vec()]);
    /// let weak = ring.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(ring);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakKeyRing {
        WeakKeyRing {
            keys: Arc::downgrade(&self.keys),
        }
    }
}

/// A [`KeyRing`] handle that does not keep it alive
/// ([`KeyRing::downgrade`]).
///
/// ```
/// let ring = mcpwire_server::KeyRing::default();
/// let weak: mcpwire_server::WeakKeyRing = ring.downgrade();
/// # let _ = weak;
/// ```
#[derive(Clone, Debug)]
pub struct WeakKeyRing {
    keys: std::sync::Weak<RwLock<Arc<[Vec<u8>]>>>,
}

impl WeakKeyRing {
    /// The ring, while anyone holds it.
    ///
    /// ```
    /// let ring = mcpwire_server::KeyRing::default();
    /// assert!(ring.downgrade().upgrade().is_some());
    /// ```
    pub fn upgrade(&self) -> Option<KeyRing> {
        self.keys.upgrade().map(|keys| KeyRing { keys })
    }
}
