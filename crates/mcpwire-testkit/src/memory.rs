//! A client and a server joined by the in-memory transport: the one way
//! the suites connect a real client to a real server in one process.

use std::time::Duration;

use mcpwire::client::{Client, ClientBuilder};
use mcpwire::server::Server;
use mcpwire::transport::memory::{self, MemoryTransport};

use crate::eventually::within;

/// How long a client may take to connect before the test fails.
pub const CONNECT_PATIENCE: Duration = Duration::from_secs(5);

/// A client builder named `mcpwire-test` version `1`, for tests where the
/// client's name does not matter.
pub fn client() -> ClientBuilder {
    Client::builder("mcpwire-test", "1")
}

/// Serves `server` on one end of a fresh in-memory duplex (in a task of
/// its own) and returns the other end.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = mcpwire::server::Server::builder("s", "1").build().unwrap();
/// let io = mcpwire_testkit::memory::serve(&server);
/// let client = mcpwire_testkit::memory::client().connect(io).await.unwrap();
/// assert_eq!(client.server_info().name, "s");
/// # }
/// ```
pub fn serve(server: &Server) -> MemoryTransport {
    let (ours, theirs) = memory::duplex();
    let s = server.clone();
    tokio::spawn(async move { s.serve(ours).await });
    theirs
}

/// Connects `client` to `server` over an in-memory duplex; panics if that
/// fails or takes longer than [`CONNECT_PATIENCE`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use mcpwire_testkit::memory::{client, connect};
/// let server = mcpwire::server::Server::builder("s", "1").build().unwrap();
/// let c = connect(&server, client()).await;
/// c.ping().await.unwrap();
/// # }
/// ```
pub async fn connect(server: &Server, client: ClientBuilder) -> Client {
    try_connect(server, client)
        .await
        .unwrap_or_else(|e| panic!("the client could not connect: {e}"))
}

/// [`connect`], for tests of a connection that fails: the error instead of
/// a panic (a hang still fails after [`CONNECT_PATIENCE`]).
pub async fn try_connect(server: &Server, client: ClientBuilder) -> mcpwire::Result<Client> {
    within(
        CONNECT_PATIENCE,
        "the client to connect",
        client.connect(serve(server)),
    )
    .await
}
