//! [`Listing`]: every item of a list request (tools, prompts, resources,
//! templates, tasks), as a stream that fetches page after page, or
//! collected whole by `.await`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;
use mcpwire_types::pagination::Cursor;
use mcpwire_types::request::{Page, PaginatedRequest};

use super::paginate::{PaginationError, Paginator};
use super::{CallFuture, Client};

/// The items of `R`'s pages.
type Item<R> = <<R as mcpwire_types::request::Request>::Result as Page>::Item;

/// A page being fetched, which hands the walk back with it.
type Fetch<'c, R> = Pin<
    Box<
        dyn Future<
                Output = (
                    Box<Paginator<'c, R>>,
                    Result<Option<<R as mcpwire_types::request::Request>::Result>, PaginationError>,
                ),
            > + Send
            + 'c,
    >,
>;

/// Where a [`Listing`] stands.
enum State<'c, R: PaginatedRequest> {
    /// Between pages (boxed: a walk is large, and moves into each fetch).
    Idle(Box<Paginator<'c, R>>),
    /// A page is on its way.
    Fetching(Fetch<'c, R>),
    /// The last page has been read, or the walk failed.
    Done,
}

/// Every item of the list request `R`, page after page; from
/// [`Client::list_tools`], [`Client::list_prompts`],
/// [`Client::list_resources`], [`Client::list_resource_templates`],
/// [`Client::list_tasks`] or the generic [`Client::paginate`].
///
/// A listing is two things:
///
/// - a [`Stream`] of `Result<Item, Error>` that fetches the next page only
///   when the items of the last one have been read (use it with
///   `futures::StreamExt` or `tokio_stream::StreamExt`);
/// - a value that, awaited, collects every item into a `Vec`.
///
/// Either way the walk is bounded: it fetches at most
/// [`Listing::max_pages`] pages ([`DEFAULT_MAX_PAGES`](super::DEFAULT_MAX_PAGES)
/// by default) and stops when the server repeats a cursor, ending with
/// the [`Error`] of [`PaginationError`] (a [`Error::Protocol`] that says
/// which bound stopped it). A failed page's request ends the stream with
/// its error. For a page at a time, with the cursors, use
/// [`Listing::pages`].
///
/// ```no_run
/// use futures_util::StreamExt;
/// use mcpwire_client::Client;
/// # async fn run(client: Client) -> Result<(), mcpwire_rpc::Error> {
/// let all = client.list_prompts().max_pages(50).await?;
/// println!("{} prompts", all.len());
/// let mut tools = client.list_tools();
/// while let Some(tool) = tools.next().await {
///     println!("{}", tool?.name);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a listing fetches nothing until it is awaited or read as a stream"]
pub struct Listing<'c, R: PaginatedRequest> {
    client: &'c Client,
    /// The items of the last page not read yet.
    buffer: std::vec::IntoIter<Item<R>>,
    state: State<'c, R>,
}

// The listing is never pinned in place: its page in flight is boxed.
impl<R: PaginatedRequest> Unpin for Listing<'_, R> {}

impl<R: PaginatedRequest> std::fmt::Debug for Listing<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::Idle(_) => "idle",
            State::Fetching(_) => "fetching",
            State::Done => "done",
        };
        f.debug_struct("Listing")
            .field("method", &R::METHOD)
            .field("buffered", &self.buffer.len())
            .field("state", &state)
            .finish()
    }
}

impl Client {
    /// Every item of the list request `R` (`tools/list`, `prompts/list`,
    /// `resources/list`, `resources/templates/list`, `tasks/list`): see
    /// [`Listing`]. The per-method listings ([`Client::list_tools`], …)
    /// are this with `R` named.
    ///
    /// ```no_run
    /// use mcpwire_client::Client;
    /// use mcpwire_types::request::requests::ListPrompts;
    /// # async fn run(client: Client) -> Result<(), mcpwire_rpc::Error> {
    /// for prompt in client.paginate::<ListPrompts>().await? {
    ///     println!("{}", prompt.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn paginate<R: PaginatedRequest>(&self) -> Listing<'_, R> {
        Listing {
            client: self,
            buffer: Vec::new().into_iter(),
            state: State::Idle(Box::new(Paginator::new(self))),
        }
    }
}

