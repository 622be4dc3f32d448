//! Serving over TCP and Unix sockets, with a real mcpwire client on the
//! other end: calls go through, a line past the limit ends only its own
//! connection, the connection cap refuses (and never queues) the extra
//! connection, and a Unix socket is owner-only and never replaces what
//! already is at its path.

use std::path::PathBuf;
use std::time::Duration;

use mcpwire::client::Client;
use mcpwire::engine::EngineConfig;
use mcpwire::server::{ListenError, Server, SocketConfig, ToolRoute, UnixSocketListener};
use mcpwire::transport::{DEFAULT_MAX_FRAME, tcp, unix};
use mcpwire_testkit::{eventually, text};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// How long a test waits for the server to answer or let go.
const PATIENCE: Duration = Duration::from_secs(10);

/// The frame limit of the servers here: small, so a test can pass it.
const LIMIT: usize = 1024;

#[derive(Deserialize, JsonSchema)]
struct Text {
    text: String,
}

fn server() -> Server {
    Server::builder("socket-echo", "1.0.0")
        .engine(EngineConfig::default().max_message_size(LIMIT))
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .build()
        .unwrap()
}

/// Serves over TCP on a free loopback port until the token is cancelled.
async fn serve_tcp(
    config: SocketConfig,
) -> (String, CancellationToken, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let stop = CancellationToken::new();
    let until = stop.clone().cancelled_owned();
    let task =
        tokio::spawn(async move { server().serve_tcp_listener(listener, config, until).await });
    (addr, stop, task)
}

async fn tcp_client(addr: &str) -> Client {
    let transport = tcp::connect(addr, DEFAULT_MAX_FRAME).await.unwrap();
    Client::builder("socket-test", "1.0.0")
        .connect(transport)
        .await
        .unwrap()
}

async fn echo(client: &Client, words: &str) -> String {
    let result = tokio::time::timeout(PATIENCE, client.call_tool("echo", json!({"text": words})))
        .await
        .expect("the server answers in time")
        .unwrap();
    text(&result)
}

/// The next line the server sends on `reader`, as JSON; `None` at EOF.
async fn next_line<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<Value> {
    let mut line = String::new();
    let n = tokio::time::timeout(PATIENCE, reader.read_line(&mut line))
        .await
        .expect("the server answers or closes in time")
        .unwrap_or(0);
    (n > 0).then(|| serde_json::from_str(&line).unwrap())
}

