//! Pumping frames both ways between two transports, unchanged.
//!
//! Each frame read on one side is written to the other as it came, with
//! the [`FrameInfo`] an engine would give it: its kind, what a request
//! targets and the revision it travels under (the one a self-describing
//! request names, else the one the `initialize` answer agreed on), so that
//! an HTTP side sends the headers it would send for a client of its own. A
//! frame that is not a JSON-RPC message, or that is over the size limit, is
//! not passed on: the side that sent it gets the JSON-RPC error a peer
//! would send, and the bridge keeps going.

use std::collections::HashSet;
use std::io;
use std::time::Duration;

use mcpwire_types::request::{named_revision, target};
use mcpwire_types::{
    ErrorCode, ErrorObject, Incoming, Message, ProtocolVersion, RequestId, Response, methods,
};
use serde_json::Value;
use tokio::sync::mpsc;

use mcpwire_rpc::Error;
use mcpwire_rpc::transport::{
    FrameInfo, FrameKind, FrameReader, FrameWriter, ReadEvent, Transport,
};

/// Which side of a [`bridge`] ended it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BridgeEnd {
    /// The first transport closed (its reader reached the end); the second
    /// was closed in turn.
    First(String),
    /// The second transport closed; the first was closed in turn.
    Second(String),
}

/// What a reader task saw.
enum Read {
    Frame(Vec<u8>),
    TooLarge(usize),
    End(String, Option<io::Error>),
}

/// How long a side that closed waits for the answers to its requests.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// Connects two transports: every frame read from `first` is written to
/// `second` and the other way round, until either side closes. The answers
/// to requests the closed side sent still reach it, if it can take them
/// (waiting up to 10 s); then the other side is closed too (for a child
/// process: its stdin is closed and it is stopped; for an HTTP client: its
/// session is ended), and the result says which side ended first.
///
/// Fails only when reading a side fails (not when it ends normally).
///
/// ```
/// use mcpwire_proxy::{bridge, BridgeEnd};
/// use mcpwire_rpc::transport::memory;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (client_end, proxy_in) = memory::duplex();
/// let (proxy_out, server_end) = memory::duplex();
/// let pump = tokio::spawn(bridge(proxy_in, proxy_out));
/// drop((client_end, server_end));
/// assert!(pump.await.unwrap().is_ok());
/// # }
/// ```
pub async fn bridge<A: Transport, B: Transport>(first: A, second: B) -> Result<BridgeEnd, Error> {
    let (ra, mut wa) = first.split();
    let (rb, mut wb) = second.split();
    let (tx_a, mut rx_a) = mpsc::channel(64);
    let (tx_b, mut rx_b) = mpsc::channel(64);
    let task_a = tokio::spawn(read_loop(ra, tx_a));
    let task_b = tokio::spawn(read_loop(rb, tx_b));
    let _abort = AbortOnDrop([task_a.abort_handle(), task_b.abort_handle()]);
    // The requests each side sent that the other has not answered.
    let (mut asked_a, mut asked_b) = (HashSet::new(), HashSet::new());
    let mut session = Session::default();
    let outcome = loop {
        tokio::select! {
            read = rx_a.recv() => {
                let read = read.unwrap_or(Read::End("the first side stopped".into(), None));
                if let Some(end) = pass(read, &mut wa, &mut wb, &mut asked_a, &mut asked_b, &mut session).await {
                    if end.is_ok() {
                        drain(&mut rx_b, &mut wb, &mut wa, &mut asked_b, &mut asked_a, &mut session).await;
                    }
                    break end.map(BridgeEnd::First);
                }
            }
            read = rx_b.recv() => {
                let read = read.unwrap_or(Read::End("the second side stopped".into(), None));
                if let Some(end) = pass(read, &mut wb, &mut wa, &mut asked_b, &mut asked_a, &mut session).await {
                    if end.is_ok() {
                        drain(&mut rx_a, &mut wa, &mut wb, &mut asked_a, &mut asked_b, &mut session).await;
                    }
                    break end.map(BridgeEnd::Second);
                }
            }
        }
    };
    let _ = tokio::join!(wa.close(), wb.close());
    outcome
}

/// After one side's reader ended: passes what the other side (read from
/// `rx`, written back through `from_writer`) sends, until it answered every
/// request of the closed side (`asked_by_closed`), ends, or time runs out.
async fn drain<W1: FrameWriter, W2: FrameWriter>(
    rx: &mut mpsc::Receiver<Read>,
    from_writer: &mut W1,
    closed_writer: &mut W2,
    asked_by_open: &mut HashSet<RequestId>,
    asked_by_closed: &mut HashSet<RequestId>,
    session: &mut Session,
) {
    let deadline = tokio::time::Instant::now() + DRAIN_LIMIT;
    while !asked_by_closed.is_empty() {
        let Ok(Some(read)) = tokio::time::timeout_at(deadline, rx.recv()).await else {
            return;
        };
        if pass(
            read,
            from_writer,
            closed_writer,
            asked_by_open,
            asked_by_closed,
            session,
        )
        .await
        .is_some()
        {
            return;
        }
    }
}

