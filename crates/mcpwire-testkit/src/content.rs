//! Reading what a server answered: the text of a tool result.

use mcpwire::types::{CallToolResult, ContentBlock};

/// The text blocks of `r`, concatenated.
///
/// ```
/// let r = mcpwire::types::CallToolResult::text("hi");
/// assert_eq!(mcpwire_testkit::text(&r), "hi");
/// ```
pub fn text(r: &CallToolResult) -> String {
    r.content.iter().filter_map(ContentBlock::as_text).collect()
}
