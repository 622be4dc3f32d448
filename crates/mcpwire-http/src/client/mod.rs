//! The Streamable HTTP client transport (MCP 2025-11-25 and the stateless
//! 2026-07-28 revision), with a fallback to the deprecated HTTP+SSE
//! transport of 2024-11-05.
//!
//! Every outgoing message is POSTed to the MCP endpoint in its own task, so
//! the engine's writer never waits for the network. The server answers each
//! POST with `202 Accepted`, one JSON message, or an event stream carrying
//! the request's progress, logs and response. Every POST carries
//! `Mcp-Method` and, for `tools/call`, `prompts/get` and `resources/read`,
//! `Mcp-Name` (in the `=?base64?…?=` form when the name is not plain
//! visible ASCII).
//!
//! After the `initialize` handshake a standalone GET stream carries
//! server-initiated messages; the message after `notifications/initialized`
//! waits (up to 2 s) until the server answered that GET, so that the server
//! knows the stream before it serves the next request. The transport keeps
//! the session id and the negotiated protocol version and sends them on
//! every request, resumes broken event streams with `Last-Event-ID`,
//! re-initializes transparently when the server expires the session, and
//! ends the session with `DELETE` on close.
//!
//! The transport never reads a frame back to learn its headers: the engine
//! hands each one over with a [`FrameInfo`] saying what it is (request,
//! notification, response), its method, what it targets (`Mcp-Name`, as
//! the sender named it with `RequestOptions::target`) and the revision it
//! was sent under. The session's revision is the one the messages after
//! `initialize` carry: the one the client reported with
//! `Peer::set_negotiated` as it accepted the `initialize` result.
//!
//! A request sent under the 2026-07-28 revision (`RequestOptions::revision`,
//! which `mcpwire_client::Client` sets on every request of a stateless
//! connection, where `_meta["io.modelcontextprotocol/protocolVersion"]`
//! names it too) describes itself: it is sent with that
//! `MCP-Protocol-Version` and without a session id, whether or not anything
//! was initialized, and its event stream is not resumed; cancelling it
//! closes that stream instead of POSTing `notifications/cancelled`. A
//! client that only sends such requests gets no GET stream and sends no
//! `DELETE`.
//!
//! Such a request is also answered as the 2026-07-28 revision asks of HTTP
//! clients: a `tools/call` mirrors the arguments its tool's `inputSchema`
//! marks with `x-mcp-header` into `Mcp-Param-{Name}` headers (learned from
//! the last `tools/list`; with no listing yet, the transport lists the tools
//! once before the first call); `tools/list` answers leave out the tools
//! whose annotations break the spec's constraints, with a warning naming the
//! tool and why (the other tools pass on byte for byte, `$ref`s unresolved);
//! a call rejected with `-32020` (header mismatch) re-lists the tools and is
//! sent once more; and a call of a left-out tool, or with an annotated
//! argument that cannot be mirrored, fails at once with `-32602`
//! ([`HttpClientError::ToolRejected`]).
//!
//! With an [`AuthProvider`] ([`HttpClientBuilder::auth`]; the OAuth 2.1
//! one is `mcpwire_oauth::client::OAuthClient`, feature `auth-client`),
//! every request carries the provider's headers for its method and URL,
//! and a POST answered with `401`, or `403` with
//! `error="insufficient_scope"`, hands the parsed challenge to the
//! provider and is sent again once it authorized (at most
//! [`MAX_AUTH_ROUNDS`] times per message); when it cannot, the request
//! fails with [`HttpClientError::AuthFailed`] ([`AUTH_FAILED_ERROR`]).
//!
//! When the server rejects a request with an HTTP error status and a
//! JSON-RPC error body (such as `400` with `-32022` for an unsupported
//! protocol version, or `404` with `-32601`), that error, with its code and
//! data, answers the request. Any other request that fails in the transport
//! (an HTTP error status without such a body, an unreachable server, a
//! stream that cannot be resumed) never hangs either: it is answered with a
//! JSON-RPC error whose code is one of
//! [`HTTP_STATUS_ERROR`], [`UNREACHABLE_ERROR`], [`STREAM_BROKEN_ERROR`],
//! [`SESSION_EXPIRED_ERROR`], [`BAD_RESPONSE_ERROR`],
//! [`AUTH_FAILED_ERROR`] or `ErrorCode::MESSAGE_TOO_LARGE` for a message
//! over the size limit (all in the implementation-defined range
//! -32000..-32019), or `-32602` for a tool call refused before it was sent
//! ([`HttpClientError::ToolRejected`]), and whose message says what
//! happened ([`HttpClientError`]).
//!
//! ```no_run
//! use std::time::Duration;
//! use mcpwire_client::Client;
//! use mcpwire_http::client::HttpClientTransport;
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let transport = HttpClientTransport::builder("http://127.0.0.1:8000/mcp")
//!     .header("Authorization", "Bearer secret")
//!     .timeout(Duration::from_secs(10))
//!     .build()?;
//! let client = Client::builder("my-host", "1.0.0").connect(transport).await?;
//! println!("{:?}", client.list_tools().await?);
//! client.close().await;
//! # Ok(()) }
//! ```

mod auth;
mod builder;
mod error;
mod legacy;
mod outgoing;
mod param_headers;
mod post;
pub mod redirect;
mod response;
mod session;
mod shared;
mod sse;
mod stream;
mod tool_headers;

