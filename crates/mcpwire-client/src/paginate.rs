//! Pagination: [`Client::paginate`] walks the pages of any list request,
//! bounded in pages and stopped when the server repeats a cursor.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::marker::PhantomData;

use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;
use mcpwire_types::pagination::Cursor;
use mcpwire_types::request::{Page, PaginatedRequest};

use super::Client;

/// The most pages one walk fetches unless told otherwise
/// ([`Paginator::max_pages`]); [`Client::list_all_tools`] and the other
/// `list_all_*` calls use it. A server whose cursors never end is stopped
/// with [`PaginationError::TooManyPages`].
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// Why a walk through pages stopped before the last page.
///
/// It converts into [`Error`] (with `?`): a failed request stays what it
/// was, and the two bounds become [`Error::Protocol`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// The server answered with a cursor it had given earlier in the same
    /// walk. Following it would fetch the same pages again, forever.
    #[error(
        "{method}: page {page} gave a cursor the server had given before; following it would \
         loop, so the listing stopped there"
    )]
    RepeatedCursor {
        /// The list method.
        method: &'static str,
        /// The page (counting from 1) whose next cursor was a repeat.
        page: usize,
    },
    /// The server still had more after the most pages the walk fetches.
    #[error(
        "{method} still had more after {max_pages} pages, so the listing stopped \
         (Paginator::max_pages allows more)"
    )]
    TooManyPages {
        /// The list method.
        method: &'static str,
        /// The walk's limit.
        max_pages: usize,
    },
    /// A page's request failed: the connection, a timeout, or the server's
    /// error ([`Error::Rpc`]).
    #[error(transparent)]
    Request(#[from] Error),
}

impl From<PaginationError> for Error {
    fn from(e: PaginationError) -> Self {
        match e {
            PaginationError::Request(e) => e,
            other => Error::Protocol(other.to_string()),
        }
    }
}

/// The cursors one walk has followed and the pages it has fetched.
///
/// Cursors are kept as keyed hashes, so a walk holds a few bytes per page
/// however long the server's cursors are, and a server cannot choose
/// cursors that collide.
#[derive(Debug)]
pub(crate) struct CursorTrail {
    method: &'static str,
    pages: usize,
    max_pages: usize,
    hasher: RandomState,
    seen: HashSet<u64>,
}

impl CursorTrail {
    /// A new walk of `method`, fetching at most `max_pages` pages (at
    /// least one).
    pub(crate) fn new(method: &'static str, max_pages: usize) -> Self {
        CursorTrail {
            method,
            pages: 0,
            max_pages: max_pages.max(1),
            hasher: RandomState::new(),
            seen: HashSet::new(),
        }
    }

    /// Whether another page may be fetched.
    pub(crate) fn check_budget(&self) -> Result<(), PaginationError> {
        if self.pages >= self.max_pages {
            return Err(PaginationError::TooManyPages {
                method: self.method,
                max_pages: self.max_pages,
            });
        }
        Ok(())
    }

    /// Counts a page that arrived.
    pub(crate) fn count_page(&mut self) {
        self.pages += 1;
    }

    /// Remembers `cursor`; `false` if the walk had seen it already.
    pub(crate) fn first_time(&mut self, cursor: &Cursor) -> bool {
        self.seen.insert(self.hasher.hash_one(cursor.as_str()))
    }

    /// The error for a repeated cursor on the last page counted.
    pub(crate) fn repeated(&self) -> PaginationError {
        PaginationError::RepeatedCursor {
            method: self.method,
            page: self.pages,
        }
    }
}

/// Where a [`Paginator`] stands.
#[derive(Debug)]
enum State {
    /// The next page is the one after this cursor (the first if `None`).
    Next(Option<Cursor>),
    /// The last page's cursor was a repeat: the next call reports it.
    Repeated,
    /// The last page has been fetched, or the walk failed a bound.
    Done,
}

/// The pages of the list request `R`, fetched one at a time; from
/// [`Client::paginate`].
///
/// Every page is one request with the connection's era and options, so
/// each waits at most its timeout (the engine's default, or the one given
/// with [`Paginator::options`]). A walk fetches at most
/// [`Paginator::max_pages`] pages ([`DEFAULT_MAX_PAGES`] by default), and
/// stops with [`PaginationError::RepeatedCursor`] when the server gives a
/// cursor it gave before. A page whose request failed (a timeout, say) may
/// be asked for again by calling [`Paginator::next_page`] again; after a
/// bound stopped the walk, `next_page` returns `Ok(None)`.
///
/// ```no_run
/// use mcpwire_client::Client;
/// use mcpwire_types::request::requests::{ListResources, ListTools};
/// # async fn run(client: Client) -> Result<(), mcpwire_rpc::Error> {
/// // Page by page.
/// let mut pages = client.paginate::<ListResources>();
/// while let Some(page) = pages.next_page().await? {
///     for resource in &page.resources {
///         println!("{}", resource.uri);
///     }
/// }
/// // Everything at once, at most 50 pages.
/// let tools = client.paginate::<ListTools>().max_pages(50).collect_all().await?;
/// println!("{} tools", tools.len());
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a paginator fetches nothing until next_page or collect_all is called"]
pub struct Paginator<'c, R: PaginatedRequest> {
    client: &'c Client,
    opts: RequestOptions,
    trail: CursorTrail,
    state: State,
    _request: PhantomData<fn() -> R>,
}

