//! The support desk's SQLite storage: schema, seed data, and the
//! transactional reads and writes the MCP routes use.
//!
//! Every operation opens its own connection on a blocking thread
//! (`spawn_blocking`), so concurrent HTTP clients never share one. The
//! database runs in WAL mode with a busy timeout, and writes take the write
//! lock up front (`BEGIN IMMEDIATE`), so two clients closing tickets at once
//! queue instead of failing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::DemoError;

/// The longest resolution or escalation reason accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// How long a connection waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS customers (
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL,
    tier  TEXT NOT NULL CHECK (tier IN ('free', 'pro'))
);
CREATE TABLE IF NOT EXISTS tickets (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'escalated', 'closed')),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS escalations (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    escalated_by TEXT
);
CREATE TABLE IF NOT EXISTS resolutions (
    ticket_id  INTEGER PRIMARY KEY REFERENCES tickets(id),
    resolution TEXT NOT NULL,
    closed_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    closed_by  TEXT
);
";

const SEED: &str = "
INSERT INTO customers (id, email, name, tier) VALUES
    (1, 'alice@example.com', 'Alice Martin', 'pro'),
    (2, 'bob@example.com', 'Bob Chen', 'free'),
    (3, 'carol@example.com', 'Carol Diaz', 'pro'),
    (4, 'dan@example.com', 'Dan Okafor', 'free');
INSERT INTO tickets (id, customer_id, subject, body) VALUES
    (42, 1, 'Cannot log in after password change',
     'I changed my password this morning and now the login page says my credentials are invalid. I have tried twice.'),
    (43, 2, 'Invoice PDF not loading',
     'Clicking \"Download invoice\" shows a blank page instead of the PDF for my October invoice.'),
    (44, 3, 'Export to CSV drops accented names',
     'Customer names like Jos\u{e9} come out as Jos? in the CSV export.'),
    (45, 4, 'How do I change my billing email?',
     'Invoices still go to my old address. Where can I change it?'),
    (46, 1, 'Webhook retries stopped',
     'Our webhook endpoint was down for an hour and failed deliveries were never retried.'),
    (47, 3, 'Two-factor codes arrive late',
     'SMS codes take several minutes to arrive, so they expire before I can use them.'),
    (48, 2, 'Dark mode resets after logout',
     'Every time I log in again the theme is back to light.'),
    (49, 4, 'Cannot remove a team member',
     'The remove button next to a former colleague is greyed out.');
";

/// A customer's plan; pro customers get the warm, detailed treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccountTier {
    /// The free plan.
    Free,
    /// The paid plan.
    Pro,
}

impl AccountTier {
    fn parse(s: &str) -> AccountTier {
        if s == "pro" {
            AccountTier::Pro
        } else {
            AccountTier::Free
        }
    }

    /// The tier as stored and shown: `free` or `pro`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountTier::Free => "free",
            AccountTier::Pro => "pro",
        }
    }
}

/// One ticket with its customer, escalations and resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    /// The ticket number.
    pub id: i64,
    /// One line on the problem.
    pub subject: String,
    /// The customer's message.
    pub body: String,
    /// `open`, `escalated` or `closed`.
    pub status: String,
    /// When the ticket was opened (UTC, RFC 3339).
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// The customer's name.
    pub customer_name: String,
    /// The customer's email address.
    pub customer_email: String,
    /// The customer's plan.
    pub tier: AccountTier,
    /// Why the ticket was escalated, oldest first.
    pub escalations: Vec<String>,
    /// How it was resolved, once closed.
    pub resolution: Option<String>,
    /// Who closed it (the caller's OAuth subject), when known.
    pub closed_by: Option<String>,
}

