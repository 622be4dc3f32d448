//! The soak (`benches/soak.sh`): bounded loopback scenarios against the release binaries, each
//! with a memory ceiling, and the table of their outcomes.
//!
//! Every scenario starts its own server on a free port of 127.0.0.1, drives it for a bounded
//! number of requests and a bounded time, reads the server's `VmHWM` (peak) and `VmRSS` (at the
//! end) from `/proc`, and stops it. A scenario fails when it loses a request that had to be
//! served, counts an unexpected answer, goes over its memory ceiling, or breaks one of its own
//! checks (listed under the table).

mod auth;
mod calls;
mod churn;
mod jwt;
// The soak's own system calls (rlimits, signals, reaping): its one
// audited `unsafe` module, like the load drivers' `sys`.
#[allow(unsafe_code)]
mod proc;
mod proxy;
mod report;
mod sessions;
mod slow;
mod sse;
mod stderr;
mod wire;

use std::path::PathBuf;
use std::time::Instant;

pub use report::{print_table, row_json};
pub use stderr::client_role;

/// What one run of the soak is asked to do.
pub struct Options {
    /// The short run (`--quick`): smaller counts, the same checks.
    pub quick: bool,
    /// Where the release binaries are (`target/release`).
    pub bin_dir: PathBuf,
    /// Scratch space for databases, JWKS files and server logs.
    pub tmp: PathBuf,
    /// The scenarios to run, by name; all when empty.
    pub names: Vec<String>,
}

/// The binaries the scenarios start.
pub struct Bins {
    /// The `mcpwire` command line.
    pub mcpwire: PathBuf,
    /// The example echo server (`examples/echo.rs`).
    pub echo: PathBuf,
    /// The soak's own server (`src/bin/soak-server.rs`).
    pub server: PathBuf,
    /// This driver, for the roles it plays in a process of its own.
    pub me: PathBuf,
}

/// What a scenario gets: its scale, the binaries, a scratch folder.
pub struct Ctx {
    /// The short run.
    pub quick: bool,
    /// The binaries.
    pub bins: Bins,
    /// Scratch space, one folder per run of the soak.
    pub tmp: PathBuf,
}

impl Ctx {
    /// `quick` in a `--quick` run, `full` otherwise.
    pub fn pick<T>(&self, quick: T, full: T) -> T {
        if self.quick { quick } else { full }
    }

    /// A file in the scratch folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }
}

/// What a scenario found.
#[derive(Default, Debug)]
pub struct Outcome {
    /// Requests sent that had to be answered (hostile ones included).
    pub requests: u64,
    /// Requests that had to succeed and did not: no answer, a wrong one, an error.
    pub lost: u64,
    /// Other unexpected events: a hostile connection the server left open, a refusal with the
    /// wrong status, a process left behind.
    pub errors: u64,
    /// Peak resident set of the process under test, KiB.
    pub peak_rss_kib: u64,
    /// Its resident set at the end, KiB.
    pub end_rss_kib: u64,
    /// The most `peak_rss_kib` may be, KiB.
    pub ceiling_kib: u64,
    /// Broken checks of the scenario's own, in words.
    pub failures: Vec<String>,
    /// What was seen, in words.
    pub notes: Vec<String>,
}

impl Outcome {
    /// Records a broken check unless `ok`.
    pub fn check(&mut self, ok: bool, why: impl FnOnce() -> String) {
        if !ok {
            self.failures.push(why());
        }
    }

    /// Records something seen.
    pub fn note(&mut self, what: impl Into<String>) {
        self.notes.push(what.into());
    }

    /// Whether the scenario passed.
    pub fn passed(&self) -> bool {
        self.lost == 0
            && self.errors == 0
            && self.peak_rss_kib <= self.ceiling_kib
            && self.failures.is_empty()
    }
}

/// A scenario: its name on the command line, a line about it, and how to run it.
struct Scenario {
    name: &'static str,
    about: &'static str,
    run: fn(&Ctx) -> Result<Outcome, String>,
}

