//! Reading a server-sent event stream off a raw HTTP response, as a test
//! that speaks HTTP by hand sees it.

use std::time::Duration;

/// How long [`events`] waits for each next chunk of the stream.
pub const CHUNK_PATIENCE: Duration = Duration::from_secs(5);

/// One event: its `id`, if any, and its data lines joined by `\n` (empty
/// for an event without data, such as a priming event).
pub type Event = (Option<String>, String);

/// Reads the events of `response` until it ends or `until_data` events
/// with data arrived; panics when a chunk takes longer than
/// [`CHUNK_PATIENCE`].
pub async fn events(mut response: reqwest::Response, until_data: usize) -> Vec<Event> {
    let mut buf = String::new();
    let mut out: Vec<Event> = Vec::new();
    loop {
        let chunk = crate::within(
            CHUNK_PATIENCE,
            "the next chunk of the event stream",
            response.chunk(),
        )
        .await;
        let Ok(Some(chunk)) = chunk else {
            return out;
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if let Some(event) = parse(&block) {
                out.push(event);
            }
            if out.iter().filter(|(_, d)| !d.is_empty()).count() >= until_data {
                return out;
            }
        }
    }
}

/// The event of one block of lines (without its blank line), if it has
/// an id or data.
///
/// ```
/// use mcpwire_testkit::http::sse::parse;
/// assert_eq!(parse("id: 7\ndata: a\ndata: b\n"), Some((Some("7".into()), "a\nb".into())));
/// assert_eq!(parse(": a comment\n"), None);
/// ```
pub fn parse(block: &str) -> Option<Event> {
    let mut id = None;
    let mut data = Vec::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("id: ") {
            id = Some(v.to_owned());
        } else if let Some(v) = line.strip_prefix("data: ") {
            data.push(v);
        } else if line.starts_with("data:") {
            data.push("");
        }
    }
    (id.is_some() || !data.is_empty()).then(|| (id, data.join("\n")))
}
