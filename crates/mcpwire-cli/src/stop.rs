//! When a long-running verb stops: on Ctrl-C, and on SIGTERM (what
//! service managers and `kill` send), so that it closes its connections
//! and stops its child processes rather than leaving them behind.

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
pub async fn requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
