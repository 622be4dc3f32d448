//! The stateless era (2026-07-28): requests that describe themselves in
//! `_meta`, `server/discover`, and the fields every result carries.

use mcpwire_types::{
    CacheHint, CallToolResult, ClientCapabilities, DiscoverResult, ErrorObject, ProtocolVersion,
    Request, ResultType, meta,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::calls::Called;
use super::params::to_value;
use super::router::{Core, Target};
use super::session::Connection;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{Reply, RequestContext};
use mcpwire_rpc::fields;
use mcpwire_types::Era;

/// The revisions that use per-request `_meta` instead of a session.
const STATELESS_VERSIONS: [ProtocolVersion; 1] = [ProtocolVersion::V2026_07_28];

/// Which era a request belongs to: stateless when its `_meta` names a
/// protocol version. A stateless request must name a revision this server
/// speaks statelessly (`-32022` otherwise) and declare its capabilities
/// (`-32602` otherwise).
pub(crate) fn era_of(req: &Request) -> Result<Era, Error> {
    let meta = req.params.as_ref().and_then(|p| fields::get(p, "_meta"));
    let Some(version) = meta.and_then(|m| fields::get(m, meta::PROTOCOL_VERSION)) else {
        return Ok(Era::Session);
    };
    let requested = version.as_str().unwrap_or_default();
    let supported = requested
        .parse::<ProtocolVersion>()
        .is_ok_and(|v| STATELESS_VERSIONS.contains(&v));
    if !supported {
        return Err(Error::Rpc(ErrorObject::unsupported_protocol_version(
            requested,
            ProtocolVersion::ALL.iter().rev().map(|v| v.as_str()),
        )));
    }
    match meta.and_then(|m| fields::get(m, meta::CLIENT_CAPABILITIES)) {
        Some(caps) if caps.is_object() && ClientCapabilities::deserialize(caps).is_ok() => {
            Ok(Era::Stateless)
        }
        Some(_) => Err(Error::invalid_params(format!(
            "Invalid params: _meta[\"{}\"] is not a ClientCapabilities object",
            meta::CLIENT_CAPABILITIES
        ))),
        None => Err(Error::invalid_params(format!(
            "Invalid params: _meta[\"{}\"] is required on every request",
            meta::CLIENT_CAPABILITIES
        ))),
    }
}

impl Connection {
    /// Serves a stateless request and adds what every 2026-07-28 result
    /// carries.
    pub(crate) async fn stateless(&self, req: Request, cx: RequestContext) -> Result<Reply, Error> {
        // Methods the router has no stateless route for (the handshake,
        // `ping`, `logging/setLevel`, resource subscriptions) were removed
        // in 2026-07-28.
        let route = self.route(&req.method, Era::Stateless)?;
        let mut result = if route.target == Target::Core(Core::CallTool) {
            match self.call_tool_outcome(req, cx, Era::Stateless).await? {
                Called::Answer(v) => v,
                Called::Result(r) => return self.tool_reply(r),
            }
        } else {
            self.serve(Ok(route), req, cx, Era::Stateless).await?
        };
        self.decorate(&mut result, route.method, route.cacheable);
        Ok(Reply::from(result))
    }

    /// A tool's result with what a stateless result carries, serialized
    /// from its typed form: no `Value` is built for the most frequent
    /// answer.
    fn tool_reply(&self, mut r: CallToolResult) -> Result<Reply, Error> {
        r.result_type.get_or_insert(ResultType::Complete);
        let mut out = Vec::with_capacity(256);
        match &mut r.meta {
            Some(m) => {
                m.entry(meta::SERVER_INFO)
                    .or_insert_with(|| self.server.inner.info_json.clone());
                serde_json::to_writer(&mut out, &r)?;
            }
            None => {
                serde_json::to_writer(&mut out, &r)?;
                // `content` is always written, so a field comes before
                // the `_meta` put in place of the closing brace.
                debug_assert_eq!(out.last(), Some(&b'}'));
                out.pop();
                out.extend_from_slice(br#","_meta":"#);
                out.extend_from_slice(&self.server.inner.info_meta_json);
                out.push(b'}');
            }
        }
        Ok(Reply::json(out))
    }

    pub(crate) fn discover(&self) -> Result<Value, Error> {
        let versions = ProtocolVersion::ALL
            .iter()
            .rev()
            .map(|v| v.as_str().to_owned())
            .collect();
        let caps = self.server.capabilities(Era::Stateless);
        let mut r = DiscoverResult::new(versions, caps);
        r.instructions = self.server.inner.instructions.clone();
        to_value(&r)
    }

    fn decorate(&self, result: &mut Value, method: &str, cacheable: bool) {
        let Value::Object(obj) = result else { return };
        // Results rarely carry these fields: `entry` hashes each key once.
        obj.entry("resultType")
            .or_insert_with(|| Value::from("complete"));
        match obj.entry("_meta") {
            serde_json::map::Entry::Vacant(e) => {
                e.insert(self.server.inner.info_meta.clone());
            }
            serde_json::map::Entry::Occupied(mut e) => {
                if let Value::Object(m) = e.get_mut() {
                    m.entry(meta::SERVER_INFO)
                        .or_insert_with(|| self.server.inner.info_json.clone());
                }
            }
        }
        if cacheable && obj.get("resultType").and_then(Value::as_str) == Some("complete") {
            let hint: CacheHint = self.server.cache_hint_of(method);
            obj.entry("ttlMs").or_insert_with(|| json!(hint.ttl_ms));
            obj.entry("cacheScope").or_insert_with(|| json!(hint.scope));
        }
    }
}
