//! [`Call`]: one request being built — its params, its options — that
//! is sent when awaited.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Duration;

use mcpwire_rpc::Error;
use mcpwire_rpc::engine::{RequestOptions, TotalDeadline};
use mcpwire_types::request::Request;
use mcpwire_types::request::requests::CallTool;
use mcpwire_types::{CallToolResult, Meta};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::structured::{StructuredError, read_structured};
use super::{Client, TaskCall};

/// The future a [`Call`] becomes when awaited.
pub type CallFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// What a [`Call`] answers with: the request's own result. The default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plain;

/// What a [`Call`] of `tools/call` answers with after
/// [`Call::as_task`]: a [`TaskCall`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AsTask {
    ttl: Option<Duration>,
}

/// What a [`Call`] of `tools/call` answers with after [`Call::typed`]: the
/// tool's result read as `T`.
pub struct Typed<T>(PhantomData<fn() -> T>);

impl<T> std::fmt::Debug for Typed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(std::any::type_name::<Self>())
    }
}

/// One request to the server, built and then sent by `.await`.
///
/// Every call of [`Client`] that sends a request with params returns one:
/// [`Client::call_tool`], [`Client::get_prompt`], [`Client::read_resource`],
/// [`Client::complete`] and the generic [`Client::request`]. Its methods
/// set the request's options (timeout, progress, cancellation, `_meta`);
/// awaiting it sends the request and answers with its result.
///
/// A value the request cannot carry (tool arguments that are not a JSON
/// object, a URI that is not one) is found when the call is built and
/// reported by `.await` as [`Error::InvalidArgument`], before anything is
/// sent.
///
/// In the stateless era the options apply to each attempt of a request
/// that the server answers with `input_required`.
///
/// ```no_run
/// use std::time::Duration;
/// use mcpwire_client::Client;
/// use serde_json::json;
/// # async fn run(client: Client) -> Result<(), mcpwire_rpc::Error> {
/// let result = client
///     .call_tool("slow_sum", json!({"a": 1, "b": 2}))
///     .timeout(Duration::from_secs(5))
///     .on_progress(|p| eprintln!("progress: {p}"))
///     .await?;
/// println!("{:?}", result.content);
/// # Ok(()) }
/// ```
#[must_use = "a call sends nothing until it is awaited"]
pub struct Call<'c, R: Request, M = Plain> {
    client: &'c Client,
    params: Result<R::Params, Error>,
    opts: RequestOptions,
    meta: Option<Meta>,
    mode: M,
}

impl<R: Request, M: std::fmt::Debug> std::fmt::Debug for Call<'_, R, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("method", &R::METHOD)
            .field("opts", &self.opts)
            .field("meta", &self.meta)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl<'c, R: Request> Call<'c, R> {
    /// A call of `R` with `params`, or one that fails with `params`' error
    /// when awaited.
    pub(super) fn new(client: &'c Client, params: Result<R::Params, Error>) -> Self {
        Call {
            client,
            params,
            opts: RequestOptions::new(),
            meta: None,
            mode: Plain,
        }
    }
}

impl<'c, R: Request, M> Call<'c, R, M> {
    /// How long to wait without a response or progress (default: the
    /// engine's request timeout).
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let r = client
    ///     .read_resource("file:///big.log")
    ///     .timeout(std::time::Duration::from_secs(2))
    ///     .await?;
    /// # let _ = r; Ok(()) }
    /// ```
    pub fn timeout(mut self, d: Duration) -> Self {
        self.opts = self.opts.timeout(d);
        self
    }

    /// A cap on the whole wait, which progress does not extend.
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let r = client
    ///     .call_tool("train", ())
    ///     .max_total(std::time::Duration::from_secs(600))
    ///     .await?;
    /// # let _ = r; Ok(()) }
    /// ```
    pub fn max_total(mut self, d: Duration) -> Self {
        self.opts = self.opts.max_total(d);
        self
    }

