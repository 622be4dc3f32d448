//! OAuth logins of the inspector's HTTP servers: the SDK's OAuth client
//! with the page as the user's part, and every step of each flow kept
//! and shown.
//!
//! When a server answers `401`, the inspector logs in: the authorization
//! URL goes to the page on the live feed (`{"type":"oauth","server":ID,
//! "authorize":URL}`), which opens it in a new tab; the authorization
//! server sends the browser back to the inspector's own
//! `GET /oauth/callback`, which hands the answer to the waiting flow.
//! That request comes by a cross-site navigation, without the inspector's
//! cookie, so it passes the [guard](crate::guard) on its `Host` alone, and
//! is accepted only with the exact `state` of a flow that waits for it:
//! at most [`MAX_PENDING`] at once, each for at most [`LOGIN_WAIT`].
//!
//! Each step of the flow (the SDK's [`FlowEvent`], secrets masked) goes to
//! the feed as `{"type":"oauth","server":ID,"step":{…}}` and is kept with
//! its server (`GET /api/servers/ID/oauth`), the last [`MAX_STEPS`].
//!
//! ```
//! use std::sync::Arc;
//! use mcpwire_inspect::events::Events;
//! use mcpwire_inspect::oauth::{CallbackError, Logins};
//! let logins = Logins::new(4000, Arc::new(Events::new(1)));
//! assert_eq!(logins.redirect_uri(), "http://127.0.0.1:4000/oauth/callback");
//! assert_eq!(logins.callback(Some("code=c&state=nobody-waits")), Err(CallbackError::UnknownState));
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};
use mcpwire::auth_client::{
    AuthChallenge, AuthError, AuthProvider, Authorize, FlowEvent, MemoryStore, OAuthClient,
    OAuthConfig, Url,
};
use mcpwire::transport::http_client::{AuthFuture, AuthProviderError};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::events::Events;

/// How many logins may wait for their callback at once: 16.
pub const MAX_PENDING: usize = 16;
/// How long a login waits for its callback: 5 minutes.
pub const LOGIN_WAIT: Duration = Duration::from_secs(300);
/// How many steps each server keeps: the last 64.
pub const MAX_STEPS: usize = 64;
/// How much of each request or answer body a step keeps: 16 KiB.
pub const STEP_TEXT: usize = 16 * 1024;

/// Why a callback was refused (each a `400`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// It carries no `state`.
    #[error("this authorization response carries no state")]
    NoState,
    /// No login waits for its `state` (an old tab, or a forged request).
    #[error("no login of this inspector waits for this authorization response")]
    UnknownState,
}

/// The logins waiting for their callback, and the credentials of every
/// server (in memory, for as long as the inspector runs).
#[derive(Debug)]
pub struct Logins {
    redirect_uri: String,
    pending: Mutex<HashMap<String, oneshot::Sender<String>>>,
    max: usize,
    wait: Duration,
    store: Arc<MemoryStore>,
    events: Arc<Events>,
}

impl Logins {
    /// No logins yet, for the inspector on `port`; at most
    /// [`MAX_PENDING`] waiting, each for [`LOGIN_WAIT`].
    pub fn new(port: u16, events: Arc<Events>) -> Logins {
        Logins::with_limits(port, events, MAX_PENDING, LOGIN_WAIT)
    }

    /// As [`Logins::new`], with other bounds.
    pub fn with_limits(port: u16, events: Arc<Events>, max: usize, wait: Duration) -> Logins {
        Logins {
            redirect_uri: format!("http://127.0.0.1:{port}/oauth/callback"),
            pending: Mutex::new(HashMap::new()),
            max,
            wait,
            store: Arc::new(MemoryStore::new()),
            events,
        }
    }

    /// The redirect URI: the inspector's own `/oauth/callback`.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// How many logins wait for their callback.
    pub fn pending(&self) -> usize {
        lock(&self.pending).len()
    }

    /// Hands the callback's `query` to the login waiting for its `state`.
    pub fn callback(&self, query: Option<&str>) -> Result<(), CallbackError> {
        let query = query.unwrap_or_default();
        let state = Url::parse(&format!("{}?{query}", self.redirect_uri))
            .ok()
            .and_then(|u| {
                u.query_pairs()
                    .find(|(k, _)| k == "state")
                    .map(|(_, v)| v.into_owned())
            })
            .ok_or(CallbackError::NoState)?;
        let waiting = lock(&self.pending)
            .remove(&state)
            .ok_or(CallbackError::UnknownState)?;
        waiting
            .send(query.to_owned())
            .map_err(|_| CallbackError::UnknownState)
    }

    /// Waits for the callback of `state`; refused when [`MAX_PENDING`]
    /// wait already.
    #[cfg(test)]
    async fn wait_for(&self, state: String) -> Result<String, AuthError> {
        let rx = self.expect(&state)?;
        self.wait(state, rx).await
    }

