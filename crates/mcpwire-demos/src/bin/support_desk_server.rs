//! The support desk server over stdio or Streamable HTTP.
//!
//! ```text
//! support-desk-server [--db PATH] [--http 127.0.0.1:8000]
//! ```

mod args;

use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};

const USAGE: &str =
    "usage: support-desk-server [--db PATH] [--http ADDR]   (default db: support-desk.db)";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args::parse(USAGE);
    let db = args.db.unwrap_or_else(|| "support-desk.db".into());
    let server = mcpwire_demos::support_desk::server(&db)?;
    match args.http {
        Some(addr) => {
            eprintln!(
                "support desk on http://{addr}/mcp (database {})",
                db.display()
            );
            StreamableHttp::new(server, HttpConfig::default())
                .serve(addr)
                .await?;
        }
        None => server.serve_stdio().await?,
    }
    Ok(())
}
