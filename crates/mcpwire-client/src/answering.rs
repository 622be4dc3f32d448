//! How a client answers what servers ask of it: sampling, elicitation and
//! roots, set on the [`ClientBuilder`].

use std::future::Future;
use std::sync::{Arc, RwLock};

use mcpwire_rpc::Error;
use mcpwire_types::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ListRootsResult, Root,
};

use super::ClientBuilder;

impl ClientBuilder {
    /// Answers `sampling/createMessage` with `f` and declares sampling. In
    /// the stateless era `f` answers the sampling input requests of
    /// `input_required` results.
    ///
    /// ```
    /// use mcpwire_client::Client;
    /// use mcpwire_types::CreateMessageResult;
    /// # use std::sync::{Arc, Mutex};
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
    /// # use serde_json::{Value, json};
    /// # // A raw server: answers `initialize`, and keeps what the client sent.
    /// # #[derive(Default)]
    /// # struct Raw(Mutex<Value>);
    /// # impl Service for Raw {
    /// #     async fn handle_request(&self, r: mcpwire_types::Request, _: RequestContext) -> Result<Reply, mcpwire_rpc::Error> {
    /// #         if r.method != "initialize" {
    /// #             return Err(mcpwire_rpc::Error::method_not_found(&r.method));
    /// #         }
    /// #         let params = r.params.unwrap_or_default();
    /// #         let version = params["protocolVersion"].clone();
    /// #         *self.0.lock().unwrap() = params;
    /// #         Ok(json!({
    /// #             "protocolVersion": version, "capabilities": {},
    /// #             "serverInfo": { "name": "raw", "version": "1" },
    /// #         }).into())
    /// #     }
    /// #     async fn handle_notification(&self, _: mcpwire_types::Notification, _: &Peer) {}
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let raw = Arc::new(Raw::default());
    /// # let (transport, theirs) = mcpwire_rpc::transport::memory::duplex();
    /// # let (server, serving) = engine::connect(raw.clone(), theirs, EngineConfig::default());
    /// # tokio::spawn(serving);
    /// # let sent = || raw.0.lock().unwrap().clone();
    /// let client = Client::builder("host", "1.0.0")
    ///     .on_sampling(|_params| async move {
    ///         // Ask your model here.
    ///         Ok(CreateMessageResult::assistant_text("my-model", "Paris"))
    ///     })
    ///     .connect(transport)
    ///     .await?;
    /// assert!(sent()["capabilities"]["sampling"].is_object());
    /// // The server asks the client's model:
    /// let answer = server.request("sampling/createMessage", Some(json!({
    ///     "messages": [{ "role": "user", "content": { "type": "text", "text": "Capital of France?" } }],
    ///     "maxTokens": 20,
    /// }))).await?;
    /// assert_eq!(answer["content"]["text"], "Paris");
    /// # let _ = client;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn on_sampling<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(CreateMessageRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CreateMessageResult, Error>> + Send + 'static,
    {
        self.handlers.set_sampling(f);
        self
    }

    /// Answers form-mode `elicitation/create` with `f` and declares it. In
    /// the stateless era `f` answers the elicitation input requests of
    /// `input_required` results.
    ///
    /// ```
    /// use mcpwire_client::Client;
    /// use mcpwire_types::ElicitResult;
    /// # use std::sync::{Arc, Mutex};
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
    /// # use serde_json::{Value, json};
    /// # // A raw server: answers `initialize`, and keeps what the client sent.
    /// # #[derive(Default)]
    /// # struct Raw(Mutex<Value>);
    /// # impl Service for Raw {
    /// #     async fn handle_request(&self, r: mcpwire_types::Request, _: RequestContext) -> Result<Reply, mcpwire_rpc::Error> {
    /// #         if r.method != "initialize" {
    /// #             return Err(mcpwire_rpc::Error::method_not_found(&r.method));
    /// #         }
    /// #         let params = r.params.unwrap_or_default();
    /// #         let version = params["protocolVersion"].clone();
    /// #         *self.0.lock().unwrap() = params;
    /// #         Ok(json!({
    /// #             "protocolVersion": version, "capabilities": {},
    /// #             "serverInfo": { "name": "raw", "version": "1" },
    /// #         }).into())
    /// #     }
    /// #     async fn handle_notification(&self, _: mcpwire_types::Notification, _: &Peer) {}
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let raw = Arc::new(Raw::default());
    /// # let (transport, theirs) = mcpwire_rpc::transport::memory::duplex();
    /// # let (server, serving) = engine::connect(raw.clone(), theirs, EngineConfig::default());
    /// # tokio::spawn(serving);
    /// # let sent = || raw.0.lock().unwrap().clone();
    /// let client = Client::builder("host", "1.0.0")
    ///     .on_elicitation(|_params| async move {
    ///         // Show the form to the user here.
    ///         let mut answers = serde_json::Map::new();
    ///         answers.insert("name".into(), "Ada".into());
    ///         Ok(ElicitResult::accept(answers))
    ///     })
    ///     .connect(transport)
    ///     .await?;
    /// assert!(sent()["capabilities"]["elicitation"].is_object());
    /// // The server asks the user:
    /// let answer = server.request("elicitation/create", Some(json!({
    ///     "message": "Who are you?",
    ///     "requestedSchema": { "type": "object", "properties": { "name": { "type": "string" } } },
    /// }))).await?;
    /// assert_eq!((answer["action"].as_str(), answer["content"]["name"].as_str()), (Some("accept"), Some("Ada")));
    /// # let _ = client;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn on_elicitation<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(ElicitRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ElicitResult, Error>> + Send + 'static,
    {
        self.handlers.set_elicitation(f, false);
        self
    }

