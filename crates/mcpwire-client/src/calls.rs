//! The per-method calls of [`Client`], the same under both protocol eras.

use mcpwire_types::request::requests::{
    CallTool, Complete, Discover, GetPrompt, ListPrompts, ListResourceTemplates, ListResources,
    ListTools, Ping, ReadResource, SetLevel, Subscribe, Unsubscribe,
};
use mcpwire_types::{
    CallToolRequestParams, CompleteArgument, CompleteReference, CompleteRequestParams,
    DiscoverRequestParams, DiscoverResult, GetPromptRequestParams, LoggingLevel,
    ReadResourceRequestParams, Root, SetLevelRequestParams, SubscribeRequestParams,
    UnsubscribeRequestParams, methods,
};
use serde::Serialize;
use serde::de::IgnoredAny;
use serde_json::{Map, Value};

use super::{Call, Client, Listing};
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;
use mcpwire_types::Era;

impl Client {
    /// `server/discover` (2026-07-28): the server's supported revisions,
    /// capabilities, identity and instructions. The first answer also fills
    /// [`Client::server_capabilities`], [`Client::server_info`] and
    /// [`Client::instructions`] when the client had not discovered the
    /// server yet (a client pinned to 2026-07-28 does not probe).
    ///
    /// In a session it is an error: `server/discover` belongs to the
    /// stateless era, and the session already knows what `initialize` said.
    pub async fn discover(&self) -> Result<DiscoverResult, Error> {
        if self.era == Era::Session {
            return Err(Error::Protocol(format!(
                "server/discover does not exist in protocol {}: see Client::initialize_result",
                self.version
            )));
        }
        let d = self
            .request::<Discover>(DiscoverRequestParams::default())
            .await?;
        self.server.learn_discovery(d.clone());
        Ok(d)
    }

    /// Checks that the server answers, in either era: `ping` in a session,
    /// and in the stateless era, which has no `ping`, `server/discover`
    /// (the one request every 2026-07-28 server answers cheaply).
    ///
    /// ```no_run
    /// # async fn f(client: &mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// client.ping().await?;
    /// # Ok(()) }
    /// ```
    pub async fn ping(&self) -> Result<(), Error> {
        match self.era {
            Era::Session => self
                .call_as::<Ping, IgnoredAny>(&None, RequestOptions::new())
                .await
                .map(|_| ()),
            Era::Stateless => self
                .call_as::<Discover, IgnoredAny>(
                    &DiscoverRequestParams::default(),
                    RequestOptions::new(),
                )
                .await
                .map(|_| ()),
        }
    }

