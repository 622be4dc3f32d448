//! How the demo servers serve: Streamable HTTP at an address, or stdio.

use mcpwire::server::Server;
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};

/// Serves `server` over Streamable HTTP at `http` (saying so on stderr:
/// `NAME on URL (DETAIL)`), or over stdio without an address.
pub async fn serve(
    server: Server,
    http: Option<String>,
    name: &str,
    detail: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    match http {
        Some(addr) => {
            eprintln!("{name} on http://{addr}/mcp ({detail})");
            StreamableHttp::new(server, HttpConfig::default())
                .serve(addr)
                .await?;
        }
        None => server.serve_stdio().await?,
    }
    Ok(())
}
