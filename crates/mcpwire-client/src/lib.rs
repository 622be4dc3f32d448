//! The client API: connect to a server over any transport and call it with
//! typed methods, under either protocol era.
//!
//! ```no_run
//! use mcpwire_client::Client;
//! use mcpwire_rpc::transport::ChildProcess;
//! # async fn run() -> Result<(), mcpwire_rpc::Error> {
//! let client = Client::builder("my-host", "1.0.0")
//!     .connect(ChildProcess::new("my-mcp-server").spawn()?)
//!     .await?;
//! for tool in client.list_tools().await? {
//!     println!("{}", tool.name);
//! }
//! let result = client.call_tool("echo", serde_json::json!({"text": "hi"})).await?;
//! println!("{:?}", result.content);
//! client.close().await;
//! # Ok(()) }
//! ```
//!
//! # Typed requests
//!
//! Every call is a [`Call`]: built with the request's params, given
//! options (timeout, progress, cancellation, `_meta`) by its methods, and
//! sent by `.await`. Every request method has a marker type in
//! [`mcpwire_types::request::requests`] that binds its name to its params
//! and result types. [`Client::request`] sends any of them, and
//! [`Client::paginate`] lists the items of any list as a [`Listing`]: a
//! stream that fetches page after page, or, awaited, all of them, within
//! [`DEFAULT_MAX_PAGES`] pages and stopping when the server repeats a
//! cursor ([`PaginationError`]). A value a request cannot carry (tool
//! arguments that are not a JSON object, a URI that is not one) is refused
//! with [`Error::InvalidArgument`] before anything is sent.
//!
//! ```no_run
//! use mcpwire_client::Client;
//! use mcpwire_types::request::requests::{GetPrompt, ListResources};
//! use mcpwire_types::GetPromptRequestParams;
//! # async fn run(client: Client) -> Result<(), mcpwire_rpc::Error> {
//! let prompt = client
//!     .request::<GetPrompt>(GetPromptRequestParams::new("greet"))
//!     .await?;
//! println!("{} messages", prompt.messages.len());
//! let resources = client.paginate::<ListResources>().max_pages(100).await?;
//! println!("{} resources", resources.len());
//! // Tool results read as Rust types.
//! #[derive(serde::Deserialize)]
//! struct Sum { total: i64 }
//! let sum = client
//!     .call_tool("add", serde_json::json!({"a": 1, "b": 2}))
//!     .typed::<Sum>()
//!     .await?;
//! println!("{}", sum.total);
//! # Ok(()) }
//! ```
//!
//! # Protocol eras
//!
//! Revisions up to 2025-11-25 open a session with `initialize`; revision
//! 2026-07-28 has no handshake: every request describes itself in `_meta`
//! and servers ask for input (elicitation, sampling, roots) by answering
//! `input_required`, which the client answers and retries. [`ClientMode`]
//! chooses how a client picks its era:
//!
//! - [`ClientMode::Auto`] (the default) probes with `server/discover` and
//!   falls back to `initialize` when the server does not speak 2026-07-28
//!   (one more round trip, or one more HTTP request, against such a
//!   server);
//! - [`ClientMode::Legacy`] always opens a session;
//! - [`ClientMode::Pinned`] speaks exactly one revision.
//!
//! The typed calls work the same in both eras; [`Client::era`] tells which
//! one a connection uses.
//!
//! ```no_run
//! use mcpwire_client::{Client, ClientMode};
//! use mcpwire_types::Era;
//! use mcpwire_rpc::transport::ChildProcess;
//! use mcpwire_types::{ElicitAction, ElicitResult};
//! # async fn run() -> Result<(), mcpwire_rpc::Error> {
//! let client = Client::builder("my-host", "1.0.0")
//!     .mode(ClientMode::Auto) // the default, said out loud
//!     .on_elicitation(|_request| async { Ok(ElicitResult::new(ElicitAction::Decline)) })
//!     .connect(ChildProcess::new("my-mcp-server").spawn()?)
//!     .await?;
//! if client.era() == Era::Stateless {
//!     // Elicitation requests arrive as `input_required` results; the client
//!     // runs the handler above and retries the call for you.
//! }
//! let _ = client.call_tool("book", serde_json::json!({})).await?;
//! # Ok(()) }
//! ```