    /// Makes room for the callback of `state`; refused when
    /// [`MAX_PENDING`] wait already.
    fn expect(&self, state: &str) -> Result<oneshot::Receiver<String>, AuthError> {
        let (tx, rx) = oneshot::channel();
        let mut pending = lock(&self.pending);
        if pending.len() >= self.max {
            return Err(AuthError::Authorize(format!(
                "{} logins wait for their authorization already; finish or close one first",
                self.max
            )));
        }
        pending.insert(state.to_owned(), tx);
        Ok(rx)
    }

    /// Waits (at most the bound) for the callback `rx` of `state` expects.
    async fn wait(
        &self,
        state: String,
        rx: oneshot::Receiver<String>,
    ) -> Result<String, AuthError> {
        let answer = tokio::time::timeout(self.wait, rx).await;
        lock(&self.pending).remove(&state);
        match answer {
            Ok(Ok(query)) => Ok(query),
            Ok(Err(_)) => Err(AuthError::Authorize("the login was abandoned".to_owned())),
            Err(_) => Err(AuthError::Authorize(format!(
                "no authorization arrived within {:?}",
                self.wait
            ))),
        }
    }
}

/// The OAuth side of one HTTP server: its client, its steps, and whether
/// it may send the user to log in.
#[derive(Debug)]
pub struct ServerAuth {
    client: Arc<OAuthClient>,
    page: Arc<PageAuthorize>,
    steps: Arc<Mutex<VecDeque<Value>>>,
}

impl ServerAuth {
    /// The OAuth client of server `id` at `url`.
    pub fn new(id: u32, url: &str, logins: &Arc<Logins>) -> Result<ServerAuth, AuthError> {
        let steps = Arc::new(Mutex::new(VecDeque::new()));
        let page = Arc::new(PageAuthorize {
            server: id,
            logins: logins.clone(),
            interactive: AtomicBool::new(false),
            asked: AtomicBool::new(false),
            opened: Mutex::new(None),
            waiting: Mutex::new(None),
        });
        let (kept, events, watching) = (steps.clone(), logins.events.clone(), page.clone());
        let config = OAuthConfig::new(url)
            .client_name("mcpwire inspect")
            .redirect_uri(logins.redirect_uri.clone())
            .store(logins.store.clone())
            .authorize(page.clone())
            .observe(Arc::new(move |e: &FlowEvent| {
                // The connection's first try, which only finds out that
                // the server needs a login, is not shown.
                if watching.interactive.load(Ordering::Relaxed) {
                    record(&kept, &events, id, step_json(e));
                }
            }));
        Ok(ServerAuth {
            client: Arc::new(OAuthClient::new(config)?),
            page,
            steps,
        })
    }

    /// What the transport authorizes with: the OAuth client once it has
    /// credentials (or a login ran), else a stand-in that only notes that
    /// the server asked (so that a first try neither discovers nor
    /// registers, and the login shows every stage).
    pub fn provider(&self) -> Arc<dyn AuthProvider> {
        let stored = self.client.credentials().is_ok_and(|c| !c.is_empty());
        if stored || self.page.interactive.load(Ordering::Relaxed) {
            self.client.clone()
        } else {
            Arc::new(Probe {
                page: self.page.clone(),
            })
        }
    }

    /// Whether the server asked for a login that was not run.
    pub fn asked(&self) -> bool {
        self.page.asked.load(Ordering::Relaxed)
    }

    /// Logs in now, sending the user to the page (the steps shown so far
    /// are forgotten).
    pub async fn login(&self) -> Result<(), AuthError> {
        lock(&self.steps).clear();
        self.page.interactive.store(true, Ordering::Relaxed);
        self.client.login().await.map(|_| ())
    }

    /// Refreshes the access token now; whether new tokens came.
    pub async fn refresh(&self) -> Result<bool, AuthError> {
        self.client.refresh_now().await
    }

    /// Gives up the login that waits, if any (its server is disconnected):
    /// its place among the waiting logins is free at once.
    pub fn abandon(&self) {
        if let Some(state) = lock(&self.page.waiting).take() {
            lock(&self.page.logins.pending).remove(&state);
        }
    }

    /// The steps so far and the authorization URL of a login under way.
    pub fn to_json(&self) -> Value {
        json!({
            "steps": lock(&self.steps).iter().cloned().collect::<Vec<_>>(),
            "authorize": lock(&self.page.opened).clone(),
        })
    }
}

/// The user's part of the flow, through the page.
#[derive(Debug)]
struct PageAuthorize {
    server: u32,
    logins: Arc<Logins>,
    /// Off for the connection's first try: a login is noted, not run.
    interactive: AtomicBool,
    asked: AtomicBool,
    /// The authorization URL while the login waits.
    opened: Mutex<Option<String>>,
    /// The `state` of the login that waits.
    waiting: Mutex<Option<String>>,
}

