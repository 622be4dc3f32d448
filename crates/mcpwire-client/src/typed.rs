//! Typed requests: [`Client::request`] sends any method bound by a
//! [`Request`] marker, with its params and result types, in either era.

use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;
use mcpwire_types::request::Request;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Call, Client};

impl Client {
    /// The request `R` with `params`, sent when awaited: see [`Call`] for
    /// its options (timeout, progress, cancellation, `_meta`).
    ///
    /// The marker types of [`mcpwire_types::request::requests`] name every
    /// method; each binds the method's params and result types. The request
    /// travels the same path as the per-method calls ([`Client::call_tool`],
    /// [`Client::list_tools`], …): in the stateless era (2026-07-28) it
    /// carries the client's `_meta`, and `tools/call`, `prompts/get` and
    /// `resources/read` answer the server's `input_required` results with
    /// the client's handlers and retry, up to
    /// [`ClientBuilder::max_input_rounds`](super::ClientBuilder::max_input_rounds)
    /// times. Params that serialize to `null` or to an empty object are
    /// left out of the request, as the protocol allows.
    ///
    /// The call checks neither the era nor the server's capabilities: a
    /// method the server does not offer is answered by the server, usually
    /// with [`Error::Rpc`] `-32601 Method not found`. The per-method calls
    /// refuse methods their era removed before sending anything.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use mcpwire_client::Client;
    /// use mcpwire_types::request::requests::{CallTool, ListTools, ReadResource};
    /// use mcpwire_types::{CallToolRequestParams, PaginatedRequestParams, ReadResourceRequestParams};
    /// # async fn run(client: Client) -> Result<(), mcpwire_rpc::Error> {
    /// let page = client.request::<ListTools>(PaginatedRequestParams::default()).await?;
    /// for tool in &page.tools {
    ///     println!("{}", tool.name);
    /// }
    /// let mut call = CallToolRequestParams::new("echo");
    /// call.arguments = serde_json::json!({"text": "hi"}).as_object().cloned();
    /// let result = client
    ///     .request::<CallTool>(call)
    ///     .timeout(Duration::from_secs(5))
    ///     .on_progress(|p| eprintln!("progress: {p}"))
    ///     .await?;
    /// println!("{:?}", result.content);
    /// let read = client
    ///     .request::<ReadResource>(ReadResourceRequestParams::new("file:///notes.txt"))
    ///     .await?;
    /// println!("{} contents", read.contents.len());
    /// # Ok(()) }
    /// ```
    pub fn request<R: Request>(&self, params: R::Params) -> Call<'_, R> {
        Call::new(self, Ok(params))
    }

    /// Sends `R` with `params` and decodes its result as `T`: `R::Result`,
    /// or [`serde::de::IgnoredAny`] where the caller wants no result.
    pub(super) async fn call_as<R: Request, T: DeserializeOwned>(
        &self,
        params: &R::Params,
        opts: RequestOptions,
    ) -> Result<T, Error> {
        let opts = match R::target(params) {
            Some(target) => opts.target(target),
            None => opts,
        };
        let v = self
            .send_targeted(R::METHOD, omit_empty(params)?, opts)
            .await?;
        decode(R::METHOD, v)
    }

    /// Sends a raw request and decodes its result.
    ///
    /// In the stateless era the request carries the client's `_meta`
    /// (protocol version, capabilities, identity, log level) next to any
    /// `_meta` of `params`, and `tools/call`, `prompts/get` and
    /// `resources/read` answer the server's input requests and retry until
    /// the result is complete. [`Client::request`] does the same with
    /// the method's types bound to its name.
    pub async fn request_raw<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: &P,
        opts: RequestOptions,
    ) -> Result<R, Error> {
        let params = match serde_json::to_value(params)? {
            Value::Null => None,
            v => Some(v),
        };
        let v = self.send(method, params, opts).await?;
        decode(method, v)
    }
}

/// `params` with the entries of `meta` added to its `_meta` (entries it
/// has already stay).
pub(super) fn with_extra_meta(
    params: Option<Value>,
    meta: Option<mcpwire_types::Meta>,
) -> Result<Option<Value>, Error> {
    let Some(meta) = meta.filter(|m| !m.is_empty()) else {
        return Ok(params);
    };
    let mut obj = match params {
        None => serde_json::Map::new(),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(Error::InvalidArgument(format!(
                "request params must be a JSON object to carry _meta, not {other}"
            )));
        }
    };
    let slot = obj
        .entry("_meta")
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    let Value::Object(m) = slot else {
        return Err(Error::InvalidArgument(format!(
            "request _meta must be a JSON object, not {slot}"
        )));
    };
    for (k, v) in meta {
        m.entry(k).or_insert(v);
    }
    Ok(Some(Value::Object(obj)))
}

/// `params` as a JSON value, or `None` when it is `null` or `{}`.
pub(super) fn omit_empty<P: Serialize>(params: &P) -> Result<Option<Value>, Error> {
    Ok(match serde_json::to_value(params)? {
        Value::Null => None,
        Value::Object(m) if m.is_empty() => None,
        v => Some(v),
    })
}

/// The result of `method`, decoded.
pub(super) fn decode<T: DeserializeOwned>(method: &str, v: Value) -> Result<T, Error> {
    serde_json::from_value(v)
        .map_err(|e| Error::Protocol(format!("malformed {method} result: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcpwire_types::PaginatedRequestParams;
    use serde_json::json;

    #[test]
    fn empty_params_are_left_out_and_others_kept() {
        assert_eq!(omit_empty(&()).unwrap(), None);
        assert_eq!(omit_empty(&None::<Value>).unwrap(), None);
        assert_eq!(
            omit_empty(&PaginatedRequestParams::default()).unwrap(),
            None
        );
        assert_eq!(
            omit_empty(&PaginatedRequestParams::after("2")).unwrap(),
            Some(json!({"cursor": "2"}))
        );
        assert_eq!(omit_empty(&json!([])).unwrap(), Some(json!([])));
    }

    #[test]
    fn extra_meta_joins_the_params_meta() {
        let mut meta = mcpwire_types::Meta::new();
        meta.insert("a".into(), json!(1));
        meta.insert("b".into(), json!(2));
        assert_eq!(with_extra_meta(None, None).unwrap(), None);
        assert_eq!(
            with_extra_meta(None, Some(meta.clone())).unwrap(),
            Some(json!({"_meta": {"a": 1, "b": 2}}))
        );
        assert_eq!(
            with_extra_meta(Some(json!({"x": 1, "_meta": {"b": 3}})), Some(meta.clone())).unwrap(),
            Some(json!({"x": 1, "_meta": {"b": 3, "a": 1}}))
        );
        assert!(matches!(
            with_extra_meta(Some(json!([1])), Some(meta)),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn a_malformed_result_names_its_method() {
        let e = decode::<mcpwire_types::ListToolsResult>("tools/list", json!({"tools": 1}))
            .unwrap_err();
        assert!(
            matches!(&e, Error::Protocol(m) if m.starts_with("malformed tools/list result")),
            "{e}"
        );
    }
}
