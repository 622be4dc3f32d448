//! The `echo` calls the drivers make: the text each call sends, a borrowed
//! parse of just the fields of the answer that the check needs, the check
//! itself, and how a bad answer is quoted in an error.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;

/// The longest quote of a peer's bytes in an error message, in bytes.
pub const QUOTE_LIMIT: usize = 300;

/// A JSON-RPC message from the server, borrowing from the bytes it was parsed from: just the
/// fields needed to check an `echo` answer.
#[derive(Deserialize)]
pub struct Reply<'a> {
    /// Numeric id of a response.
    pub id: Option<u64>,
    /// Present on server-initiated requests and notifications.
    pub method: Option<IgnoredAny>,
    /// A `tools/call` result.
    #[serde(borrow)]
    pub result: Option<CallResult<'a>>,
    /// Present on error responses.
    pub error: Option<IgnoredAny>,
}

/// The `result` of a `tools/call` response.
#[derive(Deserialize)]
pub struct CallResult<'a> {
    /// Content blocks.
    #[serde(borrow)]
    pub content: Vec<Content<'a>>,
    /// `true` when the tool failed.
    #[serde(rename = "isError")]
    pub is_error: Option<bool>,
}

/// One content block of a tool result.
#[derive(Deserialize)]
pub struct Content<'a> {
    /// `"text"` for text blocks.
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    /// The text of a text block.
    #[serde(borrow)]
    pub text: Option<Cow<'a, str>>,
}

/// What an `echo` answer turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Echo {
    /// A correct answer, to request `id`.
    Answer(u64),
    /// A message the server started (a notification or a request), with its numeric id if any.
    FromServer(Option<u64>),
}

/// Checks one message as the answer to an `echo` call: it must parse, carry a numeric id
/// (returned for the caller to match), no `error`, no `isError: true`, and a first content block
/// `{"type":"text","text":…}` whose text `expected(id)` gives. A message carrying a `method` is
/// the server's own and passes. `expected` refuses an id that was not asked for with the reason,
/// which is the error.
///
/// ```
/// use mcpwire_load::echo::{Echo, check_echo};
/// let msg = br#"{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"hi"}]}}"#;
/// assert_eq!(check_echo(msg, |_| Ok(&b"hi"[..])), Ok(Echo::Answer(3)));
/// assert!(check_echo(msg, |_| Ok(&b"ho"[..])).is_err());
/// assert!(check_echo(msg, |id| Err(format!("id {id} was not sent"))).is_err());
/// ```
pub fn check_echo<'t>(
    msg: &[u8],
    expected: impl FnOnce(u64) -> Result<&'t [u8], String>,
) -> Result<Echo, String> {
    let reply: Reply = serde_json::from_slice(msg)
        .map_err(|e| format!("unparsable response ({e}): {}", show(msg)))?;
    if reply.method.is_some() {
        return Ok(Echo::FromServer(reply.id));
    }
    let bad = |why: &str| Err(format!("{why}: {}", show(msg)));
    let Some(id) = reply.id else {
        return bad("response without a numeric id");
    };
    let text = match expected(id) {
        Ok(text) => text,
        Err(why) => return bad(&why),
    };
    if reply.error.is_some() {
        return bad("error response");
    }
    let Some(result) = reply.result else {
        return bad("response without result");
    };
    if result.is_error == Some(true) {
        return bad("tool result with isError");
    }
    match result.content.first() {
        Some(Content {
            kind,
            text: Some(t),
        }) if kind == "text" && t.as_bytes() == text => Ok(Echo::Answer(id)),
        _ => bad("result.content[0].text differs from the text sent"),
    }
}

/// Appends the `size`-byte text of call `id`: its digits (when they fit), then letters
/// rotating with the id, so that every call's text differs and needs no escaping.
///
/// ```
/// let mut t = Vec::new();
/// mcpwire_load::echo::echo_text(42, 5, &mut t);
/// assert_eq!(t, b"42stu");
/// ```
pub fn echo_text(id: u64, size: usize, out: &mut Vec<u8>) {
    let digits = id.to_string();
    let digits = if digits.len() <= size {
        digits.as_bytes()
    } else {
        &[]
    };
    out.extend_from_slice(digits);
    out.extend((digits.len()..size).map(|j| b'a' + ((id as usize + j) % 26) as u8));
}

/// `bytes` as text for an error message, cut after [`QUOTE_LIMIT`] bytes (on a character
/// boundary, marked with `…`).
///
/// ```
/// assert_eq!(mcpwire_load::echo::show(b"ok"), "ok");
/// assert!(mcpwire_load::echo::show(&[b'x'; 400]).ends_with('…'));
/// ```
pub fn show(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    if s.len() > QUOTE_LIMIT {
        format!("{}…", &s[..s.floor_char_boundary(QUOTE_LIMIT)])
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expect<'t>(want: u64, text: &'t [u8]) -> impl FnOnce(u64) -> Result<&'t [u8], String> {
        move |id| match id == want {
            true => Ok(text),
            false => Err("response to an id never sent".to_owned()),
        }
    }

    #[test]
    fn a_correct_answer_gives_its_id() {
        let msg = br#"{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"no"}]}}"#;
        assert_eq!(check_echo(msg, expect(3, b"no")), Ok(Echo::Answer(3)));
        // escapes are decoded before the comparison
        let msg =
            br#"{"id":4,"result":{"content":[{"type":"text","text":"\u0061b"}],"isError":false}}"#;
        assert_eq!(check_echo(msg, expect(4, b"ab")), Ok(Echo::Answer(4)));
    }

    #[test]
    fn every_wrong_answer_is_an_error_that_quotes_it() {
        let cases: [(&[u8], &str); 9] = [
            (b"{not json", "unparsable response"),
            (br#"{"id":"3","result":{}}"#, "unparsable response"),
            (br#"{"result":{"content":[]}}"#, "without a numeric id"),
            (br#"{"id":9,"result":{"content":[]}}"#, "never sent"),
            (br#"{"id":3,"error":{"code":-32601}}"#, "error response"),
            (br#"{"id":3}"#, "without result"),
            (
                br#"{"id":3,"result":{"content":[{"type":"text","text":"hi"}],"isError":true}}"#,
                "isError",
            ),
            (
                br#"{"id":3,"result":{"content":[{"type":"text","text":"no"}]}}"#,
                "differs",
            ),
            (
                br#"{"id":3,"result":{"content":[{"type":"image","data":"aGk="}]}}"#,
                "differs",
            ),
        ];
        for (msg, why) in cases {
            let e = check_echo(msg, expect(3, b"hi")).unwrap_err();
            assert!(e.contains(why), "{e}");
            assert!(e.contains(&show(msg)), "{e}");
        }
    }

    #[test]
    fn server_messages_pass_with_their_id() {
        let note = br#"{"jsonrpc":"2.0","method":"notifications/message","params":{}}"#;
        assert_eq!(
            check_echo(note, |_| Err(String::new())),
            Ok(Echo::FromServer(None))
        );
        let req = br#"{"jsonrpc":"2.0","id":5,"method":"sampling/createMessage"}"#;
        assert_eq!(
            check_echo(req, |_| Err(String::new())),
            Ok(Echo::FromServer(Some(5)))
        );
    }

    #[test]
    fn show_cuts_long_text_on_a_char_boundary() {
        let long = "é".repeat(200);
        let s = show(long.as_bytes());
        assert!(s.ends_with('…'));
        assert!(s.len() <= QUOTE_LIMIT + '…'.len_utf8());
        assert_eq!(show(b"\xff"), "\u{fffd}");
    }
}
