//! The support desk: an AI support agent's back office over MCP.
//!
//! Tickets live in a SQLite database (see [`store`]). The server offers:
//!
//! - resources `ticket://list` (the open tickets, in markdown), one
//!   `ticket://N` per open ticket, and the template `ticket://{ticket_id}`
//!   for any ticket, with completion of ticket numbers;
//! - tools `close_ticket` (structured output) and `escalate_ticket`, which
//!   record the caller's OAuth subject when the server runs behind
//!   `mcpwire::auth::BearerAuth`;
//! - the tool `ticket_board`: the open tickets as structured content, drawn
//!   by the MCP App at [`BOARD_URI`] (`ui://desk/board`, a Close button on
//!   each ticket) for hosts that declared the extension, and as a markdown
//!   table for the others;
//! - the prompt `resolution_prompt`, warm for pro customers and concise for
//!   free ones, with completion of both arguments;
//! - `notifications/resources/updated` for subscribed tickets and
//!   `notifications/resources/list_changed` when a ticket closes (it leaves
//!   the resource list).
//!
//! ```no_run
//! # async fn run() -> Result<(), mcpwire_demos::DemoError> {
//! let server = mcpwire_demos::support_desk::server(std::path::Path::new("desk.db"))?;
//! server.serve_stdio().await.map_err(Into::into)
//! # }
//! ```

mod board;
mod render;
pub mod store;
mod ticket_id;

use std::path::Path;
use std::sync::Arc;

use mcpwire::Error;
use mcpwire::server::{Context, Json, ResourceRoute, Server, ServerBuilder, ToolError};
use mcpwire::types::{CallToolResult, ErrorCode};

use crate::DemoError;
pub use board::{BOARD_URI, BoardTicket, TicketBoard};
pub use store::{AccountTier, ClosedTicket, Escalation, Store, StoreError, Ticket};
pub use ticket_id::{InvalidTicketId, TicketId};

/// The URI of the open-ticket list.
pub const LIST_URI: &str = "ticket://list";

/// The URI of one ticket.
pub fn ticket_uri(id: i64) -> String {
    format!("ticket://{id}")
}

/// Builds the support desk server on the database at `db`, creating and
/// seeding it when it is new.
pub fn server(db: &Path) -> Result<Server, DemoError> {
    Ok(builder(db)?.build()?)
}

/// The support desk server's builder, on the database at `db` (created and
/// seeded when it is new), for a server that needs more before it is
/// built, such as state shared with other instances.
///
/// ```no_run
/// # fn run() -> Result<(), mcpwire_demos::DemoError> {
/// let builder = mcpwire_demos::support_desk::builder(std::path::Path::new("desk.db"))?;
/// let server = builder.build()?;
/// # let _ = server; Ok(()) }
/// ```
pub fn builder(db: &Path) -> Result<ServerBuilder, DemoError> {
    let store = Store::open(db)?;
    let desk = Arc::new(SupportDesk {
        store: store.clone(),
    });
    let open = store.open_tickets_blocking().map_err(|e| match e {
        StoreError::Database(source) => DemoError::Database {
            path: db.to_owned(),
            source,
        },
        other => DemoError::Unexpected {
            step: "loading the open tickets".to_owned(),
            message: other.to_string(),
        },
    })?;
    Ok(Server::builder("support-desk", env!("CARGO_PKG_VERSION"))
        .title("Support desk")
        .instructions(
            "Support tickets. Read ticket://list for the open tickets and ticket://{ticket_id} \
             for one (ticket_board shows them all on a board); get resolution_prompt to \
             draft a reply, then close_ticket, or escalate_ticket when it needs an engineer.",
        )
        .routes(desk.clone())
        .resources(open.iter().map(|t| desk.ticket_route(t)))
        .resource(board::app()))
}

/// The routes' shared state: the ticket store.
struct SupportDesk {
    store: Store,
}

#[mcpwire::routes]
impl SupportDesk {
    /// The open tickets, as a markdown table.
    #[resource("ticket://list", name = "open_tickets", mime_type = "text/markdown")]
    async fn ticket_list(&self) -> Result<String, Error> {
        let open = self.store.open_tickets().await.map_err(internal)?;
        Ok(render::ticket_list(&open))
    }

