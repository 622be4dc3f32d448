//! Multi round-trip requests (2026-07-28): `resultType`, `input_required` results, input requests and responses.
//!
//! A server that needs the client's help (sampling, elicitation, roots) in the
//! middle of a request answers with an [`InputRequiredResult`]. The client
//! fulfils its [`InputRequests`] and retries the original request with the
//! [`InputResponses`] and the opaque `requestState`.
//!
//! ```
//! use mcpwire_types::{
//!     ElicitRequestFormParams, ElicitRequestParams, InputRequest, InputRequests,
//!     InputRequiredResult, MaybeInputRequired, CallToolResult,
//! };
//! use serde_json::json;
//! // The server asks for a confirmation...
//! let mut asks = InputRequests::new();
//! asks.insert("confirm".into(), InputRequest::Elicit(ElicitRequestParams::Form(
//!     ElicitRequestFormParams::new("Delete 3 files?", json!({"type": "object", "properties": {}})),
//! )));
//! let answer = InputRequiredResult::new(asks).with_request_state("opaque-1");
//! let wire = serde_json::to_value(&answer).unwrap();
//! assert_eq!(wire["resultType"], "input_required");
//! assert_eq!(wire["inputRequests"]["confirm"]["method"], "elicitation/create");
//! // ...and the client tells that answer apart from a final result.
//! let read: MaybeInputRequired<CallToolResult> = serde_json::from_value(wire).unwrap();
//! assert!(matches!(read, MaybeInputRequired::InputRequired(r) if r.request_state.as_deref() == Some("opaque-1")));
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::base::RequestParams;
use crate::elicitation::{ElicitRequestParams, ElicitResult};
use crate::meta::Meta;
use crate::methods;
use crate::roots::ListRootsResult;
use crate::sampling::{CreateMessageRequestParams, CreateMessageResult};

/// The `resultType` of a result (2026-07-28). Absent means `complete`.
/// Values this crate does not know are kept.
///
/// ```
/// use mcpwire_types::ResultType;
/// let t: ResultType = serde_json::from_str(r#""input_required""#).unwrap();
/// assert_eq!(t, ResultType::InputRequired);
/// let u: ResultType = serde_json::from_str(r#""later""#).unwrap();
/// assert_eq!(u, ResultType::Unknown("later".into()));
/// assert_eq!(serde_json::to_string(&u).unwrap(), r#""later""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResultType {
    /// `"complete"`: the result holds the final content.
    Complete,
    /// `"input_required"`: the result is an [`InputRequiredResult`].
    InputRequired,
    /// `"task"`: the result is a task handle of the tasks extension
    /// (`io.modelcontextprotocol/tasks`), a
    /// [`DetailedTask`](crate::tasks_extension::DetailedTask).
    Task,
    /// A value this crate does not know.
    Unknown(String),
}

impl ResultType {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            ResultType::Complete => "complete",
            ResultType::InputRequired => "input_required",
            ResultType::Task => "task",
            ResultType::Unknown(s) => s,
        }
    }
}

impl fmt::Display for ResultType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for ResultType {
    fn from(s: &str) -> Self {
        match s {
            "complete" => ResultType::Complete,
            "input_required" => ResultType::InputRequired,
            "task" => ResultType::Task,
            other => ResultType::Unknown(other.to_owned()),
        }
    }
}

impl Serialize for ResultType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResultType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<'de, str>::deserialize(d)?;
        Ok(ResultType::from(s.as_ref()))
    }
}

/// A request the server asks the client to fulfil, inside an
/// [`InputRequiredResult`]: `{"method": ..., "params": ...}` with no id.
#[derive(Debug, Clone, PartialEq)]
pub enum InputRequest {
    /// `sampling/createMessage`.
    CreateMessage(CreateMessageRequestParams),
    /// `elicitation/create`.
    Elicit(ElicitRequestParams),
    /// `roots/list`; its params are optional.
    ListRoots(Option<RequestParams>),
    /// A method this crate does not know, kept as is.
    Other {
        /// The method name.
        method: String,
        /// The params, if any.
        params: Option<Value>,
    },
}

impl InputRequest {
    /// The method name.
    pub fn method(&self) -> &str {
        match self {
            InputRequest::CreateMessage(_) => methods::SAMPLING_CREATE_MESSAGE,
            InputRequest::Elicit(_) => methods::ELICITATION_CREATE,
            InputRequest::ListRoots(_) => methods::ROOTS_LIST,
            InputRequest::Other { method, .. } => method,
        }
    }
}

