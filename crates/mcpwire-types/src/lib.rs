//! Wire types of the Model Context Protocol.
//!
//! Every type here is plain data with `serde` impls: the JSON-RPC envelope
//! ([`jsonrpc`]), the protocol revisions ([`version`]) and the MCP messages of
//! every published revision. Fields that later revisions added are optional,
//! so one set of types reads and writes every revision.
#![warn(missing_docs)]

pub mod jsonrpc;
pub mod version;

pub use jsonrpc::{
    ErrorCode, ErrorObject, Incoming, Message, Notification, Rejection, Request, RequestId,
    Response, JSONRPC_VERSION,
};
pub use version::{ProtocolVersion, UnknownVersion};
