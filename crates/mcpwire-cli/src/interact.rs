//! What happens while a request runs: the server's log messages and
//! progress on stderr, and its sampling and elicitation requests answered
//! by the person at the terminal (or declined when there is none).

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use mcpwire::client::{Client, ClientBuilder, ServerNotification};
use mcpwire::engine::RequestOptions;
use mcpwire_types::{
    CreateMessageRequestParams, CreateMessageResult, ElicitAction, ElicitRequestParams,
    ElicitResult, ErrorCode,
};
use serde_json::{Map, Value};
use tokio::sync::Mutex;

use crate::coerce;
use crate::output::{Output, clean, clean_text};

/// The JSON-RPC code of a sampling request the user (or the lack of one)
/// turned down.
const SAMPLING_REJECTED: i32 = -1;

/// Adds the sampling and elicitation handlers to `builder`: interactive on
/// a terminal, declining with a message on stderr otherwise.
pub fn with_handlers(builder: ClientBuilder, out: Output) -> ClientBuilder {
    let ask = Arc::new(Mutex::new(()));
    let ask2 = ask.clone();
    builder
        .on_elicitation_with_urls(move |p| {
            let ask = ask.clone();
            async move {
                let _turn = ask.lock().await;
                Ok(elicit(p, out).await)
            }
        })
        .on_sampling(move |p| {
            let ask = ask2.clone();
            async move {
                let _turn = ask.lock().await;
                sample(p, out).await
            }
        })
}

/// Prints the server's log messages on stderr until the client closes.
/// Returns the task.
pub fn print_logs(client: &Client, out: Output) -> tokio::task::JoinHandle<()> {
    let mut rx = client.notifications();
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(ServerNotification::Log(m)) => {
                    let level = serde_json::to_value(m.level).unwrap_or(Value::Null);
                    let level = level.as_str().unwrap_or("log");
                    let data = match &m.data {
                        Value::String(s) => clean_text(s).into_owned(),
                        other => clean(&other.to_string()).into_owned(),
                    };
                    let logger = m
                        .logger
                        .map(|l| format!(" {}", clean(&l)))
                        .unwrap_or_default();
                    let level = clean(level);
                    eprintln!(
                        "{}",
                        out.dim_err(&format!("[server {level}{logger}] {data}"))
                    );
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            }
        }
    })
}

