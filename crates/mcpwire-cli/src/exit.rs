//! Exit codes and the error type that carries them to `main`.

use std::fmt;

/// The documented exit codes (also listed in `mcpwire --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Ok = 0,
    /// The command line was wrong: unknown verb, bad option, malformed
    /// `key=value`, unreadable config file.
    Usage = 2,
    /// The server could not be reached or started, or the handshake failed.
    Connect = 3,
    /// The server answered with a JSON-RPC error, timed out or broke the
    /// protocol.
    Protocol = 4,
    /// The tool ran and reported failure (`isError: true`).
    ToolError = 5,
    /// `mcpwire test`: a step of the collection failed.
    TestFailed = 6,
}

/// The text appended to `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  2  usage error (bad arguments, unreadable config, malformed key=value)
  3  cannot connect (server unreachable, cannot start, handshake failed)
  4  protocol error (JSON-RPC error answer, timeout, malformed message)
  5  the tool ran and returned isError: true
  6  mcpwire test: a step failed its expectations";

/// A failure that ends the command with a given exit code.
#[derive(Debug)]
pub struct CliError {
    /// The exit code to end with.
    pub exit: Exit,
    /// What went wrong, for the user.
    pub message: String,
}

impl CliError {
    /// A usage error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// A connection failure (exit code 3).
    pub fn connect(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Connect,
            message: message.into(),
        }
    }

    /// A protocol failure (exit code 4).
    pub fn protocol(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Protocol,
            message: message.into(),
        }
    }

    /// A failed call of `method`, after the connection was up. Errors that
    /// mean the connection went away are still protocol errors here: the
    /// server was reached, then misbehaved.
    pub fn call(method: &str, e: mcpwire::Error) -> Self {
        match e {
            mcpwire::Error::Rpc(obj) => CliError::protocol(format!(
                "{method} failed: {} (JSON-RPC error {})",
                obj.message, obj.code.0
            )),
            other => CliError::protocol(format!("{method} failed: {other}")),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// The result of a verb: the exit code to end with when it did not fail.
pub type CliResult = Result<Exit, CliError>;
