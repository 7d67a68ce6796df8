//! Before/after: every target metric and finding against a baseline, with verdicts.
//!
//! Rules (docs/report.md): a latency percentile regressed when it grew by more than
//! [`REGRESSION_REL`] (10%) *and* more than [`REGRESSION_LATENCY_MIN_US`] (0.5 ms), improved
//! when it shrank by both; the error rate regressed/improved when it moved by more than 0.1
//! percentage points; throughput is judged (±10%) only for closed-model targets, since an
//! open-model run's throughput is the rate it was asked for. Findings are matched by
//! fingerprint: new, resolved or persisting.

use super::TargetRow;
use crate::runset::RunSet;
use perfhound_model::{Measurements, Severity};
use serde::Serialize;

/// Relative change beyond which a metric counts as changed.
pub const REGRESSION_REL: f64 = 0.10;
/// Absolute latency change below which nothing counts as changed (noise of fast endpoints).
pub const REGRESSION_LATENCY_MIN_US: f64 = 500.0;
/// Absolute error-rate change (fraction) that counts as changed.
const ERROR_RATE_MIN: f64 = 0.001;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Regression,
    Improvement,
    Unchanged,
}

/// One metric before and after.
#[derive(Clone, Debug, Serialize)]
pub struct Delta {
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// Relative change `(after - before) / before`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<f64>,
    pub verdict: Verdict,
}

#[derive(Clone, Debug, Serialize)]
pub struct TargetChange {
    pub p50_us: Delta,
    pub p95_us: Delta,
    pub p99_us: Delta,
    pub error_rate: Delta,
    pub rps: Delta,
}

impl TargetChange {
    pub fn deltas(&self) -> [(&'static str, &Delta); 5] {
        [
            ("p50", &self.p50_us),
            ("p95", &self.p95_us),
            ("p99", &self.p99_us),
            ("error rate", &self.error_rate),
            ("throughput", &self.rps),
        ]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    New,
    Persisting,
}

#[derive(Clone, Debug, Serialize)]
pub struct FindingRef {
    pub code: String,
    pub severity: Severity,
    pub title: String,
    pub target: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub regressions: usize,
    pub improvements: usize,
    pub new_findings: Vec<FindingRef>,
    pub resolved_findings: Vec<FindingRef>,
    pub persisting_findings: usize,
}

pub(super) fn target_change(before: &Measurements, after: &Measurements, judge_rps: bool) -> TargetChange {
    let q = |m: &Measurements, p: f64| m.latency.as_ref().filter(|h| !h.is_empty()).map(|h| h.quantile_us(p) as f64);
    let latency = |p: f64| delta(q(before, p), q(after, p), latency_verdict);
    let closed = judge_rps && before.target_rps.is_none() && after.target_rps.is_none();
    TargetChange {
        p50_us: latency(0.5),
        p95_us: latency(0.95),
        p99_us: latency(0.99),
        error_rate: delta(Some(before.error_rate()), Some(after.error_rate()), error_verdict),
        rps: delta(
            Some(before.rps),
            Some(after.rps),
            |b, a| if closed { rps_verdict(b, a) } else { Verdict::Unchanged },
        ),
    }
}

fn delta(before: Option<f64>, after: Option<f64>, judge: impl Fn(f64, f64) -> Verdict) -> Delta {
    let (change, verdict) = match (before, after) {
        (Some(b), Some(a)) => ((b != 0.0).then(|| (a - b) / b), judge(b, a)),
        _ => (None, Verdict::Unchanged),
    };
    Delta { before, after, change, verdict }
}

fn latency_verdict(before: f64, after: f64) -> Verdict {
    let diff = after - before;
    let rel = if before > 0.0 { diff / before } else { 0.0 };
    if diff.abs() <= REGRESSION_LATENCY_MIN_US || rel.abs() <= REGRESSION_REL {
        Verdict::Unchanged
    } else if diff > 0.0 {
        Verdict::Regression
    } else {
        Verdict::Improvement
    }
}

fn error_verdict(before: f64, after: f64) -> Verdict {
    match after - before {
        d if d > ERROR_RATE_MIN => Verdict::Regression,
        d if d < -ERROR_RATE_MIN => Verdict::Improvement,
        _ => Verdict::Unchanged,
    }
}

fn rps_verdict(before: f64, after: f64) -> Verdict {
    let rel = if before > 0.0 { (after - before) / before } else { 0.0 };
    if rel < -REGRESSION_REL {
        Verdict::Regression
    } else if rel > REGRESSION_REL {
        Verdict::Improvement
    } else {
        Verdict::Unchanged
    }
}

pub(super) fn comparison(runs: &RunSet, baseline: &RunSet, rows: &[TargetRow]) -> Comparison {
    let verdicts = rows.iter().filter_map(|r| r.change.as_ref()).flat_map(|c| c.deltas().map(|(_, d)| d.verdict));
    let (regressions, improvements) = verdicts.fold((0, 0), |(r, i), v| match v {
        Verdict::Regression => (r + 1, i),
        Verdict::Improvement => (r, i + 1),
        Verdict::Unchanged => (r, i),
    });
    let in_baseline = |fp: &str| baseline.findings.iter().any(|f| f.fingerprint == fp);
    let in_current = |fp: &str| runs.findings.iter().any(|f| f.fingerprint == fp);
    let to_ref = |f: &perfhound_model::Finding| FindingRef {
        code: f.rule.code.clone(),
        severity: f.severity,
        title: f.title.clone(),
        target: f.target.clone(),
    };
    Comparison {
        regressions,
        improvements,
        new_findings: runs.findings.iter().filter(|f| !in_baseline(&f.fingerprint)).map(to_ref).collect(),
        resolved_findings: baseline.findings.iter().filter(|f| !in_current(&f.fingerprint)).map(to_ref).collect(),
        persisting_findings: runs.findings.iter().filter(|f| in_baseline(&f.fingerprint)).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_need_both_relative_and_absolute_change() {
        assert_eq!(latency_verdict(100_000.0, 150_000.0), Verdict::Regression);
        assert_eq!(latency_verdict(100_000.0, 60_000.0), Verdict::Improvement);
        assert_eq!(latency_verdict(1_000.0, 1_400.0), Verdict::Unchanged, "40% but only 0.4ms");
        assert_eq!(latency_verdict(100_000.0, 105_000.0), Verdict::Unchanged, "5ms but only 5%");
        assert_eq!(error_verdict(0.0, 0.02), Verdict::Regression);
        assert_eq!(rps_verdict(100.0, 80.0), Verdict::Regression);
    }
}
