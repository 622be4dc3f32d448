//! What the fuzz targets share: a byte stream delivered in chosen chunks, a
//! small grammar of JSON-RPC messages, and a tiny echo server built with
//! the public API.

pub mod chunks;
pub mod grammar;
pub mod server;

/// A current-thread tokio runtime with timers, built once per target.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime")
}

/// Splits `data` at its first `\n`: the control line and the rest.
pub fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}
