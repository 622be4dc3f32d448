//! Demo MCP servers built with mcpwire, and a scripted client that shows
//! them at work.
//!
//! - [`support_desk`]: an AI support agent's back office — tickets in a
//!   SQLite database, served as resources, tools, a prompt, completions and
//!   change notifications.
//! - [`sqlite`]: a read-only SQL query server whose safety is enforced by
//!   the database itself (read-only connection, `query_only`, an authorizer,
//!   a row cap and a time limit).
//! - [`demo`]: starts the support desk as a child process over stdio and
//!   walks through a support agent's session step by step.
//! - [`sql_demo`]: starts the SQL server on the sample database as a child
//!   process over stdio and runs one traced query, timing each step.
//!
//! ```no_run
//! # async fn run() -> Result<(), mcpwire_demos::DemoError> {
//! let server = mcpwire_demos::support_desk::server(std::path::Path::new("desk.db"))?;
//! server.serve_stdio().await?;
//! # Ok(()) }
//! ```

pub mod demo;
mod error;
pub mod sql_demo;
pub mod sqlite;
pub mod support_desk;

pub use error::DemoError;
