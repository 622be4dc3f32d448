//! The command line of the benchmark drivers, `stdio-load` and `http-load`:
//! their flags, defaults and the checks made before anything is spawned.

use std::time::Duration;

use crate::era::{MODERN_VERSION, PROTOCOL_VERSION, parse_era};
use crate::spawn::Pinning;

/// Which driver a command line is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Driver {
    /// `stdio-load`: one phase per `--inflight` value.
    Stdio,
    /// `http-load`: one phase per `--sessions` value; `--idle-sessions`, `--path`.
    Http,
}

impl Driver {
    /// The program's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Driver::Stdio => "stdio-load",
            Driver::Http => "http-load",
        }
    }

    /// The usage text.
    pub fn usage(self) -> &'static str {
        match self {
            Driver::Stdio => {
                "usage: stdio-load [--calls 20000] [--size 100] [--inflight 1,32] [--runs 3] [--warmup 1000]
                  [--server-cpu 0|none] [--driver-cpu 1|none] [--quiet-server] [--timeout 600]
                  [--era 2025-11-25|2026-07-28] [--json] [--label NAME] -- SERVER_CMD ARGS...
       stdio-load --report FILE"
            }
            Driver::Http => {
                "usage: http-load [--calls 20000] [--size 100] [--sessions 1,32] [--runs 3] [--warmup 1000]
                 [--idle-sessions 0] [--path /mcp] [--server-cpu 0|none] [--driver-cpu 1|none]
                 [--quiet-server] [--timeout 600] [--era 2025-11-25|2026-07-28] [--json] [--label NAME] -- SERVER_CMD ARGS...
       http-load [options as above] --url http://127.0.0.1:PORT/mcp
       http-load --report FILE
SERVER_CMD must contain `{port}`, e.g. `-- target/release/floor-http --port {port}`.
--url measures a server that already runs (no RSS, server CPU or idle sessions)."
            }
        }
    }
}

/// What a driver was asked to do.
#[derive(Debug, PartialEq)]
pub enum Invocation {
    /// Measure a server.
    Measure(Options),
    /// Print the table of the `--json` result lines in this file.
    Report(String),
    /// Print the usage text.
    Help,
}

/// How to measure a server.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Measured calls per phase (`--calls`, 20,000).
    pub calls: usize,
    /// Bytes of `text` per call (`--size`, 100).
    pub size: usize,
    /// One phase per value: calls in flight (`--inflight`) or sessions (`--sessions`), `1,32`.
    pub levels: Vec<usize>,
    /// Runs, each with a fresh server (`--runs`, 3).
    pub runs: usize,
    /// Unmeasured calls before the phases (`--warmup`, 1,000).
    pub warmup: usize,
    /// Idle sessions whose memory is measured after the phases (`--idle-sessions`, 0; HTTP).
    pub idle_sessions: usize,
    /// The MCP endpoint's path (`--path`, `/mcp`; HTTP).
    pub path: String,
    /// `--server-cpu` (0) and `--driver-cpu` (1), or `none`.
    pub pins: Pinning,
    /// Discard the server's output (`--quiet-server`).
    pub quiet_server: bool,
    /// Stateless 2026-07-28 requests instead of 2025-11-25 sessions (`--era`).
    pub modern: bool,
    /// Give up (exit 3) after this long in all (`--timeout`, 600 s).
    pub timeout: Duration,
    /// One JSON object instead of a table row (`--json`).
    pub json: bool,
    /// The row's name (`--label`; the command line otherwise).
    pub label: Option<String>,
    /// The server's command line (after `--`).
    pub cmd: Vec<String>,
    /// The endpoint of a server that already runs, measured instead of spawning one
    /// (`--url http://HOST:PORT/PATH`; HTTP).
    pub url: Option<String>,
}

impl Options {
    /// The defaults.
    pub fn new() -> Self {
        Options {
            calls: 20_000,
            size: 100,
            levels: vec![1, 32],
            runs: 3,
            warmup: 1_000,
            idle_sessions: 0,
            path: "/mcp".into(),
            pins: Pinning {
                server: Some(0),
                driver: Some(1),
            },
            quiet_server: false,
            modern: false,
            timeout: Duration::from_secs(600),
            json: false,
            label: None,
            cmd: Vec::new(),
            url: None,
        }
    }

