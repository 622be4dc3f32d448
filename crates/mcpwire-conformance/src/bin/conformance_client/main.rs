//! The client that the official MCP conformance suite drives
//! (`bash scripts/conformance.sh client`): it connects to the URL given as
//! its last argument over Streamable HTTP and acts out the scenario named by
//! `MCP_CONFORMANCE_SCENARIO`.
//!
//! ```text
//! MCP_CONFORMANCE_SCENARIO=tools_call conformance_client http://localhost:PORT/mcp
//! ```
//!
//! The suite also sets `MCP_CONFORMANCE_PROTOCOL_VERSION` (the revision the
//! run targets) and, for some scenarios, `MCP_CONFORMANCE_CONTEXT` (JSON).
//! Logs go to stderr. The exit status is 0 when the scenario's client side
//! ran to completion, 1 when anything failed, and 2 for a usage error or a
//! scenario this client does not know.

use std::error::Error as StdError;
use std::process::ExitCode;
use std::time::Duration;

use mcpwire::client::{Client, ClientBuilder, ClientMode};
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::types::{
    CallToolResult, ContentBlock, ElicitRequestParams, ElicitResult, ProtocolVersion, Tool,
};
use serde_json::{Map, Value, json};

/// The name and version this client reports in `clientInfo`.
const CLIENT_NAME: &str = "mcpwire-conformance-client";
const CLIENT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The longest a whole scenario may take before the client gives up: below
/// the suite's own 30 s limit, so a hang ends with this client's message.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(25);

/// The scenarios this client acts out, for the usage message.
const SCENARIOS: &[&str] = &[
    "initialize",
    "tools_call",
    "elicitation-sep1034-client-defaults",
    "sse-retry",
    "json-schema-2020-12-preservation",
    "json-schema-ref-no-deref",
    "request-metadata",
    "sep-2322-client-request-state",
    "http-standard-headers",
    "http-custom-headers",
    "http-invalid-tool-headers",
];

type BoxError = Box<dyn StdError + Send + Sync>;
type Outcome = Result<(), BoxError>;

/// What the suite told this run.
struct Run {
    url: String,
    version: ProtocolVersion,
    /// `MCP_CONFORMANCE_CONTEXT`, when the suite set it.
    context: Option<Value>,
}

macro_rules! log {
    ($($arg:tt)*) => { eprintln!("[conformance_client] {}", format_args!($($arg)*)) };
}

