//! Extensions as plug-ins: a [`ServerExtension`] declares its capabilities,
//! names the methods it serves (in which eras, and whether their stateless
//! results carry cache hints), and serves them. Tasks, skills and
//! subscriptions are built this way; add your own with
//! [`ServerBuilder::extension`](crate::ServerBuilder::extension).

use mcpwire_types::request::Request;
use mcpwire_types::{Era, ServerCapabilities};
use serde_json::Value;

use super::{BoxFuture, Context, Server};
use mcpwire_rpc::Error;

/// The protocol eras a method is served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eras {
    session: bool,
    stateless: bool,
}

impl Eras {
    /// Sessions only (2025-11-25 and before).
    pub const SESSION: Eras = Eras {
        session: true,
        stateless: false,
    };
    /// Stateless requests only (2026-07-28).
    pub const STATELESS: Eras = Eras {
        session: false,
        stateless: true,
    };
    /// Both eras.
    pub const BOTH: Eras = Eras {
        session: true,
        stateless: true,
    };

    /// Whether `era` is one of them.
    pub const fn includes(self, era: Era) -> bool {
        match era {
            Era::Session => self.session,
            Era::Stateless => self.stateless,
        }
    }
}

/// One method an extension serves.
///
/// ```
/// use mcpwire_server::{Eras, ExtensionRoute};
/// use mcpwire_types::{Era, request::requests::ListSkills};
/// let route = ExtensionRoute::of::<ListSkills>(Eras::BOTH).cacheable();
/// assert_eq!(route.method(), "skills/list");
/// assert!(route.is_cacheable() && route.eras().includes(Era::Stateless));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionRoute {
    method: &'static str,
    eras: Eras,
    cacheable: bool,
}

impl ExtensionRoute {
    /// The method `method`, served in `eras`.
    pub const fn new(method: &'static str, eras: Eras) -> Self {
        ExtensionRoute {
            method,
            eras,
            cacheable: false,
        }
    }

    /// The method of the request type `R`, served in `eras`.
    pub const fn of<R: Request>(eras: Eras) -> Self {
        Self::new(R::METHOD, eras)
    }

    /// Its stateless results carry cache hints (`ttlMs`, `cacheScope`),
    /// like the core list methods'.
    ///
    /// ```
    /// use mcpwire_server::{Eras, ExtensionRoute};
    /// const LIST: ExtensionRoute = ExtensionRoute::new("widgets/list", Eras::BOTH).cacheable();
    /// assert!(LIST.is_cacheable());
    /// assert!(!ExtensionRoute::new("widgets/make", Eras::BOTH).is_cacheable());
    /// ```
    pub const fn cacheable(mut self) -> Self {
        self.cacheable = true;
        self
    }

    /// The method name.
    pub const fn method(&self) -> &'static str {
        self.method
    }

    /// The eras it is served in.
    pub const fn eras(&self) -> Eras {
        self.eras
    }

    /// Whether its stateless results carry cache hints.
    pub const fn is_cacheable(&self) -> bool {
        self.cacheable
    }
}

/// A request for a method of an extension.
#[derive(Debug)]
#[non_exhaustive]
pub struct ExtensionRequest {
    /// The method, as the route names it.
    pub method: &'static str,
    /// The params as they came, `_meta` included.
    pub params: Option<Value>,
    /// The request's context: its era, peer, cancellation, the session.
    pub context: Context,
}

/// An extension of the protocol that a server serves: what it declares,
/// the methods it answers, and how.
///
/// The router passes a request on to an extension only when one of its
/// [`routes`](Self::routes) names the method in the request's era and the
/// extension is [`declared`](Self::declared); otherwise the client gets
/// `-32601 Method not found`. A route never shadows a core method.
///
/// # Example
///
/// ```
/// use mcpwire_server::{
///     BoxFuture, Eras, ExtensionRequest, ExtensionRoute, Server, ServerExtension,
/// };
/// use mcpwire_types::{Era, ServerCapabilities};
/// use serde_json::{Value, json};
///
/// /// `time/now`, declared as `com.example/time`.
/// struct Clock;
///
/// impl ServerExtension for Clock {
///     fn declare(&self, _server: &Server, _era: Era, caps: &mut ServerCapabilities) {
///         caps.extensions
///             .get_or_insert_with(Default::default)
///             .insert("com.example/time".into(), json!({}));
///     }
///     fn routes(&self) -> &[ExtensionRoute] {
///         const ROUTES: &[ExtensionRoute] = &[ExtensionRoute::new("time/now", Eras::BOTH)];
///         ROUTES
///     }
///     fn handle(&self, _request: ExtensionRequest) -> BoxFuture<Result<Value, mcpwire_rpc::Error>> {
///         Box::pin(async { Ok(json!({ "now": "12:00" })) })
///     }
/// }
///
/// let server = Server::builder("clock", "1.0.0").extension(Clock).build()?;
/// # let _ = server;
/// # Ok::<(), mcpwire_server::BuildError>(())
/// ```
pub trait ServerExtension: Send + Sync + 'static {
    /// Adds what the extension declares in `era` to `caps`: its entry in
    /// `caps.extensions`, or the protocol capability it serves.
    fn declare(&self, server: &Server, era: Era, caps: &mut ServerCapabilities);

    /// Whether the extension is declared in `era` now; while it is not,
    /// its methods answer `-32601`. By default, whether
    /// [`declare`](Self::declare) adds anything.
    fn declared(&self, server: &Server, era: Era) -> bool {
        let mut caps = ServerCapabilities::default();
        self.declare(server, era, &mut caps);
        caps != ServerCapabilities::default()
    }

    /// The methods the extension serves.
    fn routes(&self) -> &[ExtensionRoute];

    /// Serves a request for one of [`routes`](Self::routes).
    fn handle(&self, request: ExtensionRequest) -> BoxFuture<Result<Value, Error>>;
}
