//! Reading a request body within the size limit and the read deadline, and
//! parsing it once: a layer in front that already parsed the body (the
//! bearer-auth layer, to decide on scopes) hands its reading on, so the
//! check and the engine act on the same message.

use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{HeaderMap, Response, StatusCode};
use http_body::Body as HttpBody;
use http_body_util::{BodyExt, Limited};
use mcpwire_types::{ErrorCode, Incoming};

use super::body::{self, Body};

/// Why a request body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// Larger than the limit, by its `Content-Length` or as it arrived.
    TooLarge(usize),
    /// Not all there within the read deadline.
    TooSlow(Duration),
    /// The connection failed or the body was malformed.
    Unreadable,
}

impl BodyError {
    /// The HTTP answer, with a JSON-RPC error body.
    pub fn response(self) -> Response<Body> {
        match self {
            BodyError::TooLarge(limit) => body::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::INVALID_REQUEST,
                &format!("Payload Too Large: the limit is {limit} bytes"),
                None,
            ),
            BodyError::TooSlow(d) => body::error(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::PARSE_ERROR,
                &format!(
                    "Request Timeout: the body did not arrive within {} s",
                    d.as_secs_f64()
                ),
                None,
            ),
            BodyError::Unreadable => body::error(
                StatusCode::BAD_REQUEST,
                ErrorCode::PARSE_ERROR,
                "Bad Request: could not read the body",
                None,
            ),
        }
    }
}

/// Reads `body` whole: refused at once when its declared `Content-Length`
/// is over `limit`, and when it grows past `limit` or takes longer than
/// `deadline` to arrive.
pub async fn read<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
    deadline: Duration,
) -> Result<Bytes, BodyError>
where
    B: HttpBody,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge(limit));
    }
    match tokio::time::timeout(deadline, Limited::new(body, limit).collect()).await {
        Err(_) => Err(BodyError::TooSlow(deadline)),
        Ok(Ok(c)) => Ok(c.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(BodyError::TooLarge(limit)),
        Ok(Err(_)) => Err(BodyError::Unreadable),
    }
}

/// A body and its one parse, handed on in the request's extensions by a
/// layer that had to read the body itself.
#[derive(Debug, Clone)]
pub struct ParsedBody {
    bytes: Bytes,
    incoming: Incoming,
}

impl ParsedBody {
    /// Parses `bytes`.
    pub fn parse(bytes: Bytes) -> Self {
        let incoming = Incoming::parse(&bytes);
        ParsedBody { bytes, incoming }
    }

    /// The message as parsed.
    pub fn incoming(&self) -> &Incoming {
        &self.incoming
    }

    /// The body, to pass on.
    pub fn bytes(&self) -> Bytes {
        self.bytes.clone()
    }
}

/// The parse of `bytes`: the one a layer in front made, when it was made
/// of these very bytes, or a new one.
pub(crate) fn parse(bytes: &Bytes, handed: Option<ParsedBody>) -> Incoming {
    match handed {
        Some(p) if p.bytes == *bytes => p.incoming,
        _ => Incoming::parse(bytes),
    }
}
