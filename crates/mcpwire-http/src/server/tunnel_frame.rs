//! The frames a [`Tunnel`](super::Tunnel) carries between instances, and
//! their binary codec: length-prefixed fields, every length bounded, and
//! a decoder that answers any input with a frame or a typed error.
//!
//! Layout (integers big-endian): a version byte, the kind, the tunnel's
//! id (u64), the requesting instance (u8 length), then the kind's fields:
//!
//! - `Request`: method (u8 length), path and query (u16 length), headers,
//!   body (u32 length);
//! - `Head`: status (u16), headers;
//! - `Body`: sequence number (u32), chunk (u32 length);
//! - `End`: how many `Body` frames came before it (u32);
//! - `Abort`: nothing;
//! - `Accepted`: nothing.
//!
//! Headers are a u16 count, then for each a name (u16 length) and a value
//! (u16 length).

use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};

/// The codec's version, the first byte of every frame.
const VERSION: u8 = 1;

/// The longest instance name a frame carries.
pub const MAX_INSTANCE: usize = 64;
/// The longest request path and query a frame carries.
pub const MAX_URI: usize = 8 * 1024;
/// The most headers a frame carries.
pub const MAX_HEADERS: usize = 128;
/// The longest header name or value a frame carries.
pub const MAX_HEADER_LEN: usize = 8 * 1024;
/// The largest request body or response chunk a frame carries (64 MiB).
pub const MAX_FRAME_BODY: usize = 64 << 20;
/// The longest method name a frame carries.
const MAX_METHOD: usize = 16;

/// One frame of one tunnel, and which tunnel: `(requester, tunnel)` names
/// it among every instance's tunnels.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The instance the request came in on, which waits for the answer.
    pub requester: String,
    /// The requester's number for the tunnel.
    pub tunnel: u64,
    /// What it carries.
    pub frame: Frame,
}

/// What one frame carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A request, from the requester to the owner.
    Request(TunneledRequest),
    /// The response's status and headers, from the owner.
    Head {
        /// The status.
        status: StatusCode,
        /// The headers, hop-by-hop ones left out.
        headers: HeaderMap,
    },
    /// One piece of the response body, from the owner; `seq` counts from 0.
    Body {
        /// This chunk's place.
        seq: u32,
        /// Its bytes.
        chunk: Bytes,
    },
    /// The response is complete after `chunks` `Body` frames.
    End {
        /// How many `Body` frames were sent.
        chunks: u32,
    },
    /// The tunnel is given up (by either side).
    Abort,
    /// The owner took the request: its answer follows, however long the
    /// request runs.
    Accepted,
}

/// An HTTP request as a tunnel carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct TunneledRequest {
    /// The method.
    pub method: Method,
    /// The path and query.
    pub uri: Uri,
    /// The headers, hop-by-hop ones left out.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

/// Why bytes are not a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The input ends inside a field.
    #[error("a tunnel frame ends early")]
    Truncated,
    /// Another version of the codec wrote it.
    #[error("a tunnel frame of unknown version {0}")]
    Version(u8),
    /// An unknown kind.
    #[error("a tunnel frame of unknown kind {0}")]
    Kind(u8),
    /// A field is longer than its bound.
    #[error("a tunnel frame's {what} is {len} long, over its bound of {max}")]
    TooLong {
        /// Which field.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The bound.
        max: usize,
    },
    /// A field does not hold what it should.
    #[error("a tunnel frame's {0} is not valid")]
    Invalid(&'static str),
    /// Bytes follow the frame.
    #[error("{0} bytes follow a tunnel frame")]
    Trailing(usize),
}

const REQUEST: u8 = 1;
const HEAD: u8 = 2;
const BODY: u8 = 3;
const END: u8 = 4;
const ABORT: u8 = 5;
const ACCEPTED: u8 = 6;

