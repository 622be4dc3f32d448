//! The whole-run deadline of the benchmark drivers: after `--timeout` the
//! process kills the server under test, if one runs, and exits with 3.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::sys::{SIGKILL, signal_child};

/// The exit code of a driver that ran out of time.
pub const EXIT_TIMED_OUT: i32 = 3;

/// The pid of the server that runs now (0: none), for the deadline to kill.
static SERVER_PID: AtomicU32 = AtomicU32::new(0);

/// Names the server that runs from now on (its pid), or none (0).
pub fn set_server(pid: u32) {
    SERVER_PID.store(pid, Ordering::SeqCst);
}

/// Starts the clock: after `timeout`, prints that `name` gave up, kills the server named by
/// [`set_server`] and exits the process with [`EXIT_TIMED_OUT`].
pub fn exit_after(name: &'static str, timeout: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(timeout);
        eprintln!("{name}: gave up after --timeout {} s", timeout.as_secs());
        let pid = SERVER_PID.load(Ordering::SeqCst);
        if pid != 0 {
            // Not reaped yet: the drivers name no server (set_server(0)) before they reap it.
            let _ = signal_child(pid, SIGKILL);
        }
        std::process::exit(EXIT_TIMED_OUT);
    });
}
