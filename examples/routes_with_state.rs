//! `#[routes]` on an `impl` block: tools, a resource and a prompt that share
//! one piece of state, a small notebook, served over stdio.
//!
//! ```text
//! cargo run -p mcpwire-examples --example routes_with_state
//! ```
//!
//! It speaks MCP on stdin/stdout, so run it under an MCP host, or look at it
//! with the `mcpwire` command line tool:
//!
//! ```text
//! cargo build -p mcpwire-cli -p mcpwire-examples --example routes_with_state
//! target/debug/mcpwire info -- target/debug/examples/routes_with_state
//! target/debug/mcpwire call add_note text="buy milk" -- target/debug/examples/routes_with_state
//! ```
//!
//! `#[mcpwire::routes]` turns every method marked `#[tool]`, `#[resource]`
//! or `#[prompt]` into a route. `ServerBuilder::routes` takes the notebook
//! itself, puts it in an `Arc` and hands each route a clone of it: all of
//! them see the same notebook, for as long as the connection lasts.

use std::sync::{Mutex, MutexGuard};

use mcpwire::server::Server;
use mcpwire::types::CallToolResult;

/// The most notes the notebook keeps; adding one more is refused.
pub const MAX_NOTES: usize = 100;

/// The longest note accepted, in characters.
pub const MAX_NOTE_CHARS: usize = 1_000;

/// The shared state: the notes, in the order they were added.
#[derive(Default)]
struct Notebook {
    notes: Mutex<Vec<String>>,
}

impl Notebook {
    /// The notes; a handler that panicked while holding them left them
    /// whole (every change below is a single push or remove).
    fn notes(&self) -> MutexGuard<'_, Vec<String>> {
        self.notes.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[mcpwire::routes]
impl Notebook {
    /// Adds a note to the notebook and says how many notes it holds now.
    #[tool]
    fn add_note(
        &self,
        /// The note's text (at most 1000 characters).
        text: String,
    ) -> CallToolResult {
        // A refusal is an `isError` result: the model sees why and can
        // correct itself, and nothing stored changes.
        let chars = text.chars().count();
        if text.trim().is_empty() {
            return CallToolResult::error_text("the note is empty");
        }
        if chars > MAX_NOTE_CHARS {
            return CallToolResult::error_text(format!(
                "the note has {chars} characters; at most {MAX_NOTE_CHARS} fit"
            ));
        }
        let mut notes = self.notes();
        if notes.len() >= MAX_NOTES {
            return CallToolResult::error_text(format!(
                "the notebook is full ({MAX_NOTES} notes); remove one first"
            ));
        }
        notes.push(text);
        CallToolResult::text(format!("{} notes", notes.len()))
    }

    /// Lists the notes, one per line, numbered from 1.
    #[tool(read_only)]
    fn list_notes(&self) -> String {
        numbered(&self.notes())
    }

    /// Removes the note with this number, as `list_notes` shows it.
    #[tool(destructive)]
    fn remove_note(
        &self,
        /// The number of the note to remove (1 is the oldest).
        number: usize,
    ) -> CallToolResult {
        let mut notes = self.notes();
        if number == 0 || number > notes.len() {
            return CallToolResult::error_text(format!(
                "there is no note {number}; the notes are numbered 1 to {}",
                notes.len()
            ));
        }
        let removed = notes.remove(number - 1);
        CallToolResult::text(format!("removed: {removed}"))
    }

    /// Every note, as one text document.
    #[resource("notes://all", mime_type = "text/plain")]
    fn all_notes(&self) -> String {
        numbered(&self.notes())
    }

    /// Asks the model to summarize the notebook.
    #[prompt]
    fn summarize(
        &self,
        /// How to write the summary, e.g. "one line" (default: "short").
        style: Option<String>,
    ) -> String {
        let style = style.as_deref().unwrap_or("short");
        format!(
            "Write a {style} summary of these notes:\n{}",
            numbered(&self.notes())
        )
    }
}

/// The notes as `1. text` lines, or a line saying there are none.
fn numbered(notes: &[String]) -> String {
    if notes.is_empty() {
        return "(no notes)".to_owned();
    }
    notes
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{}. {n}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), mcpwire::Error> {
    Server::builder("notebook", env!("CARGO_PKG_VERSION"))
        .instructions("A notebook: add, list and remove short notes.")
        .routes(Notebook::default())
        .build()?
        .serve_stdio()
        .await
}