    /// Every tool: a [`Listing`] that is a stream of tools, fetching page
    /// after page as it is read, and that, awaited, collects them all
    /// (within [`DEFAULT_MAX_PAGES`](super::DEFAULT_MAX_PAGES) pages,
    /// stopping on a repeated cursor: see [`Listing`]).
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// // All at once.
    /// for tool in client.list_tools().await? {
    ///     println!("{}", tool.name);
    /// }
    /// // One at a time, stopping early.
    /// let mut tools = client.list_tools();
    /// while let Some(tool) = tools.next().await {
    ///     if tool?.name == "search" {
    ///         break;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_tools(&self) -> Listing<'_, ListTools> {
        self.paginate::<ListTools>()
    }

    /// Calls the tool `name` with `arguments`: anything that serializes to
    /// a JSON object (a `json!({..})`, a struct, a map), or to `null` (`()`,
    /// `None`) for none. Awaiting the [`Call`] sends it; its methods set a
    /// timeout, progress, cancellation or `_meta`, turn it into a task call
    /// ([`Call::as_task`]), or read the result as a Rust type
    /// ([`Call::typed`]).
    ///
    /// Arguments that serialize to anything else are refused with
    /// [`Error::InvalidArgument`] before anything is sent.
    ///
    /// In the stateless era the server may ask for input (elicitation,
    /// sampling, roots) first: the client answers with its handlers and
    /// calls again, up to [`ClientBuilder::max_input_rounds`] times.
    ///
    /// [`ClientBuilder::max_input_rounds`]: super::ClientBuilder::max_input_rounds
    ///
    /// ```no_run
    /// use serde::Serialize;
    /// use serde_json::json;
    /// #[derive(Serialize)]
    /// struct Add { a: i64, b: i64 }
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let r = client.call_tool("add", json!({"a": 1, "b": 2})).await?;
    /// println!("{:?}", r.content);
    /// let r = client.call_tool("add", Add { a: 1, b: 2 }).await?;
    /// # let _ = r;
    /// let e = client.call_tool("add", [1, 2]).await.unwrap_err();
    /// assert!(matches!(e, mcpwire_rpc::Error::InvalidArgument(_)));
    /// # Ok(()) }
    /// ```
    pub fn call_tool(&self, name: &str, arguments: impl Serialize) -> Call<'_, CallTool> {
        let params = object_arguments("tool", &arguments).map(|arguments| {
            let mut p = CallToolRequestParams::new(name);
            p.arguments = arguments;
            p
        });
        Call::new(self, params)
    }

    /// Every resource: a [`Listing`], read as a stream or awaited whole
    /// (see [`Client::list_tools`]).
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// for resource in client.list_resources().await? {
    ///     println!("{}", resource.uri);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_resources(&self) -> Listing<'_, ListResources> {
        self.paginate::<ListResources>()
    }

    /// Every resource template: a [`Listing`], read as a stream or awaited
    /// whole (see [`Client::list_tools`]).
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// for template in client.list_resource_templates().await? {
    ///     println!("{}", template.uri_template);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_resource_templates(&self) -> Listing<'_, ListResourceTemplates> {
        self.paginate::<ListResourceTemplates>()
    }

    /// `resources/read` of `uri`, sent when the [`Call`] is awaited. In the
    /// stateless era the server may ask for input first, as with
    /// [`Client::call_tool`].
    ///
    /// A `uri` that is not a URI (no scheme, or control characters in it)
    /// is refused with [`Error::InvalidArgument`] before
    /// anything is sent.
    ///
    /// ```no_run
    /// use mcpwire_types::ResourceContents;
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let read = client.read_resource("file:///notes.txt").await?;
    /// if let Some(ResourceContents::Text(t)) = read.contents.first() {
    ///     println!("{}", t.text);
    /// }
    /// let e = client.read_resource("notes.txt").await.unwrap_err();
    /// assert!(matches!(e, mcpwire_rpc::Error::InvalidArgument(_)));
    /// # Ok(()) }
    /// ```
    pub fn read_resource(&self, uri: &str) -> Call<'_, ReadResource> {
        Call::new(
            self,
            check_uri(uri).map(|()| ReadResourceRequestParams::new(uri)),
        )
    }

    /// `resources/subscribe`: updates arrive as
    /// [`ServerNotification::ResourceUpdated`](super::ServerNotification::ResourceUpdated).
    /// Only in a session: 2026-07-28 replaced it with `subscriptions/listen`
    /// ([`Client::listen`](super::Client::listen) follows resources in both).
    pub async fn subscribe(&self, uri: &str) -> Result<(), Error> {
        self.require_session(
            methods::RESOURCES_SUBSCRIBE,
            "subscriptions/listen replaced it; Client::listen follows resources in both eras",
        )?;
        check_uri(uri)?;
        let p = SubscribeRequestParams {
            uri: uri.to_owned(),
            meta: None,
        };
        self.call_as::<Subscribe, IgnoredAny>(&p, RequestOptions::new())
            .await
            .map(|_| ())
    }

    /// `resources/unsubscribe`. Only in a session.
    pub async fn unsubscribe(&self, uri: &str) -> Result<(), Error> {
        self.require_session(
            methods::RESOURCES_UNSUBSCRIBE,
            "subscriptions/listen replaced it; Client::listen follows resources in both eras",
        )?;
        check_uri(uri)?;
        let p = UnsubscribeRequestParams {
            uri: uri.to_owned(),
            meta: None,
        };
        self.call_as::<Unsubscribe, IgnoredAny>(&p, RequestOptions::new())
            .await
            .map(|_| ())
    }

    /// Every prompt: a [`Listing`], read as a stream or awaited whole (see
    /// [`Client::list_tools`]).
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// for prompt in client.list_prompts().await? {
    ///     println!("{}", prompt.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_prompts(&self) -> Listing<'_, ListPrompts> {
        self.paginate::<ListPrompts>()
    }

    /// `prompts/get` of `name` with `arguments`: anything that serializes
    /// to a JSON object of strings (a `json!({..})`, a map, a struct of
    /// `String` fields), to a list of name–value pairs of strings
    /// (`[("name", "Ada")]`), or to `null` (`()`) for none; sent when the
    /// [`Call`] is awaited. In the stateless era the server may ask for
    /// input first, as with [`Client::call_tool`].
    ///
    /// Arguments that serialize to anything else are refused with
    /// [`Error::InvalidArgument`] before anything is sent.
    ///
    /// ```no_run
    /// use serde_json::json;
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let prompt = client.get_prompt("greet", json!({"name": "Ada"})).await?;
    /// println!("{} messages", prompt.messages.len());
    /// let pairs = client.get_prompt("greet", [("name", "Ada")]).await?;
    /// let plain = client.get_prompt("motd", ()).await?;
    /// # let _ = pairs;
    /// # let _ = plain;
    /// # Ok(()) }
    /// ```
    pub fn get_prompt(&self, name: &str, arguments: impl Serialize) -> Call<'_, GetPrompt> {
        let params = string_arguments(&arguments).map(|arguments| {
            let mut p = GetPromptRequestParams::new(name);
            p.arguments = arguments;
            p
        });
        Call::new(self, params)
    }

    /// `completion/complete` for one argument of a prompt or template, sent
    /// when the [`Call`] is awaited.
    ///
    /// ```no_run
    /// use mcpwire_types::{CompleteReference, PromptReference};
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let prompt = CompleteReference::Prompt(PromptReference {
    ///     name: "greet".into(),
    ///     title: None,
    /// });
    /// let c = client.complete(prompt, "name", "A").await?;
    /// println!("{:?}", c.completion.values);
    /// # Ok(()) }
    /// ```
    pub fn complete(
        &self,
        reference: CompleteReference,
        argument: &str,
        value: &str,
    ) -> Call<'_, Complete> {
        let p = CompleteRequestParams {
            reference,
            argument: CompleteArgument {
                name: argument.to_owned(),
                value: value.to_owned(),
            },
            context: None,
            meta: None,
        };
        Call::new(self, Ok(p))
    }

    /// `logging/setLevel`. Only in a session: in the stateless era every
    /// request carries its level, set with
    /// [`ClientBuilder::log_level`](super::ClientBuilder::log_level).
    pub async fn set_log_level(&self, level: LoggingLevel) -> Result<(), Error> {
        self.require_session(
            methods::LOGGING_SET_LEVEL,
            "each request carries its log level; set it with ClientBuilder::log_level",
        )?;
        let p = SetLevelRequestParams { level, meta: None };
        self.call_as::<SetLevel, IgnoredAny>(&p, RequestOptions::new())
            .await
            .map(|_| ())
    }

    /// Replaces the roots offered to the server. In a session the server is
    /// told they changed; in the stateless era (which has no such
    /// notification) the next input request for roots gets the new ones.
    pub fn set_roots(&self, roots: Vec<Root>) -> Result<(), Error> {
        let Some(cell) = &self.handlers.roots else {
            return Err(Error::Protocol(
                "this client did not declare roots; set them on the builder first".into(),
            ));
        };
        *cell.write().unwrap_or_else(|p| p.into_inner()) = roots;
        match self.era {
            Era::Session => self
                .peer
                .notify(methods::NOTIFICATIONS_ROOTS_LIST_CHANGED, None),
            Era::Stateless => Ok(()),
        }
    }
}

