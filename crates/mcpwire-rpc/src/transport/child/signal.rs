//! Unix only: the child's process group, and the signals sent to it (or
//! to the child alone, when it has no group of its own).

use rustix::process::{Pid, Signal, kill_process, kill_process_group, test_kill_process_group};

/// A process group id.
pub(crate) type Group = i32;

/// What to send a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupSignal {
    /// Whether any process of the group is left (signal 0).
    Probe,
    /// SIGTERM: asks them to stop.
    Terminate,
    /// SIGKILL: stops them.
    Kill,
}

/// Sends `sig` to every process of `group`; `false` when the group has no
/// process left (or `group` is not a valid child group: never this
/// process's own group, 0, or every process, -1).
pub(crate) fn signal_group(group: Group, sig: GroupSignal) -> bool {
    let Some(pid) = Pid::from_raw(group).filter(|_| group > 0) else {
        return false;
    };
    match sig {
        GroupSignal::Probe => test_kill_process_group(pid).is_ok(),
        GroupSignal::Terminate => kill_process_group(pid, Signal::TERM).is_ok(),
        GroupSignal::Kill => kill_process_group(pid, Signal::KILL).is_ok(),
    }
}

/// Starts the child as the leader of a process group of its own.
pub(crate) fn own_group(cmd: &mut tokio::process::Command) {
    cmd.process_group(0);
}

/// Sends SIGTERM to the process `pid` alone; whether it was sent.
pub(crate) fn terminate_process(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return false;
    };
    kill_process(pid, Signal::TERM).is_ok()
}
