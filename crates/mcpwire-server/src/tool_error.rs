//! The error a tool returns for the model to read, and how a local fault
//! is answered instead: logged here, shown to the peer only as
//! `Internal error`.

use mcpwire_rpc::Error;
use mcpwire_types::{CallToolResult, ContentBlock, ErrorCode, ErrorObject};

/// A tool's failure whose text is meant for the model: a tool returning
/// `Err(ToolError)` answers an `isError` result carrying that text, so the
/// model can see what went wrong and try again.
///
/// A `ToolError` can also carry an [`Error`] (through `?` or
/// [`From<Error>`]), which is answered as that error would be: a JSON-RPC
/// error as it is, a local fault as `Internal error` only, its details
/// logged here. Only text given to [`ToolError::new`],
/// [`ToolError::with_content`], or converted from a `String` or `&str`
/// reaches the model. (A `String` converted into an [`Error`] is a local
/// fault; converted into a `ToolError` it is text for the model.)
///
/// ```
/// use mcpwire_server::{IntoToolResult, ToolError};
/// fn divide(a: f64, b: f64) -> Result<f64, ToolError> {
///     if b == 0.0 {
///         return Err("cannot divide by zero; pass a non-zero b".into());
///     }
///     Ok(a / b)
/// }
/// let r = divide(1.0, 0.0).into_tool_result().unwrap();
/// assert_eq!(r.is_error, Some(true));
/// ```
#[derive(Debug)]
pub struct ToolError(Repr);

#[derive(Debug)]
enum Repr {
    /// Content for the model.
    Model(Vec<ContentBlock>),
    /// An error answered as an [`Error`] is.
    Error(Error),
}

impl ToolError {
    /// A failure the model reads as `message`.
    pub fn new(message: impl Into<String>) -> Self {
        ToolError(Repr::Model(vec![ContentBlock::text(message)]))
    }

    /// A failure the model reads as `content` (text, images, links...).
    pub fn with_content(content: Vec<ContentBlock>) -> Self {
        ToolError(Repr::Model(content))
    }

    /// The content the model reads, unless this carries an [`Error`].
    pub fn content(&self) -> Option<&[ContentBlock]> {
        match &self.0 {
            Repr::Model(c) => Some(c),
            Repr::Error(_) => None,
        }
    }