/// The `what` (tool) arguments as a JSON object, or `None` for `null`.
fn object_arguments(
    what: &str,
    arguments: &impl Serialize,
) -> Result<Option<Map<String, Value>>, Error> {
    match serde_json::to_value(arguments) {
        Ok(Value::Object(m)) => Ok(Some(m)),
        Ok(Value::Null) => Ok(None),
        Ok(other) => Err(Error::InvalidArgument(format!(
            "{what} arguments must serialize to a JSON object, not {}",
            kind(&other)
        ))),
        Err(e) => Err(Error::InvalidArgument(format!(
            "{what} arguments do not serialize to JSON: {e}"
        ))),
    }
}

/// Prompt arguments as a map of strings, or `None` when there are none:
/// an object of strings, a list of `[name, value]` pairs of strings (what
/// `[("name", "Ada")]` serializes to), or `null`.
fn string_arguments(
    arguments: &impl Serialize,
) -> Result<Option<std::collections::BTreeMap<String, String>>, Error> {
    let not_string = |k: &str, v: &Value| {
        Error::InvalidArgument(format!(
            "prompt argument {k:?} must be a string, not {}",
            kind(v)
        ))
    };
    let args: std::collections::BTreeMap<String, String> = match serde_json::to_value(arguments) {
        Ok(Value::Null) => return Ok(None),
        Ok(Value::Object(m)) => m
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k, s)),
                other => Err(not_string(&k, &other)),
            })
            .collect::<Result<_, _>>()?,
        Ok(Value::Array(pairs)) => pairs
            .into_iter()
            .map(|pair| match pair {
                Value::Array(kv) => match <[Value; 2]>::try_from(kv) {
                    Ok([Value::String(k), Value::String(v)]) => Ok((k, v)),
                    Ok([Value::String(k), other]) => Err(not_string(&k, &other)),
                    _ => Err(Error::InvalidArgument(
                        "prompt arguments as a list must be [name, value] pairs of strings".into(),
                    )),
                },
                other => Err(Error::InvalidArgument(format!(
                    "prompt arguments as a list must be [name, value] pairs, not {}",
                    kind(&other)
                ))),
            })
            .collect::<Result<_, _>>()?,
        Ok(other) => {
            return Err(Error::InvalidArgument(format!(
                "prompt arguments must serialize to a JSON object of strings, not {}",
                kind(&other)
            )));
        }
        Err(e) => {
            return Err(Error::InvalidArgument(format!(
                "prompt arguments do not serialize to JSON: {e}"
            )));
        }
    };
    Ok((!args.is_empty()).then_some(args))
}

