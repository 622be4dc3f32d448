//! `mcpwire inspect`: a web inspector for any MCP server, served from the
//! binary on the loopback interface.
//!
//! The inspector holds the MCP connections (each a
//! [`mcpwire::client::Client`] whose frames are recorded in a
//! [protocol log](log)), and serves a page that shows the servers, calls
//! their tools and shows every JSON-RPC message. Only whoever holds the
//! per-launch token may use it ([`guard`]).
//!
//! ```no_run
//! use mcpwire_inspect::{Inspector, Options};
//! use mcpwire_inspect::servers::{Mode, Target};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let inspector = Inspector::bind(Options::default()).await?;
//! println!("{}", inspector.url());
//! let echo = Target::Stdio { program: "./echo".into(), args: vec!["stdio".into()], env: vec![] };
//! inspector.add("echo", echo, Mode::Auto)?;
//! inspector.serve(std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

pub mod api;
pub mod apps;
pub mod asks;
pub mod assets;
pub mod collection;
mod connect;
pub mod events;
pub mod guard;
pub mod junit;
pub mod log;
pub mod oauth;
pub mod ops;
pub mod recording;
pub mod runner;
pub mod servers;
pub mod tap;

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hyper::header::HeaderValue;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::apps::AppDocs;
use crate::asks::{ASK_WAIT, Asks, MAX_OPEN_ASKS};
use crate::events::Events;
use crate::guard::Guard;
use crate::oauth::Logins;
use crate::ops::Running;
use crate::servers::{AddError, ConnectOptions, Mode, Servers, Target};

/// How long a request's headers may take to arrive: 10 s.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The bounds on everything a page (or anything else on the machine) can
/// make the inspector hold.
///
/// ```
/// use mcpwire_inspect::Limits;
/// let l = Limits::default();
/// assert_eq!((l.max_body, l.max_servers, l.log_frames), (1 << 20, 16, 10_000));
/// ```
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest request body: 1 MiB.
    pub max_body: usize,
    /// How many servers may be connected at once: 16.
    pub max_servers: usize,
    /// How many frames each server's protocol log keeps: 10,000.
    pub log_frames: usize,
    /// How many pages may follow the live feed at once: 8.
    pub max_event_streams: usize,
    /// How many HTTP connections are served at once: 64 (more wait).
    pub max_connections: usize,
    /// How many OAuth logins may wait for their authorization at once: 16
    /// (each waits at most [`oauth::LOGIN_WAIT`]).
    pub max_logins: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 1 << 20,
            max_servers: 16,
            log_frames: 10_000,
            max_event_streams: 8,
            max_connections: 64,
            max_logins: oauth::MAX_PENDING,
        }
    }
}

/// How to start an inspector.
#[derive(Debug, Clone)]
pub struct Options {
    /// The port on 127.0.0.1; 0 (the default) takes any free one.
    pub port: u16,
    /// The bounds.
    pub limits: Limits,
    /// How long connecting to a server may take, and each request: 30 s.
    pub timeout: Duration,
    /// Named targets the page offers (a config file's entries).
    pub entries: Vec<(String, Target)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: 0,
            limits: Limits::default(),
            timeout: Duration::from_secs(30),
            entries: Vec::new(),
        }
    }
}

/// Why the inspector could not start.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
    /// The system's random generator failed (no token could be made).
    #[error("cannot make a launch token: {0}")]
    Random(getrandom::Error),
}

/// What the request handlers share.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) guard: Guard,
    pub(crate) servers: Servers,
    pub(crate) events: Arc<Events>,
    pub(crate) asks: Arc<Asks>,
    pub(crate) logins: Arc<Logins>,
    pub(crate) running: Running,
    pub(crate) timeout: Duration,
    pub(crate) app_docs: AppDocs,
    /// The origin app documents are served from (a port of their own).
    pub(crate) app_origin: String,
    /// The page's Content Security Policy (it may frame the app origin).
    pub(crate) csp: HeaderValue,
    pub(crate) limits: Limits,
    pub(crate) entries: Vec<(String, Target)>,
}

