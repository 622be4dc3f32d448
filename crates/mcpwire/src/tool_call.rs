//! The typed client call that `#[tool]` generates beside each tool: how a
//! tool's result is read back as the value its return type sent.
//!
//! `#[tool] fn add(a: f64, b: f64) -> f64` gives, next to `add_tool()`,
//! `add::call(&client, a, b)`, which calls the tool named `add` on any
//! server and answers with an `f64`. The reading is the inverse of the
//! server's writing ([`IntoToolResult`](crate::server::IntoToolResult)),
//! and [`ToolOutput`] binds the two: it lives here, in the facade, because
//! it names the server's return types and the client's errors, and those
//! two crates never see each other.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use mcpwire::client::Client;
//! use mcpwire::server::Server;
//! use mcpwire::transport::memory;
//!
//! /// Adds two numbers.
//! #[mcpwire::tool]
//! async fn add(a: f64, b: f64) -> f64 {
//!     a + b
//! }
//!
//! let server = Server::builder("calc", "1.0.0").tool(add_tool()).build()?;
//! let (ours, theirs) = memory::duplex();
//! tokio::spawn(async move { server.serve(ours).await });
//! let client = Client::builder("caller", "1.0.0").connect(theirs).await?;
//! // The same definition gives the caller a typed call.
//! assert_eq!(add::call(&client, 2.0, 3.5).await?, 5.5);
//! # Ok(()) }
//! ```

use std::str::FromStr;

use mcpwire_client::{CallToolResultExt, Client, StructuredError};
use mcpwire_server::Json;
use mcpwire_types::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What a caller reads from a tool that returns `Self`.
///
/// Implemented for every return type a tool may have: `String` and
/// `&'static str` read the text itself; numbers and `bool` parse the text
/// as the server wrote it (`Display`, read back with `FromStr`); `Json<T>`
/// reads `T` from `structuredContent` (or, from a server that sends none,
/// from the text parsed as JSON); `Result<T, E>` reads as `T`;
/// `CallToolResult`, `Vec<ContentBlock>` and `ContentBlock` give the
/// result, its content or its one block; `()` reads nothing. A result the
/// tool marked as an error never reaches [`ToolOutput::read`]: the call
/// answers [`StructuredError::Tool`] with its text.
///
/// Implement it for a return type of your own (one that implements
/// `IntoToolResult`) to give its tools a typed call.
///
/// ```
/// use mcpwire::ToolOutput;
/// use mcpwire::client::StructuredError;
/// use mcpwire::types::CallToolResult;
///
/// let r = CallToolResult::text("5.5");
/// assert_eq!(<f64 as ToolOutput>::read(r.clone())?, 5.5);
/// assert_eq!(<String as ToolOutput>::read(r)?, "5.5");
/// # Ok::<(), StructuredError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "the typed call cannot read what a tool returning `{Self}` sends",
    note = "`#[tool]`'s `call` reads String, &str, numbers, bool, (), ContentBlock, Vec<ContentBlock>, Json<T> (T: Deserialize), CallToolResult, and Result of these; implement `mcpwire::ToolOutput` for a return type of your own"
)]
pub trait ToolOutput {
    /// The value the caller gets.
    type Output;

    /// Reads the value from a result that is no error.
    ///
    /// # Errors
    ///
    /// [`StructuredError::Missing`] when the result holds nothing to read,
    /// [`StructuredError::Malformed`] when it holds something else.
    fn read(result: CallToolResult) -> Result<Self::Output, StructuredError>;
}

/// The text blocks of `r`, joined; `None` when it has none.
fn text(r: &CallToolResult) -> Option<String> {
    let mut out: Option<String> = None;
    for block in &r.content {
        if let ContentBlock::Text(t) = block {
            out.get_or_insert_with(String::new).push_str(&t.text);
        }
    }
    out
}

impl ToolOutput for String {
    type Output = String;

    fn read(r: CallToolResult) -> Result<String, StructuredError> {
        text(&r).ok_or(StructuredError::Missing)
    }
}

impl ToolOutput for &'static str {
    type Output = String;

    fn read(r: CallToolResult) -> Result<String, StructuredError> {
        String::read(r)
    }
}

/// Parses the text as the server's `Display` wrote it.
fn parse_text<T: FromStr>(r: &CallToolResult) -> Result<T, StructuredError>
where
    T::Err: std::fmt::Display,
{
    let text = text(r).ok_or(StructuredError::Missing)?;
    text.trim()
        .parse()
        .map_err(|e: T::Err| StructuredError::Malformed {
            ty: std::any::type_name::<T>(),
            source: serde::de::Error::custom(format!("{e}: {text:?}")),
        })
}