/// What `close_ticket` returns: the structured output of the tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClosedTicket {
    /// The ticket that was closed.
    pub ticket_id: i64,
    /// Always `closed`.
    pub status: String,
    /// The resolution recorded.
    pub resolution: String,
    /// When it was closed (UTC, RFC 3339).
    pub closed_at: String,
    /// The customer to notify.
    pub customer_email: String,
    /// Who closed it (the caller's OAuth subject), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<String>,
}

/// What `escalate_ticket` returns: the structured output of the tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Escalation {
    /// The escalation's number.
    pub escalation_id: i64,
    /// The ticket escalated.
    pub ticket_id: i64,
    /// Always `escalated`.
    pub status: String,
    /// Why it was escalated.
    pub reason: String,
    /// How many times this ticket has been escalated, this one included.
    pub escalation_count: i64,
    /// Who escalated it (the caller's OAuth subject), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_by: Option<String>,
}

/// Why a store operation failed. The first three are the caller's to fix;
/// the text of each is safe to show to a remote client.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No ticket has this number.
    #[error("Ticket {0} does not exist. Read ticket://list for the open tickets.")]
    NotFound(i64),
    /// The ticket was closed already.
    #[error("Ticket {0} is already closed; closed tickets cannot be changed.")]
    AlreadyClosed(i64),
    /// An argument is unusable (e.g. an empty resolution).
    #[error("{0}")]
    Invalid(String),
    /// SQLite failed; the details stay on the server.
    #[error("the ticket database failed: {0}")]
    Database(#[from] rusqlite::Error),
    /// The blocking task did not finish.
    #[error("the ticket database task stopped unexpectedly")]
    Task,
}

impl StoreError {
    /// The message for a remote client: the cause for the caller's
    /// mistakes, a generic line for database faults.
    pub fn client_message(&self) -> String {
        match self {
            StoreError::Database(_) | StoreError::Task => {
                "The ticket database is unavailable right now; try again shortly.".to_owned()
            }
            other => other.to_string(),
        }
    }
}

