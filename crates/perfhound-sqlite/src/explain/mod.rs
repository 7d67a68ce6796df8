//! EXPLAIN QUERY PLAN of every distinct statement on the original (read-only) database,
//! and the plan rules, one per file: full scans of large tables (`PH-SQLITE002`),
//! temporary B-trees for ORDER BY / GROUP BY (`PH-SQLITE003`), automatic indexes
//! (`PH-SQLITE004`), correlated subqueries scanning a table per outer row (`PH-SQLITE005`).
//!
//! A statement an index suggestion fixes gets the `PH-SQLITE001 missing-index` finding
//! (with its plan) instead of these, so one problem is reported once.

pub mod automatic_index;
pub mod correlated_subquery;
pub mod full_scan;
pub mod temp_btree;

use crate::catalog::Catalog;
use crate::config::Thresholds;
use crate::open::ReadOnly;
use crate::params::{self, Numbered};
use crate::plan::Plan;
use crate::statements::StatementSet;
use perfhound_model::{Finding, Rule, Severity};
use perfhound_sql::usage::QueryShape;
use perfhound_sql::Dialect;
use std::time::Duration;

/// One statement, numbered, parsed and explained.
#[derive(Clone, Debug)]
pub struct Explained {
    /// Index into the [`StatementSet`].
    pub stmt: usize,
    pub numbered: Numbered,
    /// `None` when sqlparser cannot read the statement (it is still explained).
    pub shape: Option<QueryShape>,
    /// The plan, or SQLite's reason for rejecting the statement.
    pub plan: Result<Plan, String>,
}

/// Explains every statement on the read-only connection, each bounded by `timeout`.
pub fn explain_all(db: &ReadOnly, set: &StatementSet, timeout: Duration) -> Vec<Explained> {
    set.statements
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let numbered = params::number(&s.sql);
            let shape = QueryShape::parse(&numbered.text, Dialect::Sqlite);
            let _armed = db.deadline.arm(timeout);
            let plan = Plan::explain(&db.conn, &numbered.text).map_err(|e| e.to_string());
            Explained { stmt: i, numbered, shape, plan }
        })
        .collect()
}

/// Every plan rule, for `perfhound rules`.
pub const RULES: [Rule; 4] = [full_scan::RULE, temp_btree::RULE, automatic_index::RULE, correlated_subquery::RULE];

/// What every plan rule gets.
pub struct Ctx<'a> {
    pub catalog: &'a Catalog,
    pub set: &'a StatementSet,
    pub t: &'a Thresholds,
    pub show_literals: bool,
    /// Statements an index suggestion fixes (reported by `PH-SQLITE001` instead).
    pub served: &'a [usize],
    /// Statements the advisor tried and could not make faster enough.
    pub not_improved: &'a [usize],
}

/// Findings of all plan rules.
pub fn findings(ctx: &Ctx<'_>, explained: &[Explained]) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in explained.iter().filter(|e| !ctx.served.contains(&e.stmt)) {
        let Ok(plan) = &e.plan else { continue };
        let start = out.len();
        out.extend(full_scan::check(ctx, e, plan));
        out.extend(temp_btree::check(ctx, e, plan));
        out.extend(automatic_index::check(ctx, e, plan));
        out.extend(correlated_subquery::check(ctx, e, plan));
        if let Some(note) = low_impact(ctx, e.stmt) {
            for f in &mut out[start..] {
                f.severity = f.severity.min(Severity::Info);
                f.evidence.notes.push(note.clone());
            }
        }
    }
    out
}

/// Share of the observed window below which a plan problem is not worth a warning.
const LOW_IMPACT_SHARE: f64 = 0.01;

/// When the workload's statistics show the statement took under 1 % of the window (a
/// cached report computed once, a nightly export), its plan is a note, not a warning.
fn low_impact(ctx: &Ctx<'_>, stmt: usize) -> Option<String> {
    let s = &ctx.set.statements[stmt];
    let window_us = ctx.set.window_s? * 1e6;
    if s.calls == 0 || window_us <= 0.0 || s.total_us as f64 >= window_us * LOW_IMPACT_SHARE {
        return None;
    }
    Some(format!(
        "low impact in this workload: {} execution(s), {:.1} ms in total over {:.0} s ({:.2}% of the time)",
        s.calls,
        s.total_us as f64 / 1000.0,
        window_us / 1e6,
        s.total_us as f64 / window_us * 100.0
    ))
}

/// A finding about one statement: target = its fingerprint (the trace engine's query
/// name), evidence = the (redacted) statement, its plan and its observed statistics.
pub(crate) fn statement_finding(ctx: &Ctx<'_>, rule: &Rule, e: &Explained, plan: &Plan, title: String) -> Finding {
    let s = &ctx.set.statements[e.stmt];
    let mut f = Finding::new(rule, s.fingerprint.clone(), title);
    f.evidence.query = Some(s.display(ctx.show_literals));
    f.evidence.code = Some(plan.render());
    f.evidence.code_lang = Some("text".into());
    if s.calls > 0 {
        f.evidence.counts.insert("calls".into(), s.calls);
        f.impact.occurrences = Some(s.calls);
    }
    if let Some(mean) = s.mean_us() {
        f.evidence.durations_us.insert("mean_observed".into(), mean.round() as u64);
    }
    if ctx.not_improved.contains(&e.stmt) {
        f.evidence
            .notes
            .push("the index advisor tried single- and two-column indexes on a copy: none made it fast enough".into());
    }
    f
}
