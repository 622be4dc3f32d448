//! The few flags the demo binaries take, without a CLI library.

use std::ffi::OsString;
use std::path::PathBuf;

/// `--db PATH` and `--http ADDR`.
#[derive(Debug, Default)]
pub struct Args {
    /// The database file.
    pub db: Option<PathBuf>,
    /// Serve Streamable HTTP at this address instead of stdio.
    pub http: Option<String>,
    /// Other words, in order.
    pub rest: Vec<OsString>,
}

/// Reads the process's arguments, or exits with `usage` on a bad one.
pub fn parse(usage: &str) -> Args {
    let mut args = Args::default();
    let mut it = std::env::args_os().skip(1);
    while let Some(a) = it.next() {
        match a.to_str() {
            Some("--db") => args.db = Some(value(&mut it, "--db", usage).into()),
            Some("--http") => {
                let v = value(&mut it, "--http", usage);
                args.http = Some(v.to_string_lossy().into_owned());
            }
            Some("-h" | "--help") => {
                println!("{usage}");
                std::process::exit(0);
            }
            _ => args.rest.push(a),
        }
    }
    args
}

fn value(it: &mut impl Iterator<Item = OsString>, flag: &str, usage: &str) -> OsString {
    it.next().unwrap_or_else(|| {
        eprintln!("{flag} needs a value\n{usage}");
        std::process::exit(2)
    })
}