/// Whether `name` concerns one connection only, and so is not passed on.
pub(crate) fn is_hop_by_hop(name: &HeaderName) -> bool {
    use http::header::{CONNECTION, CONTENT_LENGTH, TE, TRAILER, TRANSFER_ENCODING, UPGRADE};
    name == CONNECTION
        || name == TE
        || name == TRAILER
        || name == TRANSFER_ENCODING
        || name == UPGRADE
        || name == CONTENT_LENGTH
        || name.as_str() == "keep-alive"
        || name.as_str() == "proxy-connection"
}

impl Envelope {
    /// The frame's bytes. Fields over their bounds (see the constants)
    /// are refused, so every frame encoded here decodes.
    ///
    /// ```
    /// use mcpwire_http::server::{Envelope, Frame};
    /// let e = Envelope { requester: "a1".into(), tunnel: 7, frame: Frame::End { chunks: 2 } };
    /// assert_eq!(Envelope::decode(e.encode().unwrap()).unwrap(), e);
    /// ```
    pub fn encode(&self) -> Result<Bytes, FrameError> {
        let mut out = BytesMut::with_capacity(64);
        out.put_u8(VERSION);
        out.put_u8(match &self.frame {
            Frame::Request(_) => REQUEST,
            Frame::Head { .. } => HEAD,
            Frame::Body { .. } => BODY,
            Frame::End { .. } => END,
            Frame::Abort => ABORT,
            Frame::Accepted => ACCEPTED,
        });
        out.put_u64(self.tunnel);
        put(
            &mut out,
            "instance",
            self.requester.as_bytes(),
            MAX_INSTANCE,
            1,
        )?;
        match &self.frame {
            Frame::Request(r) => {
                put(
                    &mut out,
                    "method",
                    r.method.as_str().as_bytes(),
                    MAX_METHOD,
                    1,
                )?;
                let uri = r.uri.path_and_query().map_or("/", |p| p.as_str());
                put(&mut out, "uri", uri.as_bytes(), MAX_URI, 2)?;
                put_headers(&mut out, &r.headers)?;
                put(&mut out, "body", &r.body, MAX_FRAME_BODY, 4)?;
            }
            Frame::Head { status, headers } => {
                out.put_u16(status.as_u16());
                put_headers(&mut out, headers)?;
            }
            Frame::Body { seq, chunk } => {
                out.put_u32(*seq);
                put(&mut out, "chunk", chunk, MAX_FRAME_BODY, 4)?;
            }
            Frame::End { chunks } => out.put_u32(*chunks),
            Frame::Abort | Frame::Accepted => {}
        }
        Ok(out.freeze())
    }

    /// The frame in `bytes`; any other input is an error, never a panic.
    /// Chunks and bodies share `bytes`' memory.
    ///
    /// ```
    /// use mcpwire_http::server::{Envelope, FrameError};
    /// assert_eq!(Envelope::decode(bytes::Bytes::new()), Err(FrameError::Truncated));
    /// ```
    pub fn decode(bytes: Bytes) -> Result<Envelope, FrameError> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.u8()?;
        if version != VERSION {
            return Err(FrameError::Version(version));
        }
        let kind = r.u8()?;
        let tunnel = r.u64()?;
        let requester = r.field("instance", MAX_INSTANCE, 1)?;
        let requester = match std::str::from_utf8(&requester) {
            Ok(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic()) => s.to_owned(),
            _ => return Err(FrameError::Invalid("instance")),
        };
        let frame = match kind {
            REQUEST => {
                let method = r.field("method", MAX_METHOD, 1)?;
                let method =
                    Method::from_bytes(&method).map_err(|_| FrameError::Invalid("method"))?;
                let uri = r.field("uri", MAX_URI, 2)?;
                if uri.first() != Some(&b'/') {
                    return Err(FrameError::Invalid("uri"));
                }
                let uri = Uri::from_maybe_shared(uri).map_err(|_| FrameError::Invalid("uri"))?;
                let headers = r.headers()?;
                let body = r.field("body", MAX_FRAME_BODY, 4)?;
                Frame::Request(TunneledRequest {
                    method,
                    uri,
                    headers,
                    body,
                })
            }
            HEAD => {
                let status =
                    StatusCode::from_u16(r.u16()?).map_err(|_| FrameError::Invalid("status"))?;
                Frame::Head {
                    status,
                    headers: r.headers()?,
                }
            }
            BODY => Frame::Body {
                seq: r.u32()?,
                chunk: r.field("chunk", MAX_FRAME_BODY, 4)?,
            },
            END => Frame::End { chunks: r.u32()? },
            ABORT => Frame::Abort,
            ACCEPTED => Frame::Accepted,
            other => return Err(FrameError::Kind(other)),
        };
        let left = r.bytes.len() - r.at;
        if left != 0 {
            return Err(FrameError::Trailing(left));
        }
        Ok(Envelope {
            requester,
            tunnel,
            frame,
        })
    }
}

