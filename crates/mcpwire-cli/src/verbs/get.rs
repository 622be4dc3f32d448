//! `read URI` and `prompt NAME [key=value...]`: fetch one resource or one
//! prompt and print it.

use mcpwire::engine::RequestOptions;
use mcpwire_types::{GetPromptRequestParams, ReadResourceRequestParams, methods};
use serde_json::Value;

use crate::cli::{PromptArgs, Read};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Output, clean, clean_field, clean_text, content_text, str_field};
use crate::target::split_url;

/// Runs `read`.
pub async fn read(a: Read, out: Output) -> CliResult {
    let (url, rest) = split_url(&a.words, &a.target);
    let [uri] = rest else {
        return Err(CliError::usage(
            "read needs exactly one resource URI: read URI",
        ));
    };
    let client = super::connect(url, &a.target, out, true).await?;
    let r: Result<Value, _> = client
        .request_raw(
            methods::RESOURCES_READ,
            &ReadResourceRequestParams::new(uri.as_str()),
            RequestOptions::new(),
        )
        .await;
    crate::interact::settle().await;
    client.close().await;
    let v = r.map_err(|e| CliError::call(&format!("resources/read {uri}"), e))?;
    if out.json {
        out.json(&v);
        return Ok(Exit::Ok);
    }
    for c in v["contents"].as_array().into_iter().flatten() {
        match c.get("text").and_then(Value::as_str) {
            Some(t) => println!("{}", clean_text(t)),
            None => println!(
                "[{} {}, {} bytes of base64]",
                clean_field(c, "uri"),
                clean_field(c, "mimeType"),
                str_field(c, "blob").len()
            ),
        }
    }
    Ok(Exit::Ok)
}

/// Runs `prompt`. Prompt arguments are always strings.
pub async fn prompt(a: PromptArgs, out: Output) -> CliResult {
    let (url, rest) = split_url(&a.words, &a.target);
    let Some((name, pairs)) = rest.split_first() else {
        return Err(CliError::usage(
            "prompt needs a prompt name: prompt NAME [key=value...]",
        ));
    };
    let args = crate::coerce::arguments(&Value::Null, pairs)?;
    let client = super::connect(url, &a.target, out, true).await?;
    let mut p = GetPromptRequestParams::new(name.as_str());
    if !args.is_empty() {
        let strings = args
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
            .collect();
        p.arguments = Some(strings);
    }
    let r: Result<Value, _> = client
        .request_raw(methods::PROMPTS_GET, &p, RequestOptions::new())
        .await;
    crate::interact::settle().await;
    client.close().await;
    let v = r.map_err(|e| CliError::call(&format!("prompts/get {name}"), e))?;
    if out.json {
        out.json(&v);
        return Ok(Exit::Ok);
    }
    if let Some(d) = v.get("description").and_then(Value::as_str) {
        println!("{}", out.dim(&clean_text(d)));
    }
    for m in v["messages"].as_array().into_iter().flatten() {
        let role = clean(str_field(m, "role"));
        println!(
            "{} {}",
            out.bold(&format!("{role}:")),
            content_text(&m["content"])
        );
    }
    Ok(Exit::Ok)
}
