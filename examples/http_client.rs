//! A client over Streamable HTTP: connects to an MCP endpoint, lists its
//! tools and calls one.
//!
//! ```text
//! cargo run -p mcpwire-examples --example echo -- http 127.0.0.1:8080 &
//! cargo run -p mcpwire-examples --example http_client -- http://127.0.0.1:8080/mcp
//! cargo run -p mcpwire-examples --example http_client -- http://127.0.0.1:8080/mcp add '{"a":1,"b":2}'
//! ```
//!
//! Arguments: `URL [TOOL [ARGUMENTS]]`, ARGUMENTS a JSON object. Without a
//! tool it calls `echo` with `{"text":"hello"}`, which the `echo` example
//! serves. With `MCP_BEARER_TOKEN` set, every request carries
//! `Authorization: Bearer <token>` (see the `oauth_protected` example).
//!
//! It prints the server's name, the tools, and the tool's text answer on
//! stdout. Exit status: 0 when the call succeeded, 1 when the server could
//! not be reached or the call failed (the reason on stderr), 2 for bad
//! arguments.

use std::process::ExitCode;
use std::time::Duration;

use mcpwire::client::Client;
use mcpwire::transport::http_client::{HttpClientTransport, ReconnectPolicy};
use mcpwire::types::ContentBlock;
use serde_json::{Map, Value};

/// How long one HTTP request may take to connect and get its answer's
/// headers.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest the whole run may take: a server that never answers ends in
/// an error, not a hang.
const RUN_DEADLINE: Duration = Duration::from_secs(30);

/// What the run needs, from the command line.
struct Args {
    url: String,
    tool: String,
    arguments: Map<String, Value>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: http_client URL [TOOL [ARGUMENTS_JSON]]")?;
    let tool = args.next().unwrap_or_else(|| "echo".to_owned());
    let arguments = match args.next() {
        Some(text) => match serde_json::from_str(&text) {
            Ok(Value::Object(map)) => map,
            Ok(_) | Err(_) => {
                return Err(format!(
                    "the arguments must be a JSON object, like '{{\"text\":\"hi\"}}'; got {text}"
                ));
            }
        },
        None if tool == "echo" => Map::from_iter([("text".to_owned(), Value::from("hello"))]),
        None => Map::new(),
    };
    if let Some(extra) = args.next() {
        return Err(format!("unexpected argument {extra:?}"));
    }
    Ok(Args {
        url,
        tool,
        arguments,
    })
}

async fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut transport = HttpClientTransport::builder(args.url.as_str())
        .timeout(REQUEST_TIMEOUT)
        // Give up soon on a server that is not there (the default retries
        // for about 15 s).
        .reconnect(ReconnectPolicy {
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(1),
            max_attempts: 2,
        });
    if let Ok(token) = std::env::var("MCP_BEARER_TOKEN") {
        transport = transport.header("Authorization", format!("Bearer {token}"));
    }
    let client = Client::builder("http-client-example", env!("CARGO_PKG_VERSION"))
        .connect(transport.build()?)
        .await?;
    let server = client.server_info();
    println!(
        "connected to {} {} (protocol {})",
        server.name,
        server.version,
        client.protocol_version()
    );

    println!("tools:");
    for tool in client.list_tools().await? {
        let about = tool.description.unwrap_or_default();
        println!("  {}: {}", tool.name, about.lines().next().unwrap_or(""));
    }

    let result = client
        .call_tool(&args.tool, Value::Object(args.arguments.clone()))
        .await;
    client.close().await;
    let result = result?;
    let text: Vec<&str> = result
        .content
        .iter()
        .filter_map(ContentBlock::as_text)
        .collect();
    if result.is_error() {
        return Err(format!("the tool {} failed: {}", args.tool, text.join("\n")).into());
    }
    println!("{} -> {}", args.tool, text.join("\n"));
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(why) => {
            eprintln!("http_client: {why}");
            return ExitCode::from(2);
        }
    };
    match tokio::time::timeout(RUN_DEADLINE, run(&args)).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("http_client: {}: {e}", args.url);
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!(
                "http_client: {}: no answer within {RUN_DEADLINE:?}",
                args.url
            );
            ExitCode::FAILURE
        }
    }
}
