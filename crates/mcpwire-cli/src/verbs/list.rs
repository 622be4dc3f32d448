//! `tools`, `resources`, `templates` and `prompts`: every page of a listing.

use serde_json::{Value, json};

use crate::cli::Plain;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Output, clean, clean_field, one_line, str_field};

/// Which listing.
#[derive(Debug, Clone, Copy)]
pub enum Listing {
    /// `tools/list`.
    Tools,
    /// `resources/list`.
    Resources,
    /// `resources/templates/list`.
    Templates,
    /// `prompts/list`.
    Prompts,
}

/// Runs one listing verb.
pub async fn run(which: Listing, a: Plain, out: Output) -> CliResult {
    let client = super::connect(a.url, &a.target, out, false).await?;
    let (key, items) = match which {
        Listing::Tools => ("tools", to_values(client.list_tools().await, "tools/list")),
        Listing::Resources => (
            "resources",
            to_values(client.list_resources().await, "resources/list"),
        ),
        Listing::Templates => (
            "resourceTemplates",
            to_values(
                client.list_resource_templates().await,
                "resources/templates/list",
            ),
        ),
        Listing::Prompts => (
            "prompts",
            to_values(client.list_prompts().await, "prompts/list"),
        ),
    };
    client.close().await;
    let items = items?;
    if out.json {
        out.json(&json!({ key: items }));
        return Ok(Exit::Ok);
    }
    if items.is_empty() {
        eprintln!("no {key}");
        return Ok(Exit::Ok);
    }
    let desc = |v: &Value| one_line(str_field(v, "description"), 70);
    match which {
        Listing::Tools => out.table(
            &["NAME", "ARGUMENTS", "DESCRIPTION"],
            &items
                .iter()
                .map(|t| {
                    vec![
                        out.cyan(&clean_field(t, "name")),
                        clean(&schema_args(&t["inputSchema"])).into_owned(),
                        desc(t),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
        Listing::Resources => out.table(
            &["URI", "NAME", "MIME TYPE", "DESCRIPTION"],
            &items
                .iter()
                .map(|r| {
                    vec![
                        out.cyan(&clean_field(r, "uri")),
                        clean_field(r, "name"),
                        clean_field(r, "mimeType"),
                        desc(r),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
        Listing::Templates => out.table(
            &["URI TEMPLATE", "NAME", "MIME TYPE", "DESCRIPTION"],
            &items
                .iter()
                .map(|r| {
                    vec![
                        out.cyan(&clean_field(r, "uriTemplate")),
                        clean_field(r, "name"),
                        clean_field(r, "mimeType"),
                        desc(r),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
        Listing::Prompts => out.table(
            &["NAME", "ARGUMENTS", "DESCRIPTION"],
            &items
                .iter()
                .map(|p| {
                    vec![
                        out.cyan(&clean_field(p, "name")),
                        clean(&prompt_args(&p["arguments"])).into_owned(),
                        desc(p),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
    }
    Ok(Exit::Ok)
}

fn to_values<T: serde::Serialize>(
    r: Result<Vec<T>, mcpwire::Error>,
    method: &str,
) -> Result<Vec<Value>, CliError> {
    let items = r.map_err(|e| CliError::call(method, e))?;
    Ok(items
        .iter()
        .map(|i| serde_json::to_value(i).unwrap_or(Value::Null))
        .collect())
}

/// `a:integer b?:string` from an input schema (`?` marks optional).
fn schema_args(schema: &Value) -> String {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, p)| {
                    let types = crate::coerce::types_of(p);
                    let ty = if types.is_empty() {
                        "any".to_owned()
                    } else {
                        types.join("|")
                    };
                    let opt = if required.contains(&name.as_str()) {
                        ""
                    } else {
                        "?"
                    };
                    format!("{name}{opt}:{ty}")
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// `name name2?` from a prompt's arguments.
fn prompt_args(args: &Value) -> String {
    args.as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    let opt = if p["required"].as_bool() == Some(true) {
                        ""
                    } else {
                        "?"
                    };
                    format!("{}{opt}", str_field(p, "name"))
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_summaries_mark_optional_ones() {
        let s = json!({"properties": {"a": {"type": "integer"}, "b": {"type": ["string", "null"]}},
                       "required": ["a"]});
        assert_eq!(schema_args(&s), "a:integer b?:string|null");
        let s = json!({"properties": {"id": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                                      "x": {}}});
        assert_eq!(schema_args(&s), "id?:integer|string x?:any");
        let p = json!([{"name": "x", "required": true}, {"name": "y"}]);
        assert_eq!(prompt_args(&p), "x y?");
    }
}
