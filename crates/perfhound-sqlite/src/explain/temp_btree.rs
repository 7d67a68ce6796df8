//! `PH-SQLITE003 temp-btree-sort`: a statement sorts or groups in a temporary B-tree.
//!
//! # What it detects
//! `USE TEMP B-TREE FOR ORDER BY` / `GROUP BY` / `DISTINCT` in the plan of a statement that
//! reads a table with at least 10,000 rows.
//!
//! # Why it matters
//! Every execution collects all matching rows and sorts them before returning the first
//! one: `ORDER BY … LIMIT 10` costs as much as sorting the whole match, and memory or temp
//! files grow with it.
//!
//! # Example
//! `SELECT * FROM orders WHERE user_id = ? ORDER BY created_at DESC LIMIT 10` with an index
//! on `user_id` only: `SEARCH orders USING INDEX … (user_id=?)` + `USE TEMP B-TREE FOR ORDER BY`.
//!
//! # Fix
//! An index whose columns are the equality columns followed by the ORDER BY / GROUP BY
//! columns (`(user_id, created_at)`) returns rows already in order.
//!
//! # Thresholds
//! `scan_min_rows` (10,000). Info: the sort may be small when the filter is selective.

use super::{statement_finding, Ctx, Explained};
use crate::plan::{Plan, Step};
use perfhound_model::{Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-SQLITE003",
    name: "temp-btree-sort",
    severity: Severity::Info,
    summary: "A statement on a 10,000+ row table sorts or groups in a temporary B-tree (USE TEMP B-TREE).",
    why:
        "All matching rows are collected and sorted on every execution before the first one is returned, LIMIT or not.",
    fix: "Index the equality columns followed by the ORDER BY / GROUP BY columns so rows come out already in order.",
};

pub fn check(ctx: &Ctx<'_>, e: &Explained, plan: &Plan) -> Option<Finding> {
    let what: Vec<&str> =
        plan.steps().filter_map(|(_, s)| if let Step::TempBTree(w) = s { Some(w) } else { None }).collect();
    if what.is_empty() {
        return None;
    }
    let shape = e.shape.as_ref()?;
    let rows = shape.tables.iter().filter_map(|t| ctx.catalog.table(&t.name)).map(|t| t.rows_or_zero()).max()?;
    if rows < ctx.t.scan_min_rows {
        return None;
    }
    let mut f = statement_finding(ctx, &RULE, e, plan, format!("sorts in a temporary B-tree for {}", what.join(", ")));
    f.evidence.counts.insert("table_rows".into(), rows);
    Some(f)
}