/// Passes one read from one side (whose writer is `back`) to the other
/// (`to`), keeping track of the requests each sent (`asked_here`,
/// `asked_there`). `Some` when the bridge ends.
async fn pass<W1: FrameWriter, W2: FrameWriter>(
    read: Read,
    back: &mut W1,
    to: &mut W2,
    asked_here: &mut HashSet<RequestId>,
    asked_there: &mut HashSet<RequestId>,
    session: &mut Session,
) -> Option<Result<String, Error>> {
    let rejection = match read {
        Read::End(reason, None) => return Some(Ok(reason)),
        Read::End(reason, Some(e)) => {
            tracing::debug!(%reason, "bridge: a side failed");
            return Some(Err(Error::Io(e)));
        }
        Read::TooLarge(n) => Some(Response {
            id: None,
            outcome: Err(ErrorObject::new(
                ErrorCode::INVALID_REQUEST,
                format!("Invalid Request: message of {n} bytes exceeds the limit"),
            )),
        }),
        Read::Frame(frame) => match Incoming::parse(&frame) {
            Incoming::Invalid(r) => Some(Response {
                id: r.id,
                outcome: Err(r.error),
            }),
            incoming => {
                track(&incoming, asked_here, asked_there);
                write(to, &frame, &incoming, session.negotiated);
                session.note(&incoming);
                if let Err(e) = to.flush().await {
                    return Some(Err(Error::Io(e)));
                }
                None
            }
        },
    };
    if let Some(response) = rejection {
        tracing::warn!(error = ?response.outcome.as_ref().err().map(|e| &e.message), "bridge: a message was rejected");
        let msg = Message::Response(response);
        if let Ok(bytes) = serde_json::to_vec(&msg) {
            back.write(
                &bytes,
                &FrameInfo::of(&msg).with_revision(session.negotiated),
            );
            if let Err(e) = back.flush().await {
                return Some(Err(Error::Io(e)));
            }
        }
    }
    None
}

/// What the bridge knows of the session between its sides.
#[derive(Debug, Default)]
struct Session {
    /// The `initialize` request waiting for its answer.
    initialize: Option<RequestId>,
    /// The revision its answer agreed on.
    negotiated: Option<ProtocolVersion>,
}

impl Session {
    /// Learns the agreed revision from the answer to `initialize`.
    fn note(&mut self, incoming: &Incoming) {
        match incoming {
            Incoming::Message(Message::Request(r)) if r.method == methods::INITIALIZE => {
                self.initialize = Some(r.id.clone());
            }
            Incoming::Message(Message::Response(Response {
                id: Some(id),
                outcome,
            })) if self.initialize.as_ref() == Some(id) => {
                self.initialize = None;
                if let Ok(result) = outcome {
                    self.negotiated = result
                        .get("protocolVersion")
                        .and_then(Value::as_str)
                        .and_then(|v| v.parse().ok());
                }
            }
            _ => {}
        }
    }
}

/// Writes `frame`, which holds `incoming`, with what is known of it: what
/// a request targets, and the revision it travels under (the one a
/// self-describing request names, else the `negotiated` one).
fn write<W: FrameWriter>(
    to: &mut W,
    frame: &[u8],
    incoming: &Incoming,
    negotiated: Option<ProtocolVersion>,
) {
    let cancelled;
    let ids: Vec<RequestId>;
    let info = match incoming {
        Incoming::Message(Message::Request(r)) => {
            let params = r.params.as_ref();
            FrameInfo::request(&r.id, &r.method)
                .with_target(params.and_then(|p| target(&r.method, p)))
                .with_revision(params.and_then(named_revision).or(negotiated))
        }
        Incoming::Message(Message::Notification(n)) => {
            cancelled = (n.method == methods::NOTIFICATIONS_CANCELLED)
                .then(|| n.params.as_ref()?.get("requestId"))
                .flatten()
                .and_then(RequestId::from_value);
            FrameInfo::notification(&n.method)
                .with_cancels(cancelled.as_ref())
                .with_revision(negotiated)
        }
        Incoming::Message(Message::Response(r)) => {
            FrameInfo::new(FrameKind::of_response(r)).with_revision(negotiated)
        }
        Incoming::Batch(items) => {
            ids = items
                .iter()
                .filter_map(|v| v.get("id").and_then(RequestId::from_value))
                .collect();
            FrameInfo::batch(&ids).with_revision(negotiated)
        }
        Incoming::Invalid(r) => FrameInfo::error(r.id.as_ref()).with_revision(negotiated),
    };
    to.write(frame, &info);
}

