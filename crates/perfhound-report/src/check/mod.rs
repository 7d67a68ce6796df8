//! Budgets × runs → [`CheckReport`]: one outcome per budget line, with a result per target.
//!
//! A line is judged on every target its budget selects (glob over names, optional kind and
//! group), or once on their merged measurements when the budget says `combine: true`.
//! Finding counts and `count` are always judged once over the selection. A line whose
//! selection is empty (finding counts excepted: zero findings is a fact), or whose metric
//! was not measured, has status `no_data`.

mod github;
mod junit;
mod measure;
mod text;

pub use github::render_annotations;
pub use junit::{render_junit, xml};
pub use measure::metric_value;
pub use text::render_text;

use crate::glob::glob_match;
use crate::runset::{merge_measurements, RunSet};
use perfhound_model::{Budget, BudgetFormat, BudgetLine, BudgetResult, BudgetSet, Measurements, Metric, Origin};
use perfhound_model::{Severity, Target, Threshold};
use serde::Serialize;

/// All outcomes of one budget file against one set of runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    pub budget_file: String,
    pub format: BudgetFormat,
    pub passed: usize,
    pub failed: usize,
    pub no_data: usize,
    pub lines: Vec<LineOutcome>,
    /// Entries of the file perfhound could not judge.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
}

/// The outcome of one budget line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineOutcome {
    pub origin: Origin,
    /// The selection, e.g. `GET /api/*` or `* (asset, script, combined)`.
    pub selector: String,
    /// The line as written, e.g. `p95: 300ms`.
    pub text: String,
    /// Canonical form, e.g. `p95 <= 300ms`.
    pub expression: String,
    pub status: Status,
    pub results: Vec<BudgetResult>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    NoData,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "FAIL",
            Status::NoData => "no data",
        }
    }
}

impl CheckReport {
    /// True when no line failed (and, with `strict`, every line had data).
    pub fn ok(&self, strict: bool) -> bool {
        self.failed == 0 && (!strict || self.no_data == 0)
    }
}

/// Judges every line of `set` against `runs`.
pub fn evaluate(set: &BudgetSet, runs: &RunSet) -> CheckReport {
    let lines: Vec<LineOutcome> =
        set.budgets.iter().flat_map(|b| b.lines.iter().map(move |l| evaluate_line(b, l, runs))).collect();
    let count = |s: Status| lines.iter().filter(|l| l.status == s).count();
    CheckReport {
        budget_file: set.file.clone(),
        format: set.format,
        passed: count(Status::Pass),
        failed: count(Status::Fail),
        no_data: count(Status::NoData),
        lines,
        ignored: set.ignored.clone(),
    }
}

fn evaluate_line(budget: &Budget, line: &BudgetLine, runs: &RunSet) -> LineOutcome {
    let selected: Vec<&Target> = runs.targets.iter().filter(|t| selects(budget, t)).collect();
    let t = &line.threshold;
    let acc = runs.accounting.as_ref();
    let results = match finding_severity(t.metric) {
        Some(severity) => vec![result(line, &budget.target, Some(count_findings(budget, &selected, runs, severity)))],
        // Nothing selected: nothing to judge (a missing asset engine must not pass size budgets).
        None if selected.is_empty() => Vec::new(),
        None if t.metric == Metric::Count => vec![result(line, &budget.target, Some(selected.len() as f64))],
        None if budget.combine => vec![result(line, &budget.target, metric_value(t.metric, &combine(&selected), acc))],
        None => {
            selected.iter().map(|tg| result(line, &tg.name, metric_value(t.metric, &tg.measurements, acc))).collect()
        }
    };
    LineOutcome {
        origin: line.origin.clone(),
        selector: describe_selector(budget),
        text: line.text.clone(),
        expression: describe(t),
        status: status_of(&results),
        results,
    }
}

/// `p95 <= 300ms`.
pub fn describe(t: &Threshold) -> String {
    t.describe()
}

fn status_of(results: &[BudgetResult]) -> Status {
    if results.iter().any(|r| r.actual.is_some() && !r.passed) {
        Status::Fail
    } else if results.is_empty() || results.iter().any(|r| r.actual.is_none()) {
        Status::NoData
    } else {
        Status::Pass
    }
}

fn result(line: &BudgetLine, target: &str, actual: Option<f64>) -> BudgetResult {
    let t = &line.threshold;
    BudgetResult {
        expression: line.text.clone(),
        target: target.to_string(),
        metric: t.metric,
        comparison: t.comparison,
        limit: t.limit,
        actual,
        passed: actual.is_some_and(|a| t.evaluate(a)),
    }
}

fn selects(budget: &Budget, target: &Target) -> bool {
    glob_match(&budget.target, &target.name)
        && budget.kind.is_none_or(|k| k == target.kind)
        && budget.group.as_ref().is_none_or(|g| target.group.as_ref() == Some(g))
}

fn combine(targets: &[&Target]) -> Measurements {
    let mut merged = Measurements::default();
    for t in targets {
        merge_measurements(&mut merged, &t.measurements);
    }
    merged
}

fn finding_severity(metric: Metric) -> Option<Severity> {
    match metric {
        Metric::CriticalFindings => Some(Severity::Critical),
        Metric::WarningFindings => Some(Severity::Warning),
        Metric::InfoFindings => Some(Severity::Info),
        _ => None,
    }
}

/// Findings of `severity` about targets the budget selects (by name glob; with a kind or
/// group filter, only findings about a selected target count).
fn count_findings(budget: &Budget, selected: &[&Target], runs: &RunSet, severity: Severity) -> f64 {
    let filtered = budget.kind.is_some() || budget.group.is_some();
    let about_selection =
        |name: &str| glob_match(&budget.target, name) && (!filtered || selected.iter().any(|t| t.name == name));
    runs.findings.iter().filter(|f| f.severity == severity && about_selection(&f.target)).count() as f64
}

fn describe_selector(budget: &Budget) -> String {
    let mut qualifiers = Vec::new();
    if let Some(kind) = budget.kind {
        qualifiers.push(crate::human::kind_name(kind).to_string());
    }
    if let Some(group) = &budget.group {
        qualifiers.push(format!("group {group}"));
    }
    if budget.combine {
        qualifiers.push("combined".to_string());
    }
    if qualifiers.is_empty() {
        budget.target.clone()
    } else {
        format!("{} ({})", budget.target, qualifiers.join(", "))
    }
}
