//! The MCP servers the inspector is connected to: each one a
//! [`mcpwire::client::Client`] over a tapped transport, with its state
//! (connecting, connected, failed and why) and its protocol log.
//!
//! ```
//! use mcpwire_inspect::servers::{Mode, Target};
//! let t = Target::Stdio { program: "./echo".into(), args: vec!["stdio".into()], env: vec![] };
//! assert_eq!(t.describe(), "./echo stdio");
//! assert_eq!(Mode::parse("modern"), Some(Mode::Modern));
//! ```

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpwire::client::{Client, ClientMode};
use mcpwire::engine::EngineConfig;
use mcpwire::transport::http_client::{HttpClientTransport, ReconnectPolicy};
use mcpwire::transport::{ChildProcess, StderrMode};
use mcpwire::types::{Era, ProtocolVersion};
use serde_json::{Value, json};

use crate::events::Events;
use crate::log::ProtocolLog;
use crate::tap::Tapped;

/// Where a server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A Streamable HTTP (or legacy HTTP+SSE) endpoint.
    Http {
        /// The endpoint URL.
        url: String,
        /// Headers sent with every request.
        headers: Vec<(String, String)>,
    },
    /// A stdio server run as a child process.
    Stdio {
        /// The program.
        program: String,
        /// Its arguments.
        args: Vec<String>,
        /// Extra environment variables.
        env: Vec<(String, String)>,
    },
}

impl Target {
    /// A one-line description: the URL, or the command line.
    pub fn describe(&self) -> String {
        match self {
            Target::Http { url, .. } => url.clone(),
            Target::Stdio { program, args, .. } => {
                let mut s = program.clone();
                for a in args {
                    s.push(' ');
                    s.push_str(a);
                }
                s
            }
        }
    }
}

/// Which protocol era to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Probe with `server/discover`, fall back to `initialize`.
    #[default]
    Auto,
    /// Always open a session with `initialize`.
    Legacy,
    /// Speak the stateless 2026-07-28 revision.
    Modern,
}

impl Mode {
    /// `auto`, `legacy` or `modern`.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "auto" => Some(Mode::Auto),
            "legacy" => Some(Mode::Legacy),
            "modern" => Some(Mode::Modern),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Mode::Auto => "auto",
            Mode::Legacy => "legacy",
            Mode::Modern => "modern",
        }
    }

    fn client_mode(self) -> ClientMode {
        match self {
            Mode::Auto => ClientMode::Auto,
            Mode::Legacy => ClientMode::Legacy,
            Mode::Modern => ClientMode::Pinned(ProtocolVersion::V2026_07_28),
        }
    }
}

/// How the inspector connects: its timeouts and the size of each log.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// How long connecting may take, and each request.
    pub timeout: Duration,
    /// How many frames each server's log keeps.
    pub log_frames: usize,
}

/// Why a server was not added.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AddError {
    /// The inspector holds its maximum of servers.
    #[error("the inspector holds {0} servers already; disconnect one first")]
    Full(usize),
}

/// One connected (or connecting, or failed) server.
#[derive(Debug)]
pub struct Slot {
    /// Its id in the inspector.
    pub id: u32,
    /// The name the user knows it by (a config entry's name, or the target).
    pub label: String,
    target: Target,
    mode: Mode,
    state: Mutex<State>,
    /// Set once it is disconnected on purpose (its closing is no news).
    removed: AtomicBool,
    /// Its protocol log.
    pub log: Arc<ProtocolLog>,
}

#[derive(Debug, Clone)]
enum State {
    Connecting,
    Connected(Arc<Client>),
    Failed(String),
}

impl Slot {
    /// The client, once connected.
    pub fn client(&self) -> Option<Arc<Client>> {
        match &*self.lock() {
            State::Connected(c) => Some(c.clone()),
            _ => None,
        }
    }

    /// What the page shows of it, as a JSON object.
    pub fn summary(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "label": self.label,
            "target": self.target.describe(),
            "transport": match self.target { Target::Http { .. } => "http", Target::Stdio { .. } => "stdio" },
            "mode": self.mode.as_str(),
        });
        match &*self.lock() {
            State::Connecting => v["state"] = "connecting".into(),
            State::Failed(why) => {
                v["state"] = "failed".into();
                v["error"] = why.clone().into();
            }
            State::Connected(c) if c.is_closed() => {
                v["state"] = "closed".into();
                v["error"] = c.peer().close_reason().into();
            }
            State::Connected(c) => {
                v["state"] = "connected".into();
                v["serverInfo"] = serde_json::to_value(c.server_info()).unwrap_or(Value::Null);
                v["protocolVersion"] =
                    serde_json::to_value(c.protocol_version()).unwrap_or(Value::Null);
                v["era"] = match c.era() {
                    Era::Session => "legacy",
                    Era::Stateless => "modern",
                }
                .into();
                v["capabilities"] =
                    serde_json::to_value(c.server_capabilities()).unwrap_or(Value::Null);
                v["instructions"] = c.instructions().map_or(Value::Null, Into::into);
            }
        }
        v
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set(&self, state: State) {
        *self.lock() = state;
    }
}

/// The servers, at most a fixed number at once.
#[derive(Debug)]
pub struct Servers {
    slots: Mutex<Vec<Arc<Slot>>>,
    next: AtomicU32,
    max: usize,
    options: ConnectOptions,
    events: Arc<Events>,
}

