//! The multi round-trip flow, written once for every handler that may ask
//! the client for input (tools, resources, prompts): the answers a request
//! brings, the context the handler runs with, and what its run comes to.
//!
//! In a session, an ask is a request to the client, answered in place. In
//! a stateless request (2026-07-28) an ask the request brings no answer to
//! ends the run: the server answers `input_required`, listing every ask of
//! the run that is still open, and sealing the answers so far in a
//! `requestState`. A handler that swallows the error of such an ask (and
//! returns a result, or an error of its own) is caught all the same: a run
//! that ends with asks still open answers `input_required`.

use mcpwire_types::{Era, InputRequests, InputRequiredResult, InputResponses, Meta, PendingInput};
use serde_json::{Value, json};

use super::Context;
use super::params::to_value;
use super::session::Connection;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestContext;

/// Where a run's answers are sealed: the method, and the tool or prompt
/// name or resource URI it was made for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub(crate) method: &'static str,
    pub(crate) name: &'a str,
}

/// What the handler's run came to.
pub(crate) enum Ran<T> {
    /// Its own result, or a local fault (neither a JSON-RPC error nor a
    /// cancellation), which the caller turns into its answer.
    Done(Result<T, Error>),
    /// The `input_required` answer.
    InputRequired(Value),
}

impl Connection {
    /// The answers a request brings: in a stateless retry, those sealed in
    /// its `requestState` (checked against `target`) merged with its
    /// `inputResponses`, the latter winning on a shared key.
    pub(crate) fn answers(
        &self,
        era: Era,
        target: Target<'_>,
        state: Option<&str>,
        responses: Option<InputResponses>,
    ) -> Result<Option<InputResponses>, Error> {
        if era == Era::Session {
            return Ok(responses);
        }
        let mut answers = match state {
            Some(s) => self
                .server
                .inner
                .request_state
                .open(s, target.method, target.name)?,
            None => InputResponses::new(),
        };
        answers.extend(responses.unwrap_or_default());
        Ok(Some(answers))
    }

    /// The context of one handler run, with the answers it was given.
    pub(crate) fn context(
        &self,
        cx: RequestContext,
        era: Era,
        meta: Option<Meta>,
        inputs: Option<InputResponses>,
    ) -> Context {
        Context::new(
            self.server.clone(),
            self.state.clone(),
            cx.peer,
            cx.id,
            meta,
            cx.cancel,
            era,
            inputs,
            cx.extensions,
        )
    }

    /// What a handler's run `out` comes to: JSON-RPC errors and
    /// cancellation as they are, `input_required` when the run ended on an
    /// ask or with asks still open, and otherwise the run's own outcome.
    pub(crate) fn settle<T>(
        &self,
        cx: &Context,
        out: Result<T, Error>,
        target: Target<'_>,
        answers: Option<InputResponses>,
    ) -> Result<Ran<T>, Error> {
        let pending = match out {
            Err(Error::InputRequired(pending)) => Some(*pending),
            // An ask the handler swallowed, or mapped into an error of its
            // own (a JSON-RPC one too), still needs its answer.
            _ if cx.has_unanswered() => None,
            Err(e @ (Error::Rpc(_) | Error::Cancelled)) => return Err(e),
            other => return Ok(Ran::Done(other)),
        };
        self.input_required(cx, pending, target, answers)
            .map(Ran::InputRequired)
    }

    /// The `input_required` result for `pending` and every other ask of the
    /// run still unanswered; stateless ones carry a `requestState` sealing
    /// every answer received so far.
    fn input_required(
        &self,
        cx: &Context,
        pending: Option<PendingInput>,
        target: Target<'_>,
        answers: Option<InputResponses>,
    ) -> Result<Value, Error> {
        let mut requests = InputRequests::new();
        for ask in cx.take_unanswered() {
            requests.insert(ask.key, ask.request);
        }
        if let Some(p) = pending {
            requests.entry(p.key).or_insert(p.request);
        }
        let mut result = InputRequiredResult::new(requests);
        if cx.era() == Era::Stateless {
            let state = self.server.inner.request_state.seal(
                target.method,
                target.name,
                &answers.unwrap_or_default(),
            )?;
            result = result.with_request_state(state);
        }
        let mut v = to_value(&result)?;
        v["resultType"] = json!("input_required");
        Ok(v)
    }
}