impl Serialize for InputRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("method", self.method())?;
        match self {
            InputRequest::CreateMessage(p) => m.serialize_entry("params", p)?,
            InputRequest::Elicit(p) => m.serialize_entry("params", p)?,
            InputRequest::ListRoots(Some(p)) => m.serialize_entry("params", p)?,
            InputRequest::Other {
                params: Some(p), ..
            } => m.serialize_entry("params", p)?,
            InputRequest::ListRoots(None) | InputRequest::Other { params: None, .. } => {}
        }
        m.end()
    }
}

#[derive(Deserialize)]
struct RawInputRequest {
    method: String,
    params: Option<Value>,
}

fn from_params<T: DeserializeOwned, E: de::Error>(method: &str, v: Option<Value>) -> Result<T, E> {
    let v = v.ok_or_else(|| E::custom(format_args!("{method} requires params")))?;
    T::deserialize(v).map_err(|e| E::custom(format_args!("{method} params: {e}")))
}

impl<'de> Deserialize<'de> for InputRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = RawInputRequest::deserialize(d)?;
        Ok(match r.method.as_str() {
            methods::SAMPLING_CREATE_MESSAGE => {
                InputRequest::CreateMessage(from_params(&r.method, r.params)?)
            }
            methods::ELICITATION_CREATE => InputRequest::Elicit(from_params(&r.method, r.params)?),
            methods::ROOTS_LIST => match r.params {
                None => InputRequest::ListRoots(None),
                p => InputRequest::ListRoots(Some(from_params(&r.method, p)?)),
            },
            _ => InputRequest::Other {
                method: r.method,
                params: r.params,
            },
        })
    }
}

/// The input requests of an [`InputRequiredResult`], by a key the server chose.
pub type InputRequests = BTreeMap<String, InputRequest>;

/// The client's answer to one [`InputRequest`], told apart by its members.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum InputResponse {
    /// The answer to `elicitation/create` (it has `action`).
    Elicit(ElicitResult),
    /// The answer to `roots/list` (it has `roots`).
    ListRoots(ListRootsResult),
    /// The answer to `sampling/createMessage`.
    CreateMessage(CreateMessageResult),
}

impl<'de> Deserialize<'de> for InputResponse {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = Map::<String, Value>::deserialize(d)?;
        let v = if m.contains_key("action") {
            ElicitResult::deserialize(Value::Object(m)).map(InputResponse::Elicit)
        } else if m.contains_key("roots") {
            ListRootsResult::deserialize(Value::Object(m)).map(InputResponse::ListRoots)
        } else {
            CreateMessageResult::deserialize(Value::Object(m)).map(InputResponse::CreateMessage)
        };
        v.map_err(de::Error::custom)
    }
}

/// The client's answers, under the keys of the [`InputRequests`] they answer.
pub type InputResponses = BTreeMap<String, InputResponse>;

/// A result asking the client for more input before the request can finish (2026-07-28).
///
/// At least one of `input_requests` and `request_state` is present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputRequiredResult {
    /// Always [`ResultType::InputRequired`] when sent.
    pub result_type: ResultType,
    /// What the client must fulfil.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub input_requests: Option<InputRequests>,
    /// Opaque state to send back with the retry.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_state: Option<String>,
    /// Metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

impl InputRequiredResult {
    /// A result with these input requests and no state.
    pub fn new(input_requests: InputRequests) -> Self {
        InputRequiredResult {
            result_type: ResultType::InputRequired,
            input_requests: Some(input_requests),
            request_state: None,
            meta: None,
        }
    }

    /// Sets the opaque request state, which the client sends back unchanged
    /// with its retry.
    ///
    /// ```
    /// use mcpwire_types::{InputRequest, InputRequests, InputRequiredResult};
    /// let mut asks = InputRequests::new();
    /// asks.insert("roots".into(), InputRequest::ListRoots(None));
    /// let r = InputRequiredResult::new(asks).with_request_state("step-2");
    /// assert_eq!(
    ///     serde_json::to_string(&r).unwrap(),
    ///     r#"{"resultType":"input_required","inputRequests":{"roots":{"method":"roots/list"}},"requestState":"step-2"}"#
    /// );
    /// ```
    pub fn with_request_state(mut self, state: impl Into<String>) -> Self {
        self.request_state = Some(state.into());
        self
    }
}

