//! Starting a server under test on its own CPU: the child inherits the
//! spawning thread's affinity, so the driver pins itself to the server's
//! CPU for the spawn only, then back to its own.

use std::io;
use std::process::{Child, Command};
use std::time::Instant;

use crate::sys::pin_current_thread;

/// The CPUs the server and the driver run on; `None` leaves one unpinned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pinning {
    /// The server's CPU.
    pub server: Option<usize>,
    /// The driver's CPU (the calling thread's).
    pub driver: Option<usize>,
}

impl Pinning {
    /// Pins the calling thread to the driver's CPU, if one is set.
    pub fn pin_driver(&self) -> io::Result<()> {
        match self.driver {
            Some(cpu) => pin(cpu),
            None => Ok(()),
        }
    }
}

fn pin(cpu: usize) -> io::Result<()> {
    pin_current_thread(cpu)
        .map_err(|e| io::Error::new(e.kind(), format!("pinning to cpu {cpu}: {e}")))
}

/// Spawns `cmd` on the server's CPU and returns the child with the instant just before the
/// spawn; the calling thread ends up on the driver's CPU.
pub fn spawn_pinned(cmd: &mut Command, pins: Pinning) -> io::Result<(Child, Instant)> {
    if let Some(cpu) = pins.server {
        pin(cpu)?;
    }
    let t0 = Instant::now();
    let spawned = cmd.spawn();
    let repinned = pins.pin_driver();
    let child = spawned?;
    if let Err(e) = repinned {
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    Ok((child, t0))
}
