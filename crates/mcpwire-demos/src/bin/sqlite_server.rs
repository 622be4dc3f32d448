//! The read-only SQL server over stdio or Streamable HTTP.
//!
//! ```text
//! sqlite-server --db FILE [--http 127.0.0.1:8000]
//! sqlite-server --sample [--http 127.0.0.1:8000]   # the sample database, in memory
//! sqlite-server --db FILE create-sample    # writes the sample database (bookshop, users)
//! ```

mod args;
mod serve;

const USAGE: &str = "usage: sqlite-server --db FILE [--http ADDR] | sqlite-server --sample \
     [--http ADDR] | sqlite-server --db FILE create-sample";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args::parse(USAGE);
    if args.rest.iter().any(|a| a == "--sample") {
        if args.db.is_some() || args.rest.len() > 1 {
            eprintln!("--sample takes no --db nor other words\n{USAGE}");
            std::process::exit(2);
        }
        let server = mcpwire_demos::sqlite::sample_server()?;
        return serve::serve(
            server,
            args.http,
            "sqlite",
            "the sample database, in memory",
        )
        .await;
    }
    let Some(db) = args.db else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    if args.rest.first().and_then(|a| a.to_str()) == Some("create-sample") {
        mcpwire_demos::sqlite::create_sample_database(&db)?;
        eprintln!("wrote the sample database to {}", db.display());
        return Ok(());
    }
    let server = mcpwire_demos::sqlite::server(&db)?;
    let detail = format!("database {}, read-only", db.display());
    serve::serve(server, args.http, "sqlite", &detail).await
}