impl<'c, R: PaginatedRequest> Listing<'c, R> {
    /// Changes the walk, if it has not started yet.
    fn edit(mut self, f: impl FnOnce(&mut Paginator<'c, R>)) -> Self {
        if let State::Idle(p) = &mut self.state {
            f(p);
        }
        self
    }

    /// Makes the listing fail with `e` at once, sending nothing.
    pub(super) fn refuse(self, e: Error) -> Self {
        self.edit(|p| p.refuse(e))
    }

    /// The most pages this walk fetches (default
    /// [`DEFAULT_MAX_PAGES`](super::DEFAULT_MAX_PAGES); at least 1). A
    /// server with more ends the walk with an error
    /// ([`PaginationError::TooManyPages`]). Set it before reading.
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let first_ten_pages = client.list_resources().max_pages(10).await;
    /// # let _ = first_ten_pages; Ok(()) }
    /// ```
    pub fn max_pages(self, n: usize) -> Self {
        self.edit(|p| p.trail.set_max_pages(n))
    }

    /// Starts after `cursor` (the `nextCursor` of an earlier page) instead
    /// of at the first page. Set it before reading.
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client, cursor: String) -> Result<(), mcpwire_rpc::Error> {
    /// let page = client.list_tools().start_after(cursor).pages().next_page().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn start_after(self, cursor: impl Into<Cursor>) -> Self {
        let cursor = cursor.into();
        self.edit(|p| p.start_after(cursor))
    }

    /// How long each page's request waits without an answer (default: the
    /// engine's request timeout). Set it before reading.
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let tools = client.list_tools().timeout(std::time::Duration::from_secs(5)).await?;
    /// # let _ = tools; Ok(()) }
    /// ```
    pub fn timeout(self, d: Duration) -> Self {
        self.edit(|p| p.opts = std::mem::take(&mut p.opts).timeout(d))
    }

    /// The options of each page's request: timeout, cancellation. Set them
    /// before reading.
    ///
    /// ```no_run
    /// use mcpwire_rpc::engine::RequestOptions;
    /// use tokio_util::sync::CancellationToken;
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let stop = CancellationToken::new();
    /// let tools = client.list_tools().options(RequestOptions::new().cancel_token(stop)).await?;
    /// # let _ = tools; Ok(()) }
    /// ```
    pub fn options(self, opts: RequestOptions) -> Self {
        self.edit(|p| p.opts = opts)
    }

    /// One page, whole (its `nextCursor` too): the first, or the one after
    /// the cursor given to [`Listing::start_after`].
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let first = client.list_tools().page().await?;
    /// if let Some(next) = first.next_cursor {
    ///     let second = client.list_tools().start_after(next).page().await?;
    ///     println!("{} more tools", second.tools.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn page(self) -> Result<R::Result, Error> {
        self.pages()
            .next_page()
            .await?
            .ok_or_else(|| Error::Protocol(format!("{}: the listing had ended", R::METHOD)))
    }

    /// The walk one page at a time, with each page whole (its
    /// `nextCursor` too): see [`Paginator`]. Items this listing fetched
    /// and did not hand out yet are dropped; a listing whose page is on
    /// its way gives a walk that has ended.
    ///
    /// ```no_run
    /// # async fn run(client: mcpwire_client::Client) -> Result<(), mcpwire_rpc::Error> {
    /// let mut pages = client.list_tools().pages();
    /// if let Some(page) = pages.next_page().await? {
    ///     println!("{} tools, next {:?}", page.tools.len(), page.next_cursor);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> Paginator<'c, R> {
        match self.state {
            State::Idle(p) => *p,
            State::Fetching(_) | State::Done => {
                let mut p = Paginator::new(self.client);
                p.refuse(Error::Protocol(
                    "the listing was already being read as a stream".into(),
                ));
                p
            }
        }
    }
}

impl<'c, R: PaginatedRequest + 'c> Stream for Listing<'c, R>
where
    Item<R>: Send,
{
    type Item = Result<Item<R>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::mem::replace(&mut this.state, State::Done) {
                State::Done => return Poll::Ready(None),
                State::Idle(mut pages) => {
                    this.state = State::Fetching(Box::pin(async move {
                        let page = pages.next_page().await;
                        (pages, page)
                    }));
                }
                State::Fetching(mut fetch) => match fetch.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.state = State::Fetching(fetch);
                        return Poll::Pending;
                    }
                    Poll::Ready((pages, page)) => match page {
                        Ok(Some(page)) => {
                            this.buffer = page.into_items().into_iter();
                            this.state = State::Idle(pages);
                        }
                        Ok(None) => return Poll::Ready(None),
                        Err(e) => return Poll::Ready(Some(Err(e.into()))),
                    },
                },
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let upper = matches!(self.state, State::Done).then_some(self.buffer.len());
        (self.buffer.len(), upper)
    }
}

impl<'c, R: PaginatedRequest + 'c> IntoFuture for Listing<'c, R>
where
    Item<R>: Send,
{
    type Output = Result<Vec<Item<R>>, Error>;
    type IntoFuture = CallFuture<'c, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut all: Vec<Item<R>> = self.buffer.collect();
            let rest = match self.state {
                State::Idle(pages) => pages.collect_all().await?,
                State::Fetching(fetch) => match fetch.await {
                    (pages, Ok(Some(page))) => {
                        all.extend(page.into_items());
                        pages.collect_all().await?
                    }
                    (_, Ok(None)) => Vec::new(),
                    (_, Err(e)) => return Err(e.into()),
                },
                State::Done => Vec::new(),
            };
            all.extend(rest);
            Ok(all)
        })
    }
}