/// Writes `data` after its length in `width` bytes.
fn put(
    out: &mut BytesMut,
    what: &'static str,
    data: &[u8],
    max: usize,
    width: usize,
) -> Result<(), FrameError> {
    if data.len() > max {
        return Err(FrameError::TooLong {
            what,
            len: data.len(),
            max,
        });
    }
    match width {
        1 => out.put_u8(data.len() as u8),
        2 => out.put_u16(data.len() as u16),
        _ => out.put_u32(data.len() as u32),
    }
    out.put_slice(data);
    Ok(())
}

/// Writes the headers that are not hop-by-hop.
fn put_headers(out: &mut BytesMut, headers: &HeaderMap) -> Result<(), FrameError> {
    let kept = || headers.iter().filter(|(n, _)| !is_hop_by_hop(n));
    let count = kept().count();
    if count > MAX_HEADERS {
        return Err(FrameError::TooLong {
            what: "header count",
            len: count,
            max: MAX_HEADERS,
        });
    }
    out.put_u16(count as u16);
    for (name, value) in kept() {
        put(
            out,
            "header name",
            name.as_str().as_bytes(),
            MAX_HEADER_LEN,
            2,
        )?;
        put(out, "header value", value.as_bytes(), MAX_HEADER_LEN, 2)?;
    }
    Ok(())
}

/// Reads fields off a frame, never past its end.
struct Reader {
    bytes: Bytes,
    at: usize,
}

impl Reader {
    fn take(&mut self, n: usize) -> Result<Bytes, FrameError> {
        let end = self.at.checked_add(n).ok_or(FrameError::Truncated)?;
        if end > self.bytes.len() {
            return Err(FrameError::Truncated);
        }
        let out = self.bytes.slice(self.at..end);
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], FrameError> {
        let b = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&b);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, FrameError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, FrameError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, FrameError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A field after its length in `width` bytes, within `max`.
    fn field(&mut self, what: &'static str, max: usize, width: usize) -> Result<Bytes, FrameError> {
        let len = match width {
            1 => usize::from(self.u8()?),
            2 => usize::from(self.u16()?),
            _ => self.u32()? as usize,
        };
        if len > max {
            return Err(FrameError::TooLong { what, len, max });
        }
        self.take(len)
    }

