//! Sending requests under either era: the `_meta` of stateless requests
//! (2026-07-28), and multi round-trip requests, which answer the server's
//! input requests and retry.

use mcpwire_types::{
    ErrorCode, ErrorObject, InputRequiredResult, Meta, ProtocolVersion,
    UnsupportedProtocolVersionData, methods, request,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::Client;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;
use mcpwire_types::Era;

/// The requests a server may answer with `input_required`.
const MULTI_ROUND_TRIP: &[&str] = &[
    methods::TOOLS_CALL,
    methods::PROMPTS_GET,
    methods::RESOURCES_READ,
];

const INPUT_RESPONSES: &str = "inputResponses";
const REQUEST_STATE: &str = "requestState";

/// Whether `e` is an unsupported protocol version error (`-32022`) whose
/// `supported` list names `version`.
pub(super) fn offers(e: &ErrorObject, version: ProtocolVersion) -> bool {
    e.code == ErrorCode::UNSUPPORTED_PROTOCOL_VERSION
        && matches!(
            e.data_as::<UnsupportedProtocolVersionData>(),
            Some(Ok(d)) if d.supported.iter().any(|s| s == version.as_str())
        )
}

/// Whether a result asks for input.
fn is_input_required(result: &Value) -> bool {
    result.get("resultType").and_then(Value::as_str) == Some("input_required")
}

/// `params` with the entries of `meta` added to its `_meta`; entries the
/// caller set already (a progress token, or an override of ours) stay.
fn with_meta(params: Option<Value>, meta: &Meta) -> Result<Map<String, Value>, Error> {
    let mut obj = match params {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(Error::invalid_params(format!(
                "request params must be a JSON object, not {other}"
            )));
        }
    };
    let slot = obj
        .entry("_meta")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(m) = slot else {
        return Err(Error::invalid_params(format!(
            "request _meta must be a JSON object, not {slot}"
        )));
    };
    for (k, v) in meta {
        m.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Ok(obj)
}

impl Client {
    /// Sends a raw request in the connection's era and returns its raw
    /// result; what it targets is read from `params` by the rule of
    /// [`request::target`].
    pub(super) async fn send(
        &self,
        method: &str,
        params: Option<Value>,
        mut opts: RequestOptions,
    ) -> Result<Value, Error> {
        if let Some(target) = params.as_ref().and_then(|p| request::target(method, p)) {
            opts = opts.target(target);
        }
        self.send_targeted(method, params, opts).await
    }

    /// Sends a request whose target, if it has one, `opts` names already.
    pub(super) async fn send_targeted(
        &self,
        method: &str,
        params: Option<Value>,
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        match self.era {
            Era::Session => self.peer.request_with(method, params, opts).await,
            Era::Stateless if MULTI_ROUND_TRIP.contains(&method) => {
                let v = self.multi_round_trip(method, params, opts).await?;
                // Boxed: waiting out a task polls through `send` again.
                Box::pin(self.settle_task(method, v)).await
            }
            Era::Stateless => {
                let v = self
                    .attempt(method, with_meta(params, &self.meta)?, opts)
                    .await?;
                if is_input_required(&v) {
                    return Err(Error::Protocol(format!(
                        "the server answered {method} with input_required, which only \
                         tools/call, prompts/get and resources/read may do"
                    )));
                }
                Ok(v)
            }
        }
    }

    /// One stateless request, sent under the client's revision (which its
    /// `_meta` names too). A server that rejects it as an unsupported
    /// protocol version (`-32022`) while listing the client's revision as
    /// supported gets it once more, as the spec's negotiation asks (select
    /// a mutually supported version and retry); any other `-32022` is
    /// returned, since this client speaks no other stateless revision.
    async fn attempt(
        &self,
        method: &str,
        params: Map<String, Value>,
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        let opts = opts.revision(self.version);
        let first = self
            .peer
            .request_with(method, Some(Value::Object(params.clone())), opts.clone())
            .await;
        let v = match first {
            Err(Error::Rpc(e)) if offers(&e, self.version) => {
                tracing::info!(
                    %method,
                    version = %self.version,
                    "the server rejected the protocol version it lists as supported; retrying once"
                );
                self.peer
                    .request_with(method, Some(Value::Object(params)), opts)
                    .await?
            }
            other => other?,
        };
        self.server.learn_info(&v);
        Ok(v)
    }

    /// Sends `method` until its result is complete: each `input_required`
    /// answer is fulfilled with the client's handlers, and the request is
    /// sent again (with a new id) carrying the answers in `inputResponses`
    /// and the server's `requestState` unchanged.
    ///
    /// Answers from earlier rounds travel again with later ones: a server
    /// ignores answers it does not need, and one that rebuilds its progress
    /// by running the handler again from the start (as mcpwire's does)
    /// needs every earlier answer.
    pub(super) async fn multi_round_trip(
        &self,
        method: &str,
        params: Option<Value>,
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        let mut params = with_meta(params, &self.meta)?;
        let mut answers = match params.remove(INPUT_RESPONSES) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let mut state = params.remove(REQUEST_STATE);
        let mut rounds = 0;
        loop {
            let mut attempt = params.clone();
            if !answers.is_empty() {
                attempt.insert(INPUT_RESPONSES.into(), Value::Object(answers.clone()));
            }
            if let Some(s) = &state {
                attempt.insert(REQUEST_STATE.into(), s.clone());
            }
            let v = self.attempt(method, attempt, opts.clone()).await?;
            if !is_input_required(&v) {
                return Ok(v);
            }
            if rounds == self.max_input_rounds {
                return Err(Error::Protocol(format!(
                    "{method} still asked for input after {rounds} round(s); giving up \
                     (ClientBuilder::max_input_rounds allows more)"
                )));
            }
            rounds += 1;
            let asked = InputRequiredResult::deserialize(&v).map_err(|e| {
                Error::Protocol(format!("malformed input_required result of {method}: {e}"))
            })?;
            if asked.input_requests.is_none() && asked.request_state.is_none() {
                return Err(Error::Protocol(format!(
                    "the server answered {method} with input_required holding neither \
                     inputRequests nor requestState"
                )));
            }
            // Echoed exactly, and only when this round's answer had one.
            state = asked.request_state.map(Value::String);
            for (key, request) in asked.input_requests.unwrap_or_default() {
                let answer = self.handlers.fulfil(&key, request).await?;
                answers.insert(key, serde_json::to_value(answer)?);
            }
        }
    }

    /// The error for a method that 2026-07-28 removed, in the stateless era.
    pub(super) fn require_session(&self, method: &str, instead: &str) -> Result<(), Error> {
        match self.era {
            Era::Session => Ok(()),
            Era::Stateless => Err(Error::Protocol(format!(
                "{method} does not exist in protocol {}: {instead}",
                self.version
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn meta_is_merged_and_the_callers_entries_win() {
        let mut meta = Meta::new();
        meta.insert("a".into(), json!(1));
        meta.insert("b".into(), json!(2));
        let p = with_meta(
            Some(json!({"x": 1, "_meta": {"progressToken": 7, "b": 3}})),
            &meta,
        )
        .unwrap();
        assert_eq!(
            Value::Object(p),
            json!({"x": 1, "_meta": {"progressToken": 7, "a": 1, "b": 3}})
        );
        let p = with_meta(None, &meta).unwrap();
        assert_eq!(Value::Object(p), json!({"_meta": {"a": 1, "b": 2}}));
        assert!(with_meta(Some(json!([1])), &meta).is_err());
        assert!(with_meta(Some(json!({"_meta": 1})), &meta).is_err());
    }

    #[test]
    fn input_required_is_told_by_result_type() {
        assert!(is_input_required(&json!({"resultType": "input_required"})));
        assert!(!is_input_required(&json!({"resultType": "complete"})));
        assert!(!is_input_required(&json!({"content": []})));
    }
}
