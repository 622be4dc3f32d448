//! How results are shown: tables and colours on a terminal, plain text when
//! piped, one JSON document with `--json`.

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

/// The first line of `s`, cut to `max` characters with an ellipsis.
pub fn one_line(s: &str, max: usize) -> String {
    let first = s.lines().next().unwrap_or("").trim();
    if first.chars().count() <= max {
        first.to_owned()
    } else {
        let cut: String = first.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// A string field of a JSON object, or `""`.
pub fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Prints content blocks (of a tool result or prompt message) as text:
/// text as is, everything else as a one-line summary.
pub fn content_text(block: &Value) -> String {
    match str_field(block, "type") {
        "text" => str_field(block, "text").to_owned(),
        "image" | "audio" => format!(
            "[{} {}, {} bytes of base64]",
            str_field(block, "type"),
            str_field(block, "mimeType"),
            str_field(block, "data").len()
        ),
        "resource_link" => format!(
            "[link {} {}]",
            str_field(block, "uri"),
            str_field(block, "name")
        ),
        "resource" => {
            let r = block.get("resource").unwrap_or(&Value::Null);
            match r.get("text").and_then(Value::as_str) {
                Some(t) => format!("[resource {}]\n{t}", str_field(r, "uri")),
                None => format!(
                    "[resource {} {}, {} bytes of base64]",
                    str_field(r, "uri"),
                    str_field(r, "mimeType"),
                    str_field(r, "blob").len()
                ),
            }
        }
        other => format!("[{other} content]"),
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
    fn content_blocks_render_as_text_or_summaries() {
        assert_eq!(content_text(&json!({"type": "text", "text": "hi"})), "hi");
        assert_eq!(
            content_text(&json!({"type": "image", "mimeType": "image/png", "data": "AAAA"})),
            "[image image/png, 4 bytes of base64]"
        );
    }
}
