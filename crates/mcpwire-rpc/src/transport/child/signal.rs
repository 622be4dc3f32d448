//! Signals to a child's process group: the workspace's only `unsafe` code.
//!
//! Audited: `killpg(2)` takes two integers and has no memory-safety
//! preconditions; the group is always a child's own, a positive id, so it
//! never names this process's group (0) or every process (-1).
#![allow(unsafe_code)]

/// A process group id.
pub(crate) type Group = libc::pid_t;

/// Sends `sig` to every process of `group`; `false` when the group has no
/// process left (or `group` is not a valid child group).
pub(crate) fn signal_group(group: Group, sig: libc::c_int) -> bool {
    if group <= 0 {
        return false;
    }
    // SAFETY: see the module's header; `group` is positive.
    unsafe { libc::killpg(group, sig) == 0 }
}