impl Authorize for PageAuthorize {
    fn authorize<'a>(
        &'a self,
        authorization_url: &'a Url,
        redirect_uri: &'a str,
    ) -> AuthFuture<'a, Result<Url, AuthError>> {
        Box::pin(async move {
            if !self.interactive.load(Ordering::Relaxed) {
                self.asked.store(true, Ordering::Relaxed);
                return Err(AuthError::Authorize("the server needs a login".to_owned()));
            }
            let state = authorization_url
                .query_pairs()
                .find(|(k, _)| k == "state")
                .map(|(_, v)| v.into_owned())
                .ok_or_else(|| {
                    AuthError::Authorize("the authorization URL has no state".to_owned())
                })?;
            let url = authorization_url.to_string();
            // Room for the callback first: the page opens the URL at once.
            let rx = self.logins.expect(&state)?;
            *lock(&self.opened) = Some(url.clone());
            *lock(&self.waiting) = Some(state.clone());
            self.logins.events.publish(
                &json!({"type": "oauth", "server": self.server, "authorize": url}).to_string(),
            );
            let answer = self.logins.wait(state, rx).await;
            *lock(&self.opened) = None;
            *lock(&self.waiting) = None;
            let query = answer?;
            Url::parse(&format!("{redirect_uri}?{query}")).map_err(|e| {
                AuthError::Authorize(format!("the authorization response is no URL: {e}"))
            })
        })
    }
}

/// The first try's provider: no credentials, and a challenge is noted.
#[derive(Debug)]
struct Probe {
    page: Arc<PageAuthorize>,
}

impl AuthProvider for Probe {
    fn headers<'a>(
        &'a self,
        _: &'a Method,
        _: &'a Url,
    ) -> AuthFuture<'a, Result<Vec<(HeaderName, HeaderValue)>, AuthProviderError>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn challenge<'a>(
        &'a self,
        _: &'a AuthChallenge,
    ) -> AuthFuture<'a, Result<(), AuthProviderError>> {
        self.page.asked.store(true, Ordering::Relaxed);
        Box::pin(async { Err("the server needs a login".into()) })
    }
}

/// Keeps `step` (the last [`MAX_STEPS`]) and sends it to the pages.
fn record(steps: &Mutex<VecDeque<Value>>, events: &Events, server: u32, step: Value) {
    {
        let mut s = lock(steps);
        if s.len() >= MAX_STEPS {
            s.pop_front();
        }
        s.push_back(step.clone());
    }
    events.publish(&json!({"type": "oauth", "server": server, "step": step}).to_string());
}

/// A step as the page shows it.
fn step_json(e: &FlowEvent) -> Value {
    let at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    json!({
        "stage": e.stage.as_str(),
        "method": e.method,
        "url": clip(&e.url),
        "requestHeaders": e.request_headers,
        "request": e.request.as_deref().map(clip),
        "status": e.status,
        "response": e.response.as_deref().map(clip),
        "error": e.error.as_deref().map(clip),
        "note": e.note,
        "ms": e.elapsed.as_millis() as u64,
        "at": at,
    })
}

/// `s`, cut to [`STEP_TEXT`] bytes.
fn clip(s: &str) -> String {
    if s.len() <= STEP_TEXT {
        return s.to_owned();
    }
    let mut end = STEP_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &s[..end], s.len())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_callback_reaches_only_the_login_of_its_state_and_the_waits_are_bounded() {
        let logins = Arc::new(Logins::with_limits(
            4000,
            Arc::new(Events::new(1)),
            1,
            Duration::from_secs(5),
        ));
        let l = logins.clone();
        let waiting = tokio::spawn(async move { l.wait_for("s1".to_owned()).await });
        while logins.pending() == 0 {
            tokio::task::yield_now().await;
        }
        let full = logins.wait_for("s2".to_owned()).await.unwrap_err();
        assert!(full.to_string().contains("1 logins wait"), "{full}");
        assert_eq!(logins.callback(Some("code=c")), Err(CallbackError::NoState));
        assert_eq!(
            logins.callback(Some("code=c&state=s2")),
            Err(CallbackError::UnknownState)
        );
        logins.callback(Some("code=c&state=s1")).unwrap();
        assert_eq!(waiting.await.unwrap().unwrap(), "code=c&state=s1");
        assert_eq!(logins.pending(), 0);
        // Used once only.
        assert_eq!(
            logins.callback(Some("code=c&state=s1")),
            Err(CallbackError::UnknownState)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_login_waits_no_longer_than_its_bound() {
        let logins = Logins::with_limits(4000, Arc::new(Events::new(1)), 4, LOGIN_WAIT);
        let e = logins.wait_for("s".to_owned()).await.unwrap_err();
        assert!(e.to_string().contains("300s"), "{e}");
        assert_eq!(logins.pending(), 0);
    }

    #[test]
    fn long_bodies_are_clipped() {
        let long = "é".repeat(STEP_TEXT);
        let c = clip(&long);
        assert!(c.len() < STEP_TEXT + 64 && c.ends_with("bytes in all)"));
        assert_eq!(clip("short"), "short");
    }
}
