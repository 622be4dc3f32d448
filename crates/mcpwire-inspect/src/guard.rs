//! Who may use the inspector: the launch token (in a cookie or a bearer
//! header), the `Host` the page was loaded from and the `Origin` of every
//! request.
//!
//! The inspector starts programs and talks to servers on its user's behalf,
//! so every request must prove that it comes from whoever read the launch
//! URL (a random per-launch token), and from the inspector's own page (a
//! `Host` of `127.0.0.1:PORT` or `localhost:PORT`, which defeats DNS
//! rebinding, and no foreign `Origin`, which defeats cross-site requests).
//!
//! ```
//! use mcpwire_inspect::guard::{Access, Guard, Refusal};
//! use hyper::Request;
//! let guard = Guard::with_token("secret", 4000);
//! let ok = Request::get("/api/servers")
//!     .header("host", "127.0.0.1:4000")
//!     .header("authorization", "Bearer secret")
//!     .body(())
//!     .unwrap();
//! assert_eq!(guard.check(&ok), Ok(Access::Granted));
//! let evil = Request::get("/api/servers")
//!     .header("host", "evil.example:4000")
//!     .header("authorization", "Bearer secret")
//!     .body(())
//!     .unwrap();
//! assert_eq!(guard.check(&evil), Err(Refusal::BadHost));
//! ```

use hyper::Request;
use hyper::header::{AUTHORIZATION, COOKIE, HOST, ORIGIN};

/// The path of the OAuth redirect URI, the one path open without the
/// token (see [`Access::Callback`]).
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No token at all: 401.
    NoToken,
    /// A token that is not this launch's: 401.
    WrongToken,
    /// A `Host` that is not `127.0.0.1:PORT` or `localhost:PORT`: 403.
    BadHost,
    /// An `Origin` that is not the inspector's own: 403.
    ForeignOrigin,
}

impl Refusal {
    /// The HTTP status of the refusal.
    ///
    /// ```
    /// use mcpwire_inspect::guard::Refusal;
    /// assert_eq!(Refusal::NoToken.status(), 401);
    /// assert_eq!(Refusal::ForeignOrigin.status(), 403);
    /// ```
    pub fn status(self) -> u16 {
        match self {
            Refusal::NoToken | Refusal::WrongToken => 401,
            Refusal::BadHost | Refusal::ForeignOrigin => 403,
        }
    }

    /// A sentence for the refused request's body.
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::NoToken => "this inspector needs its launch token: open the URL it printed",
            Refusal::WrongToken => "this is not the launch token of this inspector",
            Refusal::BadHost => "the inspector answers only to 127.0.0.1 and localhost",
            Refusal::ForeignOrigin => "requests from other origins are refused",
        }
    }
}

/// What a request that passed the checks may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// It carried the token in the cookie or the `Authorization` header.
    Granted,
    /// It is the launch URL (`GET /?token=…`): the answer sets the cookie
    /// and sends the browser on to `/`, so the token leaves the address bar.
    Exchange,
    /// `GET /oauth/callback`: an authorization server sends the browser
    /// back here by a cross-site navigation, which carries no cookie. It
    /// passed the `Host` and `Origin` checks; its `state` must be a
    /// waiting login's ([`Logins::callback`](crate::oauth::Logins::callback)).
    Callback,
}

/// The launch token and the port it guards.
#[derive(Debug, Clone)]
pub struct Guard {
    token: String,
    port: u16,
}

