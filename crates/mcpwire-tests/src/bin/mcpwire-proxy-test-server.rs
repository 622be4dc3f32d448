//! A stdio MCP server for the proxy tests: echo, progress, a tool that
//! waits to be cancelled, elicitation, a tool that adds a tool, its own
//! process id, a log sent after the answer, a call held until a file
//! appears, and a request of its own to the client.
//!
//! Built as the `mcpwire-proxy-test-server` binary of the test crate; the
//! tests find it through `CARGO_BIN_EXE_…`. With the argument
//! `exit-early` it exits at once, for the tests of a dying server; with
//! `stdio-proxy URL` it is the proxy instead, serving the HTTP server at
//! `URL` on its stdin and stdout.

use std::time::Duration;

use mcpwire::server::{Context, Server, ToolRoute};
use mcpwire::types::{ElicitRequestFormParams, ElicitRequestParams};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, JsonSchema)]
struct Text {
    text: String,
}

#[derive(Deserialize, JsonSchema)]
struct Marker {
    /// A file written when the call is cancelled.
    marker: String,
    /// A file written when the call starts.
    started: String,
}

#[derive(Deserialize, JsonSchema)]
struct Afterword {
    text: String,
    /// The log is sent once this file exists.
    trigger: String,
    /// Written once the log is on its way.
    then: String,
}

#[derive(Deserialize, JsonSchema)]
struct Hold {
    /// Written when the call starts.
    started: String,
    /// The call ends once this file exists.
    release: String,
}

#[derive(Deserialize, JsonSchema)]
struct Method {
    method: String,
}

/// Waits (up to 30 s) until `path` exists: the test, another process,
/// says so by writing it.
async fn appears(path: &str) -> bool {
    for _ in 0..3000 {
        if std::path::Path::new(path).exists() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

fn server() -> Server {
    Server::builder("proxy-test-server", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(ToolRoute::typed(
            "work",
            |cx: Context, a: Text| async move {
                for i in 0..3 {
                    cx.progress(f64::from(i), Some(3.0), Some("working")).await;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                cx.info("work done").await;
                a.text.to_uppercase()
            },
        ))
        .tool(ToolRoute::typed(
            "wait",
            |cx: Context, a: Marker| async move {
                let _ = std::fs::write(&a.started, "waiting");
                tokio::select! {
                    _ = cx.cancellation().cancelled() => {
                        let _ = std::fs::write(&a.marker, "cancelled");
                        "cancelled".to_owned()
                    }
                    _ = tokio::time::sleep(Duration::from_secs(30)) => "finished".to_owned(),
                }
            },
        ))
        .tool(ToolRoute::typed("ask", |cx: Context, _a: ()| async move {
            let form = ElicitRequestFormParams::new(
                "Name?",
                json!({"type":"object","properties":{"name":{"type":"string"}}}),
            );
            let r = cx.elicit(ElicitRequestParams::Form(form)).await?;
            let name = r.content.unwrap_or_default()["name"].clone();
            Ok::<_, mcpwire::Error>(format!("hello {}", name.as_str().unwrap_or("?")))
        }))
        .tool(ToolRoute::typed(
            "grow",
            |cx: Context, a: Text| async move {
                let name = a.text.clone();
                cx.server()
                    .add_tool(ToolRoute::typed(name, |_cx, a: Text| async move { a.text }));
                // Still running while the change is announced.
                tokio::time::sleep(Duration::from_millis(200)).await;
                a.text
            },
        ))
        .tool(ToolRoute::typed("pid", |_cx, _a: ()| async move {
            std::process::id().to_string()
        }))
        .tool(ToolRoute::typed(
            "afterword",
            |cx: Context, a: Afterword| async move {
                // Answers at once; logs later, once the caller is gone.
                tokio::spawn(async move {
                    if appears(&a.trigger).await {
                        cx.info(format!("afterword: {}", a.text)).await;
                        let _ = std::fs::write(&a.then, "sent");
                    }
                });
                "said"
            },
        ))
        .tool(ToolRoute::typed("hold", |_cx, a: Hold| async move {
            let _ = std::fs::write(&a.started, "holding");
            if appears(&a.release).await {
                "released"
            } else {
                "gave up"
            }
        }))
        .tool(ToolRoute::typed(
            "ask_client",
            |cx: Context, a: Method| async move {
                match cx.peer().request(&a.method, None).await {
                    Ok(v) => format!("answer: {v}"),
                    Err(e) => format!("error: {e}"),
                }
            },
        ))
        .tool(ToolRoute::typed("crash", |_cx, _a: ()| async move {
            eprintln!("crashing on purpose");
            std::process::exit(3);
            #[allow(unreachable_code)]
            String::new()
        }))
        .build()
        .unwrap()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().nth(1).as_deref() == Some("exit-early") {
        eprintln!("exiting before serving, on purpose");
        std::process::exit(3);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    if std::env::args().nth(1).as_deref() == Some("stdio-proxy") {
        let url = std::env::args().nth(2).ok_or("usage: stdio-proxy URL")?;
        let headers = [("X-Proxy-Test".to_owned(), "yes".to_owned())];
        runtime.block_on(mcpwire::proxy::serve_url_over_stdio(&url, &headers))?;
        return Ok(());
    }
    runtime.block_on(server().serve_stdio())?;
    Ok(())
}
