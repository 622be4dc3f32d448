//! `call TOOL [key=value...] [--args JSON]`: call one tool and print its
//! result; exit code 5 when the tool reports `isError`.

use serde_json::{Map, Value};

use crate::cli::Call;
use crate::coerce;
use crate::exit::{CliError, CliResult, Exit};
use crate::interact;
use crate::output::{Output, clean, clean_text, content_text};
use crate::target::split_url;

/// Runs `call`.
pub async fn run(a: Call, out: Output) -> CliResult {
    let (url, rest) = split_url(&a.words, &a.target);
    let Some((tool, pairs)) = rest.split_first() else {
        return Err(CliError::usage(
            "call needs a tool name: call TOOL [key=value...]",
        ));
    };
    let mut args: Map<String, Value> = match &a.args_json {
        Some(j) => match serde_json::from_str(j) {
            Ok(Value::Object(m)) => m,
            Ok(other) => {
                return Err(CliError::usage(format!(
                    "--args must be a JSON object, not {other}"
                )));
            }
            Err(e) => return Err(CliError::usage(format!("--args is not valid JSON: {e}"))),
        },
        None => Map::new(),
    };
    // Check the words' shape before connecting; type them once the schema is known.
    coerce::arguments(&Value::Null, pairs)?;
    let client = super::connect(url, &a.target, out, true).await?;
    if !pairs.is_empty() {
        let tools = match client.list_tools().await {
            Ok(t) => t,
            Err(e) => {
                client.close().await;
                return Err(CliError::call("tools/list", e));
            }
        };
        let schema = tools
            .iter()
            .find(|t| t.name == *tool)
            .map(|t| serde_json::to_value(&t.input_schema).unwrap_or(Value::Null))
            .unwrap_or(Value::Null);
        match coerce::arguments(&schema, pairs) {
            Ok(typed) => args.extend(typed),
            Err(e) => {
                client.close().await;
                return Err(e);
            }
        }
    }
    let (opts, bar) = interact::progress_options(out);
    let r = client
        .call_tool(tool, Value::Object(args))
        .options(opts)
        .await;
    bar.finish_and_clear();
    crate::interact::settle().await;
    client.close().await;
    let result = r.map_err(|e| CliError::call(&format!("tools/call {tool}"), e))?;
    let failed = result.is_error == Some(true);
    if out.json {
        out.json(&serde_json::to_value(&result).unwrap_or(Value::Null));
    } else {
        if failed {
            eprintln!(
                "{}",
                out.red_err(&format!("the tool {} reported an error:", clean(tool)))
            );
        }
        let v = serde_json::to_value(&result).unwrap_or(Value::Null);
        let blocks = v["content"].as_array().cloned().unwrap_or_default();
        for b in &blocks {
            println!("{}", content_text(b));
        }
        if let Some(s) = v.get("structuredContent").filter(|s| !s.is_null()) {
            // JSON escapes C0 controls but not DEL or C1 ones.
            let pretty = serde_json::to_string_pretty(s).unwrap_or_default();
            if blocks.is_empty() {
                println!("{}", clean_text(&pretty));
            } else if out.color {
                println!("{}\n{}", out.dim("structured:"), clean_text(&pretty));
            }
        }
    }
    Ok(if failed { Exit::ToolError } else { Exit::Ok })
}