impl Servers {
    /// No servers yet; at most `max`.
    pub fn new(max: usize, options: ConnectOptions, events: Arc<Events>) -> Servers {
        Servers {
            slots: Mutex::new(Vec::new()),
            next: AtomicU32::new(1),
            max,
            options,
            events,
        }
    }

    /// Starts connecting to `target` (the connection goes on in a task of
    /// its own) and returns the new server's id.
    pub fn add(&self, label: String, target: Target, mode: Mode) -> Result<u32, AddError> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            id,
            label,
            target,
            mode,
            state: Mutex::new(State::Connecting),
            removed: AtomicBool::new(false),
            log: Arc::new(ProtocolLog::new(
                id,
                self.options.log_frames,
                self.events.clone(),
            )),
        });
        {
            let mut slots = self.lock();
            if slots.len() >= self.max {
                return Err(AddError::Full(self.max));
            }
            slots.push(slot.clone());
        }
        self.announce(&slot);
        let events = self.events.clone();
        let timeout = self.options.timeout;
        tokio::spawn(async move {
            let client = match tokio::time::timeout(timeout, connect(&slot, timeout)).await {
                Ok(Ok(client)) => Arc::new(client),
                Ok(Err(why)) => return settle(&slot, &events, State::Failed(why)),
                Err(_) => {
                    let why = format!("no answer within {timeout:?}");
                    return settle(&slot, &events, State::Failed(why));
                }
            };
            settle(&slot, &events, State::Connected(client.clone()));
            // A server that goes away (a child that exits) is news too.
            client.peer().closed().await;
            if !slot.removed.load(Ordering::Relaxed) {
                events.publish(&json!({"type": "server", "server": slot.summary()}).to_string());
            }
        });
        Ok(id)
    }

    /// The server with id `id`.
    pub fn get(&self, id: u32) -> Option<Arc<Slot>> {
        self.lock().iter().find(|s| s.id == id).cloned()
    }

    /// Every server, in the order they were added.
    pub fn all(&self) -> Vec<Arc<Slot>> {
        self.lock().clone()
    }

    /// Disconnects and forgets server `id`; false if there was none.
    pub async fn remove(&self, id: u32) -> bool {
        let slot = {
            let mut slots = self.lock();
            let Some(i) = slots.iter().position(|s| s.id == id) else {
                return false;
            };
            slots.remove(i)
        };
        slot.removed.store(true, Ordering::Relaxed);
        if let Some(c) = slot.client() {
            c.close().await;
        }
        self.events
            .publish(&json!({"type": "removed", "id": id}).to_string());
        true
    }

    /// Closes every connection (stopping the child processes).
    pub async fn close_all(&self) {
        let slots = std::mem::take(&mut *self.lock());
        for s in slots {
            s.removed.store(true, Ordering::Relaxed);
            if let Some(c) = s.client() {
                c.close().await;
            }
        }
    }

    fn announce(&self, slot: &Slot) {
        self.events
            .publish(&json!({"type": "server", "server": slot.summary()}).to_string());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Slot>>> {
        self.slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Puts `slot` in `state` and tells the pages.
fn settle(slot: &Slot, events: &Events, state: State) {
    slot.set(state);
    if !slot.removed.load(Ordering::Relaxed) {
        events.publish(&json!({"type": "server", "server": slot.summary()}).to_string());
    }
}

/// The inspector's name towards servers.
const CLIENT_NAME: &str = "mcpwire-inspect";

/// Connects `slot`'s client; the error says why not, as the page shows it
/// (the HTTP status, or the child's exit and the last lines of its stderr).
async fn connect(slot: &Slot, timeout: Duration) -> Result<Client, String> {
    let builder = Client::builder(CLIENT_NAME, env!("CARGO_PKG_VERSION"))
        .mode(slot.mode.client_mode())
        .probe_timeout(timeout.min(Duration::from_secs(10)))
        .engine(EngineConfig::default().request_timeout(timeout));
    match &slot.target {
        Target::Http { url, headers } => {
            let mut b = HttpClientTransport::builder(url.clone())
                .timeout(timeout)
                .reconnect(ReconnectPolicy {
                    initial_delay: Duration::from_millis(200),
                    max_delay: Duration::from_secs(2),
                    max_attempts: 1,
                });
            for (k, v) in headers {
                b = b.header(k.clone(), v.clone());
            }
            let transport = b.build().map_err(|e| format!("cannot use {url}: {e}"))?;
            builder
                .connect(Tapped::new(transport, slot.log.clone()))
                .await
                .map_err(|e| format!("cannot connect to {url}: {e}"))
        }
        Target::Stdio { program, args, env } => {
            let mut child = ChildProcess::new(program)
                .args(args)
                .stderr(StderrMode::Tracing)
                .shutdown_grace(Duration::from_millis(500));
            for (k, v) in env {
                child = child.env(k, v);
            }
            let transport = child
                .spawn()
                .map_err(|e| format!("cannot start {program}: {e}"))?;
            builder
                .connect(Tapped::new(transport, slot.log.clone()))
                .await
                .map_err(|e| format!("cannot connect to {program}: {e}"))
        }
    }
}
