//! soak: bounded loopback scenarios against the release binaries of mcpwire, each with a memory
//! ceiling; prints a table and exits non-zero if any scenario fails (see `benches/soak.sh`).
//!
//! Usage:
//!   soak [--quick] [--json] [--bin-dir target/release] [--tmp DIR] [SCENARIO...]
//!   soak --list
//!
//! The scenarios live in `mcpwire_benches::soak`, one module per group.

use std::path::PathBuf;
use std::process::ExitCode;

use mcpwire_benches::soak::{self, Options};

const USAGE: &str = "usage: soak [--quick] [--json] [--bin-dir DIR] [--tmp DIR] [SCENARIO...]
       soak --list";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A role this driver plays in a process of its own for one scenario.
    if args.first().map(String::as_str) == Some("--role") {
        let r = match args.get(1).map(String::as_str) {
            Some("stderr-client") => soak::client_role(&args[2..]),
            other => Err(format!("no role {other:?}")),
        };
        return match r {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("soak: {e}");
                ExitCode::from(2)
            }
        };
    }
    let mut opts = Options {
        quick: false,
        bin_dir: PathBuf::from("target/release"),
        tmp: PathBuf::from("target/soak"),
        names: Vec::new(),
    };
    let mut json = false;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => opts.quick = true,
            "--json" => json = true,
            "--bin-dir" | "--tmp" => {
                let Some(v) = it.next() else {
                    eprintln!("soak: {a} needs a value\n{USAGE}");
                    return ExitCode::from(2);
                };
                if a == "--bin-dir" {
                    opts.bin_dir = v.into();
                } else {
                    opts.tmp = v.into();
                }
            }
            "--list" => {
                print!("{}", soak::scenario_list());
                return ExitCode::SUCCESS;
            }
            "-h" | "--help" => {
                println!("{USAGE}\nscenarios:\n{}", soak::scenario_list());
                return ExitCode::SUCCESS;
            }
            s if s.starts_with('-') => {
                eprintln!("soak: unknown option {s}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => opts.names.push(a),
        }
    }
    let rows = match soak::run(&opts) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("soak: {e}");
            return ExitCode::from(2);
        }
    };
    if json {
        for r in &rows {
            println!("{}", soak::row_json(r));
        }
    } else {
        println!();
        soak::print_table(&rows);
    }
    if rows.iter().all(soak::Row::passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
