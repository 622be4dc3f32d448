//! `watch`: print the server's notifications (list changes, resource
//! updates, logs) as they arrive, until Ctrl-C or the server goes away.
//!
//! In a session the client subscribes to each `--resource` with
//! `resources/subscribe`; list changes arrive unasked. In the stateless
//! era one `subscriptions/listen` request asks for all list changes and
//! the given resources' updates. With `--json` every notification is one
//! JSON line on stdout.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcpwire::client::{Client, ServerNotification};
use mcpwire::engine::RequestOptions;
use mcpwire::server::Era;
use mcpwire_types::{SubscriptionFilter, SubscriptionsListenRequestParams, methods};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::cli::Watch;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::Output;

/// How long the stateless listen request may stay open: for ever, in effect.
const LISTEN_FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Runs `watch`.
pub async fn run(a: Watch, out: Output) -> CliResult {
    let client = super::connect(a.url, &a.target, out, false).await?;
    let r = watch(&client, &a.resources, out).await;
    client.close().await;
    r
}

async fn watch(client: &Client, resources: &[String], out: Output) -> CliResult {
    let mut rx = client.notifications();
    let listen = async {
        match client.era() {
            Era::Session => {
                for uri in resources {
                    client
                        .subscribe(uri)
                        .await
                        .map_err(|e| CliError::call(&format!("resources/subscribe {uri}"), e))?;
                }
                eprintln!("{}", out.dim_err("watching; Ctrl-C to stop"));
                std::future::pending::<Result<(), CliError>>().await
            }
            Era::Stateless => {
                let p = SubscriptionsListenRequestParams {
                    notifications: SubscriptionFilter {
                        tools_list_changed: Some(true),
                        prompts_list_changed: Some(true),
                        resources_list_changed: Some(true),
                        resource_subscriptions: (!resources.is_empty()).then(|| resources.to_vec()),
                    },
                    meta: None,
                };
                eprintln!("{}", out.dim_err("watching; Ctrl-C to stop"));
                let _: Value = client
                    .request(
                        methods::SUBSCRIPTIONS_LISTEN,
                        &p,
                        RequestOptions::new().timeout(LISTEN_FOREVER),
                    )
                    .await
                    .map_err(|e| CliError::call(methods::SUBSCRIPTIONS_LISTEN, e))?;
                eprintln!("the server ended the subscription");
                Ok(())
            }
        }
    };
    let print = async {
        loop {
            match rx.recv().await {
                Ok(n) => show(&n, out),
                Err(RecvError::Lagged(k)) => eprintln!("(missed {k} notifications)"),
                Err(RecvError::Closed) => return,
            }
        }
    };
    tokio::select! {
        r = listen => r.map(|()| Exit::Ok),
        () = print => Err(CliError::protocol("the server closed the connection")),
        _ = tokio::signal::ctrl_c() => Ok(Exit::Ok),
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
    if out.json {
        println!(
            "{}",
            json!({"time": now_secs(), "method": method, "params": params})
        );
    } else {
        let detail = match &params {
            Value::Object(m) if m.is_empty() => String::new(),
            Value::Null => String::new(),
            other => format!(" {other}"),
        };
        println!(
            "{} {}{detail}",
            out.dim(&format!("{:.3}", now_secs())),
            out.cyan(method)
        );
    }
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}