    /// The cap on the whole wait ([`TotalDeadline::Unlimited`] turns it
    /// off; default: the client's [`ClientBuilder::total_deadline`]).
    ///
    /// [`ClientBuilder::total_deadline`]: super::ClientBuilder::total_deadline
    ///
    /// ```no_run
    /// use mcpwire_rpc::engine::TotalDeadline;
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let r = client.call_tool("watch", ()).total_deadline(TotalDeadline::Unlimited).await?;
    /// # let _ = r; Ok(()) }
    /// ```
    pub fn total_deadline(mut self, d: TotalDeadline) -> Self {
        self.opts = self.opts.total_deadline(d);
        self
    }

    /// Whether progress notifications restart the timeout (default: yes).
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let r = client.call_tool("chatty", ()).reset_timeout_on_progress(false).await?;
    /// # let _ = r; Ok(()) }
    /// ```
    pub fn reset_timeout_on_progress(mut self, yes: bool) -> Self {
        self.opts = self.opts.reset_timeout_on_progress(yes);
        self
    }

    /// Asks for progress: `f` gets the params of each progress
    /// notification of this request.
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let r = client
    ///     .call_tool("index", ())
    ///     .on_progress(|p| eprintln!("{}/{}", p["progress"], p["total"]))
    ///     .await?;
    /// # let _ = r; Ok(()) }
    /// ```
    pub fn on_progress(mut self, f: impl Fn(Value) + Send + Sync + 'static) -> Self {
        self.opts = self.opts.on_progress(f);
        self
    }

    /// A token that cancels the request: the server is sent
    /// `notifications/cancelled` and the call ends in [`Error::Cancelled`].
    ///
    /// ```no_run
    /// use tokio_util::sync::CancellationToken;
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let stop = CancellationToken::new();
    /// let call = client.call_tool("slow", ()).cancel_token(stop.clone());
    /// tokio::spawn(async move {
    ///     tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    ///     stop.cancel();
    /// });
    /// assert!(matches!(call.await, Err(mcpwire_rpc::Error::Cancelled)));
    /// # Ok(()) }
    /// ```
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.opts = self.opts.cancel_token(token);
        self
    }

    /// Replaces every option at once with `opts` (the `_meta` of
    /// [`Call::meta`] stays).
    ///
    /// ```no_run
    /// use mcpwire_rpc::engine::RequestOptions;
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let opts = RequestOptions::new().timeout(std::time::Duration::from_secs(1));
    /// let r = client.call_tool("quick", ()).options(opts).await?;
    /// # let _ = r; Ok(()) }
    /// ```
    pub fn options(mut self, opts: RequestOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Adds the entries of `meta` to the request's `_meta`. Entries the
    /// params set already stay; in the stateless era these entries win
    /// over the client's own (protocol version, capabilities).
    ///
    /// ```no_run
    /// use mcpwire_types::Meta;
    /// use serde_json::json;
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let mut meta = Meta::new();
    /// meta.insert("example.com/trace".into(), json!("abc123"));
    /// let r = client.call_tool("echo", json!({"text": "hi"})).meta(meta).await?;
    /// # let _ = r; Ok(()) }
    /// ```
    pub fn meta(mut self, meta: Meta) -> Self {
        match &mut self.meta {
            Some(m) => m.extend(meta),
            None => self.meta = Some(meta),
        }
        self
    }

    /// Sends the request and decodes its raw result.
    async fn send_value(self) -> Result<(Value, &'c Client), Error> {
        let Call {
            client,
            params,
            opts,
            meta,
            ..
        } = self;
        let params = params?;
        let opts = match R::target(&params) {
            Some(target) => opts.target(target),
            None => opts,
        };
        let params = super::typed::with_extra_meta(super::typed::omit_empty(&params)?, meta)?;
        let v = client.send_targeted(R::METHOD, params, opts).await?;
        Ok((v, client))
    }
}

impl<'c, R: Request + 'c> IntoFuture for Call<'c, R, Plain> {
    type Output = Result<R::Result, Error>;
    type IntoFuture = CallFuture<'c, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (v, _) = self.send_value().await?;
            super::typed::decode(R::METHOD, v)
        })
    }
}

