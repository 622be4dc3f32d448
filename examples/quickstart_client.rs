//! The README's client: starts the echo example as a child process, lists
//! its tools and calls one.
//!
//! ```text
//! cargo run -p mcpwire-examples --example quickstart_client
//! ```
//!
//! Run it from anywhere in the repository: it starts the `echo` binary
//! built next to it, or, when there is none yet, builds and runs that
//! example with `cargo run -p mcpwire-examples` (the workspace root is a
//! virtual manifest, so cargo needs the package named).

use mcpwire::client::Client;
use mcpwire::transport::ChildProcess;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), mcpwire::Error> {
    let server = echo_server().spawn()?;
    let client = Client::builder("demo-client", "1.0.0")
        .connect(server)
        .await?;
    for tool in client.list_tools().await? {
        println!("{}: {}", tool.name, tool.description.unwrap_or_default());
    }
    let result = client.call_tool("echo", json!({"text": "hello"})).await?;
    println!("{:?}", result.content);
    client.close().await;
    Ok(())
}

/// The echo example serving stdio. Cargo puts a package's examples in one
/// directory, so once `echo` is built (`cargo build -p mcpwire-examples
/// --examples`, or any `cargo test -p mcpwire-examples`) it sits next to
/// this program and starts at once, with no second cargo.
fn echo_server() -> ChildProcess {
    let sibling = std::env::current_exe()
        .map(|exe| exe.with_file_name(format!("echo{}", std::env::consts::EXE_SUFFIX)));
    if let Ok(echo) = sibling
        && echo.is_file()
    {
        return ChildProcess::new(echo).arg("stdio");
    }
    // `cargo run` hands this program the package's manifest variables. A
    // nested cargo that saw them would count them as changed inputs of the
    // build scripts that watch them, and rebuild those crates and all above
    // them now and again on the next plain build; so it gets them removed.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let run = ChildProcess::new(cargo)
        .args([
            "run",
            "-q",
            "-p",
            "mcpwire-examples",
            "--example",
            "echo",
            "--",
            "stdio",
        ])
        .env_clear();
    std::env::vars_os()
        .filter(|(key, _)| {
            !key.to_str()
                .is_some_and(|k| k.starts_with("CARGO_PKG_") || k.starts_with("CARGO_MANIFEST_"))
        })
        .fold(run, |run, (key, value)| run.env(key, value))
}
