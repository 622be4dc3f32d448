//! The typed calls `#[tool]` generates, against tools served by the
//! official Python SDK (`tests/interop/py_typed_tools.py`): the call needs
//! only a tool of that name and schema, not an mcpwire server. Each
//! function below describes one of the peer's tools; only its `call` runs.
//!
//! `#[ignore = "needs the interop peers"]`, like every interop test: run
//! with `--include-ignored` (the peers come from `bash
//! tests/interop/setup.sh`, found through `MCPWIRE_INTEROP` or
//! `.cache/interop`).

use mcpwire::client::{Client, StructuredError};
use mcpwire::server::{Context, Json};
use mcpwire::transport::{ChildProcess, StderrMode};
use mcpwire_testkit::interop::peers;
use serde::{Deserialize, Serialize};

/// Adds two numbers (the peer answers a float, as text and structured).
#[mcpwire::tool]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// The text in capitals (the peer answers text only).
#[mcpwire::tool]
fn shout(text: String, cx: Context) -> String {
    let _ = cx;
    text.to_uppercase()
}

#[derive(Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
struct Forecast {
    city: String,
    celsius: f64,
}

/// Tomorrow's weather (the peer answers structured content).
#[mcpwire::tool]
fn forecast(city: String) -> Json<Forecast> {
    Json(Forecast {
        city,
        celsius: 21.5,
    })
}

/// Divides, refusing zero with an error for the model.
#[mcpwire::tool]
fn divide(a: i64, b: i64) -> Result<i64, String> {
    if b == 0 {
        return Err("cannot divide by zero".into());
    }
    Ok(a / b)
}

/// Reports its arguments (the peer answers them as JSON text).
#[mcpwire::tool]
fn search(#[serde(rename = "q")] query: String, page: Option<u32>) -> String {
    format!("{query} {page:?}")
}

async fn python() -> Client {
    let command = peers().python_script("py_typed_tools.py");
    let mut transport = ChildProcess::new(command.get_program()).args(command.get_args());
    for (key, value) in command.get_envs() {
        let value = value.expect("a peer's command sets variables, never removes them");
        transport = transport.env(key, value);
    }
    Client::builder("mcpwire-typed-call", "1")
        .connect(
            transport
                .stderr(StderrMode::Forward)
                .spawn()
                .expect("starts the Python peer"),
        )
        .await
        .expect("connects to the Python SDK server")
}

#[tokio::test]
#[ignore = "needs the interop peers"]
async fn typed_calls_read_the_python_sdks_results() {
    let c = python().await;
    assert_eq!(add::call(&c, 2.0, 3.5).await.unwrap(), 5.5);
    assert_eq!(add::call(&c, 2.0, 3.0).await.unwrap(), 5.0);
    assert_eq!(shout::call(&c, "hi 42".into()).await.unwrap(), "HI 42");
    assert_eq!(
        forecast::call(&c, "Oslo".into()).await.unwrap(),
        Forecast {
            city: "Oslo".into(),
            celsius: 21.5
        }
    );
    assert_eq!(divide::call(&c, 7, 2).await.unwrap(), 3);
    let e = divide::call(&c, 7, 0).await.unwrap_err();
    assert!(
        matches!(&e, StructuredError::Tool(m) if m.contains("cannot divide by zero")),
        "{e:?}"
    );
    // The wire names the route declares, and no `null` for `None`.
    assert_eq!(
        search::call(&c, "rust".into(), Some(2)).await.unwrap(),
        r#"{"q":"rust","page":2}"#
    );
    assert_eq!(
        search::call(&c, "rust".into(), None).await.unwrap(),
        r#"{"q":"rust"}"#
    );
    let _ = (
        add_tool(),
        shout_tool(),
        forecast_tool(),
        divide_tool(),
        search_tool(),
    );
}