/// A fresh directory of this test's own, removed with its contents at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("mcpwire-sockets-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_calls_tools_over_tcp_with_one_session_per_connection() {
    let (addr, stop, task) = serve_tcp(SocketConfig::default()).await;
    let (a, b) = (tcp_client(&addr).await, tcp_client(&addr).await);
    assert_eq!(a.server_info().name, "socket-echo");
    assert_eq!(echo(&a, "over tcp").await, "over tcp");
    assert_eq!(echo(&b, "and again").await, "and again");
    stop.cancel();
    task.await.unwrap();
    // Shutting down closes the open connections.
    eventually(
        PATIENCE,
        "the client sees the connection closed",
        || async { a.is_closed() },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_past_the_limit_ends_its_connection_and_the_server_serves_others() {
    let (addr, stop, task) = serve_tcp(SocketConfig::default()).await;
    let before = tcp_client(&addr).await;
    let raw = TcpStream::connect(&addr).await.unwrap();
    let (read, mut write) = raw.into_split();
    // One byte past the limit and no newline: a line that never ends.
    write.write_all(&vec![b'x'; LIMIT + 1]).await.unwrap();
    let mut read = BufReader::new(read);
    let error = next_line(&mut read)
        .await
        .expect("an error before the close");
    assert_eq!(error["error"]["code"], -32600, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exceeds the limit"),
        "{error}"
    );
    assert_eq!(next_line(&mut read).await, None, "the connection is closed");
    // The others are served, those connected before and after.
    assert_eq!(echo(&before, "still here").await, "still here");
    let after = tcp_client(&addr).await;
    assert_eq!(echo(&after, "new one").await, "new one");
    drop(write);
    stop.cancel();
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_cap_are_refused_at_once_and_served_once_room_frees() {
    let (addr, stop, task) = serve_tcp(SocketConfig::default().max_connections(1)).await;
    let first = tcp_client(&addr).await;
    // The second is told the server is busy and closed, not queued.
    let refused = TcpStream::connect(&addr).await.unwrap();
    let mut refused = BufReader::new(refused);
    let busy = next_line(&mut refused).await.expect("a busy error");
    assert_eq!(busy["error"]["code"], -32000, "{busy}");
    assert!(
        busy["error"]["message"].as_str().unwrap().contains("busy"),
        "{busy}"
    );
    assert_eq!(next_line(&mut refused).await, None);
    assert_eq!(echo(&first, "served").await, "served");
    first.close().await;
    // Once the first connection is gone, its slot is free again.
    eventually(PATIENCE, "a new connection is served", || {
        let addr = addr.clone();
        async move {
            let Ok(transport) = tcp::connect(addr.as_str(), DEFAULT_MAX_FRAME).await else {
                return false;
            };
            match Client::builder("socket-test", "1.0.0")
                .connect(transport)
                .await
            {
                Ok(c) => echo(&c, "room").await == "room",
                Err(_) => false,
            }
        }
    })
    .await;
    stop.cancel();
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_calls_tools_over_an_owner_only_unix_socket_removed_at_shutdown() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = Scratch::new("serve");
    let path = dir.0.join("echo.sock");
    let socket = UnixSocketListener::bind(&path).unwrap();
    let meta = std::fs::symlink_metadata(&path).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    // Nothing is left of the scratch directory the bind used.
    let left: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["echo.sock"]);

    let stop = CancellationToken::new();
    let until = stop.clone().cancelled_owned();
    let task = tokio::spawn(async move {
        server()
            .serve_unix_listener(socket, SocketConfig::default(), until)
            .await
    });
    let transport = unix::connect(&path, DEFAULT_MAX_FRAME).await.unwrap();
    let client = Client::builder("socket-test", "1.0.0")
        .connect(transport)
        .await
        .unwrap();
    assert_eq!(
        echo(&client, "over a unix socket").await,
        "over a unix socket"
    );
    stop.cancel();
    task.await.unwrap().unwrap();
    assert!(!path.exists(), "the socket is removed at shutdown");
}

#[tokio::test]
async fn a_unix_socket_path_that_exists_is_refused_and_left_alone() {
    let dir = Scratch::new("exists");
    // A file that is not a socket.
    let file = dir.0.join("notes.txt");
    std::fs::write(&file, "keep me").unwrap();
    let err = UnixSocketListener::bind(&file).unwrap_err();
    assert!(
        matches!(&err, ListenError::PathExists { path } if *path == file),
        "{err}"
    );
    assert!(err.to_string().contains("does not replace it"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    // A live socket.
    let path = dir.0.join("live.sock");
    let live = UnixSocketListener::bind(&path).unwrap();
    assert!(matches!(
        UnixSocketListener::bind(&path),
        Err(ListenError::PathExists { .. })
    ));
    // A stale socket, one nobody listens on, is refused too.
    let stale = dir.0.join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    assert!(matches!(
        UnixSocketListener::bind(&stale),
        Err(ListenError::PathExists { .. })
    ));
    assert!(stale.exists());
    // And the server's own function says the same.
    let err = server().serve_unix(&path).await.unwrap_err();
    assert!(matches!(err, ListenError::PathExists { .. }), "{err}");
    drop(live);
    assert!(!path.exists());
}

#[tokio::test]
async fn an_address_that_cannot_be_bound_is_a_typed_error() {
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = taken.local_addr().unwrap();
    let err = server().serve_tcp(addr).await.unwrap_err();
    assert!(matches!(&err, ListenError::Bind { .. }), "{err}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}