mod auth;
mod auth_ext;
mod modern;
mod skills;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let Some(url) = args.pop() else {
        log!("usage: MCP_CONFORMANCE_SCENARIO=NAME conformance_client [ARGS...] URL");
        return ExitCode::from(2);
    };
    let scenario = match std::env::var("MCP_CONFORMANCE_SCENARIO") {
        Ok(s) if !s.is_empty() => s,
        _ => {
            log!("MCP_CONFORMANCE_SCENARIO is not set; it names the scenario to run");
            return ExitCode::from(2);
        }
    };
    if !SCENARIOS.contains(&scenario.as_str())
        && !skills::SCENARIOS.contains(&scenario.as_str())
        && !auth::SCENARIOS.contains(&scenario.as_str())
        && !auth_ext::SCENARIOS.contains(&scenario.as_str())
    {
        log!(
            "unknown scenario {scenario:?}; this client knows: {}",
            SCENARIOS.join(", ")
        );
        return ExitCode::from(2);
    }
    let context = std::env::var("MCP_CONFORMANCE_CONTEXT").ok();
    if let Some(context) = &context {
        log!("context: {context}");
    }
    let run = Run {
        url,
        version: requested_version(),
        context: context.and_then(|c| serde_json::from_str(&c).ok()),
    };
    log!(
        "scenario {scenario} against {} (protocol {})",
        run.url,
        run.version
    );

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            log!("FAILED: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match tokio::time::timeout(SCENARIO_TIMEOUT, run_scenario(&scenario, &run)).await {
            Ok(outcome) => outcome,
            Err(_) => {
                Err(format!("the scenario did not finish within {SCENARIO_TIMEOUT:?}").into())
            }
        }
    });
    // Background HTTP streams must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match outcome {
        Ok(()) => {
            log!("scenario {scenario} completed");
            ExitCode::SUCCESS
        }
        Err(e) => {
            log!("FAILED: scenario {scenario}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The revision the suite names, or the newest with a session when it names
/// none or one this client does not know.
fn requested_version() -> ProtocolVersion {
    let fallback = ProtocolVersion::LATEST_LEGACY;
    let Ok(raw) = std::env::var("MCP_CONFORMANCE_PROTOCOL_VERSION") else {
        return fallback;
    };
    match raw.parse::<ProtocolVersion>() {
        Ok(v) => v,
        Err(e) => {
            log!("{e}; asking for {fallback}");
            fallback
        }
    }
}

async fn run_scenario(scenario: &str, run: &Run) -> Outcome {
    match scenario {
        "initialize" => initialize(run).await,
        "tools_call" => tools_call(run).await,
        "elicitation-sep1034-client-defaults" => elicitation_defaults(run).await,
        "sse-retry" => sse_retry(run).await,
        "json-schema-2020-12-preservation" => json_schema_preservation(run).await,
        "json-schema-ref-no-deref" => json_schema_ref_no_deref(run).await,
        s if skills::SCENARIOS.contains(&s) => skills::run(s, run).await,
        s if auth::SCENARIOS.contains(&s) => auth::run(run).await,
        "request-metadata" => modern::request_metadata(run).await,
        "sep-2322-client-request-state" => modern::request_state(run).await,
        "http-standard-headers" => modern::standard_headers(run).await,
        "http-custom-headers" => modern::custom_headers(run).await,
        "http-invalid-tool-headers" => modern::invalid_tool_headers(run).await,
        s if auth_ext::SCENARIOS.contains(&s) => auth_ext::run(s, run).await,
        other => Err(format!("no handler for scenario {other:?}").into()),
    }
}

/// A client builder with this client's identity and the requested revision:
/// `initialize` asks for a revision with a session; for 2026-07-28 the
/// client probes with `server/discover` ([`ClientMode::Auto`]) and then
/// sends self-describing requests.
fn builder(run: &Run) -> ClientBuilder {
    let builder = Client::builder(CLIENT_NAME, CLIENT_VERSION);
    if run.version.is_legacy() {
        // The scenario names its revision: open a session, no probe.
        builder
            .mode(ClientMode::Legacy)
            .protocol_version(run.version)
    } else {
        builder.mode(ClientMode::Auto)
    }
}

/// Connects `builder` to the suite's server over Streamable HTTP. The
/// transport holds the first request until its GET stream is open, so
/// server messages sent on that stream are not lost.
async fn connect(run: &Run, builder: ClientBuilder) -> Result<Client, BoxError> {
    let transport = HttpClientTransport::builder(run.url.as_str())
        .build()
        .map_err(|e| format!("cannot create the HTTP transport for {}: {e}", run.url))?;
    let client = builder
        .connect(transport)
        .await
        .map_err(|e| format!("connecting failed: {e}"))?;
    let server = client.server_info();
    log!(
        "connected to {} {} (protocol {})",
        server.name,
        server.version,
        client.protocol_version()
    );
    Ok(client)
}

/// Runs `body` on a connected client, then closes the client whether the
/// body succeeded or not.
async fn session<F>(run: &Run, builder: ClientBuilder, body: F) -> Outcome
where
    F: AsyncFnOnce(&Client) -> Outcome,
{
    let client = connect(run, builder).await?;
    let outcome = body(&client).await;
    client.close().await;
    log!("connection closed");
    outcome
}

/// Every tool the server lists, logged by name.
async fn list_tools(client: &Client) -> Result<Vec<Tool>, BoxError> {
    let tools = client
        .list_tools()
        .await
        .map_err(|e| format!("tools/list failed: {e}"))?;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    log!("tools: {names:?}");
    Ok(tools)
}

/// The listed tool called `name`.
fn find_tool<'a>(tools: &'a [Tool], name: &str) -> Result<&'a Tool, BoxError> {
    tools
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| format!("the server did not list the tool {name:?}").into())
}

/// Calls a tool and fails on a transport, protocol or tool error.
async fn call_tool(
    client: &Client,
    name: &str,
    arguments: Value,
) -> Result<CallToolResult, BoxError> {
    let result = client
        .call_tool(name, arguments)
        .await
        .map_err(|e| format!("tools/call {name} failed: {e}"))?;
    let text = result_text(&result);
    if result.is_error == Some(true) {
        return Err(format!("tool {name} reported an error: {text}").into());
    }
    log!("tools/call {name}: {text}");
    Ok(result)
}

