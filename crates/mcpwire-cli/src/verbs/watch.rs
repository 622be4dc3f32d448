//! `watch`: print the server's notifications (list changes, resource
//! updates, logs) as they arrive, until Ctrl-C or the server goes away.
//!
//! It follows every list change and the given `--resource`s' updates
//! with [`Client::listen`]: one `subscriptions/listen` request in the
//! stateless era, `resources/subscribe` in a session. Log messages are
//! printed as they come. With `--json` every notification is one JSON line
//! on stdout.

use std::time::{SystemTime, UNIX_EPOCH};

use mcpwire::client::{Client, ServerNotification};
use mcpwire_types::{SubscriptionFilter, methods};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::cli::Watch;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Output, clean};

/// Runs `watch`.
pub async fn run(a: Watch, out: Output) -> CliResult {
    let client = super::connect(a.url, &a.target, out, false).await?;
    let r = watch(&client, &a.resources, out).await;
    client.close().await;
    r
}

async fn watch(client: &Client, resources: &[String], out: Output) -> CliResult {
    let mut logs = client.notifications();
    let filter = SubscriptionFilter {
        tools_list_changed: Some(true),
        prompts_list_changed: Some(true),
        resources_list_changed: Some(true),
        resource_subscriptions: (!resources.is_empty()).then(|| resources.to_vec()),
    };
    let mut sub = client
        .listen(filter)
        .await
        .map_err(|e| CliError::call(methods::SUBSCRIPTIONS_LISTEN, e))?;
    if sub.id().is_some() {
        // What the server acknowledged it will send.
        let agreed = json!({ "notifications": sub.agreed() });
        print(
            methods::NOTIFICATIONS_SUBSCRIPTIONS_ACKNOWLEDGED,
            &agreed,
            out,
        );
    }
    // Listen for Ctrl-C before saying so: a SIGINT right after the line
    // must stop the watch, not kill the process.
    let mut interrupt =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
            .map_err(|e| CliError::protocol(format!("cannot listen for Ctrl-C: {e}")))?;
    eprintln!("{}", out.dim_err("watching; Ctrl-C to stop"));
    let changes = async {
        while let Some(n) = sub.next().await {
            show(&n, out);
        }
    };
    // Log messages are not part of the subscription; they come as they are sent.
    let logs = async {
        loop {
            match logs.recv().await {
                Ok(n @ ServerNotification::Log(_)) => show(&n, out),
                Ok(_) => {}
                Err(RecvError::Lagged(k)) => eprintln!("(missed {k} notifications)"),
                Err(RecvError::Closed) => std::future::pending::<()>().await,
            }
        }
    };
    tokio::select! {
        () = changes => {
            if client.is_closed() {
                Err(CliError::protocol("the server closed the connection"))
            } else {
                eprintln!("the server ended the subscription");
                Ok(Exit::Ok)
            }
        }
        () = logs => Ok(Exit::Ok),
        _ = interrupt.recv() => Ok(Exit::Ok),
    }
}

fn show(n: &ServerNotification, out: Output) {
    let (method, params) = match n {
        ServerNotification::ToolsListChanged => {
            (methods::NOTIFICATIONS_TOOLS_LIST_CHANGED, json!({}))
        }
        ServerNotification::PromptsListChanged => {
            (methods::NOTIFICATIONS_PROMPTS_LIST_CHANGED, json!({}))
        }
        ServerNotification::ResourcesListChanged => {
            (methods::NOTIFICATIONS_RESOURCES_LIST_CHANGED, json!({}))
        }
        ServerNotification::ResourceUpdated { uri } => (
            methods::NOTIFICATIONS_RESOURCES_UPDATED,
            json!({ "uri": uri }),
        ),
        ServerNotification::Log(p) => (methods::NOTIFICATIONS_MESSAGE, json!(p)),
        ServerNotification::Progress(p) => (methods::NOTIFICATIONS_PROGRESS, json!(p)),
        ServerNotification::Cancelled(p) => (methods::NOTIFICATIONS_CANCELLED, json!(p)),
        ServerNotification::TaskStatus(p) => (methods::NOTIFICATIONS_TASKS_STATUS, json!(p)),
        ServerNotification::Other(n) => {
            (n.method.as_str(), n.params.clone().unwrap_or(Value::Null))
        }
        _ => ("notification", Value::Null),
    };
    print(method, &params, out);
}

/// Prints one notification: a JSON line, or a timestamped line.
fn print(method: &str, params: &Value, out: Output) {
    if out.json {
        println!(
            "{}",
            json!({"time": now_secs(), "method": method, "params": params})
        );
    } else {
        // Compact JSON escapes C0 controls but not DEL or C1 ones.
        let detail = match params {
            Value::Object(m) if m.is_empty() => String::new(),
            Value::Null => String::new(),
            other => format!(" {}", clean(&other.to_string())),
        };
        println!(
            "{} {}{detail}",
            out.dim(&format!("{:.3}", now_secs())),
            out.cyan(&clean(method))
        );
    }
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}