const SCENARIOS: [Scenario; 9] = [
    Scenario {
        name: "slowloris",
        about: "half-sent headers and stalled bodies while a plain client is served",
        run: slow::run,
    },
    Scenario {
        name: "sse",
        about: "SSE readers that never read while notifications flow",
        run: sse::run,
    },
    Scenario {
        name: "calls",
        about: "one session making many calls, RSS flat from the 10% mark",
        run: calls::run,
    },
    Scenario {
        name: "sessions",
        about: "sessions opened and closed under a small session cap",
        run: sessions::run,
    },
    Scenario {
        name: "churn",
        about: "cancelled and aborted calls, then every id reused",
        run: churn::run,
    },
    Scenario {
        name: "proxy",
        about: "a spawn storm on `mcpwire proxy --listen`, zombies and orphans counted",
        run: proxy::run,
    },
    Scenario {
        name: "stderr",
        about: "a stdio child flooding its stderr with invalid UTF-8",
        run: stderr::run,
    },
    Scenario {
        name: "jwks",
        about: "a slow JWKS endpoint under valid and random-kid tokens",
        run: auth::jwks,
    },
    Scenario {
        name: "principals",
        about: "stateless calls from many principals, each answer the caller's own",
        run: auth::principals,
    },
];

/// The names of the scenarios with a line about each, for the usage text.
pub fn scenario_list() -> String {
    SCENARIOS
        .iter()
        .map(|s| format!("  {:<11} {}\n", s.name, s.about))
        .collect()
}

/// One scenario's row: its name, its outcome (or why it could not run), its duration.
pub struct Row {
    /// The scenario.
    pub name: &'static str,
    /// What it found; `Err` when it could not run at all.
    pub outcome: Result<Outcome, String>,
    /// Wall time, seconds.
    pub secs: f64,
}

impl Row {
    /// Whether the scenario ran and passed.
    pub fn passed(&self) -> bool {
        self.outcome.as_ref().is_ok_and(Outcome::passed)
    }
}

/// Runs the scenarios `opts` names (all when none), one after the other; a row each.
pub fn run(opts: &Options) -> Result<Vec<Row>, String> {
    for n in &opts.names {
        if !SCENARIOS.iter().any(|s| s.name == n) {
            return Err(format!(
                "no scenario {n:?}; the scenarios are:\n{}",
                scenario_list()
            ));
        }
    }
    let (soft, hard) = proc::raise_fd_limit()?;
    eprintln!("soak: open-file limit {soft} (hard {hard})");
    std::fs::create_dir_all(&opts.tmp)
        .map_err(|e| format!("creating {}: {e}", opts.tmp.display()))?;
    let bin = |name: &str| -> Result<PathBuf, String> {
        let p = opts.bin_dir.join(name);
        if p.is_file() {
            Ok(p)
        } else {
            Err(format!(
                "{} is missing: build it first (benches/soak.sh does)",
                p.display()
            ))
        }
    };
    let cx = Ctx {
        quick: opts.quick,
        bins: Bins {
            mcpwire: bin("mcpwire")?,
            echo: bin("examples/echo")?,
            server: bin("soak-server")?,
            me: std::env::current_exe().map_err(|e| format!("finding this driver: {e}"))?,
        },
        tmp: opts.tmp.clone(),
    };
    let mut rows = Vec::new();
    for s in SCENARIOS
        .iter()
        .filter(|s| opts.names.is_empty() || opts.names.iter().any(|n| n == s.name))
    {
        eprintln!("soak: {} — {}", s.name, s.about);
        let start = Instant::now();
        let outcome = (s.run)(&cx);
        let row = Row {
            name: s.name,
            outcome,
            secs: start.elapsed().as_secs_f64(),
        };
        report::print_row_summary(&row);
        rows.push(row);
    }
    Ok(rows)
}
