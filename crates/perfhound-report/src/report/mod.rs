//! The Performance Analysis Report as data: what Markdown, HTML and JSON all render.
//!
//! [`build_report`] turns runs (merged into a [`RunSet`]), an optional baseline and optional
//! budget outcomes into a [`Report`]. Every judgement in it — the status, the ranking, the
//! horizons, the regressions — is computed here by the rules documented in docs/report.md,
//! so the three output formats cannot disagree. The JSON output is this struct.

mod cache;
mod compare;
mod potential;
mod profile;
mod rank;
mod summary;
mod tables;

pub use cache::{cache_lines, CacheLine, CacheServerCounts};
pub use compare::{
    Comparison, Delta, FindingRef, FindingStatus, TargetChange, Verdict, REGRESSION_LATENCY_MIN_US, REGRESSION_REL,
};
pub use potential::{Potential, TargetPotential};
pub use profile::{ProfileHotspot, ProfileView};
pub use rank::horizon;
pub use summary::{Headline, Health, Reason, SeverityCounts, Summary};

use crate::check::{CheckReport, Status};
use crate::runset::RunSet;
use perfhound_model::TargetKind;
use perfhound_model::{Accounting, Effort, Finding, LatencySummary, RuleRef, SecondSample, Severity, Source};
use serde::Serialize;

/// Version of the report JSON layout.
pub const REPORT_VERSION: u32 = 1;

/// What to build besides the runs themselves.
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    pub title: Option<String>,
    /// Runs to compare against (before/after).
    pub baseline: Option<RunSet>,
    /// Budget outcomes for the "Target" column and the budgets section.
    pub budgets: Option<CheckReport>,
    /// A CPU profile captured during the runs' window (`perfhound audit` with `audit.profile`).
    pub profile: Option<ProfileView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub report_version: u32,
    pub title: String,
    pub runs: Vec<RunInfo>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub baseline_runs: Vec<RunInfo>,
    pub summary: summary::Summary,
    pub targets: Vec<TargetRow>,
    pub load: Vec<LoadInfo>,
    pub resources: Vec<ResourceRow>,
    pub bottlenecks: Vec<Bottleneck>,
    pub recommendations: Vec<RecommendationGroup>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budgets: Option<CheckReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<compare::Comparison>,
    pub distributions: Vec<Distribution>,
    /// Empirical complexity fits (`perfhound complexity`) with their measured points.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub complexity: Vec<perfhound_model::ComplexityFit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileView>,
    pub warnings: Vec<String>,
    /// The first run's capacity search (`perfhound capacity`): the Scalability section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<perfhound_model::CapacitySection>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    pub id: String,
    pub started_at: String,
    pub ended_at: String,
    pub tool: String,
    pub sources: Vec<Source>,
}

/// One row of the metrics table.
#[derive(Clone, Debug, Serialize)]
pub struct TargetRow {
    pub name: String,
    pub kind: TargetKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub requests: u64,
    pub error_rate: f64,
    pub rps: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<LatencySummary>,
    /// Application cache hits / lookups (see [`tables`]: cache spans' hits and misses, a
    /// cache server's keyspace counters, or an endpoint's `cache_hit_ratio`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_hit_ratio: Option<f64>,
    /// A cache server's keyspace counters (Redis `INFO`): then this target's
    /// `cache_hit_ratio` is the report's Cache Hit Rate ([`cache_lines`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_server: Option<CacheServerCounts>,
    /// The database's buffer cache hit ratio (blocks found in memory / blocks needed) of a
    /// SQL statement or of a database: not the application cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_buffer_hit_ratio: Option<f64>,
    /// Budget and threshold lines about this target.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<LimitCell>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<compare::TargetChange>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LimitCell {
    /// `p95 <= 300ms`.
    pub text: String,
    pub status: Status,
}

/// A load run's accounting and per-second series (for the charts).
#[derive(Clone, Debug, Serialize)]
pub struct LoadInfo {
    pub run_id: String,
    pub description: String,
    pub duration_s: f64,
    pub open_model: bool,
    pub generator_saturated: bool,
    pub end_reason: String,
    pub accounting: Accounting,
    pub series: Vec<SecondSample>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResourceRow {
    pub label: String,
    /// `target` (the watched service) or `generator` (perfhound itself).
    pub role: String,
    pub cpu_pct_avg: f64,
    pub cpu_pct_peak: f64,
    pub rss_bytes_avg: u64,
    pub rss_bytes_peak: u64,
    /// Relative change of average CPU and RSS against the baseline's same role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_change: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_change: Option<f64>,
}

/// A finding in rank order with its estimated weight.
#[derive(Clone, Debug, Serialize)]
pub struct Bottleneck {
    pub rank: usize,
    /// Estimated share of the measured time fixing it saves (0..=1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    pub horizon: Effort,
    /// `new` or `persisting` when a baseline was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<compare::FindingStatus>,
    pub finding: Finding,
}

#[derive(Clone, Debug, Serialize)]
pub struct RecommendationGroup {
    pub horizon: Effort,
    pub items: Vec<RecommendationItem>,
}

/// One fix, possibly for several findings (same rule, same advice).
#[derive(Clone, Debug, Serialize)]
pub struct RecommendationItem {
    pub rule: RuleRef,
    pub severity: Severity,
    pub title: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet_lang: Option<String>,
    pub targets: Vec<String>,
    /// Bottleneck ranks this fix addresses.
    pub ranks: Vec<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
}

/// Percentile distribution of one target (HdrHistogram plot).
#[derive(Clone, Debug, Serialize)]
pub struct Distribution {
    pub target: String,
    /// `(percentile, value_us)` pairs.
    pub points: Vec<(f64, u64)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Vec<(f64, u64)>>,
}

/// Builds the report of `runs`.
pub fn build_report(runs: &RunSet, options: &ReportOptions) -> Report {
    let baseline = options.baseline.as_ref();
    let total_time_us = tables::total_time_us(runs);
    let potential = potential::estimate(&runs.findings, &runs.targets, total_time_us);
    let bottlenecks = rank::bottlenecks(&runs.findings, &potential.finding_shares, baseline);
    let targets = tables::target_rows(runs, baseline, options.budgets.as_ref());
    let resources = tables::resource_rows(runs, baseline);
    let comparison = baseline.map(|b| compare::comparison(runs, b, &targets));
    let context = summary::Context { budgets: options.budgets.as_ref(), comparison: comparison.as_ref(), potential };
    let summary = summary::summarize(runs, &bottlenecks, &targets, context);
    Report {
        report_version: REPORT_VERSION,
        title: options.title.clone().unwrap_or_else(|| "Performance Analysis Report".into()),
        runs: runs.runs.iter().map(tables::run_info).collect(),
        baseline_runs: baseline.map(|b| b.runs.iter().map(tables::run_info).collect()).unwrap_or_default(),
        summary,
        recommendations: rank::recommendations(&bottlenecks),
        bottlenecks,
        targets,
        load: tables::load_infos(runs),
        resources,
        budgets: options.budgets.clone(),
        comparison,
        distributions: tables::distributions(runs, baseline),
        complexity: runs.runs.iter().flat_map(|r| r.complexity.iter().cloned()).collect(),
        profile: options.profile.clone(),
        warnings: runs.runs.iter().flat_map(|r| r.warnings.iter().cloned()).collect(),
        capacity: runs.runs.iter().find_map(|r| r.load.as_ref()?.capacity.as_deref().cloned()),
    }
}
