//! A guard that kills a stdio server which makes no progress, so a driver
//! blocked in a read of its output ends instead of hanging.

use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the watchdog looks at the read count.
const TICK: Duration = Duration::from_millis(50);

/// Kills the server once nothing was read from it for its limit; disarmed on drop.
pub struct Watchdog {
    stop: Arc<AtomicBool>,
}

impl Watchdog {
    /// Watches `reads` (bumped on every successful read) and kills `child` when it has not
    /// moved for `limit`, after storing the limit in milliseconds (at least 1) in `fired`.
    pub(super) fn arm(
        child: Arc<Mutex<Child>>,
        reads: Arc<AtomicU64>,
        fired: Arc<AtomicU64>,
        limit: Duration,
    ) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            let mut seen = reads.load(Ordering::Relaxed);
            let mut since = Instant::now();
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(TICK);
                let now = reads.load(Ordering::Relaxed);
                if now != seen {
                    seen = now;
                    since = Instant::now();
                } else if since.elapsed() >= limit {
                    let ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX).max(1);
                    fired.store(ms, Ordering::SeqCst);
                    let _ = child.lock().map(|mut c| c.kill());
                    return;
                }
            }
        });
        Watchdog { stop }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