impl Guard {
    /// A guard with a fresh random token (32 bytes from the system's
    /// generator, in hex) for the inspector listening on `port`.
    ///
    /// ```
    /// use mcpwire_inspect::guard::Guard;
    /// let a = Guard::new(4000).unwrap();
    /// let b = Guard::new(4000).unwrap();
    /// assert_eq!(a.token().len(), 64);
    /// assert_ne!(a.token(), b.token());
    /// ```
    pub fn new(port: u16) -> Result<Guard, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        let token = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Guard { token, port })
    }

    /// A guard with the given token (for tests).
    pub fn with_token(token: impl Into<String>, port: u16) -> Guard {
        Guard {
            token: token.into(),
            port,
        }
    }

    /// The token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The port the inspector listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The name of the cookie. Cookies are shared by every port of a host,
    /// so the name carries the port: two inspectors never see each other's.
    ///
    /// ```
    /// use mcpwire_inspect::guard::Guard;
    /// assert_eq!(Guard::with_token("t", 4000).cookie_name(), "mcpwire_inspect_4000");
    /// ```
    pub fn cookie_name(&self) -> String {
        format!("mcpwire_inspect_{}", self.port)
    }

    /// The `Set-Cookie` value that hands the token to the page: HttpOnly,
    /// so scripts cannot read it; SameSite=Strict, so no other site's page
    /// sends it.
    pub fn set_cookie(&self) -> String {
        format!(
            "{}={}; Path=/; HttpOnly; SameSite=Strict",
            self.cookie_name(),
            self.token
        )
    }

    /// Checks `request`: its `Host`, its `Origin` (when present) and its
    /// token, in that order.
    pub fn check<B>(&self, request: &Request<B>) -> Result<Access, Refusal> {
        let headers = request.headers();
        let host = headers.get(HOST).and_then(|h| h.to_str().ok());
        if !host.is_some_and(|h| self.is_own_authority(h)) {
            return Err(Refusal::BadHost);
        }
        if let Some(origin) = headers.get(ORIGIN) {
            let own = origin
                .to_str()
                .ok()
                .and_then(|o| o.strip_prefix("http://"))
                .is_some_and(|a| self.is_own_authority(a));
            if !own {
                return Err(Refusal::ForeignOrigin);
            }
        }
        if request.method() == hyper::Method::GET && request.uri().path() == CALLBACK_PATH {
            return Ok(Access::Callback);
        }
        let mut seen = false;
        if let Some(bearer) = headers
            .get(AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
        {
            if self.matches(bearer.trim()) {
                return Ok(Access::Granted);
            }
            seen = true;
        }
        let name = self.cookie_name();
        for value in headers.get_all(COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            for pair in value.split(';') {
                if let Some((k, v)) = pair.trim().split_once('=')
                    && k == name
                {
                    if self.matches(v) {
                        return Ok(Access::Granted);
                    }
                    seen = true;
                }
            }
        }
        if request.uri().path() == "/"
            && let Some(query) = request.uri().query()
        {
            for pair in query.split('&') {
                if let Some(("token", v)) = pair.split_once('=') {
                    if self.matches(v) {
                        return Ok(Access::Exchange);
                    }
                    seen = true;
                }
            }
        }
        Err(if seen {
            Refusal::WrongToken
        } else {
            Refusal::NoToken
        })
    }

    /// Whether `authority` is `127.0.0.1:PORT` or `localhost:PORT`.
    fn is_own_authority(&self, authority: &str) -> bool {
        let Some((host, port)) = authority.rsplit_once(':') else {
            return false;
        };
        (host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost"))
            && port.parse::<u16>().ok() == Some(self.port)
    }

    /// Compares in time independent of where the strings differ.
    fn matches(&self, given: &str) -> bool {
        let (a, b) = (self.token.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut b = Request::get(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap()
    }

    const HOST: (&str, &str) = ("host", "127.0.0.1:4000");

    #[test]
    fn a_request_without_the_token_is_refused() {
        let g = Guard::with_token("tok", 4000);
        assert_eq!(
            g.check(&request("/api/servers", &[HOST])),
            Err(Refusal::NoToken)
        );
        assert_eq!(g.check(&request("/", &[HOST])), Err(Refusal::NoToken));
    }

    #[test]
    fn a_wrong_token_is_refused_wherever_it_is() {
        let g = Guard::with_token("tok", 4000);
        for h in [
            ("authorization", "Bearer tox"),
            ("cookie", "mcpwire_inspect_4000=tox"),
        ] {
            assert_eq!(
                g.check(&request("/api/servers", &[HOST, h])),
                Err(Refusal::WrongToken)
            );
        }
        assert_eq!(
            g.check(&request("/?token=tox", &[HOST])),
            Err(Refusal::WrongToken)
        );
        // Another port's cookie is not this inspector's.
        assert_eq!(
            g.check(&request(
                "/api/servers",
                &[HOST, ("cookie", "mcpwire_inspect_4001=tok")]
            )),
            Err(Refusal::NoToken)
        );
    }

    #[test]
    fn the_url_token_is_exchanged_only_on_the_page() {
        let g = Guard::with_token("tok", 4000);
        assert_eq!(
            g.check(&request("/?token=tok", &[HOST])),
            Ok(Access::Exchange)
        );
        assert_eq!(
            g.check(&request("/api/servers?token=tok", &[HOST])),
            Err(Refusal::NoToken)
        );
        assert_eq!(
            g.check(&request(
                "/api/servers",
                &[HOST, ("cookie", "a=b; mcpwire_inspect_4000=tok")]
            )),
            Ok(Access::Granted)
        );
    }

    #[test]
    fn only_the_oauth_callback_goes_without_the_token() {
        let g = Guard::with_token("tok", 4000);
        assert_eq!(
            g.check(&request("/oauth/callback?code=c&state=s", &[HOST])),
            Ok(Access::Callback)
        );
        assert_eq!(
            g.check(&request(
                "/oauth/callback?code=c&state=s",
                &[("host", "evil.example:4000")]
            )),
            Err(Refusal::BadHost)
        );
        for path in ["/oauth/callback/x", "/oauth", "/api/oauth/callback"] {
            assert_eq!(
                g.check(&request(path, &[HOST])),
                Err(Refusal::NoToken),
                "{path}"
            );
        }
        let post = Request::post("/oauth/callback")
            .header("host", "127.0.0.1:4000")
            .body(())
            .unwrap();
        assert_eq!(g.check(&post), Err(Refusal::NoToken));
    }

    #[test]
    fn hosts_and_origins_are_the_inspectors_own() {
        let g = Guard::with_token("tok", 4000);
        let bearer = ("authorization", "Bearer tok");
        for host in ["localhost:4000", "127.0.0.1:4000", "LOCALHOST:4000"] {
            assert_eq!(
                g.check(&request("/", &[("host", host), bearer])),
                Ok(Access::Granted)
            );
        }
        for host in [
            "127.0.0.1:4001",
            "evil.example:4000",
            "127.0.0.1",
            "[::1]:4000",
        ] {
            assert_eq!(
                g.check(&request("/", &[("host", host), bearer])),
                Err(Refusal::BadHost),
                "{host}"
            );
        }
        assert_eq!(g.check(&request("/", &[bearer])), Err(Refusal::BadHost));
        for origin in [
            "http://evil.example",
            "null",
            "https://127.0.0.1:4000",
            "http://127.0.0.1:4001",
        ] {
            assert_eq!(
                g.check(&request("/", &[HOST, bearer, ("origin", origin)])),
                Err(Refusal::ForeignOrigin),
                "{origin}"
            );
        }
        assert_eq!(
            g.check(&request(
                "/",
                &[HOST, bearer, ("origin", "http://localhost:4000")]
            )),
            Ok(Access::Granted)
        );
    }
}
