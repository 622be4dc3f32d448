//! The scripted demo: a support agent's session against the support desk,
//! run as a child process over stdio, each step printed with its timing.
//!
//! ```no_run
//! # async fn run() -> Result<(), mcpwire_demos::DemoError> {
//! use std::ffi::OsString;
//! let db = mcpwire_demos::demo::TempDb::new()?;
//! let command: Vec<OsString> = vec![
//!     "mcpwire".into(), "serve".into(), "support-desk".into(),
//!     "--db".into(), db.path().into(),
//! ];
//! let report = mcpwire_demos::demo::run(&command, &mut std::io::stdout()).await?;
//! assert!(report.ticket_closed);
//! # Ok(()) }
//! ```

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mcpwire::client::{Client, ClientMode, ServerNotification};
use mcpwire::transport::ChildProcess;
use mcpwire::types::{CallToolResult, ContentBlock, ReadResourceResult, ResourceContents};
use serde_json::json;

use crate::DemoError;
use crate::support_desk::{LIST_URI, ticket_uri};

/// The ticket the demo resolves.
pub const DEMO_TICKET: i64 = 42;

/// How long the demo waits for the change notification after closing.
const NOTIFICATION_WAIT: Duration = Duration::from_secs(2);

/// One step of the demo, as it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoStep {
    /// The step's number, from 1.
    pub number: usize,
    /// What the step did.
    pub title: String,
    /// How long it took.
    pub elapsed: Duration,
    /// A one-line summary of what came back.
    pub summary: String,
}

/// What the demo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReport {
    /// Every step, in order.
    pub steps: Vec<DemoStep>,
    /// The server's name and version.
    pub server: String,
    /// Tool names listed.
    pub tools: Vec<String>,
    /// Resource URIs listed.
    pub resources: Vec<String>,
    /// Resource templates listed.
    pub templates: Vec<String>,
    /// Prompt names listed.
    pub prompts: Vec<String>,
    /// Whether ticket 42 read as closed at the end.
    pub ticket_closed: bool,
    /// Whether the server announced the change to ticket 42.
    pub update_notified: bool,
    /// The whole run.
    pub total: Duration,
}

