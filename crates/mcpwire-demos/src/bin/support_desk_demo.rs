//! The demo flow against `support-desk-server` (found beside this binary).
//!
//! ```text
//! support-desk-demo [--db PATH]   (default: a fresh temporary database)
//! ```

mod args;

use std::ffi::OsString;

use mcpwire_demos::demo::{self, TempDb};

const USAGE: &str = "usage: support-desk-demo [--db PATH]";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args::parse(USAGE);
    let temp;
    let db = match args.db {
        Some(db) => db,
        None => {
            temp = TempDb::new()?;
            temp.path().to_owned()
        }
    };
    let exe = std::env::current_exe()?;
    let server = exe.with_file_name(format!(
        "support-desk-server{}",
        std::env::consts::EXE_SUFFIX
    ));
    let command: Vec<OsString> = vec![server.into(), "--db".into(), db.into()];
    demo::run(&command, &mut std::io::stdout()).await?;
    Ok(())
}