    fn headers(&mut self) -> Result<HeaderMap, FrameError> {
        let count = usize::from(self.u16()?);
        if count > MAX_HEADERS {
            return Err(FrameError::TooLong {
                what: "header count",
                len: count,
                max: MAX_HEADERS,
            });
        }
        let mut headers = HeaderMap::with_capacity(count);
        for _ in 0..count {
            let name = self.field("header name", MAX_HEADER_LEN, 2)?;
            let value = self.field("header value", MAX_HEADER_LEN, 2)?;
            let name =
                HeaderName::from_bytes(&name).map_err(|_| FrameError::Invalid("header name"))?;
            let value = HeaderValue::from_maybe_shared(value)
                .map_err(|_| FrameError::Invalid("header value"))?;
            headers.append(name, value);
        }
        Ok(headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Envelope {
        let mut headers = HeaderMap::new();
        headers.insert("mcp-session-id", HeaderValue::from_static("a1.ff"));
        headers.append("accept", HeaderValue::from_static("application/json"));
        headers.append("accept", HeaderValue::from_static("text/event-stream"));
        headers.insert("connection", HeaderValue::from_static("keep-alive"));
        Envelope {
            requester: "b2".into(),
            tunnel: u64::MAX,
            frame: Frame::Request(TunneledRequest {
                method: Method::POST,
                uri: Uri::from_static("/mcp?x=1"),
                headers,
                body: Bytes::from_static(b"{\"jsonrpc\":\"2.0\"}"),
            }),
        }
    }

    #[test]
    fn every_kind_round_trips_without_hop_by_hop_headers() {
        let mut expected = request();
        if let Frame::Request(r) = &mut expected.frame {
            r.headers.remove("connection");
        }
        assert_eq!(Envelope::decode(request().encode().unwrap()), Ok(expected));
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            HeaderValue::from_static("text/event-stream"),
        );
        for frame in [
            Frame::Head {
                status: StatusCode::ACCEPTED,
                headers,
            },
            Frame::Body {
                seq: 3,
                chunk: Bytes::from_static(b"data: {}\n\n"),
            },
            Frame::End { chunks: 4 },
            Frame::Abort,
            Frame::Accepted,
        ] {
            let e = Envelope {
                requester: "b2".into(),
                tunnel: 9,
                frame,
            };
            assert_eq!(Envelope::decode(e.encode().unwrap()), Ok(e));
        }
    }

    #[test]
    fn every_cut_of_a_frame_is_an_error() {
        let bytes = request().encode().unwrap();
        for n in 0..bytes.len() {
            assert_eq!(
                Envelope::decode(bytes.slice(..n)),
                Err(FrameError::Truncated),
                "{n}"
            );
        }
        let mut longer = BytesMut::from(&bytes[..]);
        longer.put_u8(0);
        assert_eq!(
            Envelope::decode(longer.freeze()),
            Err(FrameError::Trailing(1))
        );
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        assert_eq!(
            Envelope::decode(Bytes::from_static(&[9, 1])),
            Err(FrameError::Version(9))
        );
        let kind = [1, 77, 0, 0, 0, 0, 0, 0, 0, 1, 1, b'a'];
        assert_eq!(
            Envelope::decode(Bytes::copy_from_slice(&kind)),
            Err(FrameError::Kind(77))
        );
        // A body claiming 4 GiB.
        let mut huge = BytesMut::new();
        huge.put_slice(&[1, BODY, 0, 0, 0, 0, 0, 0, 0, 1, 1, b'a', 0, 0, 0, 0]);
        huge.put_u32(u32::MAX);
        assert!(matches!(
            Envelope::decode(huge.freeze()),
            Err(FrameError::TooLong { what: "chunk", .. })
        ));
        let bad_name = [1, END, 0, 0, 0, 0, 0, 0, 0, 1, 1, b' ', 0, 0, 0, 0];
        assert_eq!(
            Envelope::decode(Bytes::copy_from_slice(&bad_name)),
            Err(FrameError::Invalid("instance"))
        );
        // Every byte string of a pseudo-random walk decodes or errs.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 48) as usize;
            let mut b: Vec<u8> = (0..len)
                .map(|i| (seed >> (i % 8 * 8)) as u8 ^ i as u8)
                .collect();
            if let Some(first) = b.first_mut() {
                *first = VERSION;
            }
            let _ = Envelope::decode(Bytes::from(b));
        }
    }

    #[test]
    fn fields_over_their_bounds_are_not_encoded() {
        let e = Envelope {
            requester: "x".repeat(MAX_INSTANCE + 1),
            tunnel: 1,
            frame: Frame::Abort,
        };
        assert!(matches!(
            e.encode(),
            Err(FrameError::TooLong {
                what: "instance",
                ..
            })
        ));
    }
}
