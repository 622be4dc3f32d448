//! The ticket board: `ticket_board`'s structured result, the MCP App that
//! draws it (`ui://desk/board`, one self-contained HTML page), and the
//! text the tool answers clients that render no apps.

use mcpwire::server::apps::AppResource;
use mcpwire::types::CallToolResult;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::render;
use super::store::{AccountTier, Ticket};

/// The URI of the ticket board's page.
pub const BOARD_URI: &str = "ui://desk/board";

/// The page: inline HTML, CSS and script, nothing fetched.
const BOARD_HTML: &str = include_str!("board.html");

/// What `ticket_board` returns as structured content: the open tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TicketBoard {
    /// The open (and escalated) tickets, oldest first.
    pub tickets: Vec<BoardTicket>,
}

/// One ticket on the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BoardTicket {
    /// The ticket number.
    pub id: i64,
    /// One line on the problem.
    pub subject: String,
    /// `open` or `escalated`.
    pub status: String,
    /// The customer's name.
    pub customer_name: String,
    /// The customer's email address.
    pub customer_email: String,
    /// The customer's plan.
    pub tier: AccountTier,
    /// How many times it was escalated.
    pub escalations: usize,
}

impl TicketBoard {
    /// The board of `open` tickets.
    pub fn of(open: &[Ticket]) -> TicketBoard {
        TicketBoard {
            tickets: open
                .iter()
                .map(|t| BoardTicket {
                    id: t.id,
                    subject: t.subject.clone(),
                    status: t.status.clone(),
                    customer_name: t.customer_name.clone(),
                    customer_email: t.customer_email.clone(),
                    tier: t.tier,
                    escalations: t.escalations.len(),
                })
                .collect(),
        }
    }
}

/// The page, as the server serves it.
pub fn app() -> AppResource {
    AppResource::new(BOARD_URI, "ticket_board_app", BOARD_HTML)
        .title("Ticket board")
        .description("The open tickets, each with a Close button (an MCP App).")
        .prefers_border(true)
}

/// `ticket_board`'s result: the board as structured content, with a line
/// for the model when the host draws the board, and the markdown table
/// for clients that render no apps.
pub fn result(open: &[Ticket], apps: bool) -> CallToolResult {
    let text = if apps {
        let ids: Vec<String> = open.iter().map(|t| t.id.to_string()).collect();
        format!(
            "{} open tickets are on the ticket board: {}.",
            open.len(),
            ids.join(", ")
        )
    } else {
        render::ticket_list(open)
    };
    let mut r = CallToolResult::text(text);
    r.structured_content = serde_json::to_value(TicketBoard::of(open)).ok();
    r
}
