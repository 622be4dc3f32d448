//! Which kind of exchange a request belongs to: a session opened with
//! `initialize`, or a self-describing stateless request.

/// Which kind of exchange a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// A session opened with `initialize` (2025-11-25 and earlier): the server
    /// may send requests to the client mid-call.
    Session,
    /// A self-describing request (2026-07-28): input travels as multi
    /// round-trip requests.
    Stateless,
}
