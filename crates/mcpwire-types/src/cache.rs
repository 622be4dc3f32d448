//! Caching hints of 2026-07-28 results: `ttlMs` and `cacheScope`.
//!
//! The cacheable results ([`DiscoverResult`](crate::DiscoverResult), the
//! `*/list` results and [`ReadResourceResult`](crate::ReadResourceResult))
//! carry both as optional fields; 2026-07-28 requires them.
//!
//! ```
//! use mcpwire_types::{CacheHint, CacheScope, ListToolsResult};
//! let page = ListToolsResult::default().with_cache(CacheHint::new(60_000, CacheScope::Public));
//! let json = serde_json::to_value(&page).unwrap();
//! assert_eq!(json["ttlMs"], 60_000);
//! assert_eq!(json["cacheScope"], "public");
//! assert_eq!(page.cache_hint(), Some(CacheHint::new(60_000, CacheScope::Public)));
//! ```

use serde::{Deserialize, Serialize};

/// Who may share a cached copy of a result, as HTTP `Cache-Control: public`
/// and `private`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheScope {
    /// Cache and reuse only within the same authorization context.
    Private,
    /// No user-specific data: any client or intermediary may cache it.
    Public,
}

/// A `ttlMs` and `cacheScope` pair, to set on a cacheable result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheHint {
    /// How long the result stays fresh, in milliseconds; 0 means stale at once.
    pub ttl_ms: u64,
    /// Who may share the cached copy.
    pub scope: CacheScope,
}

impl CacheHint {
    /// A hint: fresh for `ttl_ms` milliseconds, shareable per `scope`.
    pub const fn new(ttl_ms: u64, scope: CacheScope) -> Self {
        CacheHint { ttl_ms, scope }
    }

    /// A hint to never reuse the result: `ttlMs` 0, private.
    pub const NO_CACHE: CacheHint = CacheHint::new(0, CacheScope::Private);
}

macro_rules! cacheable {
    ($($t:ty),* $(,)?) => {$(
        impl $t {
            /// Sets `ttlMs` and `cacheScope` (2026-07-28).
            ///
            /// ```
            /// use mcpwire_types::{CacheHint, ListToolsResult};
            /// let page = ListToolsResult::default().with_cache(CacheHint::NO_CACHE);
            /// let json = serde_json::to_value(&page).unwrap();
            /// assert_eq!(json["ttlMs"], 0);
            /// assert_eq!(json["cacheScope"], "private");
            /// ```
            pub fn with_cache(mut self, hint: CacheHint) -> Self {
                self.ttl_ms = Some(hint.ttl_ms);
                self.cache_scope = Some(hint.scope);
                self
            }

            /// The `ttlMs` and `cacheScope` pair, when both are present.
            pub fn cache_hint(&self) -> Option<CacheHint> {
                Some(CacheHint::new(self.ttl_ms?, self.cache_scope?))
            }
        }
    )*};
}

cacheable!(
    crate::DiscoverResult,
    crate::ListToolsResult,
    crate::ListPromptsResult,
    crate::ListResourcesResult,
    crate::ListResourceTemplatesResult,
    crate::ReadResourceResult,
);
