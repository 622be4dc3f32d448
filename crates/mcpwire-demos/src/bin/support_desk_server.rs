//! The support desk server over stdio or Streamable HTTP.
//!
//! ```text
//! support-desk-server [--db PATH] [--http 127.0.0.1:8000]
//! ```

mod args;
mod serve;

const USAGE: &str =
    "usage: support-desk-server [--db PATH] [--http ADDR]   (default db: support-desk.db)";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args::parse(USAGE);
    let db = args.db.unwrap_or_else(|| "support-desk.db".into());
    let server = mcpwire_demos::support_desk::server(&db)?;
    let detail = format!("database {}", db.display());
    serve::serve(server, args.http, "support desk", &detail).await
}