macro_rules! parsed_outputs {
    ($($t:ty),*) => {$(
        impl ToolOutput for $t {
            type Output = $t;

            fn read(r: CallToolResult) -> Result<$t, StructuredError> {
                parse_text(&r)
            }
        }
    )*};
}
parsed_outputs!(
    bool, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);

impl ToolOutput for () {
    type Output = ();

    fn read(_: CallToolResult) -> Result<(), StructuredError> {
        Ok(())
    }
}

impl ToolOutput for CallToolResult {
    type Output = CallToolResult;

    fn read(r: CallToolResult) -> Result<CallToolResult, StructuredError> {
        Ok(r)
    }
}

impl ToolOutput for Vec<ContentBlock> {
    type Output = Vec<ContentBlock>;

    fn read(r: CallToolResult) -> Result<Vec<ContentBlock>, StructuredError> {
        Ok(r.content)
    }
}

impl ToolOutput for ContentBlock {
    type Output = ContentBlock;

    fn read(r: CallToolResult) -> Result<ContentBlock, StructuredError> {
        r.content.into_iter().next().ok_or(StructuredError::Missing)
    }
}

impl<T: DeserializeOwned> ToolOutput for Json<T> {
    type Output = T;

    fn read(r: CallToolResult) -> Result<T, StructuredError> {
        r.structured()
    }
}

impl<T: ToolOutput, E> ToolOutput for Result<T, E> {
    type Output = T::Output;

    fn read(r: CallToolResult) -> Result<T::Output, StructuredError> {
        T::read(r)
    }
}

/// A parameter the typed call sends as an argument: any type that
/// serializes. Only the diagnostic is its own: the call asks it of every
/// parameter it took for an argument by its look, so that a wrong guess
/// (an extractor of your own) says how to mark it.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is no argument the typed call can send (it does not implement `Serialize`)",
    label = "sent as an argument by the typed call",
    note = "if this parameter is an extractor of your own (`FromContext`), mark it `#[extractor]` and the call leaves it out; if it is an argument, derive `serde::Serialize` for it"
)]
pub trait CallArgument {}

impl<T: Serialize + ?Sized> CallArgument for T {}

/// Calls the tool `name` with `arguments` and reads its result as `O`
/// does; what the generated `call` runs.
#[doc(hidden)]
pub async fn call<O: ToolOutput>(
    client: &Client,
    name: &str,
    arguments: impl Serialize,
) -> Result<O::Output, StructuredError> {
    let r = client.call_tool(name, arguments).await?;
    if r.is_error == Some(true) {
        return Err(StructuredError::Tool(text(&r).unwrap_or_default()));
    }
    O::read(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn texts(t: &[&str]) -> CallToolResult {
        CallToolResult::new(t.iter().map(|s| ContentBlock::text(*s)).collect())
    }

    #[test]
    fn text_outputs_read_back_what_the_server_wrote() {
        assert_eq!(String::read(texts(&["42"])).unwrap(), "42");
        assert_eq!(
            String::read(texts(&["{\"a\"", ": 1}"])).unwrap(),
            "{\"a\": 1}"
        );
        assert_eq!(f64::read(texts(&["5.5"])).unwrap(), 5.5);
        assert!(f64::read(texts(&["NaN"])).unwrap().is_nan());
        assert_eq!(u8::read(texts(&["200"])).unwrap(), 200);
        assert!(bool::read(texts(&["true"])).unwrap());
        assert!(matches!(
            u8::read(texts(&["300"])),
            Err(StructuredError::Malformed { ty: "u8", .. })
        ));
        assert!(matches!(
            i32::read(CallToolResult::new(vec![])),
            Err(StructuredError::Missing)
        ));
    }

    #[test]
    fn structured_outputs_prefer_structured_content() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Sum {
            total: i64,
        }
        let mut r = texts(&["{\"total\": 1}"]);
        assert_eq!(<Json<Sum>>::read(r.clone()).unwrap(), Sum { total: 1 });
        r.structured_content = Some(json!({"total": 2}));
        assert_eq!(
            <Result<Json<Sum>, String>>::read(r.clone()).unwrap(),
            Sum { total: 2 }
        );
        assert_eq!(<Vec<ContentBlock>>::read(r.clone()).unwrap().len(), 1);
        assert_eq!(CallToolResult::read(r.clone()).unwrap(), r);
    }
}
