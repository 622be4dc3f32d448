//! Proxy tests (real processes).
