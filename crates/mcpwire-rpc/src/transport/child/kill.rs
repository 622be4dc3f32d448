//! Stopping the child itself, portably: a task owns the
//! `tokio::process::Child`, reports its exit status, and kills it
//! (`start_kill`: SIGKILL on Unix, `TerminateProcess` on Windows) when
//! asked, or when whoever could ask is gone.

use std::process::ExitStatus;

use tokio::process::Child;
use tokio::sync::watch;

/// Asks the task that owns the child to kill it. Dropping it asks too.
#[derive(Debug)]
pub(crate) struct Killer(watch::Sender<bool>);

impl Killer {
    /// Asks for the child to be killed (at once if it still runs; nothing
    /// if it exited).
    pub(crate) fn kill(&self) {
        self.0.send_replace(true);
    }
}

/// Hands `child` to a task of its own, which reports its exit status on
/// the returned receiver and kills it when the [`Killer`] asks or is
/// dropped. Must be called inside a tokio runtime.
pub(crate) fn watch_child(mut child: Child) -> (Killer, watch::Receiver<Option<ExitStatus>>) {
    let (kill_tx, mut kill_rx) = watch::channel(false);
    let (status_tx, status_rx) = watch::channel(None);
    tokio::spawn(async move {
        let status = tokio::select! {
            status = child.wait() => status,
            // Asked, or the transport is gone: either way, kill it.
            () = async { drop(kill_rx.wait_for(|asked| *asked).await) } => {
                let _ = child.start_kill();
                child.wait().await
            }
        };
        let _ = status_tx.send(status.ok());
    });
    (Killer(kill_tx), status_rx)
}
