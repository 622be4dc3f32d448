//! Markdown views of tickets and the text of the resolution prompt.

use std::fmt::Write;

use super::store::{AccountTier, Ticket};

/// The open tickets as a markdown table.
pub fn ticket_list(tickets: &[Ticket]) -> String {
    let mut out = String::from("# Open tickets\n\n");
    if tickets.is_empty() {
        out.push_str("No open tickets. Well done!\n");
        return out;
    }
    out.push_str("| # | Subject | Customer | Tier | Status |\n|---|---|---|---|---|\n");
    for t in tickets {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            t.id,
            cell(&t.subject),
            cell(&t.customer_email),
            t.tier.as_str(),
            t.status
        );
    }
    let _ = write!(
        out,
        "\n{} open. Read `ticket://{{ticket_id}}` for one ticket.\n",
        tickets.len()
    );
    out
}

/// One ticket in full.
pub fn ticket(t: &Ticket) -> String {
    let mut out = format!("# Ticket {}: {}\n\n", t.id, t.subject);
    let _ = writeln!(out, "- **Status:** {}", t.status);
    let _ = writeln!(
        out,
        "- **Customer:** {} <{}> ({} plan)",
        t.customer_name,
        t.customer_email,
        t.tier.as_str()
    );
    let _ = writeln!(out, "- **Opened:** {}", t.created_at);
    let _ = writeln!(out, "- **Updated:** {}", t.updated_at);
    let _ = write!(out, "\n## Message\n\n{}\n", t.body);
    if !t.escalations.is_empty() {
        out.push_str("\n## Escalations\n\n");
        for (i, reason) in t.escalations.iter().enumerate() {
            let _ = writeln!(out, "{}. {reason}", i + 1);
        }
    }
    if let Some(r) = &t.resolution {
        let _ = write!(out, "\n## Resolution\n\n{r}\n");
        if let Some(by) = &t.closed_by {
            let _ = write!(out, "\nClosed by {by}.\n");
        }
    }
    out
}

/// The instructions for drafting a reply: warm and detailed for pro
/// customers, short and to the point for free ones.
pub fn resolution_prompt(t: &Ticket, tier: AccountTier) -> String {
    let style = match tier {
        AccountTier::Pro => {
            "This is a pro customer. Write a warm, personal reply: greet them by name, \
             acknowledge the inconvenience, explain the cause in plain words, give \
             numbered step-by-step instructions, say what we are doing to prevent it \
             happening again, and offer a direct follow-up call if anything is unclear."
        }
        AccountTier::Free => {
            "This is a free-plan customer. Write a concise, friendly reply of at most \
             five sentences: the fix in one or two steps, and a link to the help \
             center for more."
        }
    };
    format!(
        "You are a support agent drafting the reply that resolves ticket {id}.\n\n\
         {style}\n\n\
         Then call the `close_ticket` tool with ticket_id {id} and a one-line \
         resolution summary.\n\n\
         ---\n\n{ticket}",
        id = t.id,
        ticket = ticket(t)
    )
}

/// Keeps a table cell on one line and its pipes literal.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
