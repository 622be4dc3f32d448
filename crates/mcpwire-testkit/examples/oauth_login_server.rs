//! A local authorization server (which consents at once) and an MCP server
//! that trusts it, for the inspector's browser tests: prints the MCP
//! server's URL, then the issuer, one a line, and serves until killed.

use std::io::Write;

use mcpwire_testkit::oauth::{AuthServer, trusting};

#[tokio::main]
async fn main() {
    let asv = AuthServer::start().await;
    let protected = trusting(&asv.issuer, asv.jwks()).await;
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{}\n{}", protected.resource, asv.issuer);
    let _ = out.flush();
    std::future::pending::<()>().await;
}