/// What kind of JSON value `v` is, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Refuses what is not a URI: it must start with a scheme (a letter, then
/// letters, digits, `+`, `-` or `.`, then `:`) and hold no control
/// characters. Spaces pass: servers list such URIs, and reading what was
/// listed must work.
pub(super) fn check_uri(uri: &str) -> Result<(), Error> {
    let scheme_len = uri.find(':').unwrap_or(0);
    let scheme = &uri[..scheme_len];
    let good_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !good_scheme {
        return Err(Error::InvalidArgument(format!(
            "{uri:?} is not a URI: it must start with a scheme, such as file: or https:"
        )));
    }
    if let Some(c) = uri.chars().find(|c| c.is_control()) {
        return Err(Error::InvalidArgument(format!(
            "{uri:?} is not a URI: it holds {c:?}, which must be percent-encoded"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tool_arguments_must_be_objects_or_nothing() {
        assert_eq!(object_arguments("tool", &()).unwrap(), None);
        assert_eq!(object_arguments("tool", &None::<u8>).unwrap(), None);
        let m = object_arguments("tool", &json!({"a": 1})).unwrap().unwrap();
        assert_eq!(m["a"], 1);
        for bad in [json!(3), json!([1]), json!("x"), json!(true)] {
            let e = object_arguments("tool", &bad).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidArgument(m) if m.contains("JSON object")),
                "{e}"
            );
        }
        // A map with non-string keys does not serialize at all.
        let mut odd = std::collections::HashMap::new();
        odd.insert(vec![1u8], 1);
        assert!(matches!(
            object_arguments("tool", &odd),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn prompt_arguments_are_strings() {
        assert_eq!(string_arguments(&()).unwrap(), None);
        assert_eq!(string_arguments(&json!({})).unwrap(), None);
        let m = string_arguments(&json!({"name": "Ada"})).unwrap().unwrap();
        assert_eq!(m["name"], "Ada");
        let e = string_arguments(&json!({"n": 1})).unwrap_err();
        assert!(
            e.to_string()
                .contains("prompt argument \"n\" must be a string"),
            "{e}"
        );
        let m = string_arguments(&[("a", "b"), ("c", "d")])
            .unwrap()
            .unwrap();
        assert_eq!((m["a"].as_str(), m["c"].as_str()), ("b", "d"));
        assert_eq!(
            string_arguments(&Vec::<(String, String)>::new()).unwrap(),
            None
        );
        for bad in [json!(3), json!([1]), json!([["a"]]), json!([["a", 1]])] {
            let e = string_arguments(&bad).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidArgument(m) if m.contains("prompt argument")),
                "{e}"
            );
        }
    }

    #[test]
    fn uris_need_a_scheme_and_no_spaces() {
        for good in [
            "file:///a.txt",
            "memo://x",
            "urn:isbn:1",
            "ticket://{id}",
            "a+b.c-d:x",
        ] {
            assert!(check_uri(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "notes.txt",
            "://x",
            "1abc:x",
            "memo://a\tb",
            "memo://a\nb",
            "my file:x",
        ] {
            assert!(
                matches!(check_uri(bad), Err(Error::InvalidArgument(_))),
                "{bad:?}"
            );
        }
    }
}
