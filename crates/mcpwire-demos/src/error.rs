//! The error type of the demos.

use std::path::PathBuf;

/// Everything that can stop a demo server or the demo flow.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// The database could not be opened, created or seeded.
    #[error("cannot use the database {}: {source}", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The demo was given an empty server command line.
    #[error("no command was given to start the demo's server")]
    NoCommand,
    /// The server process could not be started.
    #[error("cannot start the demo's server {command:?}: {source}")]
    Spawn {
        /// The program that failed to start.
        command: String,
        /// Why.
        source: std::io::Error,
    },
    /// An MCP call of the demo failed.
    #[error("step {step:?} failed: {source}")]
    Mcp {
        /// The step that failed.
        step: String,
        /// The error.
        source: Box<mcpwire::Error>,
    },
    /// The server answered, but not as the demo expects.
    #[error("step {step:?} failed: {message}")]
    Unexpected {
        /// The step that failed.
        step: String,
        /// What was wrong.
        message: String,
    },
    /// Writing the demo's output failed.
    #[error("cannot write the demo output: {0}")]
    Output(#[source] std::io::Error),
    /// Serving a connection failed.
    #[error("serving failed: {0}")]
    Serve(#[source] Box<mcpwire::Error>),
    /// A temporary file could not be made.
    #[error("cannot make a temporary database: {0}")]
    TempFile(#[source] std::io::Error),
    /// The server's routes could not be built (two of one name).
    #[error("cannot build the server: {0}")]
    Build(#[from] mcpwire::server::BuildError),
}

impl From<mcpwire::Error> for DemoError {
    /// A failure while serving.
    fn from(e: mcpwire::Error) -> Self {
        DemoError::Serve(Box::new(e))
    }
}