    /// Answers form- and URL-mode `elicitation/create` with `f`.
    ///
    /// ```
    /// use mcpwire_client::Client;
    /// use mcpwire_types::{ElicitAction, ElicitResult};
    /// # use std::sync::{Arc, Mutex};
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
    /// # use serde_json::{Value, json};
    /// # // A raw server: answers `initialize`, and keeps what the client sent.
    /// # #[derive(Default)]
    /// # struct Raw(Mutex<Value>);
    /// # impl Service for Raw {
    /// #     async fn handle_request(&self, r: mcpwire_types::Request, _: RequestContext) -> Result<Reply, mcpwire_rpc::Error> {
    /// #         if r.method != "initialize" {
    /// #             return Err(mcpwire_rpc::Error::method_not_found(&r.method));
    /// #         }
    /// #         let params = r.params.unwrap_or_default();
    /// #         let version = params["protocolVersion"].clone();
    /// #         *self.0.lock().unwrap() = params;
    /// #         Ok(json!({
    /// #             "protocolVersion": version, "capabilities": {},
    /// #             "serverInfo": { "name": "raw", "version": "1" },
    /// #         }).into())
    /// #     }
    /// #     async fn handle_notification(&self, _: mcpwire_types::Notification, _: &Peer) {}
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let raw = Arc::new(Raw::default());
    /// # let (transport, theirs) = mcpwire_rpc::transport::memory::duplex();
    /// # let (server, serving) = engine::connect(raw.clone(), theirs, EngineConfig::default());
    /// # tokio::spawn(serving);
    /// # let sent = || raw.0.lock().unwrap().clone();
    /// let client = Client::builder("host", "1.0.0")
    ///     .on_elicitation_with_urls(|_params| async move {
    ///         // Open the URL in a browser, or show the form; here: declined.
    ///         Ok(ElicitResult::new(ElicitAction::Decline))
    ///     })
    ///     .connect(transport)
    ///     .await?;
    /// assert!(sent()["capabilities"]["elicitation"]["url"].is_object());
    /// # let _ = client;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn on_elicitation_with_urls<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(ElicitRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ElicitResult, Error>> + Send + 'static,
    {
        self.handlers.set_elicitation(f, true);
        self
    }