    /// The revision spoken.
    pub fn era(&self) -> &'static str {
        if self.modern {
            MODERN_VERSION
        } else {
            PROTOCOL_VERSION
        }
    }

    /// Writes the settings every result row carries into `row`, under the
    /// row name `label`.
    ///
    /// ```
    /// use mcpwire_load::options::Options;
    /// let mut row = serde_json::json!({});
    /// Options::new().stamp(&mut row, "echo");
    /// assert_eq!((row["label"].as_str(), row["calls"].as_u64()), (Some("echo"), Some(20_000)));
    /// ```
    pub fn stamp(&self, row: &mut serde_json::Value, label: &str) {
        row["label"] = serde_json::json!(label);
        row["command"] = serde_json::json!(self.cmd);
        if let Some(url) = &self.url {
            row["url"] = serde_json::json!(url);
        }
        row["era"] = serde_json::json!(self.era());
        row["calls"] = serde_json::json!(self.calls);
        row["size"] = serde_json::json!(self.size);
        row["runs"] = serde_json::json!(self.runs);
        row["server_cpu"] = serde_json::json!(self.pins.server);
        row["driver_cpu"] = serde_json::json!(self.pins.driver);
    }

    /// The row name: `--label`, or the program's file name and its arguments, or the `--url`
    /// (with `[2026-07-28]` for the stateless era).
    pub fn label(&self) -> String {
        if let Some(l) = &self.label {
            return l.clone();
        }
        let (program, args) = match (&self.url, self.cmd.split_first()) {
            (Some(url), _) => (url, &[][..]),
            (None, Some(cmd)) => cmd,
            (None, None) => return String::new(),
        };
        let exe = match self.url {
            Some(_) => program.as_str(),
            None => program.rsplit('/').next().unwrap_or(program),
        };
        let era = self.modern.then_some("[2026-07-28]");
        std::iter::once(exe)
            .chain(args.iter().map(String::as_str))
            .chain(era)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

/// Reads a driver's arguments (without the program name).
///
/// ```
/// use mcpwire_load::options::{Driver, Invocation, parse};
/// let args = ["--calls", "500", "--", "server", "stdio"].map(String::from);
/// let Ok(Invocation::Measure(o)) = parse(Driver::Stdio, args) else { panic!() };
/// assert_eq!((o.calls, o.levels.as_slice()), (500, &[1, 32][..]));
/// ```
pub fn parse(driver: Driver, args: impl IntoIterator<Item = String>) -> Result<Invocation, String> {
    let usage = driver.usage();
    let mut o = Options::new();
    let mut report = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        let num = |v: String| v.parse::<usize>().map_err(|_| format!("bad number `{v}`"));
        let cpu = |v: String| match v.as_str() {
            "none" | "-" => Ok(None),
            _ => num(v).map(Some),
        };
        let list = |v: String| {
            v.split(',')
                .map(|s| num(s.trim().to_owned()).map(|n| n.max(1)))
                .collect::<Result<Vec<_>, _>>()
        };
        match (a.as_str(), driver) {
            ("--calls", _) => o.calls = num(value()?)?,
            ("--size", _) => o.size = num(value()?)?,
            ("--runs", _) => o.runs = num(value()?)?.max(1),
            ("--warmup", _) => o.warmup = num(value()?)?,
            ("--timeout", _) => o.timeout = Duration::from_secs(num(value()?)? as u64),
            ("--inflight", Driver::Stdio) | ("--sessions", Driver::Http) => {
                o.levels = list(value()?)?;
            }
            ("--idle-sessions", Driver::Http) => o.idle_sessions = num(value()?)?,
            ("--path", Driver::Http) => o.path = value()?,
            ("--url", Driver::Http) => o.url = Some(value()?),
            ("--server-cpu", _) => o.pins.server = cpu(value()?)?,
            ("--driver-cpu", _) => o.pins.driver = cpu(value()?)?,
            ("--quiet-server", _) => o.quiet_server = true,
            ("--era", _) => o.modern = parse_era(&value()?)?,
            ("--json", _) => o.json = true,
            ("--label", _) => o.label = Some(value()?),
            ("--report", _) => report = Some(value()?),
            ("-h" | "--help", _) => return Ok(Invocation::Help),
            ("--", _) => {
                o.cmd = it.by_ref().collect();
                break;
            }
            (other, _) => return Err(format!("unknown argument `{other}`\n{usage}")),
        }
    }
    let levels = match driver {
        Driver::Stdio => "--inflight",
        Driver::Http => "--sessions",
    };
    if report.is_none() && o.url.is_some() {
        if !o.cmd.is_empty() {
            return Err(format!(
                "give either --url or a server command, not both\n{usage}"
            ));
        }
        if o.idle_sessions > 0 {
            return Err("--idle-sessions reads the server's memory, which --url cannot".into());
        }
    } else if report.is_none() {
        if o.cmd.is_empty() {
            return Err(format!("no server command given\n{usage}"));
        }
        if driver == Driver::Http && !o.cmd.iter().any(|a| a.contains("{port}")) {
            return Err(format!(
                "the server command has no `{{port}}` token\n{usage}"
            ));
        }
    }
    if o.modern && o.idle_sessions > 0 {
        return Err("--idle-sessions needs sessions, which --era 2026-07-28 does not have".into());
    }
    if o.calls == 0 || o.levels.is_empty() {
        return Err(format!("--calls and {levels} must be non-empty"));
    }
    if driver == Driver::Http
        && let Some(&k) = o.levels.iter().find(|&&k| k > o.calls)
    {
        return Err(format!("--sessions {k} is more than --calls {}", o.calls));
    }
    Ok(match report {
        Some(file) => Invocation::Report(file),
        None => Invocation::Measure(o),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn measure(driver: Driver, s: &str) -> Options {
        match parse(driver, args(s)) {
            Ok(Invocation::Measure(o)) => o,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let o = measure(Driver::Stdio, "-- srv");
        assert_eq!((o.calls, o.size, o.runs, o.warmup), (20_000, 100, 3, 1_000));
        assert_eq!(o.levels, [1, 32]);
        assert_eq!((o.pins.server, o.pins.driver), (Some(0), Some(1)));
        assert_eq!(o.timeout, Duration::from_secs(600));
        assert_eq!(
            (o.era(), o.json, o.quiet_server),
            ("2025-11-25", false, false)
        );
        assert_eq!(o.label(), "srv");
        let o = measure(Driver::Http, "-- srv --port {port}");
        assert_eq!((o.path.as_str(), o.idle_sessions), ("/mcp", 0));
    }

    #[test]
    fn every_flag_is_read() {
        let o = measure(
            Driver::Stdio,
            "--calls 5 --size 7 --inflight 1,0,8 --runs 0 --warmup 2 --server-cpu none \
             --driver-cpu 3 --quiet-server --timeout 9 --era 2026-07-28 --json -- bin/srv a b",
        );
        assert_eq!((o.calls, o.size, o.runs, o.warmup), (5, 7, 1, 2));
        assert_eq!(o.levels, [1, 1, 8], "0 in flight is read as 1");
        assert_eq!((o.pins.server, o.pins.driver), (None, Some(3)));
        assert!(o.quiet_server && o.json && o.modern);
        assert_eq!(o.timeout, Duration::from_secs(9));
        assert_eq!(o.cmd, ["bin/srv", "a", "b"]);
        assert_eq!(o.label(), "srv a b [2026-07-28]");
        let o = measure(
            Driver::Http,
            "--sessions 2,4 --idle-sessions 10 --path /x --label mine -- s {port}",
        );
        assert_eq!((o.levels.as_slice(), o.idle_sessions), (&[2, 4][..], 10));
        assert_eq!((o.path.as_str(), o.label().as_str()), ("/x", "mine"));
        let o = measure(
            Driver::Http,
            "--url http://127.0.0.1:9/mcp --era 2026-07-28",
        );
        assert_eq!(o.url.as_deref(), Some("http://127.0.0.1:9/mcp"));
        assert!(o.cmd.is_empty());
        assert_eq!(o.label(), "http://127.0.0.1:9/mcp [2026-07-28]");
    }

    #[test]
    fn report_and_help_need_no_server() {
        assert_eq!(
            parse(Driver::Http, args("--report r.jsonl")),
            Ok(Invocation::Report("r.jsonl".into()))
        );
        assert_eq!(parse(Driver::Stdio, args("-h")), Ok(Invocation::Help));
    }

    #[test]
    fn bad_command_lines_say_what_is_wrong() {
        let cases = [
            (Driver::Stdio, "--calls", "--calls needs a value"),
            (Driver::Stdio, "--calls x -- s", "bad number `x`"),
            (
                Driver::Stdio,
                "--sessions 2 -- s",
                "unknown argument `--sessions`",
            ),
            (
                Driver::Http,
                "--inflight 2 -- s {port}",
                "unknown argument `--inflight`",
            ),
            (Driver::Stdio, "--json", "no server command given"),
            (Driver::Http, "-- s --port 80", "no `{port}` token"),
            (Driver::Stdio, "--era 2024-11-05 -- s", "--era must be"),
            (
                Driver::Stdio,
                "--calls 0 -- s",
                "--calls and --inflight must be non-empty",
            ),
            (
                Driver::Http,
                "--calls 4 --sessions 8 -- s {port}",
                "--sessions 8 is more than --calls 4",
            ),
            (
                Driver::Http,
                "--era 2026-07-28 --idle-sessions 5 -- s {port}",
                "--idle-sessions needs sessions",
            ),
            (
                Driver::Http,
                "--url http://127.0.0.1:9/mcp -- s {port}",
                "either --url or a server command",
            ),
            (
                Driver::Http,
                "--url http://127.0.0.1:9/mcp --idle-sessions 5",
                "which --url cannot",
            ),
            (
                Driver::Stdio,
                "--url http://x/ -- s",
                "unknown argument `--url`",
            ),
        ];
        for (driver, line, why) in cases {
            let e = parse(driver, args(line)).unwrap_err();
            assert!(e.contains(why), "{line}: {e}");
        }
    }
}