/// Request options that draw the server's progress notifications as a
/// progress bar on stderr (drawn only on a terminal).
pub fn progress_options(out: Output) -> (RequestOptions, ProgressBar) {
    let bar = ProgressBar::hidden();
    let draw = out.interactive || std::io::IsTerminal::is_terminal(&std::io::stderr());
    let shown = bar.clone();
    let opts = RequestOptions::new().on_progress(move |p| {
        let progress = p.get("progress").and_then(Value::as_f64).unwrap_or(0.0);
        let total = p.get("total").and_then(Value::as_f64);
        if draw && shown.is_hidden() {
            shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            shown.enable_steady_tick(Duration::from_millis(100));
        }
        match total {
            Some(t) => {
                shown.set_style(
                    ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                shown.set_length(t.max(0.0) as u64);
            }
            None => shown.set_style(
                ProgressStyle::with_template("{spinner} {pos} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        }
        shown.set_position(progress.max(0.0) as u64);
        if let Some(m) = p.get("message").and_then(Value::as_str) {
            shown.set_message(clean(m).into_owned());
        }
    });
    (opts, bar)
}

/// Reads one line from stdin without blocking the runtime; `None` at EOF.
async fn read_line() -> Option<String> {
    tokio::task::spawn_blocking(|| {
        let mut s = String::new();
        match std::io::stdin().read_line(&mut s) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(s.trim_end_matches(['\n', '\r']).to_owned()),
        }
    })
    .await
    .ok()
    .flatten()
}

async fn ask(question: &str) -> Option<String> {
    eprint!("{question}");
    read_line().await
}

async fn elicit(p: ElicitRequestParams, out: Output) -> ElicitResult {
    let v = serde_json::to_value(&p).unwrap_or(Value::Null);
    let message = clean_text(v.get("message").and_then(Value::as_str).unwrap_or(""));
    if !out.interactive {
        eprintln!(
            "{}",
            out.warn_err(&format!(
                "mcpwire: declined the server's elicitation request (no terminal to ask on): {message}"
            ))
        );
        return ElicitResult::new(ElicitAction::Decline);
    }
    eprintln!("\n{}", out.warn_err("The server asks:"));
    eprintln!("  {message}");
    if let Some(url) = v.get("url").and_then(Value::as_str) {
        eprintln!("  Open: {}", clean(url));
        return match ask("Done? [y = accept / n = decline / c = cancel] ").await {
            Some(a) if a.eq_ignore_ascii_case("y") => ElicitResult::new(ElicitAction::Accept),
            Some(a) if a.eq_ignore_ascii_case("n") => ElicitResult::new(ElicitAction::Decline),
            _ => ElicitResult::new(ElicitAction::Cancel),
        };
    }
    let schema = v.get("requestedSchema").cloned().unwrap_or(Value::Null);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut content = Map::new();
    let empty = Map::new();
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    eprintln!(
        "{}",
        out.dim_err("  (answer each field; an empty line keeps the default or skips; `!decline` or `!cancel` gives up)")
    );
    for (name, prop) in props {
        loop {
            let ty = prop.get("type").and_then(Value::as_str).unwrap_or("string");
            let title = prop.get("title").and_then(Value::as_str).unwrap_or(name);
            let mut q = format!("  {} ({}", clean(title), clean(ty));
            if required.contains(&name.as_str()) {
                q.push_str(", required");
            }
            if let Some(choices) = prop.get("enum").and_then(Value::as_array) {
                let c: Vec<String> = choices
                    .iter()
                    .map(|c| clean(&c.to_string()).into_owned())
                    .collect();
                q.push_str(&format!(", one of {}", c.join(" ")));
            }
            if let Some(d) = prop.get("default") {
                q.push_str(&format!(", default {}", clean(&d.to_string())));
            }
            q.push_str("): ");
            let Some(line) = ask(&q).await else {
                return ElicitResult::new(ElicitAction::Cancel);
            };
            match line.trim() {
                "!decline" => return ElicitResult::new(ElicitAction::Decline),
                "!cancel" => return ElicitResult::new(ElicitAction::Cancel),
                "" => {
                    if let Some(d) = prop.get("default") {
                        content.insert(name.clone(), d.clone());
                    } else if required.contains(&name.as_str()) {
                        eprintln!("  {} is required", clean(name));
                        continue;
                    }
                    break;
                }
                text => match coerce::value_for(prop, text) {
                    Ok(val) => {
                        content.insert(name.clone(), val);
                        break;
                    }
                    Err(e) => eprintln!("  {}", clean_text(&e.to_string())),
                },
            }
        }
    }
    let mut r = ElicitResult::new(ElicitAction::Accept);
    r.content = Some(content);
    r
}

async fn sample(
    p: CreateMessageRequestParams,
    out: Output,
) -> Result<CreateMessageResult, mcpwire::Error> {
    if !out.interactive {
        eprintln!(
            "{}",
            out.warn_err("mcpwire: rejected the server's sampling request (no terminal to ask on)")
        );
        return Err(mcpwire::Error::rpc(
            ErrorCode(SAMPLING_REJECTED),
            "the user rejected the sampling request: mcpwire has no terminal to ask on",
        ));
    }
    eprintln!(
        "\n{}",
        out.warn_err("The server asks for an LLM completion:")
    );
    if let Some(s) = &p.system_prompt {
        eprintln!("  system: {}", clean_text(s));
    }
    for m in &p.messages {
        let v = serde_json::to_value(m).unwrap_or(Value::Null);
        let role = clean(v.get("role").and_then(Value::as_str).unwrap_or("?"));
        let blocks = match v.get("content") {
            Some(Value::Array(a)) => a.clone(),
            Some(b) => vec![b.clone()],
            None => Vec::new(),
        };
        for b in blocks {
            eprintln!("  {role}: {}", crate::output::content_text(&b));
        }
    }
    match ask("Your reply as the assistant (empty line rejects): ").await {
        Some(reply) if !reply.trim().is_empty() => Ok(CreateMessageResult::assistant_text(
            "human-at-mcpwire",
            reply,
        )),
        _ => Err(mcpwire::Error::rpc(
            ErrorCode(SAMPLING_REJECTED),
            "the user rejected the sampling request",
        )),
    }
}

/// Lets the log printer show what arrived before the answer: the printer
/// was woken when the message arrived, so a few yields of this
/// single-threaded runtime run it.
pub async fn settle() {
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
}
