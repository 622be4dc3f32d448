//! How results are shown: tables and colours on a terminal, plain text when
//! piped, one JSON document with `--json`. Text from a server passes
//! through [`clean`] or [`clean_text`] before it reaches a terminal.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use serde_json::Value;

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json`: one JSON document on stdout, nothing else there.
    pub json: bool,
    /// ANSI colours on stdout.
    pub color: bool,
    /// Colours on stderr.
    pub color_err: bool,
    /// Whether stdin and stderr are a terminal a person can answer on.
    pub interactive: bool,
}

impl Output {
    /// Decides from the flags and the environment (`NO_COLOR`, terminals).
    pub fn detect(json: bool, no_color: bool) -> Self {
        let allow = !no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Output {
            json,
            color: allow && std::io::stdout().is_terminal(),
            color_err: allow && std::io::stderr().is_terminal(),
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
        }
    }

    /// Prints `v` as the command's JSON document.
    pub fn json(&self, v: &Value) {
        let mut out = std::io::stdout().lock();
        let _ = serde_json::to_writer_pretty(&mut out, v);
        let _ = writeln!(out);
    }

    /// `s` in bold, when colouring stdout.
    pub fn bold(&self, s: &str) -> String {
        paint(self.color, "1", s)
    }

    /// `s` dimmed, when colouring stdout.
    pub fn dim(&self, s: &str) -> String {
        paint(self.color, "2", s)
    }

    /// `s` in green, when colouring stdout.
    pub fn green(&self, s: &str) -> String {
        paint(self.color, "32", s)
    }

    /// `s` in cyan, when colouring stdout.
    pub fn cyan(&self, s: &str) -> String {
        paint(self.color, "36", s)
    }

    /// `s` in yellow, when colouring stderr.
    pub fn warn_err(&self, s: &str) -> String {
        paint(self.color_err, "33", s)
    }

    /// `s` in red, when colouring stderr.
    pub fn red_err(&self, s: &str) -> String {
        paint(self.color_err, "31", s)
    }

    /// `s` dimmed, when colouring stderr.
    pub fn dim_err(&self, s: &str) -> String {
        paint(self.color_err, "2", s)
    }

    /// Prints a table: a bold header row, then the rows, columns padded to
    /// their widest cell; the last column is never padded. Piped output
    /// keeps the same layout without colour.
    pub fn table(&self, header: &[&str], rows: &[Vec<String>]) {
        let cols = header.len();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (i, cell) in row.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = std::io::stdout().lock();
        let line = |cells: Vec<String>, bold: bool| {
            let mut s = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let pad = widths[i].saturating_sub(cell.chars().count());
                let cell = if bold { self.bold(cell) } else { cell.clone() };
                s.push_str(&cell);
                if i + 1 < cells.len() {
                    s.push_str(&" ".repeat(pad + 2));
                }
            }
            s
        };
        let _ = writeln!(
            out,
            "{}",
            line(header.iter().map(|h| (*h).to_owned()).collect(), true)
        );
        for row in rows {
            let _ = writeln!(out, "{}", line(row.clone(), false));
        }
    }
}

fn paint(on: bool, code: &str, s: &str) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_owned()
    }
}

/// Server text made safe for a terminal, on one line: every control
/// character (C0 ones including newline and tab, DEL, C1 ones) is shown
/// as an escape (`\x1b`, `\r`, `\n`, `\u{9b}`), so a server cannot move
/// the cursor, retitle the window, clear the screen or hide text.
///
/// Human output only: `--json` output is escaped by JSON itself.
pub fn clean(s: &str) -> Cow<'_, str> {
    escape_controls(s, false)
}

/// [`clean`] for multi-line text: newlines and tabs are kept as they are.
pub fn clean_text(s: &str) -> Cow<'_, str> {
    escape_controls(s, true)
}

fn escape_controls(s: &str, keep_layout: bool) -> Cow<'_, str> {
    let escaped = |c: char| c.is_control() && !(keep_layout && matches!(c, '\n' | '\t'));
    if !s.chars().any(escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            c if !escaped(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

/// The first line of `s`, cut to `max` characters with an ellipsis, its
/// control characters escaped ([`clean`]).
pub fn one_line(s: &str, max: usize) -> String {
    let first = s.lines().next().unwrap_or("").trim();
    let first = clean(first);
    if first.chars().count() <= max {
        first.into_owned()
    } else {
        let cut: String = first.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// A string field of a JSON object, or `""`.
pub fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A string field of a JSON object with its control characters escaped
/// ([`clean`]), or `""`.
pub fn clean_field(v: &Value, key: &str) -> String {
    clean(str_field(v, key)).into_owned()
}

/// Prints content blocks (of a tool result or prompt message) as text:
/// text with its control characters escaped ([`clean_text`]), everything
/// else as a one-line summary.
pub fn content_text(block: &Value) -> String {
    match str_field(block, "type") {
        "text" => clean_text(str_field(block, "text")).into_owned(),
        "image" | "audio" => format!(
            "[{} {}, {} bytes of base64]",
            clean_field(block, "type"),
            clean_field(block, "mimeType"),
            str_field(block, "data").len()
        ),
        "resource_link" => format!(
            "[link {} {}]",
            clean_field(block, "uri"),
            clean_field(block, "name")
        ),
        "resource" => {
            let r = block.get("resource").unwrap_or(&Value::Null);
            match r.get("text").and_then(Value::as_str) {
                Some(t) => format!("[resource {}]\n{}", clean_field(r, "uri"), clean_text(t)),
                None => format!(
                    "[resource {} {}, {} bytes of base64]",
                    clean_field(r, "uri"),
                    clean_field(r, "mimeType"),
                    str_field(r, "blob").len()
                ),
            }
        }
        other => format!("[{} content]", clean(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_line_cuts_long_and_multiline_text() {
        assert_eq!(one_line("short\nsecond", 10), "short");
        assert_eq!(one_line("abcdefghijkl", 5), "abcd…");
    }

    #[test]
    fn control_characters_are_escaped() {
        let hostile = "a\x1b]0;pwned\x07b\x1b[2J\rc\u{9b}31m\x7f";
        let shown = clean(hostile);
        assert_eq!(shown, "a\\x1b]0;pwned\\x07b\\x1b[2J\\rc\\u{9b}31m\\x7f");
        assert!(!shown.chars().any(char::is_control), "{shown}");
        assert_eq!(clean("x\ny\tz"), "x\\ny\\tz");
        assert_eq!(clean_text("x\ny\tz\r"), "x\ny\tz\\r");
        assert!(matches!(clean("plain text, ünïcödé"), Cow::Borrowed(_)));
        assert_eq!(one_line("\x1b[2Jtitle\nmore", 20), "\\x1b[2Jtitle");
        let block = json!({"type": "text", "text": "ok\x1b[31m\nline"});
        assert_eq!(content_text(&block), "ok\\x1b[31m\nline");
    }

    #[test]
    fn content_blocks_render_as_text_or_summaries() {
        assert_eq!(content_text(&json!({"type": "text", "text": "hi"})), "hi");
        assert_eq!(
            content_text(&json!({"type": "image", "mimeType": "image/png", "data": "AAAA"})),
            "[image image/png, 4 bytes of base64]"
        );
    }
}