/// The text blocks of a tool result, joined for logging.
fn result_text(result: &CallToolResult) -> String {
    let texts: Vec<&str> = result
        .content
        .iter()
        .filter_map(|block| match block {
            ContentBlock::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect();
    if texts.is_empty() {
        format!("{} non-text content block(s)", result.content.len())
    } else {
        texts.join(" | ")
    }
}

/// `initialize`: the handshake alone, then close.
async fn initialize(run: &Run) -> Outcome {
    session(run, builder(run), async |_| Ok(())).await
}

/// `tools_call`: list the tools and add two numbers.
async fn tools_call(run: &Run) -> Outcome {
    session(run, builder(run), async |client| {
        let tools = list_tools(client).await?;
        find_tool(&tools, "add_numbers")?;
        call_tool(client, "add_numbers", json!({ "a": 2, "b": 3 })).await?;
        Ok(())
    })
    .await
}

/// `elicitation-sep1034-client-defaults`: accept the server's form with
/// every field set to its schema default.
async fn elicitation_defaults(run: &Run) -> Outcome {
    let builder = builder(run).on_elicitation(|params| async move {
        match params {
            ElicitRequestParams::Form(form) => {
                let content = schema_defaults(&form.requested_schema);
                log!(
                    "elicitation {:?}: accepting with defaults {}",
                    form.message,
                    Value::Object(content.clone())
                );
                Ok(ElicitResult::accept(content))
            }
            ElicitRequestParams::Url(url) => {
                log!("declining URL elicitation to {}", url.url);
                Ok(ElicitResult::new(mcpwire::types::ElicitAction::Decline))
            }
        }
    });
    session(run, builder, async |client| {
        let tools = list_tools(client).await?;
        find_tool(&tools, "test_client_elicitation_defaults")?;
        call_tool(client, "test_client_elicitation_defaults", json!({})).await?;
        Ok(())
    })
    .await
}

/// The `default` of every property of an elicitation's `requestedSchema`,
/// by property name; properties without a default are left out.
fn schema_defaults(schema: &Map<String, Value>) -> Map<String, Value> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, field)| Some((name.clone(), field.get("default")?.clone())))
        .collect()
}

/// `sse-retry`: the server closes the tool call's event stream after a
/// priming event with `retry: 500`; the transport must wait that long and
/// resume with GET and `Last-Event-ID`, where the result then arrives.
///
/// The tools are listed first to check that the tool exists.
async fn sse_retry(run: &Run) -> Outcome {
    session(run, builder(run), async |client| {
        let tools = list_tools(client).await?;
        find_tool(&tools, "test_reconnection")?;
        call_tool(client, "test_reconnection", json!({})).await?;
        Ok(())
    })
    .await
}

/// `json-schema-2020-12-preservation`: echo the focal tool's `inputSchema`,
/// exactly as listed, back through `json_schema_echo`.
async fn json_schema_preservation(run: &Run) -> Outcome {
    session(run, builder(run), async |client| {
        let tools = list_tools(client).await?;
        let focal = find_tool(&tools, "json_schema_2020_12_tool")?;
        find_tool(&tools, "json_schema_echo")?;
        let schema = Value::Object(focal.input_schema.clone());
        call_tool(client, "json_schema_echo", json!({ "schema": schema })).await?;
        Ok(())
    })
    .await
}

/// `json-schema-ref-no-deref`: list the tools, one of whose schemas has a
/// network `$ref`, without ever fetching it (the client never resolves
/// `$ref`s); the server offers nothing to call.
async fn json_schema_ref_no_deref(run: &Run) -> Outcome {
    session(run, builder(run), async |client| {
        list_tools(client).await?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_every_property_that_has_one() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "default": "John Doe"},
                "age": {"type": "integer", "default": 30},
                "score": {"type": "number", "default": 95.5},
                "verified": {"type": "boolean", "default": true},
                "note": {"type": "string"}
            }
        });
        let Value::Object(schema) = schema else {
            unreachable!()
        };
        let got = Value::Object(schema_defaults(&schema));
        assert_eq!(
            got,
            json!({"name": "John Doe", "age": 30, "score": 95.5, "verified": true})
        );
        assert!(schema_defaults(&Map::new()).is_empty());
    }
}