    /// The `isError` result, or the [`Error`] this carries.
    pub(crate) fn into_result(self) -> Result<CallToolResult, Error> {
        match self.0 {
            Repr::Model(content) => {
                let mut r = CallToolResult::new(content);
                r.is_error = Some(true);
                Ok(r)
            }
            Repr::Error(e) => Err(e),
        }
    }
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Repr::Model(content) => {
                let mut texts = content.iter().filter_map(|c| match c {
                    ContentBlock::Text(t) => Some(t.text.as_str()),
                    _ => None,
                });
                match texts.next() {
                    Some(first) => f.write_str(first),
                    None => f.write_str("tool error"),
                }
            }
            Repr::Error(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ToolError {}

impl From<String> for ToolError {
    fn from(message: String) -> Self {
        ToolError::new(message)
    }
}

impl From<&str> for ToolError {
    fn from(message: &str) -> Self {
        ToolError::new(message)
    }
}

impl From<Error> for ToolError {
    fn from(e: Error) -> Self {
        ToolError(Repr::Error(e))
    }
}

impl From<std::io::Error> for ToolError {
    fn from(e: std::io::Error) -> Self {
        Error::from(e).into()
    }
}

impl From<serde_json::Error> for ToolError {
    fn from(e: serde_json::Error) -> Self {
        Error::from(e).into()
    }
}

/// The text a local fault from a tool becomes: all the model is told.
pub(crate) const INTERNAL_ERROR_TEXT: &str = "Internal error";

/// Logs a local fault of a handler, with the method and the tool, prompt
/// or resource it served.
pub(crate) fn log_fault(method: &str, name: &str, e: &Error) {
    tracing::error!(%method, %name, error = %e, "handler failed");
}

/// What a tool's error `e` answers: a local fault is logged and becomes an
/// `isError` result saying only `Internal error` (a tool's failure is the
/// model's to see, its details are not); any other error stays as it is.
pub(crate) fn tool_fault(tool: &str, e: Error) -> Result<CallToolResult, Error> {
    if !e.is_local_fault() {
        return Err(e);
    }
    log_fault(mcpwire_types::methods::TOOLS_CALL, tool, &e);
    Ok(CallToolResult::error_text(INTERNAL_ERROR_TEXT))
}

/// What a prompt, resource or other handler's error `e` answers: a local
/// fault is logged and becomes `-32603 Internal error`; any other error
/// stays as it is.
pub(crate) fn peer_fault(method: &str, name: &str, e: Error) -> Error {
    if !e.is_local_fault() {
        return e;
    }
    log_fault(method, name, &e);
    Error::Rpc(ErrorObject::new(
        ErrorCode::INTERNAL_ERROR,
        INTERNAL_ERROR_TEXT,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_text_becomes_is_error_and_errors_stay_errors() {
        let r = ToolError::new("try a smaller number")
            .into_result()
            .unwrap();
        assert_eq!(r.is_error, Some(true));
        assert_eq!(r.content, vec![ContentBlock::text("try a smaller number")]);
        let e = ToolError::from(Error::invalid_params("bad")).into_result();
        assert_eq!(e.unwrap_err().code(), Some(ErrorCode::INVALID_PARAMS));
        assert_eq!(ToolError::from("shown").to_string(), "shown");
        assert!(
            ToolError::from(Error::internal("hidden"))
                .content()
                .is_none()
        );
    }

    #[test]
    fn local_faults_lose_their_details() {
        let r = tool_fault("t", Error::internal("the password is hunter2")).unwrap();
        assert_eq!(r.content, vec![ContentBlock::text("Internal error")]);
        assert_eq!(r.is_error, Some(true));
        let e = peer_fault("prompts/get", "p", Error::Protocol("secret".into()));
        let obj = e.to_error_object();
        assert_eq!(
            (obj.code, obj.message.as_str()),
            (ErrorCode::INTERNAL_ERROR, "Internal error")
        );
        let kept = peer_fault("prompts/get", "p", Error::invalid_params("shown"));
        assert_eq!(kept.to_error_object().message, "shown");
        assert!(tool_fault("t", Error::Cancelled).is_err());
    }

    /// Keeps the events logged while it is the default subscriber.
    #[derive(Default)]
    struct Capture(std::sync::Mutex<Vec<(tracing::Level, String)>>);

    impl tracing::Subscriber for Capture {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            struct Fields(String);
            impl tracing::field::Visit for Fields {
                fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                    self.0.push_str(&format!("{}={:?} ", f.name(), v));
                }
            }
            let mut fields = Fields(String::new());
            event.record(&mut fields);
            let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
            kept.push((*event.metadata().level(), fields.0));
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    #[test]
    fn a_local_fault_is_logged_at_error_level_with_its_method_name_and_details() {
        let capture = std::sync::Arc::new(Capture::default());
        tracing::subscriber::with_default(capture.clone(), || {
            let _ = tool_fault("backup", Error::internal("the disk is full"));
            let _ = peer_fault("prompts/get", "greet", Error::invalid_params("not logged"));
        });
        let kept = capture.0.lock().unwrap_or_else(|p| p.into_inner());
        assert_eq!(kept.len(), 1, "{kept:?}");
        let (level, fields) = &kept[0];
        assert_eq!(*level, tracing::Level::ERROR);
        for part in ["method=tools/call", "name=backup", "the disk is full"] {
            assert!(fields.contains(part), "{part} in {fields}");
        }
    }
}
