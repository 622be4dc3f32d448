//! The Redis-backed shared state of `mcpwire-redis`, each piece against a
//! private `redis-server` and a local three-master Redis Cluster that the
//! tests start themselves (`mcpwire_testkit::parts`).
//!
//! They live here rather than in `mcpwire-redis`, so that the published
//! crate needs no dev-dependency on the test kit (which depends on the
//! facade above it).

#[macro_use]
mod common;

mod bus;
mod caps;
mod connect;
mod copies;
mod events;
mod key_ring;
mod relay;
mod session_changes;
mod sessions;
mod tasks;
mod tunnel;
