//! An incremental parser for `text/event-stream` bodies (Server-Sent Events).
//!
//! Follows the HTML standard's "event stream interpretation": lines end in
//! CRLF, LF or CR (a CRLF split across two chunks counts once); `data:`
//! lines of one event are joined with `\n`; `id:`, `event:` and `retry:` set
//! their fields; lines starting with `:` are comments; an empty line
//! dispatches the event. A leading UTF-8 byte order mark is skipped. Bytes
//! arrive in arbitrary chunks through [`SseParser::push`].

use std::time::Duration;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The event type; empty means the default type, `message`.
    pub event: String,
    /// The data lines joined with `\n` (empty for a priming event).
    pub data: Vec<u8>,
}

impl SseEvent {
    /// Whether this is a `message` event (the type MCP messages use).
    pub fn is_message(&self) -> bool {
        self.event.is_empty() || self.event == "message"
    }
}

/// What [`SseParser::push`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SseItem {
    /// A complete event.
    Event(SseEvent),
    /// An event whose data exceeded the size limit was dropped; carries the
    /// number of data bytes seen.
    TooLarge(usize),
}

/// The parser state of one event stream.
#[derive(Debug)]
pub(crate) struct SseParser {
    /// Bytes of a line whose end has not arrived yet.
    line: Vec<u8>,
    /// The previous chunk ended in CR: a LF at the start of the next one
    /// belongs to the same line end.
    after_cr: bool,
    /// No line was completed yet (for the byte order mark).
    at_start: bool,
    /// The current line is longer than the limit and is being skipped.
    skipping_line: bool,
    data: Vec<u8>,
    has_data: bool,
    /// Data bytes of the current event beyond the limit (0: within it).
    oversize: usize,
    event: String,
    id_buffer: Option<String>,
    last_event_id: Option<String>,
    retry: Option<Duration>,
    max: usize,
}

impl SseParser {
    /// A parser that drops events whose data exceeds `max` bytes.
    pub fn new(max: usize) -> Self {
        SseParser {
            line: Vec::new(),
            after_cr: false,
            at_start: true,
            skipping_line: false,
            data: Vec::new(),
            has_data: false,
            oversize: 0,
            event: String::new(),
            id_buffer: None,
            last_event_id: None,
            retry: None,
            max,
        }
    }

    /// The id of the last dispatched event, for `Last-Event-ID`.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// The reconnection time the server asked for with `retry:`.
    pub fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// Starts a new connection of the same stream: drops any partial line or
    /// event, keeps the last event id and the retry time.
    pub fn reconnected(&mut self) {
        self.line.clear();
        self.after_cr = false;
        self.at_start = true;
        self.skipping_line = false;
        self.reset_event();
        self.id_buffer = self.last_event_id.clone();
    }

