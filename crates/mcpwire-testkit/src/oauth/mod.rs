//! Both sides of OAuth for the auth tests: signing keys and tokens
//! ([`keys`]), a protected mcpwire server ([`protected`]), and a real
//! authorization server ([`authorization_server`]), each on `127.0.0.1:0`.

pub mod authorization_server;
pub mod keys;
pub mod protected;

pub use authorization_server::{AuthServer, Behaviour, Event, Iss};
pub use keys::{ISSUER, Keys, RSA_JWK, RSA_PK8, b64, now, sign, sign_with_header};
pub use protected::{
    Protected, Rotating, Text, auth_for, auth_naming, challenge, mcp_server, protect, protect_on,
    protect_server, protect_with, trusting,
};
