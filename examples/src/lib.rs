//! Shared helpers for the mcpwire examples, and the README's Rust snippets,
//! compiled as doctests so that the README cannot drift from the API.

/// The README, whose `rust` blocks `cargo test --doc` compiles (and runs,
/// unless a block says `no_run`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct Readme;

/// The guide's chapters (`docs/src`), compiled the same way.
#[cfg(doctest)]
pub mod guide {
    /// A first stdio server.
    #[doc = include_str!("../../docs/src/first-server.md")]
    pub struct FirstServer;
    /// HTTP and axum.
    #[doc = include_str!("../../docs/src/http.md")]
    pub struct Http;
    /// State and extractors.
    #[doc = include_str!("../../docs/src/state.md")]
    pub struct State;
    /// Input from the client in both eras.
    #[doc = include_str!("../../docs/src/input.md")]
    pub struct Input;
    /// Tasks, skills and OAuth.
    #[doc = include_str!("../../docs/src/tasks-skills-oauth.md")]
    pub struct TasksSkillsOauth;
    /// Testing a server.
    #[doc = include_str!("../../docs/src/testing.md")]
    pub struct Testing;
    /// Deploying.
    #[doc = include_str!("../../docs/src/deploying.md")]
    pub struct Deploying;
}