    /// One ticket in full: customer, message, escalations and resolution.
    #[resource(
        "ticket://{ticket_id}",
        name = "ticket",
        mime_type = "text/markdown",
        complete(ticket_id = Self::ticket_ids)
    )]
    async fn ticket(&self, ticket_id: TicketId) -> Result<String, Error> {
        self.read_ticket(ticket_id.get()).await
    }

    /// Closes a ticket with a resolution and returns the closed ticket.
    #[tool(annotations(destructive = false, idempotent = false))]
    async fn close_ticket(
        &self,
        cx: Context,
        /// The ticket number, e.g. 42 or "42".
        ticket_id: TicketId,
        /// How the problem was resolved, in a sentence or two.
        resolution: String,
    ) -> Result<Json<ClosedTicket>, ToolError> {
        let ticket_id = ticket_id.get();
        let closed = (self
            .store
            .close_ticket(ticket_id, resolution, caller(&cx))
            .await)
            .map_err(tool_error)?;
        let server = cx.server();
        // The ticket leaves the resource list (list_changed) and its
        // subscribers, and the list's, hear that it changed.
        server.remove_resource(&ticket_uri(ticket_id));
        server.resource_updated(ticket_uri(ticket_id));
        server.resource_updated(LIST_URI);
        Ok(Json(closed))
    }

    /// Escalates an open ticket to the engineering team, recording why.
    #[tool(annotations(destructive = false, idempotent = false))]
    async fn escalate_ticket(
        &self,
        cx: Context,
        /// The ticket number, e.g. 43 or "43".
        ticket_id: TicketId,
        /// Why the ticket needs an engineer.
        reason: String,
    ) -> Result<Json<Escalation>, ToolError> {
        let ticket_id = ticket_id.get();
        let escalation = (self
            .store
            .escalate_ticket(ticket_id, reason, caller(&cx))
            .await)
            .map_err(tool_error)?;
        cx.server().resource_updated(ticket_uri(ticket_id));
        cx.server().resource_updated(LIST_URI);
        Ok(Json(escalation))
    }

    /// The open tickets on a board: an interactive board with a Close
    /// button on each ticket in hosts that render MCP Apps, a markdown
    /// table elsewhere; the tickets as structured content in both.
    #[tool(ui = "ui://desk/board", output = TicketBoard, annotations(read_only))]
    async fn ticket_board(&self, cx: Context) -> Result<CallToolResult, ToolError> {
        let open = self.store.open_tickets().await.map_err(tool_error)?;
        Ok(board::result(&open, cx.supports_apps()))
    }

    /// Instructions for drafting the reply that resolves a ticket.
    #[prompt(complete(ticket_id = Self::ticket_ids, account_tier = account_tiers))]
    async fn resolution_prompt(
        &self,
        /// The ticket to resolve, e.g. 42.
        ticket_id: TicketId,
        /// The customer's plan: `pro` (warm and detailed) or `free` (concise).
        account_tier: AccountTier,
    ) -> Result<String, Error> {
        match self.store.ticket(ticket_id.get()).await {
            Ok(t) => Ok(render::resolution_prompt(&t, account_tier)),
            Err(e @ StoreError::NotFound(_)) => Err(Error::invalid_params(e.to_string())),
            Err(e) => Err(internal(e)),
        }
    }
}

impl SupportDesk {
    /// Completes a ticket number: the ticket numbers that start with what
    /// was typed.
    async fn ticket_ids(&self, typed: String) -> Vec<String> {
        self.store.ticket_ids(typed).await.unwrap_or_default()
    }

    /// Reads one ticket as markdown; an unknown number is "resource not
    /// found".
    async fn read_ticket(&self, id: i64) -> Result<String, Error> {
        match self.store.ticket(id).await {
            Ok(t) => Ok(render::ticket(&t)),
            Err(e @ StoreError::NotFound(_)) => {
                Err(Error::rpc(ErrorCode::RESOURCE_NOT_FOUND, e.to_string()))
            }
            Err(e) => Err(internal(e)),
        }
    }

    /// The listed resource of one open ticket.
    fn ticket_route(self: &Arc<Self>, t: &Ticket) -> ResourceRoute {
        let desk = self.clone();
        let id = t.id;
        ResourceRoute::new(
            ticket_uri(id),
            format!("ticket-{id}"),
            move |_cx, _uri, _vars| {
                let desk = desk.clone();
                async move { desk.read_ticket(id).await }
            },
        )
        .title(format!("Ticket {id}: {}", t.subject))
        .mime_type("text/markdown")
    }
}

/// Completes an account tier.
fn account_tiers(typed: String) -> Vec<String> {
    ["free", "pro"]
        .into_iter()
        .filter(|t| t.starts_with(&typed))
        .map(str::to_owned)
        .collect()
}

/// Who is calling: the subject of the OAuth token behind the request,
/// when the server runs behind `BearerAuth` (`mcpwire serve support-desk
/// --http ADDR --auth-jwks ...`).
fn caller(cx: &Context) -> Option<String> {
    cx.extensions()
        .get::<mcpwire::types::VerifiedToken>()
        .and_then(|a| a.subject.clone())
}

/// A store failure as a tool's `isError` text: the cause when the caller
/// can fix it, a generic line (and a log line here) otherwise.
fn tool_error(e: StoreError) -> ToolError {
    if matches!(e, StoreError::Database(_) | StoreError::Task) {
        eprintln!("support-desk: {e}");
    }
    ToolError::new(e.client_message())
}

/// A store failure where the peer gets only `Internal error`.
fn internal(e: StoreError) -> Error {
    Error::internal(e.to_string())
}
