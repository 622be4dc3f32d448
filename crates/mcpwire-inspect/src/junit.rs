//! JUnit XML of collection runs, for CI: one `<testsuite>` per collection,
//! one `<testcase>` per step, and a `<failure>` for each step that failed.
//!
//! ```
//! use std::time::Duration;
//! use mcpwire_inspect::junit;
//! use mcpwire_inspect::runner::{Report, StepOutcome};
//! let step = |name: &str, failures: Vec<String>| StepOutcome {
//!     name: name.into(), method: "tools/call".into(),
//!     elapsed: Duration::from_millis(12), failures, answer: None,
//! };
//! let report = Report {
//!     name: "smoke <1>".into(),
//!     steps: vec![step("ok", vec![]), step("bad", vec!["expected 1, got 2".into()])],
//!     elapsed: Duration::from_millis(30),
//! };
//! let xml = junit::to_xml(&[report]);
//! assert!(xml.contains(r#"<testsuite name="smoke &lt;1&gt;" tests="2" failures="1" errors="0" skipped="0" time="0.030">"#));
//! assert!(xml.contains(r#"<testcase name="ok" classname="smoke &lt;1&gt;" time="0.012"/>"#));
//! assert!(xml.contains(r#"<failure message="expected 1, got 2" type="expectation">"#));
//! ```

use std::fmt::Write as _;
use std::time::Duration;

use crate::runner::Report;

/// The reports as one JUnit XML document (UTF-8), a `<testsuites>` of one
/// `<testsuite>` per report. A failed step's `<failure>` has the first
/// reason as its `message` and every reason, one a line, as its text.
pub fn to_xml(reports: &[Report]) -> String {
    let tests: usize = reports.iter().map(|r| r.steps.len()).sum();
    let failures: usize = reports.iter().map(Report::failed).sum();
    let time: Duration = reports.iter().map(|r| r.elapsed).sum();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        r#"<testsuites name="mcpwire test" tests="{tests}" failures="{failures}" errors="0" time="{}">"#,
        secs(time)
    );
    for r in reports {
        let suite = attr(&r.name);
        let _ = writeln!(
            x,
            r#"  <testsuite name="{suite}" tests="{}" failures="{}" errors="0" skipped="0" time="{}">"#,
            r.steps.len(),
            r.failed(),
            secs(r.elapsed)
        );
        for s in &r.steps {
            let head = format!(
                r#"    <testcase name="{}" classname="{suite}" time="{}""#,
                attr(&s.name),
                secs(s.elapsed)
            );
            match s.failures.first() {
                None => {
                    let _ = writeln!(x, "{head}/>");
                }
                Some(first) => {
                    let _ = writeln!(
                        x,
                        "{head}>\n      <failure message=\"{}\" type=\"expectation\">{}</failure>\n    </testcase>",
                        attr(first),
                        text(&s.failures.join("\n"))
                    );
                }
            }
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// Seconds with millisecond precision, as JUnit's `time` has them.
fn secs(d: Duration) -> String {
    format!("{}.{:03}", d.as_secs(), d.subsec_millis())
}

/// `s` escaped for an attribute value in double quotes: markup characters
/// and the whitespace that attribute normalisation would turn into spaces
/// become references.
fn attr(s: &str) -> String {
    escape(s, true)
}

/// `s` escaped for element content.
fn text(s: &str) -> String {
    escape(s, false)
}

fn escape(s: &str, in_attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attr => out.push_str("&quot;"),
            '\'' if in_attr => out.push_str("&apos;"),
            '\n' if in_attr => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if in_attr => out.push_str("&#9;"),
            // Not allowed in XML 1.0 at all, not even as a reference.
            c if !allowed(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// XML 1.0's `Char` production.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::StepOutcome;

    #[test]
    fn everything_a_peer_sends_is_escaped() {
        let hostile = "a\"b'c<d>e&f\ng\rh\ti\u{0}j\u{1b}k\u{FFFF}l]]>";
        assert_eq!(
            attr(hostile),
            "a&quot;b&apos;c&lt;d&gt;e&amp;f&#10;g&#13;h&#9;i\u{FFFD}j\u{FFFD}k\u{FFFD}l]]&gt;"
        );
        assert_eq!(
            text(hostile),
            "a\"b'c&lt;d&gt;e&amp;f\ng&#13;h\ti\u{FFFD}j\u{FFFD}k\u{FFFD}l]]&gt;"
        );
        let report = Report {
            name: hostile.into(),
            steps: vec![StepOutcome {
                name: hostile.into(),
                method: "m".into(),
                elapsed: Duration::from_micros(1_234_567),
                failures: vec![hostile.into(), "second".into()],
                answer: None,
            }],
            elapsed: Duration::from_secs(2),
        };
        let xml = to_xml(&[report]);
        assert!(!xml.contains('\u{0}') && !xml.contains("<d>"), "{xml}");
        assert!(xml.contains(r#"time="1.234""#), "{xml}");
        assert!(xml.contains("]]&gt;\nsecond</failure>"), "{xml}");
        assert!(
            xml.contains(r#"tests="1" failures="1" errors="0" time="2.000""#),
            "{xml}"
        );
    }
}
