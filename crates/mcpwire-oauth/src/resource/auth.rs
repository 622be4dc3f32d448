//! [`Auth`]: the verified caller, as a handler parameter.

use std::ops::Deref;

use mcpwire_rpc::Error;
use mcpwire_server::{Context, Extension, FromContext};

use super::VerifiedToken;

/// The verified caller of a request: the [`VerifiedToken`] the
/// [`BearerAuth`](super::BearerAuth) layer put in the request's extensions
/// (subject, client, scopes, issuer, expiry, every claim; never the token
/// itself). Derefs to the token.
///
/// A request that carries no verified token (a server not behind the
/// layer, or a transport other than HTTP) fails with `-32600 Invalid
/// Request`, saying it needs an authenticated caller; take `Option<Auth>`
/// where anonymous callers are welcome.
///
/// ```
/// use mcpwire_oauth::resource::Auth;
/// use mcpwire_server::{Context, FromContext, ToolRoute};
///
/// let whoami = ToolRoute::typed("whoami", |cx: Context, _: ()| async move {
///     let caller = Option::<Auth>::from_context(&cx)?;
///     Ok::<_, mcpwire_rpc::Error>(match caller {
///         Some(auth) => format!(
///             "{} (scopes: {})",
///             auth.subject.as_deref().unwrap_or("?"),
///             auth.scopes.join(" ")
///         ),
///         None => "anonymous".to_owned(),
///     })
/// });
/// assert_eq!(whoami.name(), "whoami");
/// ```
///
/// With the macros, `auth: Auth` (or `auth: Option<Auth>`) is a parameter
/// like any other extractor.
#[derive(Debug, Clone, PartialEq)]
pub struct Auth(pub VerifiedToken);

impl Deref for Auth {
    type Target = VerifiedToken;

    fn deref(&self) -> &VerifiedToken {
        &self.0
    }
}

impl FromContext for Auth {
    fn from_context(cx: &Context) -> Result<Self, Error> {
        match Option::<Extension<VerifiedToken>>::from_context(cx)? {
            Some(Extension(token)) => Ok(Auth(token)),
            None => Err(Error::invalid_request(
                "This request carries no verified access token, and this handler needs \
                 an authenticated caller",
            )),
        }
    }
}
