//! `mcpwire`: a command-line client for Model Context Protocol servers.
//! See `mcpwire --help` for the verbs, targets and exit codes.

mod bench;
mod cli;
mod coerce;
mod exit;
mod interact;
mod oauth;
mod output;
mod stop;
mod target;
mod verbs;

use clap::Parser;

use crate::cli::{Cli, Verb};
use crate::exit::CliResult;
use crate::output::Output;
use crate::verbs::list::Listing;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let out = Output::detect(cli.json, cli.no_color);
    // One thread: a CLI talks to one server, and a current-thread runtime
    // starts fastest and avoids cross-thread wake-ups.
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mcpwire: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let result = rt.block_on(run(cli.verb, out));
    let code = match result {
        Ok(exit) => exit,
        Err(e) => {
            if out.json {
                let code = e.exit as u8;
                out.json(&serde_json::json!({"error": {"exitCode": code, "message": e.message}}));
            }
            // Error messages quote servers: escape what they sent.
            eprintln!(
                "{} {}",
                out.red_err("mcpwire:"),
                output::clean_text(&e.message)
            );
            e.exit
        }
    };
    // Do not wait for stray tasks (such as a child's stderr reader).
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    std::process::ExitCode::from(code as u8)
}

async fn run(verb: Verb, out: Output) -> CliResult {
    match verb {
        Verb::Info(a) => verbs::info::info(a, out).await,
        Verb::Ping(a) => verbs::info::ping(a, out).await,
        Verb::Tools(a) => verbs::list::run(Listing::Tools, a, out).await,
        Verb::Resources(a) => verbs::list::run(Listing::Resources, a, out).await,
        Verb::Templates(a) => verbs::list::run(Listing::Templates, a, out).await,
        Verb::Prompts(a) => verbs::list::run(Listing::Prompts, a, out).await,
        Verb::Call(a) => verbs::call::run(a, out).await,
        Verb::Read(a) => verbs::get::read(a, out).await,
        Verb::Prompt(a) => verbs::get::prompt(a, out).await,
        Verb::Complete(a) => verbs::complete::run(a, out).await,
        Verb::Watch(a) => verbs::watch::run(a, out).await,
        Verb::Bench(a) => bench::run(a, out).await,
        Verb::Serve(a) => verbs::serve::serve(a).await,
        Verb::Demo(a) => verbs::serve::demo(a, out).await,
        Verb::Proxy(a) => verbs::serve::proxy(a).await,
        Verb::Auth(a) => verbs::auth::run(a, out).await,
        Verb::Inspect(a) => verbs::inspect::run(a).await,
        Verb::Test(a) => verbs::test::run(a, out).await,
    }
}
