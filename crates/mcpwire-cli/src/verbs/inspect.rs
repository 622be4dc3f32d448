//! `inspect [TARGET]`: the web inspector. Serves the page on 127.0.0.1,
//! prints its URL (with the launch token) as the first line on stdout,
//! opens the browser, and connects to the target if one was given.

use std::io::Write;

use mcpwire_inspect::servers::Mode;
use mcpwire_inspect::{Inspector, Options};

use crate::cli::{EraArg, Inspect};
use crate::exit::{CliError, CliResult, Exit};
use crate::oauth;
use crate::target::{Target, config_entries, timeout_of};

/// Runs `inspect` until Ctrl-C.
pub async fn run(a: Inspect) -> CliResult {
    let opts = &a.target;
    // `--config FILE` alone offers the file's entries; with `--server`,
    // that entry is connected at start too.
    let entries = match &opts.config {
        Some(file) => config_entries(file)?,
        None => Vec::new(),
    };
    let given = a.url.is_some() || !opts.command.is_empty() || opts.server.is_some();
    let target = if given {
        Some(Target::resolve(a.url.clone(), opts)?.for_inspector()?)
    } else {
        None
    };
    let inspector = Inspector::bind(Options {
        port: a.port,
        timeout: timeout_of(opts)?,
        // An entry the inspector cannot reach is left out of the page, with
        // a word on stderr, rather than failing the rest.
        entries: entries
            .iter()
            .filter_map(|(n, t)| match t.for_inspector() {
                Ok(t) => Some((n.clone(), t)),
                Err(e) => {
                    eprintln!("mcpwire: leaving out server {n:?}: {}", e.message);
                    None
                }
            })
            .collect(),
        ..Options::default()
    })
    .await
    .map_err(|e| CliError::usage(e.to_string()))?;
    let url = inspector.url();
    {
        // The first line on stdout is the URL, whatever follows.
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{url}");
        let _ = stdout.flush();
    }
    if let Some(inspected) = target {
        let label = opts.server.clone().unwrap_or_else(|| inspected.describe());
        let mode = match opts.era {
            EraArg::Auto => Mode::Auto,
            EraArg::Legacy => Mode::Legacy,
            EraArg::Modern => Mode::Modern,
        };
        inspector
            .add(&label, inspected, mode)
            .map_err(|e| CliError::usage(e.to_string()))?;
    }
    if !a.no_open && !oauth::launch_browser(&url) {
        eprintln!("mcpwire: could not start a browser; open the URL above yourself");
    }
    eprintln!(
        "mcpwire: inspector on 127.0.0.1:{}; Ctrl-C (or SIGTERM) stops it",
        inspector.port()
    );
    inspector
        .serve(crate::stop::requested())
        .await
        .map_err(|e| CliError::usage(format!("the inspector stopped: {e}")))?;
    Ok(Exit::Ok)
}