    /// Offers `roots` to the server and declares the roots capability.
    ///
    /// ```
    /// use mcpwire_client::Client;
    /// use mcpwire_types::Root;
    /// # use std::sync::{Arc, Mutex};
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
    /// # use serde_json::{Value, json};
    /// # // A raw server: answers `initialize`, and keeps what the client sent.
    /// # #[derive(Default)]
    /// # struct Raw(Mutex<Value>);
    /// # impl Service for Raw {
    /// #     async fn handle_request(&self, r: mcpwire_types::Request, _: RequestContext) -> Result<Reply, mcpwire_rpc::Error> {
    /// #         if r.method != "initialize" {
    /// #             return Err(mcpwire_rpc::Error::method_not_found(&r.method));
    /// #         }
    /// #         let params = r.params.unwrap_or_default();
    /// #         let version = params["protocolVersion"].clone();
    /// #         *self.0.lock().unwrap() = params;
    /// #         Ok(json!({
    /// #             "protocolVersion": version, "capabilities": {},
    /// #             "serverInfo": { "name": "raw", "version": "1" },
    /// #         }).into())
    /// #     }
    /// #     async fn handle_notification(&self, _: mcpwire_types::Notification, _: &Peer) {}
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let raw = Arc::new(Raw::default());
    /// # let (transport, theirs) = mcpwire_rpc::transport::memory::duplex();
    /// # let (server, serving) = engine::connect(raw.clone(), theirs, EngineConfig::default());
    /// # tokio::spawn(serving);
    /// # let sent = || raw.0.lock().unwrap().clone();
    /// let client = Client::builder("editor", "1.0.0")
    ///     .roots(vec![Root::new("file:///home/ada/project", "project")])
    ///     .connect(transport)
    ///     .await?;
    /// assert!(sent()["capabilities"]["roots"].is_object());
    /// // The server asks which directories it may work in:
    /// let listed = server.request("roots/list", None).await?;
    /// assert_eq!(listed["roots"][0]["uri"], "file:///home/ada/project");
    /// # let _ = client;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn roots(mut self, roots: Vec<Root>) -> Self {
        self.handlers.roots = Some(Arc::new(RwLock::new(roots)));
        self
    }

    /// Answers `roots/list` (and, in the stateless era, the roots input
    /// requests of `input_required` results) with `f`, given the roots on
    /// offer (those of [`roots`](Self::roots) or
    /// [`Client::set_roots`](crate::Client::set_roots)): for a host that
    /// asks its user each time. Declares the roots capability.
    ///
    /// ```
    /// use mcpwire_client::Client;
    /// use mcpwire_types::Root;
    /// # use std::sync::{Arc, Mutex};
    /// # use mcpwire_rpc::engine::{self, EngineConfig, Peer, Reply, RequestContext, Service};
    /// # use serde_json::{Value, json};
    /// # // A raw server: answers `initialize`, and keeps what the client sent.
    /// # #[derive(Default)]
    /// # struct Raw(Mutex<Value>);
    /// # impl Service for Raw {
    /// #     async fn handle_request(&self, r: mcpwire_types::Request, _: RequestContext) -> Result<Reply, mcpwire_rpc::Error> {
    /// #         if r.method != "initialize" {
    /// #             return Err(mcpwire_rpc::Error::method_not_found(&r.method));
    /// #         }
    /// #         let params = r.params.unwrap_or_default();
    /// #         let version = params["protocolVersion"].clone();
    /// #         *self.0.lock().unwrap() = params;
    /// #         Ok(json!({
    /// #             "protocolVersion": version, "capabilities": {},
    /// #             "serverInfo": { "name": "raw", "version": "1" },
    /// #         }).into())
    /// #     }
    /// #     async fn handle_notification(&self, _: mcpwire_types::Notification, _: &Peer) {}
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let raw = Arc::new(Raw::default());
    /// # let (transport, theirs) = mcpwire_rpc::transport::memory::duplex();
    /// # let (server, serving) = engine::connect(raw.clone(), theirs, EngineConfig::default());
    /// # tokio::spawn(serving);
    /// # let sent = || raw.0.lock().unwrap().clone();
    /// use mcpwire_types::ListRootsResult;
    /// let client = Client::builder("editor", "1.0.0")
    ///     .roots(vec![Root::new("file:///home/ada/project", "project")])
    ///     .on_roots(|offered| async move {
    ///         // Ask the user which of the offered roots to share; here, all
    ///         // of them and one more.
    ///         let mut roots = offered;
    ///         roots.push(Root::new("file:///home/ada/notes", "notes"));
    ///         Ok(ListRootsResult::new(roots))
    ///     })
    ///     .connect(transport)
    ///     .await?;
    /// assert!(sent()["capabilities"]["roots"].is_object());
    /// let listed = server.request("roots/list", None).await?;
    /// assert_eq!(listed["roots"][1]["uri"], "file:///home/ada/notes");
    /// # let _ = client;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// # })?;
    /// # Ok::<(), mcpwire_rpc::Error>(())
    /// ```
    pub fn on_roots<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Vec<Root>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ListRootsResult, Error>> + Send + 'static,
    {
        self.handlers.set_roots_fn(f);
        self
    }
}