/// A bound inspector, not serving yet.
#[derive(Debug)]
pub struct Inspector {
    listener: TcpListener,
    apps_listener: TcpListener,
    app: Arc<App>,
}

impl Inspector {
    /// Binds 127.0.0.1 (never another interface) and makes the launch
    /// token.
    pub async fn bind(options: Options) -> Result<Inspector, InspectError> {
        let port = options.port;
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|source| InspectError::Bind { port, source })?;
        let port = listener
            .local_addr()
            .map_err(|source| InspectError::Bind { port, source })?
            .port();
        let guard = Guard::new(port).map_err(InspectError::Random)?;
        // MCP Apps get an origin of their own: another port.
        let apps_listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .map_err(|source| InspectError::Bind { port: 0, source })?;
        let app_port = apps_listener
            .local_addr()
            .map_err(|source| InspectError::Bind { port: 0, source })?
            .port();
        let app_origin = format!("http://127.0.0.1:{app_port}");
        let csp = HeaderValue::from_str(&api::page_csp(&app_origin))
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
        let events = Arc::new(Events::new(options.limits.max_event_streams));
        let asks = Arc::new(Asks::new(events.clone(), MAX_OPEN_ASKS, ASK_WAIT));
        let logins = Arc::new(Logins::with_limits(
            port,
            events.clone(),
            options.limits.max_logins,
            oauth::LOGIN_WAIT,
        ));
        let servers = Servers::new(
            options.limits.max_servers,
            ConnectOptions {
                timeout: options.timeout,
                log_frames: options.limits.log_frames,
            },
            events.clone(),
            asks.clone(),
        )
        .logins(logins.clone());
        Ok(Inspector {
            listener,
            apps_listener,
            app: Arc::new(App {
                guard,
                servers,
                events,
                asks,
                logins,
                running: Running::default(),
                timeout: options.timeout,
                app_docs: AppDocs::new(format!("http://127.0.0.1:{port}")),
                app_origin,
                csp,
                limits: options.limits,
                entries: options.entries,
            }),
        })
    }

    /// The launch URL: `http://127.0.0.1:PORT/?token=…`.
    pub fn url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/?token={}",
            self.app.guard.port(),
            self.app.guard.token()
        )
    }

    /// The origin MCP Apps are served from (`http://127.0.0.1:PORT`, a
    /// port of their own; see [`apps`]).
    pub fn app_origin(&self) -> &str {
        &self.app.app_origin
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.app.guard.port()
    }

    /// Starts connecting to `target` under the name `label` (as a target
    /// given on the command line is); returns its id.
    pub fn add(&self, label: &str, target: Target, mode: Mode) -> Result<u32, AddError> {
        self.app.servers.add(label.to_owned(), target, mode)
    }

    /// Serves until `shutdown` completes, then closes every connection
    /// (stopping the servers' child processes).
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        // One bound on connections for both origins.
        let permits = Arc::new(Semaphore::new(self.app.limits.max_connections.max(1)));
        let (page, apps) = (self.app.clone(), self.app.clone());
        let r = tokio::select! {
            r = accept(&self.listener, permits.clone(), move |req| api::handle(page.clone(), req)) => r,
            // The app origin: each registered app document, once, to the
            // iframe that asks for it.
            r = accept(&self.apps_listener, permits, move |req| api::app_document(apps.clone(), req)) => r,
            () = shutdown => Ok(()),
        };
        self.app.servers.close_all().await;
        r
    }
}

/// Accepts connections on `listener` while `permits` last, and serves
/// each with `answer`.
async fn accept<F, Fut>(
    listener: &TcpListener,
    permits: Arc<Semaphore>,
    answer: F,
) -> std::io::Result<()>
where
    F: Fn(hyper::Request<hyper::body::Incoming>) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<hyper::Response<api::ApiBody>, std::convert::Infallible>>
        + Send
        + 'static,
{
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return Ok(());
        };
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            // Out of descriptors and the like: wait, then go on.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Answers are small and interactive: send them at once.
        let _ = stream.set_nodelay(true);
        let answer = answer.clone();
        tokio::spawn(async move {
            // A connection that never finishes its headers does not hold
            // one of the permits for long.
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await;
            drop(permit);
        });
    }
}
