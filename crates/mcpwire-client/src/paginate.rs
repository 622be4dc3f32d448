//! Pagination: [`Paginator`] walks the pages of any list request one page
//! at a time, bounded in pages and stopped when the server repeats a
//! cursor.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::marker::PhantomData;

use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;
use mcpwire_types::pagination::Cursor;
use mcpwire_types::request::{Page, PaginatedRequest};

use super::Client;

/// The most pages one walk fetches unless told otherwise
/// ([`Listing::max_pages`](super::Listing::max_pages)); [`Client::list_tools`]
/// and the other listings use it. A server whose cursors never end is stopped
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
         (Listing::max_pages allows more)"
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

    /// Sets the most pages the walk fetches (at least one).
    pub(crate) fn set_max_pages(&mut self, n: usize) {
        self.max_pages = n.max(1);
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
/// [`Listing::pages`](super::Listing::pages).
///
/// Every page is one request with the connection's era and options, so
/// each waits at most its timeout (the engine's default, or the one given
/// with [`Listing::timeout`](super::Listing::timeout)). A walk fetches at
/// most [`Listing::max_pages`](super::Listing::max_pages) pages
/// ([`DEFAULT_MAX_PAGES`] by default), and stops with
/// [`PaginationError::RepeatedCursor`] when the server gives a cursor it
/// gave before. A page whose request failed (a timeout, say) may be asked
/// for again by calling [`Paginator::next_page`] again; after a bound
/// stopped the walk, `next_page` returns `Ok(None)`.
///
/// ```no_run
/// use mcpwire_client::Client;
/// # async fn run(client: Client) -> Result<(), mcpwire_rpc::Error> {
/// let mut pages = client.list_resources().pages();
/// while let Some(page) = pages.next_page().await? {
///     for resource in &page.resources {
///         println!("{}", resource.uri);
///     }
///     println!("next: {:?}", page.next_cursor);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a paginator fetches nothing until next_page or collect_all is called"]
pub struct Paginator<'c, R: PaginatedRequest> {
    client: &'c Client,
    pub(super) opts: RequestOptions,
    pub(super) trail: CursorTrail,
    state: State,
    /// Why nothing may be sent, reported by the first page.
    refused: Option<Error>,
    _request: PhantomData<fn() -> R>,
}

impl<'c, R: PaginatedRequest> Paginator<'c, R> {
    /// A walk of `R` from the first page.
    pub(super) fn new(client: &'c Client) -> Self {
        Paginator {
            client,
            opts: RequestOptions::new(),
            trail: CursorTrail::new(R::METHOD, DEFAULT_MAX_PAGES),
            state: State::Next(None),
            refused: None,
            _request: PhantomData,
        }
    }

    /// Makes the first page fail with `e`, sending nothing.
    pub(super) fn refuse(&mut self, e: Error) {
        self.refused = Some(e);
    }

    /// Starts after `cursor` instead of at the first page.
    pub(super) fn start_after(&mut self, cursor: Cursor) {
        self.trail.first_time(&cursor);
        self.state = State::Next(Some(cursor));
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
        if let Some(e) = self.refused.take() {
            self.state = State::Done;
            return Err(e.into());
        }
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
            .request::<R>(R::page_params(cursor))
            .options(self.opts.clone())
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
        use mcpwire_types::request::requests::CallTool;
        send(client.list_tools().pages().collect_all());
        send(async {
            let mut pages = client.list_tools().pages();
            pages.next_page().await
        });
        send(std::future::IntoFuture::into_future(client.list_tools()));
        send(client.list_tools());
        send(std::future::IntoFuture::into_future(
            client.request::<CallTool>(mcpwire_types::CallToolRequestParams::new("x")),
        ));
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