mod answering;
mod builder;
mod call;
mod calls;
mod handler;
mod handshake;
mod listen;
mod listing;
mod notification;
mod paginate;
mod skills;
mod stateless;
mod structured;
mod tasks;
mod typed;

use std::sync::Mutex;

use mcpwire_types::{
    DiscoverResult, Implementation, InitializeResult, Meta, ProtocolVersion, ServerCapabilities,
};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

pub use builder::{ClientBuilder, ClientMode, DEFAULT_MAX_INPUT_ROUNDS, DEFAULT_PROBE_TIMEOUT};
pub use call::{AsTask, Call, CallFuture, Plain, Typed};
pub use handler::ClientHandlers;
pub use listen::{LISTEN_ACK_TIMEOUT, Subscription};
pub use listing::Listing;
pub use notification::ServerNotification;
pub use paginate::{DEFAULT_MAX_PAGES, PaginationError, Paginator};
pub use skills::{LoadedSkill, SkillError, SkillFile, SkillsClient};
pub use structured::{CallToolResultExt, StructuredError};
pub use tasks::TaskCall;

use handshake::ServerView;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::Peer;
use mcpwire_types::Era;

/// A connected MCP client. Calls may run concurrently from clones of
/// `&Client` (it is `Sync`).
#[derive(Debug)]
pub struct Client {
    peer: Peer,
    version: ProtocolVersion,
    era: Era,
    /// What the server said about itself (`initialize` or `server/discover`).
    server: ServerView,
    /// The `_meta` every stateless request carries; empty in a session.
    meta: Meta,
    /// Answers input requests of multi round-trip requests.
    handlers: ClientHandlers,
    max_input_rounds: usize,
    notes: broadcast::Sender<ServerNotification>,
    /// Where notifications tagged with a subscription id go.
    routes: std::sync::Arc<listen::Routes>,
    task: Mutex<Option<JoinHandle<Result<(), Error>>>>,
}

impl Client {
    /// Starts building a client that calls itself `name` at `version`.
    pub fn builder(name: impl Into<String>, version: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(Implementation::new(name, version))
    }

    /// The server's `initialize` answer, when the client opened a session
    /// ([`Era::Session`]); `None` in the stateless era, which has no
    /// handshake (see [`Client::discover_result`]).
    pub fn initialize_result(&self) -> Option<&InitializeResult> {
        self.server.initialize_result()
    }

    /// The server's `server/discover` answer, when the client speaks the
    /// stateless era and has discovered the server (always with
    /// [`ClientMode::Auto`]; after [`Client::discover`] with
    /// [`ClientMode::Pinned`]).
    pub fn discover_result(&self) -> Option<&DiscoverResult> {
        self.server.discover_result()
    }

    /// The server's identity: from `initialize`, from `server/discover`, or
    /// in the stateless era from the first result whose `_meta` names it.
    /// A server that never said who it is has an empty name and version.
    pub fn server_info(&self) -> &Implementation {
        self.server.info()
    }

    /// The server's capabilities: from `initialize` or `server/discover`.
    /// A stateless client that has not discovered the server (pinned to
    /// 2026-07-28 without calling [`Client::discover`]) knows none.
    pub fn server_capabilities(&self) -> &ServerCapabilities {
        self.server.capabilities()
    }

    /// The server's instructions, if any.
    pub fn instructions(&self) -> Option<&str> {
        self.server.instructions()
    }

    /// The protocol revision in use: negotiated by `initialize`, or
    /// 2026-07-28 in the stateless era.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.version
    }

    /// Which era the connection speaks: a session opened with `initialize`,
    /// or self-describing stateless requests (2026-07-28).
    pub fn era(&self) -> Era {
        self.era
    }

    /// The underlying peer, for raw requests. Requests sent through it
    /// directly get neither the stateless `_meta` nor multi round-trip
    /// handling; [`Client::request`] adds both.
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// Notifications from the server from now on: progress, logs, list
    /// changes, resource updates. A slow receiver loses the oldest.
    pub fn notifications(&self) -> broadcast::Receiver<ServerNotification> {
        self.notes.subscribe()
    }

    /// Whether the connection has closed.
    pub fn is_closed(&self) -> bool {
        self.peer.is_closed()
    }

    /// Closes the connection. For a child process this closes its stdin,
    /// waits, then sends SIGTERM and finally SIGKILL.
    pub async fn close(&self) {
        self.peer.close();
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}