impl Client {
    /// Walks the pages of the list request `R` (`tools/list`,
    /// `prompts/list`, `resources/list`, `resources/templates/list`,
    /// `tasks/list`): see [`Paginator`].
    ///
    /// ```no_run
    /// use mcpwire_client::Client;
    /// use mcpwire_types::request::requests::ListPrompts;
    /// # async fn run(client: Client) -> Result<(), mcpwire_rpc::Error> {
    /// for prompt in client.paginate::<ListPrompts>().collect_all().await? {
    ///     println!("{}", prompt.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn paginate<R: PaginatedRequest>(&self) -> Paginator<'_, R> {
        Paginator {
            client: self,
            opts: RequestOptions::new(),
            trail: CursorTrail::new(R::METHOD, DEFAULT_MAX_PAGES),
            state: State::Next(None),
            _request: PhantomData,
        }
    }
}

impl<R: PaginatedRequest> Paginator<'_, R> {
    /// The most pages this walk fetches (default [`DEFAULT_MAX_PAGES`]; at
    /// least 1). The call for the page after the last allowed one fails
    /// with [`PaginationError::TooManyPages`].
    pub fn max_pages(mut self, n: usize) -> Self {
        self.trail.max_pages = n.max(1);
        self
    }

    /// The options of each page's request: timeout, cancellation.
    pub fn options(mut self, opts: RequestOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Starts after `cursor` (from an earlier page) instead of at the
    /// first page.
    pub fn start_after(mut self, cursor: impl Into<Cursor>) -> Self {
        let cursor = cursor.into();
        self.trail.first_time(&cursor);
        self.state = State::Next(Some(cursor));
        self
    }

    /// How many pages have arrived so far.
    pub fn pages_fetched(&self) -> usize {
        self.trail.pages
    }

    /// The next page, or `None` after the last one.
    ///
    /// # Errors
    ///
    /// [`PaginationError::TooManyPages`] when the walk has fetched its
    /// most pages and the server has more; [`PaginationError::RepeatedCursor`]
    /// when the previous page's cursor was one the server gave before;
    /// [`PaginationError::Request`] when the request failed, which leaves
    /// the walk where it was.
    pub async fn next_page(&mut self) -> Result<Option<R::Result>, PaginationError> {
        let cursor = match &self.state {
            State::Done => return Ok(None),
            State::Repeated => {
                self.state = State::Done;
                return Err(self.trail.repeated());
            }
            State::Next(cursor) => cursor.clone(),
        };
        if let Err(e) = self.trail.check_budget() {
            self.state = State::Done;
            return Err(e);
        }
        let page = self
            .client
            .request_with::<R>(R::page_params(cursor), self.opts.clone())
            .await?;
        self.trail.count_page();
        self.state = match page.next_cursor() {
            None => State::Done,
            Some(next) if self.trail.first_time(next) => State::Next(Some(next.clone())),
            Some(_) => State::Repeated,
        };
        Ok(Some(page))
    }

    /// The items of every remaining page, in order.
    ///
    /// # Errors
    ///
    /// As [`Paginator::next_page`]; the items gathered so far are dropped.
    pub async fn collect_all(mut self) -> Result<Vec<<R::Result as Page>::Item>, PaginationError> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page.into_items());
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trail_counts_pages_and_spots_repeats() {
        let mut t = CursorTrail::new("tools/list", 2);
        assert!(t.check_budget().is_ok());
        t.count_page();
        assert!(t.first_time(&"a".to_owned()));
        assert!(t.first_time(&"b".to_owned()));
        assert!(!t.first_time(&"a".to_owned()));
        assert!(matches!(
            t.repeated(),
            PaginationError::RepeatedCursor {
                method: "tools/list",
                page: 1
            }
        ));
        t.count_page();
        let e = t.check_budget().unwrap_err();
        assert!(matches!(
            e,
            PaginationError::TooManyPages { max_pages: 2, .. }
        ));
        assert!(matches!(Error::from(e), Error::Protocol(m) if m.contains("after 2 pages")));
    }

    /// Walks and typed calls can run on spawned tasks.
    #[allow(dead_code)]
    fn futures_are_send(client: &'static Client) {
        fn send<T: Send>(_: T) {}
        use mcpwire_types::request::requests::{CallTool, ListTools};
        send(client.paginate::<ListTools>().collect_all());
        send(async {
            let mut pages = client.paginate::<ListTools>();
            pages.next_page().await
        });
        send(client.request::<CallTool>(mcpwire_types::CallToolRequestParams::new("x")));
    }

    #[test]
    fn a_walk_fetches_at_least_one_page() {
        let t = CursorTrail::new("tools/list", 0);
        assert!(t.check_budget().is_ok());
    }

    #[test]
    fn a_failed_request_stays_what_it_was() {
        let e = PaginationError::from(Error::invalid_params("bad cursor"));
        assert!(matches!(Error::from(e), Error::Rpc(_)));
    }
}
