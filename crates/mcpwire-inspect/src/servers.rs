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

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpwire::client::{Client, ClientMode, Subscription};
use mcpwire::types::{Era, LoggingLevel, Meta, ProtocolVersion, SubscriptionFilter, Tool};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::asks::Asks;
use crate::events::Events;
use crate::log::ProtocolLog;
use crate::oauth::{Logins, ServerAuth};

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
    /// A server listening on TCP (`tcp://HOST:PORT`), one JSON-RPC message
    /// per line.
    Tcp {
        /// `HOST:PORT`.
        addr: String,
    },
    /// A server listening on a Unix socket (`unix:///PATH`).
    Unix {
        /// The socket's absolute path.
        path: String,
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
            Target::Tcp { addr } => format!("tcp://{addr}"),
            Target::Unix { path } => format!("unix://{path}"),
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

    pub(crate) fn client_mode(self) -> ClientMode {
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
    pub(crate) target: Target,
    pub(crate) mode: Mode,
    state: Mutex<State>,
    /// Set once it is disconnected on purpose (its closing is no news).
    removed: AtomicBool,
    /// Its protocol log.
    pub log: Arc<ProtocolLog>,
    /// Each tool's `outputSchema`, from the last `tools/list`.
    output_schemas: Mutex<HashMap<String, Value>>,
    /// The log level 2026-07-28 requests ask for, once the page chose one.
    level: Mutex<Option<LoggingLevel>>,
    /// The resources the page follows: each a running subscription, ended
    /// through its sender.
    subscriptions: Mutex<HashMap<String, oneshot::Sender<()>>>,
    /// Its OAuth client and login steps (an HTTP server without an
    /// `Authorization` header of its own).
    pub(crate) auth: Option<Arc<ServerAuth>>,
}

#[derive(Debug, Clone)]
enum State {
    Connecting,
    Connected(Arc<Client>),
    Failed(String),
}

impl Slot {
    /// Its OAuth side, for an HTTP server.
    pub fn auth(&self) -> Option<Arc<ServerAuth>> {
        self.auth.clone()
    }

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
            "transport": match self.target {
                Target::Http { .. } => "http",
                Target::Tcp { .. } => "tcp",
                Target::Unix { .. } => "unix",
                Target::Stdio { .. } => "stdio",
            },
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

    /// Keeps the `outputSchema` of each tool of `tools`, to check results by.
    pub fn remember_output_schemas(&self, tools: &[Tool]) {
        let schemas = tools
            .iter()
            .filter_map(|t| Some((t.name.clone(), Value::Object(t.output_schema.clone()?))))
            .collect();
        *lock(&self.output_schemas) = schemas;
    }

    /// Checks a `tools/call` result of tool `name` against its
    /// `outputSchema`: `null` when the tool has none (or it is not known),
    /// else `{"ok":true}` or `{"ok":false,"errors":[…]}`.
    pub fn check_output(&self, name: &str, result: &Value) -> Value {
        let Some(schema) = lock(&self.output_schemas).get(name).cloned() else {
            return Value::Null;
        };
        if result.get("isError").and_then(Value::as_bool) == Some(true) {
            return Value::Null;
        }
        let Some(structured) = result.get("structuredContent") else {
            return json!({"ok": false, "errors": ["the tool declares an outputSchema, but the result has no structuredContent"]});
        };
        let validator = match jsonschema::validator_for(&schema) {
            Ok(v) => v,
            Err(e) => {
                return json!({"ok": false, "errors": [format!("the outputSchema itself is not valid: {e}")]});
            }
        };
        let errors: Vec<String> = validator
            .iter_errors(structured)
            .take(MAX_SCHEMA_ERRORS)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        json!({"ok": errors.is_empty(), "errors": errors})
    }

    /// Follows resource `uri` (`resources/subscribe` in a session,
    /// `subscriptions/listen` in 2026-07-28): its updates arrive as frames
    /// of the protocol log. At most [`MAX_SUBSCRIPTIONS`] at once.
    pub async fn subscribe(&self, client: &Client, uri: &str) -> Result<(), String> {
        {
            let subs = lock(&self.subscriptions);
            if subs.contains_key(uri) {
                return Ok(());
            }
            if subs.len() >= MAX_SUBSCRIPTIONS {
                return Err(format!(
                    "the inspector follows {MAX_SUBSCRIPTIONS} resources of this server already"
                ));
            }
        }
        let filter = SubscriptionFilter {
            resource_subscriptions: Some(vec![uri.to_owned()]),
            ..Default::default()
        };
        let sub = client.listen(filter).await.map_err(|e| e.to_string())?;
        let (stop, stopped) = oneshot::channel();
        lock(&self.subscriptions).insert(uri.to_owned(), stop);
        tokio::spawn(follow(sub, stopped));
        Ok(())
    }

    /// Stops following resource `uri`; false if it was not followed.
    pub fn unsubscribe(&self, uri: &str) -> bool {
        lock(&self.subscriptions)
            .remove(uri)
            .is_some_and(|stop| stop.send(()).is_ok())
    }

    /// Sets the log level later 2026-07-28 requests ask for.
    pub fn set_level(&self, level: LoggingLevel) {
        *lock(&self.level) = Some(level);
    }

    /// The `_meta` entries every request of the page carries: the log
    /// level, once chosen, in the 2026-07-28 era.
    pub fn request_meta(&self) -> Meta {
        let mut meta = Meta::new();
        if let Some(level) = *lock(&self.level) {
            let (k, v) = crate::ops::level_meta(level);
            meta.insert(k, v);
        }
        meta
    }

    /// `params` with [`Slot::request_meta`] added to its `_meta` (what it
    /// has already stays).
    pub fn with_level(&self, params: Option<Value>) -> Option<Value> {
        let meta = self.request_meta();
        if meta.is_empty() {
            return params;
        }
        let mut params = params.unwrap_or_else(|| json!({}));
        if let Some(obj) = params.as_object_mut() {
            let m = obj.entry("_meta").or_insert_with(|| json!({}));
            if let Some(m) = m.as_object_mut() {
                for (k, v) in meta {
                    m.entry(k).or_insert(v);
                }
            }
        }
        Some(params)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn set(&self, state: State) {
        *self.lock() = state;
    }
}

/// How many resources the page may follow on one server: 64.
pub const MAX_SUBSCRIPTIONS: usize = 64;

/// Drains a subscription (its notifications are frames of the log, which
/// the page sees) until asked to stop or the server ends it, then closes it.
async fn follow(mut sub: Subscription, mut stop: oneshot::Receiver<()>) {
    loop {
        tokio::select! {
            n = sub.next() => if n.is_none() { return },
            _ = &mut stop => break,
        }
    }
    sub.close().await;
}

/// In 2026-07-28 list changes come only to a listener: the inspector
/// listens for them as soon as it is connected, as a session gets them
/// anyway.
async fn follow_lists(client: Arc<Client>) {
    if client.era() != Era::Stateless {
        return;
    }
    let filter = SubscriptionFilter {
        tools_list_changed: Some(true),
        prompts_list_changed: Some(true),
        resources_list_changed: Some(true),
        ..Default::default()
    };
    if let Ok(sub) = client.listen(filter).await {
        let (_keep, never) = oneshot::channel::<()>();
        let closed = client.clone();
        tokio::select! {
            () = follow(sub, never) => {}
            () = closed.peer().closed() => {}
        }
    }
}

/// How many schema errors a result's check lists: 20.
const MAX_SCHEMA_ERRORS: usize = 20;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The servers, at most a fixed number at once.
#[derive(Debug)]
pub struct Servers {
    slots: Mutex<Vec<Arc<Slot>>>,
    next: AtomicU32,
    max: usize,
    options: ConnectOptions,
    events: Arc<Events>,
    asks: Arc<Asks>,
    logins: Option<Arc<Logins>>,
}

impl Servers {
    /// No servers yet; at most `max`. The servers' requests that need a
    /// person (sampling, elicitation) are put to the page through `asks`.
    pub fn new(
        max: usize,
        options: ConnectOptions,
        events: Arc<Events>,
        asks: Arc<Asks>,
    ) -> Servers {
        Servers {
            slots: Mutex::new(Vec::new()),
            next: AtomicU32::new(1),
            max,
            options,
            events,
            asks,
            logins: None,
        }
    }

    /// Logs in with OAuth to HTTP servers that ask for it, through
    /// `logins` (without, a server that needs a login fails to connect).
    #[must_use]
    pub fn logins(mut self, logins: Arc<Logins>) -> Servers {
        self.logins = Some(logins);
        self
    }

    /// Starts connecting to `target` (the connection goes on in a task of
    /// its own) and returns the new server's id.
    pub fn add(&self, label: String, target: Target, mode: Mode) -> Result<u32, AddError> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let auth = match (&target, &self.logins) {
            (Target::Http { url, headers }, Some(logins))
                if !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("authorization")) =>
            {
                ServerAuth::new(id, url, logins).ok().map(Arc::new)
            }
            _ => None,
        };
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
            output_schemas: Mutex::new(HashMap::new()),
            level: Mutex::new(None),
            subscriptions: Mutex::new(HashMap::new()),
            auth,
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
        let asks = self.asks.clone();
        let timeout = self.options.timeout;
        tokio::spawn(async move {
            let client = match crate::connect::connect_or_login(&slot, &asks, timeout).await {
                Ok(client) => Arc::new(client),
                Err(why) => return settle(&slot, &events, State::Failed(why)),
            };
            settle(&slot, &events, State::Connected(client.clone()));
            tokio::spawn(follow_lists(client.clone()));
            // A server that goes away (a child that exits) is news too.
            client.peer().closed().await;
            asks.withdraw_server(slot.id);
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
        if let Some(a) = &slot.auth {
            a.abandon();
        }
        if let Some(c) = slot.client() {
            c.close().await;
        }
        self.asks.withdraw_server(id);
        self.events
            .publish(&json!({"type": "removed", "id": id}).to_string());
        true
    }

    /// Connects to server `id`'s target again in era `mode` (a new server),
    /// then disconnects the old one; `None` if there is no server `id`.
    pub async fn reconnect(&self, id: u32, mode: Mode) -> Option<Result<u32, AddError>> {
        let old = self.get(id)?;
        // The old one goes first, so a full inspector can still switch.
        self.remove(id).await;
        Some(self.add(old.label.clone(), old.target.clone(), mode))
    }

    /// Closes every connection (stopping the child processes).
    pub async fn close_all(&self) {
        let slots = std::mem::take(&mut *self.lock());
        for s in slots {
            s.removed.store(true, Ordering::Relaxed);
            if let Some(a) = &s.auth {
                a.abandon();
            }
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
        lock(&self.slots)
    }
}

/// Puts `slot` in `state` and tells the pages.
fn settle(slot: &Slot, events: &Events, state: State) {
    slot.set(state);
    if !slot.removed.load(Ordering::Relaxed) {
        events.publish(&json!({"type": "server", "server": slot.summary()}).to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot() -> Slot {
        Slot {
            id: 1,
            label: "t".into(),
            target: Target::Http {
                url: "http://127.0.0.1:1/mcp".into(),
                headers: vec![],
            },
            mode: Mode::Auto,
            state: Mutex::new(State::Connecting),
            removed: AtomicBool::new(false),
            log: Arc::new(ProtocolLog::new(1, 4, Arc::new(Events::new(1)))),
            output_schemas: Mutex::new(HashMap::new()),
            level: Mutex::new(None),
            subscriptions: Mutex::new(HashMap::new()),
            auth: None,
        }
    }

    fn tool(schema: Value) -> Tool {
        serde_json::from_value(json!({
            "name": "count", "inputSchema": {"type": "object"}, "outputSchema": schema,
        }))
        .unwrap()
    }

    #[test]
    fn structured_content_is_checked_against_the_output_schema() {
        let s = slot();
        let schema =
            json!({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]});
        s.remember_output_schemas(&[tool(schema)]);
        let good = json!({"content": [], "structuredContent": {"n": 3}});
        assert_eq!(
            s.check_output("count", &good),
            json!({"ok": true, "errors": []})
        );
        let bad = s.check_output(
            "count",
            &json!({"content": [], "structuredContent": {"n": "three"}}),
        );
        assert_eq!(bad["ok"], false);
        assert!(
            bad["errors"][0].as_str().unwrap().starts_with("/n: "),
            "{bad}"
        );
        let missing = s.check_output("count", &json!({"content": []}));
        assert_eq!(missing["ok"], false);
        // No schema, or a tool error: nothing to check.
        assert_eq!(s.check_output("other", &good), Value::Null);
        assert_eq!(
            s.check_output("count", &json!({"content": [], "isError": true})),
            Value::Null
        );
    }

    #[test]
    fn the_errors_listed_are_bounded() {
        let s = slot();
        let schema = json!({"type": "object", "additionalProperties": {"type": "integer"}});
        s.remember_output_schemas(&[tool(schema)]);
        let many: serde_json::Map<String, Value> =
            (0..100).map(|i| (format!("k{i}"), json!("x"))).collect();
        let r = s.check_output("count", &json!({"structuredContent": many}));
        assert_eq!(r["errors"].as_array().unwrap().len(), MAX_SCHEMA_ERRORS);
    }

    #[test]
    fn the_chosen_level_rides_on_every_later_request() {
        let s = slot();
        assert_eq!(s.with_level(None), None);
        s.set_level(LoggingLevel::Debug);
        let p = s.with_level(Some(json!({"uri": "a://b"}))).unwrap();
        assert_eq!(p["_meta"]["io.modelcontextprotocol/logLevel"], "debug");
        assert_eq!(p["uri"], "a://b");
    }
}
