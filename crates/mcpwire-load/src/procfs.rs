//! What `/proc` says about a process under load: its resident memory
//! (`VmHWM`, `VmRSS`) and the CPU time its threads spent running.

use std::io;

/// Peak resident set size (`VmHWM`) of process `pid`, in KiB.
pub fn peak_rss_kib(pid: u32) -> io::Result<u64> {
    status_kib(pid, "VmHWM")
}

/// Current resident set size (`VmRSS`) of process `pid`, in KiB.
pub fn rss_kib(pid: u32) -> io::Result<u64> {
    status_kib(pid, "VmRSS")
}

fn status_kib(pid: u32, field: &str) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status_field_kib(&status, field)
        .ok_or_else(|| io::Error::other(format!("no {field} in /proc/{pid}/status")))
}

/// The value of `field` (such as `VmHWM`) in the text of a `/proc/<pid>/status` file, in KiB.
fn status_field_kib(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// CPU time (ns) that the calling thread has spent running, from `/proc/thread-self/schedstat`.
pub fn thread_cpu_ns() -> u64 {
    schedstat_ns("/proc/thread-self/schedstat")
}

/// CPU time (ns) that all threads of process `pid` have spent running, from `/proc/<pid>/task/*/schedstat`.
/// Threads that already exited are not counted.
pub fn process_cpu_ns(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .map(|t| schedstat_ns(t.path().join("schedstat")))
        .sum()
}

fn schedstat_ns(path: impl AsRef<std::path::Path>) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_are_read_in_kib() {
        let status = "Name:\tx\nVmHWM:\t    2148 kB\nVmRSS:\t  1024 kB\n";
        assert_eq!(status_field_kib(status, "VmHWM"), Some(2148));
        assert_eq!(status_field_kib(status, "VmRSS"), Some(1024));
        assert_eq!(status_field_kib(status, "VmSwap"), None);
        assert_eq!(status_field_kib("VmHWM:\tlots kB\n", "VmHWM"), None);
    }

    #[test]
    fn this_process_has_memory_and_cpu_time() {
        let me = std::process::id();
        assert!(peak_rss_kib(me).unwrap() > 0 && rss_kib(me).unwrap() > 0);
        assert!(process_cpu_ns(me) > 0);
        assert_eq!(process_cpu_ns(u32::MAX), 0);
    }
}