/// The ticket database at one path. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    /// Opens the database at `path`, creating it, its tables and the seed
    /// tickets when it is new. Safe to call on an existing database: tables
    /// are kept and the seed goes only into an empty `tickets` table.
    pub fn open(path: &Path) -> Result<Store, DemoError> {
        let wrap = |source| DemoError::Database {
            path: path.to_owned(),
            source,
        };
        let mut conn = Connection::open(path).map_err(wrap)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(wrap)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(wrap)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        tx.execute_batch(SCHEMA).map_err(wrap)?;
        // Databases made before tickets recorded who acted on them.
        add_column(&tx, "resolutions", "closed_by").map_err(wrap)?;
        add_column(&tx, "escalations", "escalated_by").map_err(wrap)?;
        let count: i64 = tx
            .query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))
            .map_err(wrap)?;
        if count == 0 {
            tx.execute_batch(SEED).map_err(wrap)?;
        }
        tx.commit().map_err(wrap)?;
        Ok(Store {
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a fresh connection on a blocking thread.
    async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = Connection::open(&path)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            conn.pragma_update(None, "foreign_keys", true)?;
            f(&mut conn)
        })
        .await
        .map_err(|_| StoreError::Task)?
    }

    /// The tickets not yet closed, lowest number first.
    pub async fn open_tickets(&self) -> Result<Vec<Ticket>, StoreError> {
        self.run(|c| open_tickets(c)).await
    }

    /// [`Store::open_tickets`], on the calling thread.
    pub fn open_tickets_blocking(&self) -> Result<Vec<Ticket>, StoreError> {
        let c = Connection::open(&self.path)?;
        c.busy_timeout(BUSY_TIMEOUT)?;
        open_tickets(&c)
    }

    /// One ticket, or `NotFound`.
    pub async fn ticket(&self, id: i64) -> Result<Ticket, StoreError> {
        self.run(move |c| load(c, id)?.ok_or(StoreError::NotFound(id)))
            .await
    }

    /// Every ticket number, as text, that starts with `prefix`.
    pub async fn ticket_ids(&self, prefix: String) -> Result<Vec<String>, StoreError> {
        self.run(move |c| {
            let ids: Vec<i64> = c
                .prepare("SELECT id FROM tickets ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(ids
                .into_iter()
                .map(|id| id.to_string())
                .filter(|id| id.starts_with(&prefix))
                .collect())
        })
        .await
    }

    /// Closes a ticket with a resolution, in one transaction; `by` is who
    /// closed it, when known.
    pub async fn close_ticket(
        &self,
        id: i64,
        resolution: String,
        by: Option<String>,
    ) -> Result<ClosedTicket, StoreError> {
        let resolution = checked_text(
            &resolution,
            "The resolution is empty; say how the ticket was resolved.",
            "resolution",
        )?;
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (status, email) = status_of(&tx, id)?;
            if status == "closed" {
                return Err(StoreError::AlreadyClosed(id));
            }
            tx.execute(
                "UPDATE tickets SET status = 'closed',
                 updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
                params![id],
            )?;
            let closed_at: String = tx.query_row(
                "INSERT INTO resolutions (ticket_id, resolution, closed_by) VALUES (?1, ?2, ?3)
                 RETURNING closed_at",
                params![id, resolution, by],
                |r| r.get(0),
            )?;
            tx.commit()?;
            Ok(ClosedTicket {
                ticket_id: id,
                status: "closed".to_owned(),
                resolution,
                closed_at,
                customer_email: email,
                closed_by: by,
            })
        })
        .await
    }

    /// Records an escalation of an open ticket, in one transaction; `by`
    /// is who escalated it, when known.
    pub async fn escalate_ticket(
        &self,
        id: i64,
        reason: String,
        by: Option<String>,
    ) -> Result<Escalation, StoreError> {
        let reason = checked_text(
            &reason,
            "The reason is empty; say why the ticket needs escalating.",
            "reason",
        )?;
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (status, _) = status_of(&tx, id)?;
            if status == "closed" {
                return Err(StoreError::AlreadyClosed(id));
            }
            let escalation_id: i64 = tx.query_row(
                "INSERT INTO escalations (ticket_id, reason, escalated_by) VALUES (?1, ?2, ?3)
                 RETURNING id",
                params![id, reason, by],
                |r| r.get(0),
            )?;
            tx.execute(
                "UPDATE tickets SET status = 'escalated',
                 updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
                params![id],
            )?;
            let escalation_count: i64 = tx.query_row(
                "SELECT count(*) FROM escalations WHERE ticket_id = ?1",
                params![id],
                |r| r.get(0),
            )?;
            tx.commit()?;
            Ok(Escalation {
                escalation_id,
                ticket_id: id,
                status: "escalated".to_owned(),
                reason,
                escalation_count,
                escalated_by: by,
            })
        })
        .await
    }
}

/// `text` trimmed, or why it cannot be stored.
fn checked_text(text: &str, when_empty: &str, what: &str) -> Result<String, StoreError> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars == 0 {
        return Err(StoreError::Invalid(when_empty.to_owned()));
    }
    if chars > MAX_TEXT_CHARS {
        return Err(StoreError::Invalid(format!(
            "The {what} is {chars} characters long; keep it under {MAX_TEXT_CHARS}."
        )));
    }
    Ok(text.to_owned())
}

/// Adds the nullable text column `column` to `table` unless it has it.
fn add_column(c: &Connection, table: &str, column: &str) -> rusqlite::Result<()> {
    let has: bool = c.query_row(
        &format!("SELECT count(*) > 0 FROM pragma_table_info('{table}') WHERE name = ?1"),
        params![column],
        |r| r.get(0),
    )?;
    if !has {
        c.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} TEXT"))?;
    }
    Ok(())
}

