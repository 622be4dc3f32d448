//! The Streamable HTTP driver: a hand-written HTTP/1.1 client on
//! `std::net::TcpStream` ([`conn`]), MCP sessions over it with prebuilt,
//! verified `echo` calls ([`session`]), the one-thread loop that keeps many
//! sessions busy at once ([`drive`]), and the benchmark built on them
//! ([`bench`](mod@bench), [`report`]).
//!
//! ```no_run
//! use mcpwire_load::http::{Calls, Endpoint, Session, run_calls};
//!
//! let addr = "127.0.0.1:8080".parse().unwrap();
//! let ep = Endpoint { addr, host: addr.to_string(), path: "/mcp".into(), modern: false };
//! let mut sessions = vec![Session::open(&ep, None)?, Session::open(&ep, None)?];
//! let calls: Vec<Calls> = sessions
//!     .iter()
//!     .enumerate()
//!     .map(|(j, s)| Calls::new(&ep, s.id.as_deref(), 1 + 100 * j as u64, 100, 64))
//!     .collect();
//! let mut latencies = Vec::new();
//! run_calls(&mut sessions, &calls, Some(&mut latencies))?;
//! assert_eq!(latencies.len(), 200);
//! # Ok::<(), String>(())
//! ```

pub mod bench;
pub mod conn;
pub mod drive;
pub mod report;
pub mod session;

pub use conn::{
    Conn, Endpoint, Head, IO_TIMEOUT, MAX_RESPONSE, MODERN_META, MODERN_VERSION, PROTOCOL_VERSION,
    each_message, post_request,
};
pub use drive::run_calls;
pub use report::print_table;
pub use session::{Bodies, Calls, Session, is_echo_answer};
