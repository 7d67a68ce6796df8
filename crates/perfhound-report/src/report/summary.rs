//! The executive summary: status, key bottlenecks, potential improvement, headline numbers.
//!
//! Status rules (docs/report.md), checked in this order, every rule that fires is listed
//! as a reason:
//!
//! 🔴 **Critical** when any of: a critical finding; a failed budget or threshold line; an
//! overall error rate of [`CRITICAL_ERROR_RATE`] (1%) or more.
//!
//! 🟡 **Needs improvement** when any of: a warning finding; an overall error rate of
//! [`WARNING_ERROR_RATE`] (0.1%) or more; dropped iterations (the arrival rate was not
//! met); a regression against the baseline; a budget line without data; a saturated
//! load generator (the numbers themselves are in doubt).
//!
//! 🟢 **Good** otherwise.

use super::compare::Comparison;
use super::potential::{Potential, TargetPotential, TOP_TARGETS};
use super::{Bottleneck, TargetRow};
use crate::check::CheckReport;
use crate::human;
use crate::runset::RunSet;
use perfhound_model::{Severity, TargetKind};
use serde::Serialize;

pub const CRITICAL_ERROR_RATE: f64 = 0.01;
pub const WARNING_ERROR_RATE: f64 = 0.001;
/// Share of the estimated savings the "key" findings must cover (the 80/20 rule).
const PARETO_SHARE: f64 = 0.8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Good,
    NeedsImprovement,
    Critical,
}

impl Health {
    pub fn emoji(self) -> &'static str {
        match self {
            Health::Good => "🟢",
            Health::NeedsImprovement => "🟡",
            Health::Critical => "🔴",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Health::Good => "Good",
            Health::NeedsImprovement => "Needs Improvement",
            Health::Critical => "Critical",
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub warning: usize,
    pub info: usize,
}

/// The whole run at a glance (from the `overall` target).
#[derive(Clone, Debug, Serialize)]
pub struct Headline {
    pub requests: u64,
    pub error_rate: f64,
    pub rps: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50_us: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p95_us: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99_us: Option<u64>,
}

/// One status rule that fired.
#[derive(Clone, Debug, Serialize)]
pub struct Reason {
    pub level: Health,
    pub text: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub status: Health,
    /// Why the status is what it is, one entry per rule that fired.
    pub reasons: Vec<Reason>,
    /// Findings of severity warning or critical.
    pub key_bottlenecks: usize,
    pub findings: SeverityCounts,
    /// Share of the run's measured time fixing every finding could save, per affected
    /// request weighted by traffic and bounded per target (see `potential.rs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub potential_improvement: Option<f64>,
    /// The targets with the most to gain, each against its own time (top 5).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub target_potential: Vec<TargetPotential>,
    /// How many top-ranked findings cover 80% of the estimated savings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pareto_top: Option<usize>,
    /// Sum of the findings' estimated bytes saved per response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_saved_per_response: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<Headline>,
}

/// What the summary judges besides the runs, bottlenecks and target rows.
pub(super) struct Context<'a> {
    pub budgets: Option<&'a CheckReport>,
    pub comparison: Option<&'a Comparison>,
    pub potential: Potential,
}

pub(super) fn summarize(runs: &RunSet, bottlenecks: &[Bottleneck], targets: &[TargetRow], cx: Context) -> Summary {
    let Context { budgets, comparison, potential } = cx;
    let findings = count(bottlenecks);
    let headline = targets.iter().find(|t| t.kind == TargetKind::Overall).map(headline);
    let mut rules = Rules::default();
    rules.check_findings(&findings);
    rules.check_budgets(runs, budgets);
    if let Some(h) = &headline {
        rules.check_error_rate(h.error_rate);
    }
    rules.check_load(runs);
    if let Some(c) = comparison.filter(|c| c.regressions > 0) {
        rules.warn(format!("{} metric(s) regressed against the baseline", c.regressions));
    }
    let shares: Vec<f64> = bottlenecks.iter().filter_map(|b| b.share).collect();
    let bytes: u64 = bottlenecks.iter().filter_map(|b| b.finding.impact.bytes_saved_per_request).sum();
    Summary {
        status: rules.status,
        reasons: rules.reasons,
        key_bottlenecks: findings.critical + findings.warning,
        findings,
        potential_improvement: potential.overall,
        target_potential: potential.targets.into_iter().take(TOP_TARGETS).collect(),
        pareto_top: pareto(&shares),
        bytes_saved_per_response: (bytes > 0).then_some(bytes),
        headline,
    }
}

