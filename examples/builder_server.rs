//! A server built by hand, without macros: every tool, resource, template
//! and prompt is a route made with a builder, over stdio or HTTP.
//!
//! ```text
//! cargo run -p mcpwire-examples --example builder_server -- stdio
//! cargo run -p mcpwire-examples --example builder_server -- http 127.0.0.1:8080   # at /mcp
//! ```
//!
//! Over HTTP it prints its endpoint on stdout once it listens; give port 0
//! (`http 127.0.0.1:0`) to let the system pick a free one. The
//! `typed_client` example starts it on stdio and calls it.
//!
//! The macros (`#[tool]`, see the `macro_server` example) write these same
//! routes for you; building them by hand is for routes made at run time,
//! or closures that hold values.

use mcpwire::server::{
    Context, Json, PromptRoute, ResourceRoute, Server, TemplateRoute, ToolError, ToolRoute,
};
use mcpwire::types::ToolAnnotations;

/// The arguments of `add`: the input schema comes from this type.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct AddArgs {
    /// The first addend.
    a: i64,
    /// The second addend.
    b: i64,
}

/// What `add` returns: structured content, with an output schema derived
/// from this type, which a typed client reads back.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct Sum {
    /// `a + b`.
    total: i64,
}

/// The arguments of `count`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct CountArgs {
    /// How far to count (1 to 100).
    to: u32,
}

/// The arguments of the `review` prompt.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct ReviewArgs {
    /// The code to review.
    code: String,
    /// What to look at most (default: "correctness").
    focus: Option<String>,
}

/// The most `count` counts to: a limit the model is told about.
const MAX_COUNT: u32 = 100;

fn server() -> Result<Server, Box<dyn std::error::Error>> {
    // A tool whose arguments are a struct: `ToolRoute::typed` parses them
    // (a mismatch is an `isError` result naming the problem) and takes
    // the output schema from the return type, `Json<Sum>`.
    let add = ToolRoute::typed("add", |_cx: Context, args: AddArgs| async move {
        // Overflow is the caller's mistake: `ToolError` text reaches the model.
        let total = args
            .a
            .checked_add(args.b)
            .ok_or_else(|| ToolError::new("the sum does not fit in 64 bits"))?;
        Ok::<_, ToolError>(Json(Sum { total }))
    })
    .title("Add")
    .description("Adds two integers.")
    .annotations(ToolAnnotations {
        read_only_hint: Some(true),
        idempotent_hint: Some(true),
        ..Default::default()
    });

    // A tool that reports progress: a client that asked for it (a progress
    // token) gets one notification per step.
    let count = ToolRoute::typed("count", |cx: Context, args: CountArgs| async move {
        if args.to == 0 || args.to > MAX_COUNT {
            return Err(ToolError::new(format!(
                "`to` must be 1 to {MAX_COUNT}, not {}",
                args.to
            )));
        }
        for i in 1..=args.to {
            cx.progress(f64::from(i), Some(f64::from(args.to)), None)
                .await;
        }
        Ok(format!("counted to {}", args.to))
    })
    .description("Counts from 1, reporting each step as progress.");

    // A resource at a fixed URI: the handler gets the context, the URI and
    // (empty here) the template's variables.
    let about = ResourceRoute::new("builder://about", "about", |_cx, _uri, _vars| async {
        "A server whose routes are built by hand.".to_owned()
    })
    .mime_type("text/plain")
    .description("What this server is.");

    // A template: `{name}` arrives in `vars`, and its values complete from
    // what the user typed. `TemplateRoute::new` fails on a bad template.
    let greeting = TemplateRoute::new(
        "builder://greeting/{name}",
        "greeting",
        |_cx, _uri, vars: std::collections::HashMap<String, String>| async move {
            let name = vars.get("name").map_or("stranger", String::as_str);
            format!("Hello, {name}!")
        },
    )?
    .mime_type("text/plain")
    .description("A greeting for anyone.")
    .complete("name", |typed: String| async move {
        ["Ada", "Alan", "Grace"]
            .into_iter()
            .filter(|n| n.starts_with(&typed))
            .map(str::to_owned)
            .collect()
    });

    // A prompt whose arguments are a struct, as for a tool.
    let review = PromptRoute::typed("review", |_cx: Context, args: ReviewArgs| async move {
        let focus = args.focus.as_deref().unwrap_or("correctness");
        format!("Review this code for {focus}:\n{}", args.code)
    })
    .title("Code review")
    .description("Asks the model to review code.");

    Ok(Server::builder("builder-server", env!("CARGO_PKG_VERSION"))
        .instructions("Adds, counts, greets and asks for code reviews.")
        .tool(add)
        .tool(count)
        .resource(about)
        .resource(greeting)
        .prompt(review)
        .build()?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    mcpwire_examples::serve_from_args("builder_server", server()?)
}
