//! `PH-SQLITE005 correlated-subquery-scan`: a subquery scans a table once per outer row.
//!
//! # What it detects
//! `SCAN t` without an index inside a `CORRELATED SCALAR SUBQUERY` / `CORRELATED LIST
//! SUBQUERY` of the plan, on a table with at least 1,000 rows.
//!
//! # Why it matters
//! The subquery runs for every row of the outer query: n outer rows × m scanned rows —
//! quadratic, and invisible in small test data.
//!
//! # Example
//! `SELECT * FROM users u WHERE (SELECT count(*) FROM orders o WHERE o.user_id = u.id) > 3`:
//! `SCAN u` / `CORRELATED SCALAR SUBQUERY 1` / `SCAN o`.
//!
//! # Fix
//! Index the subquery's correlation column (`orders(user_id)`), or rewrite it as a join
//! with GROUP BY.
//!
//! # Thresholds
//! `advisor_min_rows` (1,000).

use super::{statement_finding, Ctx, Explained};
use crate::advisor::plan_table;
use crate::plan::{Plan, Step};
use perfhound_model::{Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-SQLITE005",
    name: "correlated-subquery-scan",
    severity: Severity::Warning,
    summary: "A correlated subquery scans a 1,000+ row table once per row of the outer query.",
    why: "Outer rows × scanned rows: the cost is quadratic and invisible with small test data.",
    fix: "Index the subquery's correlation column, or rewrite the subquery as a join with GROUP BY.",
};

pub fn check(ctx: &Ctx<'_>, e: &Explained, plan: &Plan) -> Option<Finding> {
    let mut tables: Vec<(String, u64)> = Vec::new();
    for (i, s) in plan.steps() {
        let Step::Scan { name, index: None } = s else { continue };
        if !plan.in_correlated(i) {
            continue;
        }
        let Some(t) = plan_table(name, e.shape.as_ref(), ctx.catalog) else { continue };
        if t.rows_or_zero() >= ctx.t.advisor_min_rows && !tables.iter().any(|(n, _)| *n == t.name) {
            tables.push((t.name.clone(), t.rows_or_zero()));
        }
    }
    if tables.is_empty() {
        return None;
    }
    let list: Vec<String> = tables.iter().map(|(n, r)| format!("{n} ({r} rows)")).collect();
    let mut f = statement_finding(
        ctx,
        &RULE,
        e,
        plan,
        format!("a correlated subquery scans {} per outer row", list.join(", ")),
    );
    f.evidence.counts.insert("rows_per_outer_row".into(), tables.iter().map(|(_, r)| r).sum());
    Some(f)
}