struct Rules {
    status: Health,
    reasons: Vec<Reason>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { status: Health::Good, reasons: Vec::new() }
    }
}

impl Rules {
    fn raise(&mut self, to: Health, reason: String) {
        self.status = self.status.max(to);
        self.reasons.push(Reason { level: to, text: reason });
    }

    fn warn(&mut self, reason: String) {
        self.raise(Health::NeedsImprovement, reason);
    }

    fn check_findings(&mut self, f: &SeverityCounts) {
        if f.critical > 0 {
            self.raise(Health::Critical, format!("{} critical finding(s)", f.critical));
        }
        if f.warning > 0 {
            self.warn(format!("{} warning finding(s)", f.warning));
        }
    }

    fn check_budgets(&mut self, runs: &RunSet, budgets: Option<&CheckReport>) {
        let thresholds_failed = runs.runs.iter().flat_map(|r| &r.budget_results).filter(|b| !b.passed).count();
        let budgets_failed = budgets.map_or(0, |b| b.failed);
        if budgets_failed + thresholds_failed > 0 {
            let n = budgets_failed + thresholds_failed;
            self.raise(Health::Critical, format!("{n} budget or threshold line(s) breached"));
        }
        if let Some(b) = budgets.filter(|b| b.no_data > 0) {
            self.warn(format!("{} budget line(s) had no data to judge", b.no_data));
        }
    }

    fn check_error_rate(&mut self, rate: f64) {
        if rate >= CRITICAL_ERROR_RATE {
            self.raise(Health::Critical, format!("error rate {} (≥ 1%)", human::pct(rate)));
        } else if rate >= WARNING_ERROR_RATE {
            self.warn(format!("error rate {} (≥ 0.1%)", human::pct(rate)));
        }
    }

    fn check_load(&mut self, runs: &RunSet) {
        if let Some(acc) = runs.accounting.as_ref().filter(|a| a.iterations_dropped > 0) {
            self.warn(format!("{} iteration(s) dropped: the arrival rate was not met", acc.iterations_dropped));
        }
        if runs.runs.iter().filter_map(|r| r.load.as_ref()).any(|l| l.generator_saturated) {
            self.warn("the load generator was saturated: latencies may include its own delay".into());
        }
    }
}

fn count(bottlenecks: &[Bottleneck]) -> SeverityCounts {
    let n = |s: Severity| bottlenecks.iter().filter(|b| b.finding.severity == s).count();
    SeverityCounts { critical: n(Severity::Critical), warning: n(Severity::Warning), info: n(Severity::Info) }
}

fn headline(t: &TargetRow) -> Headline {
    Headline {
        requests: t.requests,
        error_rate: t.error_rate,
        rps: t.rps,
        p50_us: t.latency.as_ref().map(|l| l.p50_us),
        p95_us: t.latency.as_ref().map(|l| l.p95_us),
        p99_us: t.latency.as_ref().map(|l| l.p99_us),
    }
}

/// Smallest number of top findings whose shares add up to 80% of all shares.
fn pareto(shares: &[f64]) -> Option<usize> {
    let total: f64 = shares.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut sorted = shares.to_vec();
    sorted.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
    let mut acc = 0.0;
    sorted
        .iter()
        .position(|s| {
            acc += s;
            acc >= PARETO_SHARE * total - 1e-12
        })
        .map(|i| i + 1)
}