/// Runs the demo against the support desk started by `server_command`
/// (program first, then its arguments), printing each step to `out`.
pub async fn run(
    server_command: &[OsString],
    out: &mut dyn Write,
) -> Result<DemoReport, DemoError> {
    let (program, args) = server_command.split_first().ok_or(DemoError::NoCommand)?;
    let started = Instant::now();
    let mut steps = Steps {
        out,
        steps: Vec::new(),
    };
    steps.say("mcpwire demo: a support agent resolves ticket 42 over MCP (stdio)\n")?;

    // 1. Connect and list.
    let t = Instant::now();
    let transport = ChildProcess::new(program.clone())
        .args(args.iter().cloned())
        .spawn()
        .map_err(|source| DemoError::Spawn {
            command: program.to_string_lossy().into_owned(),
            source,
        })?;
    let step = "connect and list";
    // A session: step 4 follows the ticket with resources/subscribe.
    let client = Client::builder("mcpwire-demo", env!("CARGO_PKG_VERSION"))
        .mode(ClientMode::Legacy)
        .connect(transport)
        .await
        .map_err(mcp(step))?;
    let info = client.server_info();
    let server = format!("{} {}", info.name, info.version);
    let tools: Vec<String> = names(client.list_tools().await, step, |t| t.name)?;
    let resources: Vec<String> = names(client.list_resources().await, step, |r| r.uri)?;
    let templates: Vec<String> = names(client.list_resource_templates().await, step, |t| {
        t.uri_template
    })?;
    let prompts: Vec<String> = names(client.list_prompts().await, step, |p| p.name)?;
    steps.done(
        "Connect, then list tools, resources and prompts",
        t,
        format!(
            "{server} ({}); tools: {}; resources: {}; templates: {}; prompts: {}",
            client.protocol_version(),
            tools.join(", "),
            resources.join(", "),
            templates.join(", "),
            prompts.join(", ")
        ),
    )?;

    // 2. Read the open tickets and ticket 42.
    let t = Instant::now();
    let step = "read tickets";
    let list = client.read_resource(LIST_URI).await.map_err(mcp(step))?;
    let ticket = (client.read_resource(&ticket_uri(DEMO_TICKET)).await).map_err(mcp(step))?;
    let list_text = text_of(&list);
    let open = (list_text.lines())
        .filter(|l| {
            (l.strip_prefix("| ")).is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        })
        .count();
    let ticket_text = text_of(&ticket);
    steps.done(
        "Read ticket://list and ticket://42",
        t,
        format!(
            "{open} open tickets; {}",
            ticket_text
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("# ")
        ),
    )?;

    // 3. The prompt for a reply.
    let t = Instant::now();
    let step = "get resolution_prompt";
    let prompt = client
        .get_prompt(
            "resolution_prompt",
            [("ticket_id", "42"), ("account_tier", "pro")],
        )
        .await
        .map_err(mcp(step))?;
    let first = prompt
        .messages
        .first()
        .and_then(|m| match &m.content {
            ContentBlock::Text(t) => t.text.lines().find(|l| l.contains("pro customer")),
            _ => None,
        })
        .unwrap_or("(no text)")
        .to_owned();
    steps.done(
        "Get resolution_prompt for ticket 42 (pro tier)",
        t,
        format!("{} message(s): {}", prompt.messages.len(), clip(&first, 90)),
    )?;

    // 4. Close the ticket, watching for the change notification.
    let t = Instant::now();
    let step = "close_ticket";
    let mut notes = client.notifications();
    client
        .subscribe(&ticket_uri(DEMO_TICKET))
        .await
        .map_err(mcp(step))?;
    let closed = client
        .call_tool(
            "close_ticket",
            json!({
                "ticket_id": DEMO_TICKET,
                "resolution": "Reset the stale session after the password change; the customer can log in again."
            }),
        )
        .await
        .map_err(mcp(step))?;
    if closed.is_error == Some(true) {
        return Err(DemoError::Unexpected {
            step: step.to_owned(),
            message: tool_text(&closed),
        });
    }
    let wanted = ticket_uri(DEMO_TICKET);
    let update_notified = tokio::time::timeout(NOTIFICATION_WAIT, async {
        while let Ok(n) = notes.recv().await {
            if matches!(&n, ServerNotification::ResourceUpdated { uri } if *uri == wanted) {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    let structured = closed
        .structured_content
        .as_ref()
        .map_or_else(|| "(no structured content)".to_owned(), |v| v.to_string());
    steps.done(
        "Call close_ticket on 42",
        t,
        format!(
            "structuredContent {}; notifications/resources/updated {}",
            clip(&structured, 120),
            if update_notified {
                "received"
            } else {
                "not received"
            }
        ),
    )?;

    // 5. Read it again.
    let t = Instant::now();
    let step = "read ticket 42 again";
    let after = (client.read_resource(&ticket_uri(DEMO_TICKET)).await).map_err(mcp(step))?;
    let after_text = text_of(&after);
    let ticket_closed = after_text.contains("**Status:** closed");
    steps.done(
        "Read ticket://42 again",
        t,
        match after_text.lines().find(|l| l.contains("**Status:**")) {
            Some(line) => line.trim_start_matches("- ").replace("**", ""),
            None => "no status line".to_owned(),
        },
    )?;
    client.close().await;
    if !ticket_closed {
        return Err(DemoError::Unexpected {
            step: step.to_owned(),
            message: "ticket 42 does not read as closed after close_ticket".to_owned(),
        });
    }
    let total = started.elapsed();
    steps.say(&format!("\nDone in {}.\n", ms(total)))?;
    Ok(DemoReport {
        steps: steps.steps,
        server,
        tools,
        resources,
        templates,
        prompts,
        ticket_closed,
        update_notified,
        total,
    })
}

/// A database file in the temporary directory, removed (with its WAL
/// files) when dropped.
#[derive(Debug)]
pub struct TempDb {
    path: PathBuf,
}

impl TempDb {
    /// Picks a fresh path; the file is created by whoever opens it.
    pub fn new() -> Result<TempDb, DemoError> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir();
        for attempt in 0..100u32 {
            let path = dir.join(format!(
                "mcpwire-demo-{}-{nanos}-{attempt}.db",
                std::process::id()
            ));
            // Claim the name so two demos never share it.
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(TempDb { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(DemoError::TempFile(e)),
            }
        }
        Err(DemoError::TempFile(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "no free temporary file name",
        )))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The steps so far and where they are printed (shared with the SQL demo).
pub(crate) struct Steps<'a> {
    pub(crate) out: &'a mut dyn Write,
    pub(crate) steps: Vec<DemoStep>,
}

impl Steps<'_> {
    pub(crate) fn say(&mut self, text: &str) -> Result<(), DemoError> {
        self.out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.flush())
            .map_err(DemoError::Output)
    }

    pub(crate) fn done(
        &mut self,
        title: &str,
        started: Instant,
        summary: String,
    ) -> Result<(), DemoError> {
        self.took(title, started.elapsed(), summary)
    }

    /// Records and prints a step that took `elapsed`.
    pub(crate) fn took(
        &mut self,
        title: &str,
        elapsed: Duration,
        summary: String,
    ) -> Result<(), DemoError> {
        let step = DemoStep {
            number: self.steps.len() + 1,
            title: title.to_owned(),
            elapsed,
            summary,
        };
        self.say(&format!(
            "[{}] {:<48} {:>9}\n    {}\n",
            step.number,
            step.title,
            ms(step.elapsed),
            step.summary
        ))?;
        self.steps.push(step);
        Ok(())
    }
}

pub(crate) fn mcp(step: &str) -> impl FnOnce(mcpwire::Error) -> DemoError + '_ {
    move |source| DemoError::Mcp {
        step: step.to_owned(),
        source: Box::new(source),
    }
}

fn names<T>(
    listed: Result<Vec<T>, mcpwire::Error>,
    step: &str,
    name: impl Fn(T) -> String,
) -> Result<Vec<String>, DemoError> {
    Ok(listed.map_err(mcp(step))?.into_iter().map(name).collect())
}

fn text_of(r: &ReadResourceResult) -> String {
    (r.contents.iter())
        .filter_map(|c| match c {
            ResourceContents::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect()
}

pub(crate) fn tool_text(r: &CallToolResult) -> String {
    (r.content.iter())
        .filter_map(|c| match c {
            ContentBlock::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
