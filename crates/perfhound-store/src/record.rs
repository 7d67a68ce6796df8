//! What a saved run becomes in the store: one `runs` row (the whole run as JSON, plus
//! the columns listings filter on) and one `points` row per target and series metric.

use perfhound_model::{Metric, Run, Target};

/// The metrics kept as series (what `history --metric` and change points read).
pub const SERIES_METRICS: [Metric; 7] =
    [Metric::P50, Metric::P95, Metric::P99, Metric::Mean, Metric::Rps, Metric::ErrorRate, Metric::Requests];

/// One target's value of a series metric: latencies in µs, rates per second, fractions.
pub fn point_value(metric: Metric, target: &Target) -> Option<f64> {
    let m = &target.measurements;
    let lat = m.latency.as_ref().filter(|h| !h.is_empty());
    let value = match metric {
        Metric::P50 => lat?.quantile_us(0.50) as f64,
        Metric::P95 => lat?.quantile_us(0.95) as f64,
        Metric::P99 => lat?.quantile_us(0.99) as f64,
        Metric::Mean => lat?.mean_us(),
        Metric::Rps => (m.requests > 0).then_some(m.rps)?,
        Metric::ErrorRate => (m.requests > 0).then(|| m.error_rate())?,
        Metric::Requests => m.requests as f64,
        _ => return None,
    };
    value.is_finite().then_some(value)
}

/// Every `(target, kind, metric, value)` of a run.
pub fn points(run: &Run) -> Vec<(String, String, Metric, f64)> {
    let mut out = Vec::new();
    for target in &run.targets {
        for metric in SERIES_METRICS {
            if let Some(v) = point_value(metric, target) {
                out.push((target.name.clone(), target.kind.as_str().to_string(), metric, v));
            }
        }
    }
    out
}

/// A saved run as listings show it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RunRow {
    /// Order of saving (1, 2, …).
    pub seq: i64,
    pub id: String,
    pub command: String,
    pub started_at: String,
    pub git_commit: String,
    pub git_branch: String,
    pub host: String,
    pub findings: i64,
    pub budgets_failed: i64,
    pub tags: std::collections::BTreeMap<String, String>,
}

/// Which runs a listing or series wants; empty fields match everything.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Runs that measured a target whose name contains this text.
    pub target: Option<String>,
    pub branch: Option<String>,
    pub command: Option<String>,
    /// Every `k=v` must be a tag of the run.
    pub tags: Vec<(String, String)>,
    /// At most this many (the most recent); 0 = all.
    pub limit: usize,
}

/// One value of a series, oldest first.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Point {
    pub seq: i64,
    pub run_id: String,
    pub started_at: String,
    pub git_commit: String,
    pub value: f64,
}
