//! `complete --prompt NAME | --resource TEMPLATE --arg NAME=PARTIAL`: the
//! server's completions for one argument.

use mcpwire_types::CompleteReference;
use serde_json::{Value, json};

use crate::cli::Complete;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Output, clean};

/// Runs `complete`.
pub async fn run(a: Complete, out: Output) -> CliResult {
    let reference: CompleteReference = match (&a.prompt, &a.resource) {
        (Some(p), None) => serde_json::from_value(json!({"type": "ref/prompt", "name": p})),
        (None, Some(r)) => serde_json::from_value(json!({"type": "ref/resource", "uri": r})),
        _ => {
            return Err(CliError::usage(
                "complete needs --prompt NAME or --resource TEMPLATE",
            ));
        }
    }
    .map_err(|e| CliError::usage(format!("bad reference: {e}")))?;
    let Some((arg, partial)) = a.arg.split_once('=') else {
        return Err(CliError::usage(format!(
            "--arg {:?}: expected NAME=PARTIAL (PARTIAL may be empty)",
            a.arg
        )));
    };
    let client = super::connect(a.url, &a.target, out, false).await?;
    let r = client.complete(reference, arg, partial).await;
    client.close().await;
    let r = r.map_err(|e| CliError::call("completion/complete", e))?;
    let v = serde_json::to_value(&r).unwrap_or(Value::Null);
    if out.json {
        out.json(&v);
        return Ok(Exit::Ok);
    }
    let c = &v["completion"];
    for value in c["values"].as_array().into_iter().flatten() {
        println!("{}", clean(value.as_str().unwrap_or_default()));
    }
    if c["hasMore"].as_bool() == Some(true) {
        let total = c["total"]
            .as_u64()
            .map(|t| format!(" of {t}"))
            .unwrap_or_default();
        eprintln!("(more{total} available; type more of the value)");
    }
    Ok(Exit::Ok)
}
