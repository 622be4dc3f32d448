//! Whether a server's tools list schemas that every host accepts: each
//! tool's input and output schema through `check_portable`.

use mcpwire::client::Client;
use mcpwire::server::check_portable;

/// Lists every tool of the server `client` is connected to and panics,
/// naming `server`, the tool and each problem, unless all of their input and
/// output schemas are portable. A server with no tools fails too: a check
/// over nothing would prove nothing.
pub async fn assert_portable_tools(server: &str, client: &Client) {
    let tools = client.list_tools().await.unwrap();
    assert!(!tools.is_empty(), "{server} lists no tools");
    for tool in tools {
        let schemas = [
            ("input", Some(&tool.input_schema)),
            ("output", tool.output_schema.as_ref()),
        ];
        for (kind, schema) in schemas {
            if let Some(Err(issues)) = schema.map(check_portable) {
                panic!(
                    "{server}: the {kind} schema of {} is not portable: {issues:#?}",
                    tool.name
                );
            }
        }
    }
}
