//! Two runs compared: per endpoint and metric the difference, its significance and effect
//! size; per finding whether it is new, fixed or persisting; and the verdict a CI gate
//! needs (a significant regression beyond the tolerance).
//!
//! A metric regresses when it moved the wrong way by more than the tolerance (relative,
//! default 5 %) *and* its test says the move is not noise (`p < alpha`, default 0.01):
//! the median and mean by Mann–Whitney over the two histograms, the tail quantiles by the
//! share of requests above the baseline's quantile ([`stats`]). The effect size is Cliff's
//! delta of the two distributions.

pub mod stats;

use perfhound_model::{Finding, Histogram, Metric, Run, Target};

/// How strict the verdict is.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Smallest relative change that may count as a regression (0.05 = 5 %).
    pub tolerance: f64,
    /// Largest p-value that counts as significant.
    pub alpha: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config { tolerance: 0.05, alpha: 0.01 }
    }
}

/// One metric of one target in both runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MetricDelta {
    pub metric: &'static str,
    /// Latencies in µs, rates per second, fractions.
    pub baseline: f64,
    pub current: f64,
    /// `current / baseline - 1`; for error rates the absolute difference.
    pub change: f64,
    pub p_value: f64,
    pub significant: bool,
    pub regression: bool,
    pub improvement: bool,
}

/// One target in both runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TargetDelta {
    pub target: String,
    pub kind: &'static str,
    pub requests_baseline: u64,
    pub requests_current: u64,
    /// Cliff's delta of current over baseline latencies (> 0: slower), −1..1.
    pub effect_size: f64,
    pub metrics: Vec<MetricDelta>,
}

/// A finding's fate between the runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FindingDelta {
    pub status: FindingStatus,
    pub code: String,
    pub severity: &'static str,
    pub target: String,
    pub title: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    New,
    Fixed,
    Persisting,
}

/// The whole comparison.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Comparison {
    pub baseline: String,
    pub current: String,
    pub tolerance: f64,
    pub alpha: f64,
    pub targets: Vec<TargetDelta>,
    pub findings: Vec<FindingDelta>,
    /// Targets measured in only one of the runs.
    pub only_baseline: Vec<String>,
    pub only_current: Vec<String>,
    pub regressions: usize,
    pub improvements: usize,
}

/// Compares `current` against `baseline`.
pub fn compare(baseline: &Run, current: &Run, cfg: &Config) -> Comparison {
    let mut targets = Vec::new();
    let mut only_baseline = Vec::new();
    for a in &baseline.targets {
        match current.targets.iter().find(|b| b.name == a.name && b.kind == a.kind) {
            Some(b) => targets.extend(target_delta(a, b, cfg)),
            None => only_baseline.push(a.name.clone()),
        }
    }
    let only_current = current
        .targets
        .iter()
        .filter(|b| !baseline.targets.iter().any(|a| a.name == b.name && a.kind == b.kind))
        .map(|b| b.name.clone())
        .collect();
    let all = targets.iter().flat_map(|t: &TargetDelta| &t.metrics);
    let (regressions, improvements) =
        all.fold((0, 0), |(r, i), m| (r + m.regression as usize, i + m.improvement as usize));
    Comparison {
        baseline: baseline.id.clone(),
        current: current.id.clone(),
        tolerance: cfg.tolerance,
        alpha: cfg.alpha,
        targets,
        findings: findings(&baseline.findings, &current.findings),
        only_baseline,
        only_current,
        regressions,
        improvements,
    }
}

fn target_delta(a: &Target, b: &Target, cfg: &Config) -> Option<TargetDelta> {
    let (ma, mb) = (&a.measurements, &b.measurements);
    let (ha, hb) = (ma.latency.as_ref().filter(|h| !h.is_empty()), mb.latency.as_ref().filter(|h| !h.is_empty()));
    let mut metrics = Vec::new();
    let mut effect_size = 0.0;
    if let (Some(ha), Some(hb)) = (ha, hb) {
        let ranks = stats::mann_whitney(ha, hb);
        effect_size = ranks.delta;
        for (metric, q) in [(Metric::P50, 0.5), (Metric::P95, 0.95), (Metric::P99, 0.99)] {
            let p = if q == 0.5 { ranks.p_value } else { stats::exceedance(ha, hb, ha.quantile_us(q)).0 };
            metrics.push(latency_delta(metric, ha.quantile_us(q) as f64, hb.quantile_us(q) as f64, p, cfg));
        }
        metrics.push(latency_delta(Metric::Mean, ha.mean_us(), hb.mean_us(), ranks.p_value, cfg));
    }
    if ma.requests > 0 && mb.requests > 0 {
        metrics.push(error_delta(ma.failed, ma.requests, mb.failed, mb.requests, cfg));
    }
    (!metrics.is_empty()).then(|| TargetDelta {
        target: a.name.clone(),
        kind: a.kind.as_str(),
        requests_baseline: ma.requests,
        requests_current: mb.requests,
        effect_size,
        metrics,
    })
}

fn latency_delta(metric: Metric, baseline: f64, current: f64, p_value: f64, cfg: &Config) -> MetricDelta {
    let change = if baseline > 0.0 { current / baseline - 1.0 } else { 0.0 };
    let significant = p_value < cfg.alpha;
    MetricDelta {
        metric: metric.as_str(),
        baseline,
        current,
        change,
        p_value,
        significant,
        regression: significant && change > cfg.tolerance,
        improvement: significant && change < -cfg.tolerance,
    }
}

/// Error rates: a regression when significantly higher by more than one percentage point.
fn error_delta(fa: u64, na: u64, fb: u64, nb: u64, cfg: &Config) -> MetricDelta {
    let (baseline, current) = (fa as f64 / na as f64, fb as f64 / nb as f64);
    let p_value = stats::proportions(fa, na, fb, nb);
    let significant = p_value < cfg.alpha;
    let change = current - baseline;
    MetricDelta {
        metric: Metric::ErrorRate.as_str(),
        baseline,
        current,
        change,
        p_value,
        significant,
        regression: significant && change > 0.01,
        improvement: significant && change < -0.01,
    }
}

fn findings(before: &[Finding], after: &[Finding]) -> Vec<FindingDelta> {
    let row = |f: &Finding, status| FindingDelta {
        status,
        code: f.rule.code.clone(),
        severity: f.severity.as_str(),
        target: f.target.clone(),
        title: f.title.clone(),
    };
    let in_before = |f: &Finding| before.iter().any(|b| b.fingerprint == f.fingerprint);
    let in_after = |f: &Finding| after.iter().any(|a| a.fingerprint == f.fingerprint);
    let mut out: Vec<FindingDelta> =
        after.iter().filter(|f| !in_before(f)).map(|f| row(f, FindingStatus::New)).collect();
    out.extend(before.iter().filter(|f| !in_after(f)).map(|f| row(f, FindingStatus::Fixed)));
    out.extend(after.iter().filter(|f| in_before(f)).map(|f| row(f, FindingStatus::Persisting)));
    out
}

/// The latency histogram of a target, if it has one (for callers rendering charts).
pub fn latency(target: &Target) -> Option<&Histogram> {
    target.measurements.latency.as_ref().filter(|h| !h.is_empty())
}
