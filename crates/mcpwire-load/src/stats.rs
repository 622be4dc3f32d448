//! What a phase of calls measured and how it is summed up: the tally of
//! outcomes and latencies, nearest-rank percentiles, and a latency
//! histogram on a 1-2-5 scale.

use std::time::Duration;

/// Value at quantile `q` (0.0..=1.0) of an ascending slice, nearest-rank; 0 for an empty slice.
///
/// ```
/// use mcpwire_load::stats::percentile;
/// let v: Vec<u64> = (1..=100).collect();
/// assert_eq!(percentile(&v, 0.99), 99);
/// ```
pub fn percentile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// What became of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Answered with a result.
    Ok,
    /// Answered with a tool result marked `isError`; the text says what it was.
    ToolError(String),
    /// Answered with a JSON-RPC error, or not at all; the text says why.
    Failed(String),
}

/// What one phase of calls measured.
#[derive(Debug, Default)]
pub struct Tally {
    /// Round-trip time of every answered call (tool errors included), in
    /// nanoseconds, in the order the answers came.
    pub latencies: Vec<u64>,
    /// Calls answered with a JSON-RPC error or not at all.
    pub failed: usize,
    /// Calls whose result had `isError: true`.
    pub tool_errors: usize,
    /// The first failure or tool error, to show.
    pub first_error: Option<String>,
    /// Wall time of the phase.
    pub elapsed: Duration,
}

impl Tally {
    /// An empty tally with room for `calls` latencies, so recording does not allocate.
    pub fn with_capacity(calls: usize) -> Self {
        Self {
            latencies: Vec::with_capacity(calls),
            ..Self::default()
        }
    }

    /// Counts one call that took `latency_ns` (unused for a failed call).
    #[inline]
    pub fn record(&mut self, outcome: Outcome, latency_ns: u64) {
        match outcome {
            Outcome::Ok => self.latencies.push(latency_ns),
            Outcome::ToolError(why) => {
                self.tool_errors += 1;
                self.first_error.get_or_insert(why);
                self.latencies.push(latency_ns);
            }
            Outcome::Failed(why) => {
                self.failed += 1;
                self.first_error.get_or_insert(why);
            }
        }
    }