/// A ticket's status and its customer's email, or `NotFound`.
fn status_of(c: &Connection, id: i64) -> Result<(String, String), StoreError> {
    c.query_row(
        "SELECT t.status, c.email FROM tickets t JOIN customers c ON c.id = t.customer_id
         WHERE t.id = ?1",
        params![id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or(StoreError::NotFound(id))
}

fn open_tickets(c: &Connection) -> Result<Vec<Ticket>, StoreError> {
    let ids: Vec<i64> = c
        .prepare("SELECT id FROM tickets WHERE status != 'closed' ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    ids.into_iter()
        .map(|id| load(c, id)?.ok_or(StoreError::NotFound(id)))
        .collect()
}

fn load(c: &Connection, id: i64) -> Result<Option<Ticket>, StoreError> {
    let Some(mut t) = c
        .query_row(
            "SELECT t.id, t.subject, t.body, t.status, t.created_at, t.updated_at,
                    c.name, c.email, c.tier, r.resolution, r.closed_by
             FROM tickets t
             JOIN customers c ON c.id = t.customer_id
             LEFT JOIN resolutions r ON r.ticket_id = t.id
             WHERE t.id = ?1",
            params![id],
            |r| {
                Ok(Ticket {
                    id: r.get(0)?,
                    subject: r.get(1)?,
                    body: r.get(2)?,
                    status: r.get(3)?,
                    created_at: r.get(4)?,
                    updated_at: r.get(5)?,
                    customer_name: r.get(6)?,
                    customer_email: r.get(7)?,
                    tier: AccountTier::parse(&r.get::<_, String>(8)?),
                    escalations: Vec::new(),
                    resolution: r.get(9)?,
                    closed_by: r.get(10)?,
                })
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    t.escalations = c
        .prepare("SELECT reason FROM escalations WHERE ticket_id = ?1 ORDER BY id")?
        .query_map(params![id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(Some(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::TempDb;

    /// The schema before tickets recorded who acted on them.
    const OLD_SCHEMA: &str = "
        CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL, tier TEXT NOT NULL);
        CREATE TABLE tickets (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL,
            subject TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open',
            created_at TEXT NOT NULL DEFAULT 'then', updated_at TEXT NOT NULL DEFAULT 'then');
        CREATE TABLE escalations (id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL,
            reason TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT 'then');
        CREATE TABLE resolutions (ticket_id INTEGER PRIMARY KEY, resolution TEXT NOT NULL,
            closed_at TEXT NOT NULL DEFAULT 'then');
        INSERT INTO customers VALUES (1, 'a@example.com', 'A', 'pro');
        INSERT INTO tickets (id, customer_id, subject, body) VALUES
            (1, 1, 'old', 'old'), (2, 1, 'new', 'new');
        INSERT INTO resolutions (ticket_id, resolution) VALUES (1, 'done before');
        UPDATE tickets SET status = 'closed' WHERE id = 1;
    ";

    #[tokio::test]
    async fn an_older_database_gains_the_actor_columns_and_keeps_its_tickets() {
        let db = TempDb::new().unwrap();
        Connection::open(db.path())
            .unwrap()
            .execute_batch(OLD_SCHEMA)
            .unwrap();
        let store = Store::open(db.path()).unwrap();
        // Opening again finds the columns there.
        let store = Store::open(store.path()).unwrap();
        let old = store.ticket(1).await.unwrap();
        assert_eq!(old.resolution.as_deref(), Some("done before"));
        assert_eq!(old.closed_by, None);
        let e = (store
            .escalate_ticket(2, "why".into(), Some("bob".into()))
            .await)
            .unwrap();
        assert_eq!(e.escalated_by.as_deref(), Some("bob"));
        let closed = (store
            .close_ticket(2, "fixed".into(), Some("alice".into()))
            .await)
            .unwrap();
        assert_eq!(closed.closed_by.as_deref(), Some("alice"));
        assert_eq!(
            store.ticket(2).await.unwrap().closed_by.as_deref(),
            Some("alice")
        );
    }
}
