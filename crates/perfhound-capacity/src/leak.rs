//! PH-CAP001 resource-leak: the watched process's RSS, open file descriptors or threads
//! keep growing over a steady soak after warm-up.
//!
//! - **What it detects**: a Theil–Sen trend of the resource against time whose 95 %
//!   interval is above zero, whose rise over the fitted window exceeds noise (1 MB of RSS,
//!   5 descriptors or threads) and whose floor rises with it (a sawtooth's does not).
//! - **Why it matters**: memory that grows with traffic ends in an OOM kill or swapping;
//!   leaked descriptors and threads end in `EMFILE` and refused connections.
//! - **Example**: RSS grows 180 MB/hour (95 % CI 170–190) at 20 req/s; the 2 GB limit is
//!   reached in 10.8 hours.
//! - **Fix**: see [`RESOURCE_LEAK`]'s fix text.
//! - **Thresholds**: critical when the projected time to `--memory-limit` is under 24 h,
//!   warning otherwise (and without a limit).

use perfhound_model::capacity::Trend;
use perfhound_model::{Finding, Rule, Severity};
use perfhound_term::human;

pub const RESOURCE_LEAK: Rule = Rule {
    code: "PH-CAP001",
    name: "resource-leak",
    severity: Severity::Warning,
    summary: "The service's memory, open file descriptors or threads keep growing under steady load after warm-up.",
    why: "A resource that grows with traffic ends in an out-of-memory kill, swapping, or `too many open files` — at a time set by traffic, not by deploys.",
    fix: "Find what is retained per request: unbounded caches and maps (add a size bound or TTL), listeners or closures registered per request, connections/files opened without close; compare two heap snapshots taken minutes apart under load.",
};

/// Every rule of this crate, for `perfhound rules`.
pub const RULES: [Rule; 1] = [RESOURCE_LEAK];

/// The finding for one growing trend of `target`'s process.
pub fn finding(trend: &Trend, target: &str, rps: f64) -> Finding {
    let per_hour = match trend.resource.as_str() {
        "rss_bytes" => format!(
            "{}/hour (95 % CI {}–{})",
            human::bytes(trend.slope_per_hour),
            human::bytes(trend.slope_ci_low),
            human::bytes(trend.slope_ci_high)
        ),
        _ => format!("{:.0}/hour (95 % CI {:.0}–{:.0})", trend.slope_per_hour, trend.slope_ci_low, trend.slope_ci_high),
    };
    let what = match trend.resource.as_str() {
        "rss_bytes" => "RSS",
        "open_fds" => "open file descriptors",
        _ => "threads",
    };
    let limit = trend.hours_to_limit.map(|h| format!("; the memory limit is reached in {h:.1} h")).unwrap_or_default();
    let title = format!("{what} grows {per_hour} at {} after warm-up{limit}", human::rate(rps));
    let mut f = Finding::new(&RESOURCE_LEAK, format!("{target} ({what})"), title);
    f.severity = if trend.hours_to_limit.is_some_and(|h| h < 24.0) { Severity::Critical } else { Severity::Warning };
    f.evidence.counts.insert("samples".into(), u64::from(trend.samples));
    if trend.resource == "rss_bytes" {
        f.evidence.sizes_bytes.insert("first".into(), trend.first as u64);
        f.evidence.sizes_bytes.insert("last".into(), trend.last as u64);
    }
    f
}