    /// Adds the calls of `other` (a worker's share of the same phase);
    /// the first error already kept stays.
    pub fn absorb(&mut self, other: Tally) {
        self.latencies.extend_from_slice(&other.latencies);
        self.failed += other.failed;
        self.tool_errors += other.tool_errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    /// Answered calls per second of wall time (0 for an empty phase).
    pub fn calls_per_s(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The latency figures of a phase, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Summary {
    /// The fastest call.
    pub min_us: f64,
    /// The mean.
    pub mean_us: f64,
    /// The median (nearest rank).
    pub p50_us: f64,
    /// The 90th percentile.
    pub p90_us: f64,
    /// The 99th percentile.
    pub p99_us: f64,
    /// The slowest call.
    pub max_us: f64,
}

impl Summary {
    /// The figures of `sorted_ns`, ascending latencies in nanoseconds; all
    /// zero when there are none.
    ///
    /// ```
    /// let s = mcpwire_load::stats::Summary::of(&[1_000, 2_000, 9_000]);
    /// assert_eq!((s.min_us, s.p50_us, s.max_us, s.mean_us), (1.0, 2.0, 9.0, 4.0));
    /// ```
    pub fn of(sorted_ns: &[u64]) -> Summary {
        let us = |ns: u64| ns as f64 / 1e3;
        let (Some(&min), Some(&max)) = (sorted_ns.first(), sorted_ns.last()) else {
            return Summary::default();
        };
        let sum: u128 = sorted_ns.iter().map(|&n| u128::from(n)).sum();
        Summary {
            min_us: us(min),
            mean_us: sum as f64 / sorted_ns.len() as f64 / 1e3,
            p50_us: us(percentile(sorted_ns, 0.50)),
            p90_us: us(percentile(sorted_ns, 0.90)),
            p99_us: us(percentile(sorted_ns, 0.99)),
            max_us: us(max),
        }
    }
}

/// One bar of a latency histogram: the calls with `from_us <= latency < to_us`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Lower bound, microseconds.
    pub from_us: f64,
    /// Upper bound (exclusive), microseconds.
    pub to_us: f64,
    /// Calls in it.
    pub count: usize,
}

/// Latency buckets on a 1-2-5 scale from the smallest to the largest of
/// `sorted_ns` (ascending, nanoseconds); every latency lands in exactly one.
///
/// ```
/// let h = mcpwire_load::stats::histogram(&[1_500, 3_000, 48_000]);
/// assert_eq!((h[0].from_us, h.last().unwrap().to_us), (1.0, 50.0));
/// ```
pub fn histogram(sorted_ns: &[u64]) -> Vec<Bucket> {
    let (Some(&lo), Some(&hi)) = (sorted_ns.first(), sorted_ns.last()) else {
        return Vec::new();
    };
    let mut edges = Vec::new();
    let mut decade = 1u64; // ns
    'outer: loop {
        for m in [1, 2, 5] {
            let Some(e) = decade.checked_mul(m) else {
                edges.push(u64::MAX);
                break 'outer;
            };
            if e > hi {
                edges.push(e);
                break 'outer;
            }
            if e > lo || edges.is_empty() {
                edges.push(e);
            }
            if e <= lo {
                edges.clear();
                edges.push(e);
            }
        }
        match decade.checked_mul(10) {
            Some(d) => decade = d,
            None => {
                edges.push(u64::MAX);
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(edges.len());
    let mut i = 0;
    for w in edges.windows(2) {
        let start = i;
        while i < sorted_ns.len() && (sorted_ns[i] < w[1] || w[1] == u64::MAX) {
            i += 1;
        }
        out.push(Bucket {
            from_us: w[0] as f64 / 1e3,
            to_us: w[1] as f64 / 1e3,
            count: i - start,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), 50);
        assert_eq!(percentile(&v, 0.99), 99);
        assert_eq!(percentile(&v, 1.0), 100);
        assert_eq!(percentile(&v, 0.0), 1);
        assert_eq!(percentile(&[], 0.5), 0);
        assert_eq!(percentile(&[7], 0.99), 7);
    }

    #[test]
    fn summary_orders_its_figures_and_is_zero_when_empty() {
        let ns: Vec<u64> = (1..=1000).map(|i| i * 1_000).collect();
        let s = Summary::of(&ns);
        assert_eq!(
            [s.min_us, s.p50_us, s.p90_us, s.p99_us, s.max_us],
            [1.0, 500.0, 900.0, 990.0, 1000.0]
        );
        assert_eq!(s.mean_us, 500.5);
        assert_eq!(Summary::of(&[]), Summary::default());
        // sums past u64 do not wrap
        let s = Summary::of(&[u64::MAX, u64::MAX]);
        assert_eq!(s.mean_us, u64::MAX as f64 / 1e3);
    }

    #[test]
    fn histogram_covers_every_latency_once() {
        let ns: Vec<u64> = vec![1_500, 3_000, 3_100, 9_000, 48_000];
        let h = histogram(&ns);
        assert_eq!(h.iter().map(|b| b.count).sum::<usize>(), ns.len());
        assert_eq!(h.first().unwrap().from_us, 1.0);
        assert_eq!(h.last().unwrap().to_us, 50.0);
        for w in h.windows(2) {
            assert_eq!(w[0].to_us, w[1].from_us);
        }
        assert!(histogram(&[]).is_empty());
        // one latency, and latencies up to the largest u64, land somewhere
        assert_eq!(histogram(&[5]).iter().map(|b| b.count).sum::<usize>(), 1);
        let huge = [1, u64::MAX / 2, u64::MAX];
        assert_eq!(histogram(&huge).iter().map(|b| b.count).sum::<usize>(), 3);
    }

    #[test]
    fn tally_counts_outcomes_and_keeps_the_first_error() {
        let mut t = Tally::with_capacity(4);
        t.record(Outcome::Ok, 10);
        t.record(Outcome::ToolError("isError: first".into()), 20);
        t.record(Outcome::Failed("second".into()), 30);
        assert_eq!(t.latencies, [10, 20]);
        assert_eq!((t.failed, t.tool_errors), (1, 1));
        assert_eq!(t.first_error.as_deref(), Some("isError: first"));
        let mut other = Tally::default();
        other.record(Outcome::Failed("third".into()), 0);
        other.record(Outcome::Ok, 40);
        t.absorb(other);
        assert_eq!(t.latencies, [10, 20, 40]);
        assert_eq!((t.failed, t.tool_errors), (2, 1));
        assert_eq!(t.first_error.as_deref(), Some("isError: first"));
        t.elapsed = Duration::from_millis(3);
        assert_eq!(t.calls_per_s().round(), 1000.0);
        assert_eq!(Tally::default().calls_per_s(), 0.0);
    }
}