/// The retry members every retryable request's params carry (2026-07-28);
/// for requests with no params of their own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputResponseRequestParams {
    /// Answers to the input requests of the earlier attempt.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub input_responses: Option<InputResponses>,
    /// The opaque state the earlier attempt returned.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_state: Option<String>,
    /// Request metadata.
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none", default)]
    pub meta: Option<Meta>,
}

/// The result of a request that may ask for input (`tools/call`,
/// `prompts/get`, `resources/read`): the final result or an
/// [`InputRequiredResult`], told apart by `resultType`.
///
/// Reading it first collects the object into a map to look at `resultType`;
/// a server that knows which one it has should read `T` directly.
///
/// ```
/// use mcpwire_types::{CallToolResult, MaybeInputRequired};
/// let r: MaybeInputRequired<CallToolResult> = serde_json::from_str(
///     r#"{"resultType":"input_required","requestState":"s"}"#).unwrap();
/// assert!(matches!(r, MaybeInputRequired::InputRequired(_)));
/// let r: MaybeInputRequired<CallToolResult> = serde_json::from_str(
///     r#"{"content":[{"type":"text","text":"done"}]}"#).unwrap();
/// assert!(matches!(r, MaybeInputRequired::Complete(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MaybeInputRequired<T> {
    /// The request needs more input.
    InputRequired(InputRequiredResult),
    /// The final result (`resultType` `complete` or absent).
    Complete(T),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for MaybeInputRequired<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = Map::<String, Value>::deserialize(d)?;
        let input_required = m
            .get("resultType")
            .and_then(Value::as_str)
            .is_some_and(|t| t == "input_required");
        if input_required {
            InputRequiredResult::deserialize(Value::Object(m))
                .map(MaybeInputRequired::InputRequired)
                .map_err(de::Error::custom)
        } else {
            T::deserialize(Value::Object(m))
                .map(MaybeInputRequired::Complete)
                .map_err(de::Error::custom)
        }
    }
}

/// Input a handler needs from the client before it can finish: under the
/// stateless revision (2026-07-28) the server answers the request with
/// `input_required` listing every such ask, and the client retries with
/// the answers.
#[derive(Debug, Clone)]
pub struct PendingInput {
    /// The key the answer will come back under.
    pub key: String,
    /// What is asked.
    pub request: InputRequest,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn result_type_keeps_unknown_values() {
        for (s, t) in [
            ("complete", ResultType::Complete),
            ("input_required", ResultType::InputRequired),
            ("task", ResultType::Task),
            ("deferred", ResultType::Unknown("deferred".into())),
            ("", ResultType::Unknown(String::new())),
        ] {
            let parsed: ResultType = serde_json::from_value(json!(s)).unwrap();
            assert_eq!(parsed, t);
            assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(s));
        }
        assert!(serde_json::from_value::<ResultType>(json!(1)).is_err());
    }

    #[test]
    fn input_requests_dispatch_on_method() {
        let v = json!({
            "a": {"method": "roots/list"},
            "b": {"method": "roots/list", "params": {"_meta": {"k": 1}}},
            "c": {"method": "x/unknown", "params": {"q": true}},
            "d": {"method": "elicitation/create", "params": {"mode": "url", "message": "m", "url": "https://x"}}
        });
        let r: InputRequests = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(r["a"], InputRequest::ListRoots(None));
        assert!(matches!(r["b"], InputRequest::ListRoots(Some(_))));
        assert_eq!(r["c"].method(), "x/unknown");
        assert!(matches!(
            r["d"],
            InputRequest::Elicit(ElicitRequestParams::Url(_))
        ));
        assert_eq!(serde_json::to_value(&r).unwrap(), v);
        assert!(
            serde_json::from_value::<InputRequest>(json!({"method": "sampling/createMessage"}))
                .is_err()
        );
    }

    #[test]
    fn input_responses_dispatch_on_members() {
        let v = json!({
            "e": {"action": "decline"},
            "r": {"roots": [{"uri": "file:///x"}]},
            "s": {"role": "assistant", "content": {"type": "text", "text": "t"}, "model": "m"}
        });
        let r: InputResponses = serde_json::from_value(v.clone()).unwrap();
        assert!(matches!(r["e"], InputResponse::Elicit(_)));
        assert!(matches!(r["r"], InputResponse::ListRoots(_)));
        assert!(matches!(r["s"], InputResponse::CreateMessage(_)));
        assert_eq!(serde_json::to_value(&r).unwrap(), v);
    }
}
