//! The verbs: each connects to the target, does one thing, prints it.

pub mod auth;
pub mod call;
pub mod complete;
pub mod get;
pub mod info;
pub mod inspect;
pub mod list;
mod protect;
pub mod serve;
mod shared;
pub mod test;
pub mod watch;

use mcpwire::client::Client;
use mcpwire_types::LoggingLevel;

use crate::cli::TargetArgs;
use crate::exit::CliError;
use crate::interact;
use crate::oauth;
use crate::output::Output;
use crate::target::{ConnectError, Target};

/// The client's name towards servers.
pub const CLIENT_NAME: &str = "mcpwire";

/// Resolves the target and connects, with the interactive handlers. With
/// `logs`, the client asks for the server's log messages (info and up) and
/// prints them on stderr while the verb runs.
pub async fn connect(
    url: Option<String>,
    opts: &TargetArgs,
    out: Output,
    logs: bool,
) -> Result<Client, CliError> {
    let target = Target::resolve(url, opts)?;
    let builder = || {
        let b =
            interact::with_handlers(Client::builder(CLIENT_NAME, env!("CARGO_PKG_VERSION")), out);
        if logs {
            b.log_level(LoggingLevel::Info)
        } else {
            b
        }
    };
    let client = match target.connect(builder(), opts).await {
        // On a terminal, a server that wants OAuth gets it now, through
        // the browser, and the connection is made again.
        Err(ConnectError::NeedsLogin { url }) if out.interactive => {
            let issuer = oauth::login(&url, true, oauth::DEFAULT_WAIT).await?;
            let issuer = crate::output::clean(&issuer).into_owned();
            eprintln!("{}", out.dim_err(&format!("authorized by {issuer}")));
            target.connect(builder(), opts).await?
        }
        r => r?,
    };
    if logs {
        interact::print_logs(&client, out);
    }
    Ok(client)
}
