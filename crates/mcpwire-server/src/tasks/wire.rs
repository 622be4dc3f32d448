//! How a stored task looks on the wire, in either shape (2025-11-25 and the
//! 2026 extension), with its timestamps and its fresh id.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcpwire_types::{DetailedTask, ResultType, Task, TaskStatus};

use super::store::{TaskOutcome, TaskRecord};

/// A new task id: 128 random bits as a version-4 UUID, unguessable so that
/// holding the id is what grants access to a stateless task.
pub(crate) fn new_task_id() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `t` as an ISO 8601 UTC timestamp with milliseconds.
pub(crate) fn iso8601(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, day) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The 2025-11-25 `Task`.
pub(crate) fn legacy_task(r: &TaskRecord) -> Task {
    Task {
        task_id: r.task_id.clone(),
        status: r.status,
        status_message: r.status_message.clone(),
        created_at: iso8601(r.created_at),
        last_updated_at: iso8601(r.last_updated_at),
        ttl: r.ttl.map(millis),
        poll_interval: r.poll_interval.map(millis),
    }
}

/// The extension's task with what its status inlines: pending input
/// requests, the result, or the error.
pub(crate) fn detailed_task(r: &TaskRecord, result_type: Option<ResultType>) -> DetailedTask {
    let mut t = DetailedTask::from(legacy_task(r));
    t.result_type = result_type;
    match (r.status, &r.outcome) {
        (TaskStatus::InputRequired, _) => t.input_requests = Some(r.input_requests.clone()),
        (TaskStatus::Completed, Some(TaskOutcome::Result(v))) => t.result = Some(v.clone()),
        (TaskStatus::Failed, Some(TaskOutcome::Error(e))) => t.error = Some(e.clone()),
        _ => {}
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_iso8601() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_709_251_199_123);
        assert_eq!(iso8601(t), "2024-02-29T23:59:59.123Z");
        let t = UNIX_EPOCH + Duration::from_secs(4_102_444_800);
        assert_eq!(iso8601(t), "2100-01-01T00:00:00.000Z");
    }

    #[test]
    fn ids_are_distinct_uuids() {
        let a = new_task_id();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, new_task_id());
    }
}