    /// Feeds the next chunk of the body; complete events go to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<SseItem>) {
        let mut rest = chunk;
        if self.after_cr && !rest.is_empty() {
            if rest[0] == b'\n' {
                rest = &rest[1..];
            }
            self.after_cr = false;
        }
        while let Some(i) = memchr::memchr2(b'\r', b'\n', rest) {
            if self.skipping_line {
                self.skipping_line = false;
                self.line.clear();
            } else if self.line.is_empty() {
                self.process_line(&rest[..i], out);
            } else {
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(&rest[..i]);
                self.process_line(&line, out);
                line.clear();
                self.line = line;
            }
            let mut end = i + 1;
            if rest[i] == b'\r' {
                match rest.get(end) {
                    Some(b'\n') => end += 1,
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            rest = &rest[end..];
        }
        if rest.is_empty() || self.skipping_line {
            self.oversize += rest.len() * usize::from(self.skipping_line);
            return;
        }
        // A field name, a colon and a space fit in 16 bytes.
        if self.line.len() + rest.len() > self.max.saturating_add(16) {
            self.oversize = self.oversize.max(self.data.len()) + self.line.len() + rest.len();
            self.data = Vec::new();
            self.line.clear();
            self.skipping_line = true;
            self.at_start = false;
        } else {
            self.line.extend_from_slice(rest);
        }
    }

    fn process_line(&mut self, mut line: &[u8], out: &mut Vec<SseItem>) {
        if std::mem::replace(&mut self.at_start, false) {
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.is_empty() {
            return self.dispatch(out);
        }
        if line[0] == b':' {
            return;
        }
        let (name, value) = match memchr::memchr(b':', line) {
            Some(p) => {
                let v = &line[p + 1..];
                (&line[..p], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &[][..]),
        };
        match name {
            b"data" => {
                if self.oversize > 0 {
                    self.oversize += value.len() + 1;
                    return;
                }
                let extra = value.len() + usize::from(self.has_data);
                if self.data.len() + extra > self.max {
                    self.oversize = self.data.len() + extra;
                    self.data = Vec::new();
                    return;
                }
                if self.has_data {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
                self.has_data = true;
            }
            b"event" => self.event = String::from_utf8_lossy(value).into_owned(),
            b"id" if !value.contains(&0) => {
                self.id_buffer = Some(String::from_utf8_lossy(value).into_owned());
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // Values beyond u64 are absurd; saturate.
                let ms = std::str::from_utf8(value)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(u64::MAX);
                self.retry = Some(Duration::from_millis(ms));
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseItem>) {
        self.last_event_id.clone_from(&self.id_buffer);
        if self.oversize > 0 {
            out.push(SseItem::TooLarge(self.oversize));
        } else if self.has_data {
            out.push(SseItem::Event(SseEvent {
                event: std::mem::take(&mut self.event),
                data: std::mem::take(&mut self.data),
            }));
        }
        self.reset_event();
    }

    fn reset_event(&mut self) {
        self.data.clear();
        self.has_data = false;
        self.oversize = 0;
        self.event.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_chunks(chunks: &[&[u8]], max: usize) -> (Vec<SseItem>, SseParser) {
        let mut p = SseParser::new(max);
        let mut out = Vec::new();
        for c in chunks {
            p.push(c, &mut out);
        }
        (out, p)
    }

    fn ev(event: &str, data: &str) -> SseItem {
        SseItem::Event(SseEvent {
            event: event.to_owned(),
            data: data.as_bytes().to_vec(),
        })
    }

    #[test]
    fn single_event() {
        let (out, p) = parse_chunks(&[b"event: message\nid: 7\ndata: {\"a\":1}\n\n"], 1024);
        assert_eq!(out, vec![ev("message", "{\"a\":1}")]);
        assert_eq!(p.last_event_id(), Some("7"));
    }

    #[test]
    fn multi_line_data_is_joined_with_lf() {
        let (out, _) = parse_chunks(&[b"data: a\ndata:b\ndata:  c\n\n"], 1024);
        assert_eq!(out, vec![ev("", "a\nb\n c")]);
    }

    #[test]
    fn every_line_ending() {
        for text in [
            &b"data: x\r\n\r\ndata: y\r\n\r\n"[..],
            b"data: x\r\rdata: y\r\r",
            b"data: x\n\ndata: y\n\n",
            b"data: x\r\n\ndata: y\r\r\n",
        ] {
            let (out, _) = parse_chunks(&[text], 1024);
            assert_eq!(out, vec![ev("", "x"), ev("", "y")], "{text:?}");
        }
    }

    #[test]
    fn every_split_point_gives_the_same_events() {
        let text: &[u8] =
            b"\xEF\xBB\xBF: comment\r\nid: 1\r\ndata: {\"x\":\"\xC3\xA9\"}\r\n\r\nevent: endpoint\rdata: /post?s=1\r\rretry: 50\nid: 2\ndata:\n\n";
        let (whole, p) = parse_chunks(&[text], 1024);
        assert_eq!(
            whole,
            vec![
                ev("", "{\"x\":\"\u{e9}\"}"),
                ev("endpoint", "/post?s=1"),
                ev("", "")
            ]
        );
        assert_eq!(p.last_event_id(), Some("2"));
        assert_eq!(p.retry(), Some(Duration::from_millis(50)));
        for i in 0..=text.len() {
            for j in i..=text.len() {
                let (out, p) = parse_chunks(&[&text[..i], &text[i..j], &text[j..]], 1024);
                assert_eq!(out, whole, "split at {i}, {j}");
                assert_eq!(p.last_event_id(), Some("2"));
            }
        }
        // One byte at a time.
        let bytes: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(parse_chunks(&bytes, 1024).0, whole);
    }

    #[test]
    fn priming_event_has_empty_data_and_sets_the_id() {
        let (out, p) = parse_chunks(&[b"id: abc\ndata: \nretry: 50\n\n"], 1024);
        assert_eq!(out, vec![ev("", "")]);
        assert_eq!(p.last_event_id(), Some("abc"));
        assert_eq!(p.retry(), Some(Duration::from_millis(50)));
    }

    #[test]
    fn events_without_data_are_not_dispatched_but_set_the_id() {
        let (out, p) = parse_chunks(&[b"id: 5\n\nevent: x\n\n: keepalive\n\n"], 1024);
        assert!(out.is_empty());
        assert_eq!(p.last_event_id(), Some("5"));
    }

    #[test]
    fn field_without_colon_and_unknown_fields() {
        let (out, _) = parse_chunks(&[b"data\nfoo: bar\ndata\n\n"], 1024);
        assert_eq!(out, vec![ev("", "\n")]);
    }

    #[test]
    fn bad_retry_and_nul_id_are_ignored() {
        let (_, p) = parse_chunks(&[b"retry: 5x\nid: a\0b\ndata: 1\n\n"], 1024);
        assert_eq!(p.retry(), None);
        assert_eq!(p.last_event_id(), None);
        let (_, p) = parse_chunks(&[b"id: 1\ndata: 1\n\nid\ndata: 2\n\n"], 1024);
        assert_eq!(p.last_event_id(), Some(""));
    }

    #[test]
    fn incomplete_event_is_not_dispatched() {
        let (out, p) = parse_chunks(&[b"id: 9\ndata: partial\n"], 1024);
        assert!(out.is_empty());
        assert_eq!(p.last_event_id(), None);
    }

    #[test]
    fn oversized_events_are_dropped_and_reported() {
        let big = format!("data: {}\n\ndata: ok\n\n", "x".repeat(100));
        let (out, _) = parse_chunks(&[big.as_bytes()], 10);
        assert_eq!(out, vec![SseItem::TooLarge(100), ev("", "ok")]);
        // Split into small chunks: the long line never fits the buffer.
        let chunks: Vec<&[u8]> = big.as_bytes().chunks(7).collect();
        let (out, _) = parse_chunks(&chunks, 10);
        assert!(matches!(out[0], SseItem::TooLarge(n) if n >= 26), "{out:?}");
        assert_eq!(out[1], ev("", "ok"));
        // Many lines that add up past the limit.
        let (out, _) = parse_chunks(&[b"data: 123456\ndata: 123456\n\ndata: z\n\n"], 10);
        assert_eq!(out, vec![SseItem::TooLarge(13), ev("", "z")]);
    }

    #[test]
    fn reconnect_keeps_id_and_retry_but_drops_partial_event() {
        let (_, mut p) = parse_chunks(&[b"retry: 10\nid: 3\ndata: a\n\ndata: half"], 1024);
        p.reconnected();
        let mut out = Vec::new();
        p.push(b"\n\ndata: b\n\n", &mut out);
        assert_eq!(out, vec![ev("", "b")]);
        assert_eq!(p.last_event_id(), Some("3"));
        assert_eq!(p.retry(), Some(Duration::from_millis(10)));
    }
}