impl<'c> Call<'c, CallTool> {
    /// Calls the tool as a task: awaiting answers with a [`TaskCall`],
    /// either the task the server runs it as, or the result when the
    /// server answered at once.
    ///
    /// In a session (2025-11-25) the call carries `params.task`; the server
    /// answers with a task when the tool supports tasks (see its
    /// `execution.taskSupport`). In the stateless era the call declares the
    /// tasks extension and the server decides: it may answer with a task or
    /// with the result (first asking for input, which the client answers
    /// with its handlers as for any call).
    ///
    /// ```no_run
    /// use mcpwire_client::TaskCall;
    /// use serde_json::json;
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// match client.call_tool("render", json!({"scene": 3})).as_task().await? {
    ///     TaskCall::Task(task) => {
    ///         let result = client.task_result(&task.task_id).await?;
    ///         println!("{:?}", result.content);
    ///     }
    ///     TaskCall::Complete(result) => println!("{:?}", result.content),
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    pub fn as_task(self) -> Call<'c, CallTool, AsTask> {
        Call {
            client: self.client,
            params: self.params,
            opts: self.opts,
            meta: self.meta,
            mode: AsTask::default(),
        }
    }

    /// Reads the tool's result as `T` (see
    /// [`CallToolResultExt::structured`](super::CallToolResultExt::structured)):
    /// its `structuredContent`, or else its text content parsed as JSON. A
    /// result the tool marked as an error is [`StructuredError::Tool`].
    ///
    /// ```no_run
    /// use serde::Deserialize;
    /// use serde_json::json;
    /// #[derive(Deserialize)]
    /// struct Sum { total: i64 }
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_client::StructuredError> {
    /// let sum: Sum = client.call_tool("add", json!({"a": 1, "b": 2})).typed::<Sum>().await?;
    /// assert_eq!(sum.total, 3);
    /// # Ok(()) }
    /// ```
    pub fn typed<T: DeserializeOwned>(self) -> Call<'c, CallTool, Typed<T>> {
        Call {
            client: self.client,
            params: self.params,
            opts: self.opts,
            meta: self.meta,
            mode: Typed(PhantomData),
        }
    }
}

impl Call<'_, CallTool, AsTask> {
    /// Asks a 2025-11-25 server to keep the task for `ttl` after its
    /// creation (the server may choose otherwise; stateless servers always
    /// choose).
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let call = client
    ///     .call_tool("render", ())
    ///     .as_task()
    ///     .ttl(std::time::Duration::from_secs(3600))
    ///     .await?;
    /// # let _ = call; Ok(()) }
    /// ```
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.mode.ttl = Some(ttl);
        self
    }
}

impl<'c> IntoFuture for Call<'c, CallTool, AsTask> {
    type Output = Result<TaskCall, Error>;
    type IntoFuture = CallFuture<'c, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut params = self.params?;
            if let Some(meta) = self.meta {
                params.meta.get_or_insert_with(Meta::new).extend(meta);
            }
            self.client
                .call_tool_task(params, self.mode.ttl, self.opts)
                .await
        })
    }
}

impl<'c, T: DeserializeOwned + Send + 'c> IntoFuture for Call<'c, CallTool, Typed<T>> {
    type Output = Result<T, StructuredError>;
    type IntoFuture = CallFuture<'c, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (v, _) = self.send_value().await?;
            let r: CallToolResult = super::typed::decode(CallTool::METHOD, v)?;
            read_structured(&r)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Calls can be awaited on spawned tasks.
    #[allow(dead_code)]
    fn futures_are_send(client: &'static Client) {
        fn send<T: Send>(_: T) {}
        send(client.call_tool("x", ()).into_future());
        send(client.call_tool("x", ()).as_task().into_future());
        send(client.call_tool("x", ()).typed::<Value>().into_future());
        send(client.read_resource("a:b").into_future());
    }
}
