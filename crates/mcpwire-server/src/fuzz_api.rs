//! Crate-private code reached by the fuzz targets in `fuzz/`; compiled only
//! under `--cfg fuzzing`, so it is never part of the public API.
//!
//! The `requestState` seal is private to the server. Rather than widen its
//! visibility, its file is compiled a second time here with `#[path]`: the
//! copy is the same source, so it behaves the same, and this module wraps
//! its crate-private items in `pub` ones the fuzz crate can call.

use std::time::Duration;

use mcpwire_types::InputResponses;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "request_state.rs"]
mod request_state;

/// The keys that seal and open `requestState` values.
#[derive(Debug)]
pub struct RequestStateKeys(request_state::RequestStateKeys);

impl RequestStateKeys {
    /// Seals with the first key, opens with any; states live `ttl`.
    pub fn new(keys: Vec<Vec<u8>>, ttl: Duration) -> Self {
        RequestStateKeys(request_state::RequestStateKeys::new(keys, ttl))
    }

    /// Seals `answers` for a request of `method` on `target`.
    pub fn seal(
        &self,
        method: &str,
        target: &str,
        answers: &InputResponses,
    ) -> Result<String, mcpwire_rpc::Error> {
        self.0.seal(method, target, answers)
    }

    /// Opens a sealed state issued for `method` on `target`.
    pub fn open(
        &self,
        state: &str,
        method: &str,
        target: &str,
    ) -> Result<InputResponses, mcpwire_rpc::Error> {
        self.0.open(state, method, target)
    }
}
