//! Budgets: thresholds per target pattern, as read from a budget file by `perfhound check`.
//!
//! A [`Budget`] selects targets (a glob over target names, optionally narrowed by kind and
//! group) and holds [`BudgetLine`]s, one per threshold, each remembering where it was
//! written so results, JUnit test cases and CI annotations can point back at the file.
//! Parsing the file formats (perfhound YAML, the seeds' targets YAML, Lighthouse
//! `budget.json`) and evaluating budgets live in `perfhound-report`.

use crate::run::TargetKind;
use crate::threshold::Threshold;
use serde::{Deserialize, Serialize};

/// A whole budget file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetSet {
    /// The file the budgets came from, as given on the command line.
    pub file: String,
    /// Which format the file was read as.
    pub format: BudgetFormat,
    pub budgets: Vec<Budget>,
    /// Entries that were understood but cannot be judged by perfhound (e.g. replication lag).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
}

/// The formats a budget file may be written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetFormat {
    /// `budgets: [{target, p95, …}]` (docs/budgets.md).
    #[default]
    Perfhound,
    /// The "Performance Targets" YAML of the seeds (`API Performance: {Response Time (p95): 300ms}`).
    PerformanceTargets,
    /// Lighthouse `budget.json` (`resourceSizes`, `resourceCounts`, `timings`).
    Lighthouse,
}

/// Thresholds for the targets one selector picks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Glob over target names: `*` any run of characters, `?` one character.
    pub target: String,
    /// Only targets of this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<TargetKind>,
    /// Only targets in this group (scenario, service or asset type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Judge the merged measurements of every matched target once, instead of each target.
    #[serde(default)]
    pub combine: bool,
    pub lines: Vec<BudgetLine>,
}

/// One threshold of a budget, with where it was written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub threshold: Threshold,
    /// The threshold as written, e.g. `p95: 300ms`.
    pub text: String,
    pub origin: Origin,
}

/// A place in a config file; lines and columns are 1-based.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub file: String,
    pub line: u64,
    pub column: u64,
    /// Field path, e.g. `budgets[0].p95`.
    pub field: String,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}
