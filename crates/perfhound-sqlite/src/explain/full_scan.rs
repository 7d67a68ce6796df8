//! `PH-SQLITE002 full-table-scan`: a statement reads every row of a large table.
//!
//! # What it detects
//! `SCAN t` without an index in the statement's EXPLAIN QUERY PLAN on a table with at least
//! 10,000 rows (outside correlated subqueries, see `PH-SQLITE005`). A warning from 50,000
//! rows when the statement filters that table, info otherwise (reading everything may be
//! the point, as in an export).
//!
//! # Why it matters
//! A scan's cost grows with the table, not with the result: a lookup that takes microseconds
//! with an index takes milliseconds to seconds as the table grows, holding the read lock
//! (rollback journal) and evicting the page cache.
//!
//! # Example
//! `SELECT * FROM orders WHERE lower(email) = ?` on 200,000 rows: `SCAN orders`.
//!
//! # Fix
//! Make the filter indexable (compare the column itself; an index on the expression
//! `lower(email)`), or add the index `PH-SQLITE001` suggests.
//!
//! # Thresholds
//! `scan_min_rows` (10,000), `scan_warning_rows` (50,000).

use super::{statement_finding, Ctx, Explained};
use crate::advisor::plan_table;
use crate::plan::{Plan, Step};
use perfhound_model::{Finding, Rule, Severity};
use perfhound_sql::usage::Role;

pub const RULE: Rule = Rule {
    code: "PH-SQLITE002",
    name: "full-table-scan",
    severity: Severity::Warning,
    summary: "A statement scans every row of a table with 10,000+ rows (SCAN without an index).",
    why: "A scan's cost grows with the table, not with the result; it holds the read lock longer and evicts the page cache.",
    fix: "Filter on indexable columns (not expressions of them) and add the index perfhound suggests (PH-SQLITE001), or an index on the expression.",
};

pub fn check(ctx: &Ctx<'_>, e: &Explained, plan: &Plan) -> Option<Finding> {
    let mut scanned: Vec<(String, u64, bool)> = Vec::new();
    for (i, s) in plan.steps() {
        let Step::Scan { name, index: None } = s else { continue };
        if plan.in_correlated(i) {
            continue;
        }
        let Some(t) = plan_table(name, e.shape.as_ref(), ctx.catalog) else { continue };
        let rows = t.rows_or_zero();
        if rows < ctx.t.scan_min_rows || scanned.iter().any(|(n, _, _)| *n == t.name) {
            continue;
        }
        let filtered = e.shape.as_ref().is_some_and(|sh| {
            let uses = crate::advisor::candidates::resolve(sh, ctx.catalog);
            uses.iter()
                .any(|(tn, _, r)| *tn == t.name && matches!(r, Role::Eq | Role::Range | Role::Join | Role::Other))
        });
        scanned.push((t.name.clone(), rows, filtered));
    }
    if scanned.is_empty() {
        return None;
    }
    let list: Vec<String> = scanned.iter().map(|(n, r, _)| format!("{n} ({r} rows)")).collect();
    let mut f = statement_finding(ctx, &RULE, e, plan, format!("full scan of {}", list.join(", ")));
    let warn = scanned.iter().any(|(_, r, filtered)| *filtered && *r >= ctx.t.scan_warning_rows);
    f.severity = if warn { Severity::Warning } else { Severity::Info };
    f.evidence.counts.insert("rows_scanned".into(), scanned.iter().map(|(_, r, _)| r).sum());
    Some(f)
}