use std::io;
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

pub use auth::{
    AuthChallenge, AuthFuture, AuthProvider, AuthProviderError, MAX_AUTH_ROUNDS, WwwAuthenticate,
};
pub use builder::{HttpClientBuilder, ReconnectPolicy};
pub use error::{
    AUTH_FAILED_ERROR, BAD_RESPONSE_ERROR, HTTP_STATUS_ERROR, HttpClientError,
    SESSION_EXPIRED_ERROR, STREAM_BROKEN_ERROR, UNREACHABLE_ERROR,
};
pub use redirect::{CrossOriginRedirect, MAX_REDIRECTS};

use mcpwire_rpc::transport::{FrameInfo, FrameReader, FrameWriter, ReadEvent, Transport};
use outgoing::Outgoing;
use shared::{Inbound, Shared};

/// A Streamable HTTP client transport; pass it to
/// `mcpwire_client::Client::builder(..).connect`.
#[derive(Debug)]
pub struct HttpClientTransport {
    reader: HttpReader,
    writer: HttpWriter,
}

impl HttpClientTransport {
    /// Starts building a transport to the MCP endpoint at `url`, e.g.
    /// `http://127.0.0.1:8000/mcp`.
    pub fn builder(url: impl Into<String>) -> HttpClientBuilder {
        HttpClientBuilder::new(url.into())
    }

    /// A handle that observes the connection (session id, negotiated
    /// version) after the transport moved into a client.
    pub fn handle(&self) -> HttpClientHandle {
        HttpClientHandle {
            shared: self.writer.shared.clone(),
        }
    }
}

impl Transport for HttpClientTransport {
    type Reader = HttpReader;
    type Writer = HttpWriter;
    fn split(self) -> (HttpReader, HttpWriter) {
        (self.reader, self.writer)
    }
}

/// Observes an [`HttpClientTransport`]'s connection state.
#[derive(Debug, Clone)]
pub struct HttpClientHandle {
    shared: Arc<Shared>,
}

impl HttpClientHandle {
    /// The session id the server assigned (`Mcp-Session-Id`), if any.
    pub fn session_id(&self) -> Option<String> {
        self.shared.state().session.clone()
    }

    /// The protocol version negotiated by `initialize`, sent as
    /// `MCP-Protocol-Version`: known from the first message the client
    /// sends after it (`notifications/initialized`), which carries the
    /// revision the client reported with `Peer::set_negotiated`. `None`
    /// for a client that sends only self-describing 2026-07-28 requests.
    pub fn protocol_version(&self) -> Option<String> {
        self.shared.state().protocol.map(|v| v.as_str().to_owned())
    }

    /// Whether the transport fell back to the legacy HTTP+SSE transport.
    pub fn is_legacy(&self) -> bool {
        self.shared.state().legacy_post.is_some()
    }

    /// Whether the standalone GET event stream is open (or reconnecting).
    pub fn has_standalone_stream(&self) -> bool {
        self.shared.state().get_stream.is_some()
    }
}

/// The receiving half: messages from every POST answer and event stream.
#[derive(Debug)]
pub struct HttpReader {
    rx: mpsc::UnboundedReceiver<Inbound>,
    current: Bytes,
    shared: Arc<Shared>,
}

impl FrameReader for HttpReader {
    async fn next_frame(&mut self) -> io::Result<ReadEvent<'_>> {
        let next = tokio::select! {
            biased;
            m = self.rx.recv() => m,
            _ = self.shared.closed.cancelled() => None,
        };
        Ok(match next {
            Some(Inbound::Frame(b)) => {
                self.current = b;
                ReadEvent::Frame(&self.current)
            }
            Some(Inbound::TooLarge(n)) => ReadEvent::TooLarge(n),
            Some(Inbound::Eof) | None => ReadEvent::Eof,
        })
    }

    async fn close_reason(&mut self) -> Option<String> {
        self.shared.state().close_reason.take()
    }
}

/// The sending half: POSTs every frame without waiting for the answer,
/// with the headers the engine's [`FrameInfo`] calls for.
#[derive(Debug)]
pub struct HttpWriter {
    queue: Vec<Outgoing>,
    tx: Option<mpsc::UnboundedSender<Outgoing>>,
    shared: Arc<Shared>,
}

impl FrameWriter for HttpWriter {
    fn write(&mut self, frame: &[u8], info: &FrameInfo<'_>) {
        self.queue
            .push(Outgoing::new(Bytes::copy_from_slice(frame), info));
    }

    async fn flush(&mut self) -> io::Result<()> {
        if self.shared.closed.is_cancelled() {
            self.queue.clear();
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the HTTP transport is closed",
            ));
        }
        let tx = self.tx.get_or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(post::dispatch(self.shared.clone(), rx));
            tx
        });
        for msg in self.queue.drain(..) {
            if tx.send(msg).is_err() {
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the HTTP transport's sender stopped",
                ));
            }
        }
        Ok(())
    }

    async fn close(&mut self) -> io::Result<()> {
        session::close(&self.shared).await;
        Ok(())
    }
}

impl Drop for HttpWriter {
    fn drop(&mut self) {
        // Without close(), background streams still stop; no DELETE is sent.
        self.shared.closed.cancel();
    }
}
