//! The methods served by a handler of the server's own: `tools/call`,
//! `resources/read` and `prompts/get`, each around the one multi
//! round-trip flow of [`input`](super::input).

use std::collections::HashMap;

use mcpwire_types::request::{Request as _, requests};
use mcpwire_types::{
    CallToolResult, Era, GetPromptRequestParams, ReadResourceRequestParams, Request,
};
use serde_json::{Value, json};

use super::input::{Ran, Target};
use super::params::{call_params, meta_params, to_value};
use super::session::Connection;
use super::tasks::Routed;
use super::tool_error::{peer_fault, tool_fault};
use super::{read, uri_limit};
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestContext;

/// What a `tools/call` came to.
pub(crate) enum Called {
    /// An answer to send as it is: a task handle, or a request for input.
    Answer(Value),
    /// The tool's own result.
    Result(CallToolResult),
}

impl Connection {
    /// Serves a `tools/call` up to the tool's own result, which the
    /// caller serializes as its era needs (a session as a `Value`, a
    /// stateless request straight into its reply).
    pub(crate) async fn call_tool_outcome(
        &self,
        req: Request,
        cx: RequestContext,
        era: Era,
    ) -> Result<Called, Error> {
        let p = call_params(req.params)?;
        let Some(route) = read(&self.server.inner.registry)
            .tools
            .get(&p.name)
            .cloned()
        else {
            return Err(Error::invalid_params(format!("Unknown tool: {}", p.name)));
        };
        let p = match self.task_start(&route, &p, era)? {
            None => p,
            Some(start) => match self.run_as_task(start, route.clone(), p, &cx, era).await? {
                Routed::Done(v) => return Ok(Called::Answer(v)),
                Routed::Plain(p) => *p,
            },
        };
        let target = |name| Target {
            method: requests::CallTool::METHOD,
            name,
        };
        let state = p.request_state.as_deref();
        let answers = self.answers(era, target(&p.name), state, p.input_responses)?;
        let cx = self.context(cx, era, p.meta, answers.clone());
        let call = route
            .handler
            .call(cx.clone(), p.arguments.unwrap_or_default());
        // What the future keeps across the handler's run is what every
        // call pays for: not the route.
        drop(route);
        let out = call.await;
        match self.settle(&cx, out, target(&p.name), answers)? {
            Ran::InputRequired(v) => Ok(Called::Answer(v)),
            Ran::Done(Ok(r)) => Ok(Called::Result(r)),
            // The model sees that the tool failed, not the fault's details.
            Ran::Done(Err(e)) => tool_fault(&p.name, e).map(Called::Result),
        }
    }

    pub(crate) async fn read_resource(
        &self,
        req: Request,
        cx: RequestContext,
        era: Era,
    ) -> Result<Value, Error> {
        let p: ReadResourceRequestParams = meta_params(req.params)?;
        let inner = &self.server.inner;
        uri_limit::check(&p.uri, inner.max_uri_length)?;
        let found = {
            let registry = read(&inner.registry);
            match registry.resources.get(&p.uri) {
                Some(r) => Some((r.handler.clone(), r.cache, HashMap::new())),
                None => registry.templates.iter().find_map(|t| {
                    t.template
                        .match_uri(&p.uri)
                        .map(|vars| (t.handler.clone(), t.cache, vars))
                }),
            }
        };
        let Some((handler, cache, vars)) = found else {
            return Err(uri_limit::resource_not_found(&p.uri));
        };
        let target = Target {
            method: requests::ReadResource::METHOD,
            name: &p.uri,
        };
        let answers = self.answers(era, target, p.request_state.as_deref(), p.input_responses)?;
        let cx = self.context(cx, era, p.meta, answers.clone());
        let out = handler.read(cx.clone(), p.uri.clone(), vars).await;
        let fault = |e| peer_fault(requests::ReadResource::METHOD, &p.uri, e);
        match self.settle(&cx, out, target, answers).map_err(fault)? {
            Ran::InputRequired(v) => Ok(v),
            Ran::Done(r) => {
                let mut v = to_value(&r.map_err(fault)?)?;
                if let (Era::Stateless, Some(hint), Value::Object(obj)) = (era, cache, &mut v) {
                    obj.entry("ttlMs").or_insert_with(|| json!(hint.ttl_ms));
                    obj.entry("cacheScope").or_insert_with(|| json!(hint.scope));
                }
                Ok(v)
            }
        }
    }

    pub(crate) async fn get_prompt(
        &self,
        req: Request,
        cx: RequestContext,
        era: Era,
    ) -> Result<Value, Error> {
        let p: GetPromptRequestParams = meta_params(req.params)?;
        let Some(route) = read(&self.server.inner.registry)
            .prompts
            .get(&p.name)
            .cloned()
        else {
            return Err(Error::invalid_params(format!("Unknown prompt: {}", p.name)));
        };
        let args: HashMap<String, String> = p.arguments.unwrap_or_default().into_iter().collect();
        for a in route.def.arguments.iter().flatten() {
            if a.required == Some(true) && !args.contains_key(&a.name) {
                return Err(Error::invalid_params(format!(
                    "Missing required argument {:?} for prompt {:?}",
                    a.name, p.name
                )));
            }
        }
        let target = Target {
            method: requests::GetPrompt::METHOD,
            name: &p.name,
        };
        let answers = self.answers(era, target, p.request_state.as_deref(), p.input_responses)?;
        let cx = self.context(cx, era, p.meta, answers.clone());
        let out = route.handler.get(cx.clone(), args).await;
        let fault = |e| peer_fault(requests::GetPrompt::METHOD, &p.name, e);
        match self.settle(&cx, out, target, answers).map_err(fault)? {
            Ran::InputRequired(v) => Ok(v),
            Ran::Done(r) => to_value(&r.map_err(fault)?),
        }
    }
}