/// Notes the requests a message makes and the ones it answers.
fn track(
    incoming: &Incoming,
    asked_here: &mut HashSet<RequestId>,
    asked_there: &mut HashSet<RequestId>,
) {
    let mut one = |v: &Value| {
        let Some(id) = v.get("id").and_then(RequestId::from_value) else {
            return;
        };
        if v.get("method").is_some() {
            asked_here.insert(id);
        } else {
            asked_there.remove(&id);
        }
    };
    match incoming {
        Incoming::Message(Message::Request(r)) => {
            asked_here.insert(r.id.clone());
        }
        Incoming::Message(Message::Response(Response { id: Some(id), .. })) => {
            asked_there.remove(id);
        }
        // A cancelled request gets no answer.
        Incoming::Message(Message::Notification(n)) if n.method == "notifications/cancelled" => {
            let id = n.params.as_ref().and_then(|p| p.get("requestId"));
            if let Some(id) = id.and_then(RequestId::from_value) {
                asked_here.remove(&id);
            }
        }
        Incoming::Batch(items) => items.iter().for_each(&mut one),
        _ => {}
    }
}

async fn read_loop<R: FrameReader>(mut reader: R, tx: mpsc::Sender<Read>) {
    loop {
        let read = match reader.next_frame().await {
            Ok(ReadEvent::Frame(f)) => Read::Frame(f.to_vec()),
            Ok(ReadEvent::Message(m)) => {
                let bytes = match m {
                    Incoming::Message(m) => serde_json::to_vec(&m),
                    Incoming::Batch(items) => serde_json::to_vec(&items),
                    Incoming::Invalid(r) => serde_json::to_vec(&Message::Response(Response {
                        id: r.id,
                        outcome: Err(r.error),
                    })),
                };
                match bytes {
                    Ok(v) => Read::Frame(v),
                    Err(e) => {
                        tracing::error!(error = %e, "bridge: could not serialize a message");
                        continue;
                    }
                }
            }
            Ok(ReadEvent::TooLarge(n)) => Read::TooLarge(n),
            Ok(ReadEvent::Eof) => {
                let why = reader
                    .close_reason()
                    .await
                    .unwrap_or_else(|| "the peer closed the connection".to_owned());
                let _ = tx.send(Read::End(why, None)).await;
                return;
            }
            Err(e) => {
                let why = reader
                    .close_reason()
                    .await
                    .unwrap_or_else(|| format!("read error: {e}"));
                let _ = tx.send(Read::End(why, Some(e))).await;
                return;
            }
        };
        if tx.send(read).await.is_err() {
            return;
        }
    }
}

struct AbortOnDrop([tokio::task::AbortHandle; 2]);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for h in &self.0 {
            h.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a written frame's info said: method, target, revision, and the
    /// request a cancellation cancels.
    type Seen = (
        Option<String>,
        Option<String>,
        Option<ProtocolVersion>,
        Option<RequestId>,
    );

    #[derive(Default)]
    struct Recorder(Vec<Seen>);

    impl FrameWriter for Recorder {
        fn write(&mut self, _frame: &[u8], info: &FrameInfo<'_>) {
            self.0.push((
                info.method().map(str::to_owned),
                info.target().map(str::to_owned),
                info.revision(),
                info.cancels().cloned(),
            ));
        }

        async fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn forwarded_frames_carry_their_target_and_revision() {
        let mut session = Session::default();
        let mut to = Recorder::default();
        let mut pass = |line: &str| {
            let incoming = Incoming::parse(line.as_bytes());
            write(&mut to, line.as_bytes(), &incoming, session.negotiated);
            session.note(&incoming);
        };
        pass(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}"#,
        );
        pass(r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18"}}"#);
        pass(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        pass(
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"name":"x"}}}"#,
        );
        pass(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}}"#);
        pass(
            r#"{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"file:///a","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#,
        );
        let old = Some(ProtocolVersion::V2025_06_18);
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(
            to.0,
            [
                (s("initialize"), None, None, None),
                // The answer travels under nothing agreed yet.
                (None, None, None, None),
                (s("notifications/initialized"), None, old, None),
                (s("tools/call"), s("echo"), old, None),
                (
                    s("notifications/cancelled"),
                    None,
                    old,
                    Some(RequestId::Number(2))
                ),
                (
                    s("resources/read"),
                    s("file:///a"),
                    Some(ProtocolVersion::V2026_07_28),
                    None
                ),
            ]
        );
    }
}
