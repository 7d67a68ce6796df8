//! `PH-SQLITE006 never-analyzed`: indexed tables the planner has no statistics for.
//!
//! # What it detects
//! Tables with at least 1,000 rows and at least one index that have no row in
//! `sqlite_stat1` (ANALYZE / `PRAGMA optimize` never ran for them).
//!
//! # Why it matters
//! Without statistics SQLite guesses each index's selectivity: with several indexes on a
//! table it may pick the poor one (e.g. a low-cardinality `status` index over a selective
//! `user_id` one). Info: the guesses are often right.
//!
//! # Example
//! `orders` (100,000 rows, 3 indexes): never analyzed.
//!
//! # Fix
//! Run `PRAGMA optimize;` before closing long-lived connections (SQLite's recommendation;
//! it analyzes only what needs it), or `ANALYZE;` once after bulk loads.
//!
//! # Thresholds
//! `analyze_min_rows` (1,000).

use super::{Ctx, Outcome};
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-SQLITE006",
    name: "never-analyzed",
    severity: Severity::Info,
    summary: "Indexed tables with 1,000+ rows have no planner statistics (no sqlite_stat1 rows).",
    why: "Without statistics SQLite guesses index selectivity and can choose a poor index when a table has several.",
    fix: "Run PRAGMA optimize; periodically (e.g. when closing long-lived connections), or ANALYZE; after bulk loads.",
};

pub fn check(ctx: &Ctx<'_>) -> Outcome {
    let tables: Vec<(&str, u64)> = ctx
        .catalog
        .tables
        .iter()
        .filter(|t| t.rows_or_zero() >= ctx.t.analyze_min_rows)
        .filter(|t| ctx.catalog.indexes_of(&t.name).next().is_some())
        .filter(|t| !ctx.catalog.is_analyzed(&t.name))
        .map(|t| (t.name.as_str(), t.rows_or_zero()))
        .collect();
    if tables.is_empty() {
        return Outcome::default();
    }
    let names: Vec<&str> = tables.iter().map(|(n, _)| *n).collect();
    let mut f = Finding::new(
        &RULE,
        ctx.database.clone(),
        format!("{} indexed table(s) never analyzed: {}", tables.len(), names.join(", ")),
    );
    f.evidence.counts.insert("tables".into(), tables.len() as u64);
    for (n, rows) in &tables {
        f.evidence
            .notes
            .push(format!("{n}: {rows} rows, {} index(es), no statistics", ctx.catalog.indexes_of(n).count()));
    }
    f.recommendation.snippet = Some("PRAGMA optimize;".into());
    f.recommendation.snippet_lang = Some("sql".into());
    f.recommendation.effort = Some(Effort::QuickWin);
    vec![f].into()
}
