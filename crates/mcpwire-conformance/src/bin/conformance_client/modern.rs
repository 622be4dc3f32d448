//! The client scenarios of the conformance suite that exist only for
//! protocol 2026-07-28: per-request metadata, multi round-trip request
//! state, and the standard and custom HTTP headers. A module of
//! `conformance_client`, whose helpers it uses.

use mcpwire::client::Client;
use mcpwire::types::{ElicitAction, ElicitRequestParams, ElicitResult, Root, Tool};
use serde_json::{Map, Value, json};

use super::{Outcome, Run, builder, call_tool, find_tool, list_tools, session};

/// `request-metadata`: every request carries the 2026-07-28 `_meta` and a
/// matching `MCP-Protocol-Version`. The server rejects the first request
/// (the `server/discover` probe) as an unsupported version while listing
/// 2026-07-28; the client retries it, then lists the tools.
///
/// The client declares elicitation and roots so that the suite sees them in
/// every request's capabilities.
pub(super) async fn request_metadata(run: &Run) -> Outcome {
    let builder = builder(run)
        .on_elicitation(|_| async { Ok(ElicitResult::new(ElicitAction::Decline)) })
        .roots(vec![Root::new("file:///tmp", "tmp")]);
    session(run, builder, async |client| {
        list_tools(client).await?;
        Ok(())
    })
    .await
}

/// `sep-2322-client-request-state`: answer the server's elicitation and
/// echo its `requestState`; call an unrelated tool while a multi round-trip
/// call is under way; take a result without `resultType` as complete.
pub(super) async fn request_state(run: &Run) -> Outcome {
    let builder = builder(run).on_elicitation(|params| async move {
        let message = match &params {
            ElicitRequestParams::Form(form) => form.message.clone(),
            ElicitRequestParams::Url(url) => url.message.clone(),
        };
        log!("elicitation {message:?}: confirming");
        let mut content = Map::new();
        content.insert("confirmed".into(), json!(true));
        Ok(ElicitResult::accept(content))
    });
    session(run, builder, async |client| {
        let tools = list_tools(client).await?;
        for name in [
            "test_mrtr_echo_state",
            "test_mrtr_no_state",
            "test_mrtr_unrelated",
            "test_mrtr_no_result_type",
        ] {
            find_tool(&tools, name)?;
        }
        // The unrelated call runs alongside the first multi round-trip one.
        let (echo, unrelated) = tokio::join!(
            call_tool(client, "test_mrtr_echo_state", json!({})),
            call_tool(client, "test_mrtr_unrelated", json!({})),
        );
        echo?;
        unrelated?;
        call_tool(client, "test_mrtr_no_state", json!({})).await?;
        call_tool(client, "test_mrtr_no_result_type", json!({})).await?;
        Ok(())
    })
    .await
}

/// `http-standard-headers`: exercise every request that carries `Mcp-Name`
/// (`tools/call`, `resources/read`, `prompts/get`) and the lists before
/// them, including names and URIs with characters a header must keep.
pub(super) async fn standard_headers(run: &Run) -> Outcome {
    session(run, builder(run), async |client| {
        let tools = list_tools(client).await?;
        for tool in &tools {
            call_tool(client, &tool.name, json!({})).await?;
        }
        let resources = client
            .list_resources()
            .await
            .map_err(|e| format!("resources/list failed: {e}"))?;
        for resource in &resources {
            client
                .read_resource(&resource.uri)
                .await
                .map_err(|e| format!("resources/read {} failed: {e}", resource.uri))?;
            log!("read {}", resource.uri);
        }
        let prompts = client
            .list_prompts()
            .await
            .map_err(|e| format!("prompts/list failed: {e}"))?;
        for prompt in &prompts {
            client
                .get_prompt(&prompt.name, Vec::<(String, String)>::new())
                .await
                .map_err(|e| format!("prompts/get {} failed: {e}", prompt.name))?;
            log!("got prompt {}", prompt.name);
        }
        Ok(())
    })
    .await
}

/// `http-custom-headers`: list the tools (which teaches the transport their
/// `x-mcp-header` annotations), then make the calls the suite's context
/// names; the transport mirrors the annotated arguments into
/// `Mcp-Param-{Name}` headers.
pub(super) async fn custom_headers(run: &Run) -> Outcome {
    let calls = context_tool_calls(run)?;
    session(run, builder(run), async |client| {
        let tools = list_tools(client).await?;
        for (name, arguments) in calls {
            find_tool(&tools, &name)?;
            call_tool(client, &name, arguments).await?;
        }
        Ok(())
    })
    .await
}

/// The `toolCalls` of the suite's context: `[{name, arguments}]`.
fn context_tool_calls(run: &Run) -> Result<Vec<(String, Value)>, super::BoxError> {
    let calls = run
        .context
        .as_ref()
        .and_then(|c| c.get("toolCalls"))
        .and_then(Value::as_array)
        .ok_or("MCP_CONFORMANCE_CONTEXT names no toolCalls for this scenario")?;
    calls
        .iter()
        .map(|call| {
            let name = call
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("a tool call of the context has no name: {call}"))?;
            let arguments = call.get("arguments").cloned().unwrap_or(json!({}));
            Ok((name.to_owned(), arguments))
        })
        .collect()
}

/// `http-invalid-tool-headers`: list the tools and call every one the
/// client kept. The transport leaves out each tool whose `x-mcp-header`
/// annotations break the spec (logging why), so only the valid one is
/// called.
pub(super) async fn invalid_tool_headers(run: &Run) -> Outcome {
    session(run, builder(run), async |client| {
        let tools = list_tools(client).await?;
        call_listed(client, &tools).await
    })
    .await
}

/// Calls each tool with a sample value for each required argument.
async fn call_listed(client: &Client, tools: &[Tool]) -> Outcome {
    for tool in tools {
        call_tool(client, &tool.name, sample_arguments(&tool.input_schema)).await?;
    }
    Ok(())
}

/// Arguments for a schema: a sample value of the declared type for each
/// required property.
fn sample_arguments(schema: &Map<String, Value>) -> Value {
    let props = schema.get("properties").and_then(Value::as_object);
    let required = schema.get("required").and_then(Value::as_array);
    let mut args = Map::new();
    for name in required.into_iter().flatten().filter_map(Value::as_str) {
        let ty = props
            .and_then(|p| p.get(name))
            .and_then(|p| p.get("type"))
            .and_then(Value::as_str);
        let value = match ty {
            Some("integer") | Some("number") => json!(1),
            Some("boolean") => json!(true),
            Some("array") => json!([]),
            Some("object") => json!({}),
            _ => json!("us-west1"),
        };
        args.insert(name.to_owned(), value);
    }
    Value::Object(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_arguments_fill_required_properties_by_type() {
        let Value::Object(schema) = json!({
            "type": "object",
            "properties": {
                "region": {"type": "string"},
                "n": {"type": "integer"},
                "flag": {"type": "boolean"},
                "opt": {"type": "string"}
            },
            "required": ["region", "n", "flag"]
        }) else {
            unreachable!()
        };
        assert_eq!(
            sample_arguments(&schema),
            json!({"region": "us-west1", "n": 1, "flag": true})
        );
        assert_eq!(sample_arguments(&Map::new()), json!({}));
    }
}
