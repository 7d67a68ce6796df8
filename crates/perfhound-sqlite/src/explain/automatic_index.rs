//! `PH-SQLITE004 automatic-index`: SQLite builds a transient index on every execution.
//!
//! # What it detects
//! `SEARCH t USING AUTOMATIC COVERING INDEX (…)` (or `AUTOMATIC PARTIAL …`) in the plan, on
//! a table with at least 1,000 rows: the planner found no usable index for a join and
//! builds one for the duration of the statement.
//!
//! # Why it matters
//! The automatic index is built from a full scan of the table every time the statement
//! runs and thrown away afterwards: a permanent index would be built once.
//!
//! # Example
//! `SELECT * FROM order_items i JOIN orders o ON o.user_id = i.order_id` without an index on
//! `orders.user_id`: `SEARCH o USING AUTOMATIC COVERING INDEX (user_id=?)`.
//!
//! # Fix
//! Create the index on the join column (`PH-SQLITE001` suggests it when it measures a gain).
//!
//! # Thresholds
//! `advisor_min_rows` (1,000).

use super::{statement_finding, Ctx, Explained};
use crate::advisor::plan_table;
use crate::plan::{Plan, PlanNode, Step};
use perfhound_model::{Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-SQLITE004",
    name: "automatic-index",
    severity: Severity::Warning,
    summary: "SQLite builds a transient (automatic) index on a 1,000+ row table every time the statement runs.",
    why: "The automatic index costs a full scan plus a sort on every execution and is thrown away afterwards.",
    fix: "Create a permanent index on the join column(s) shown in the plan.",
};

pub fn check(ctx: &Ctx<'_>, e: &Explained, plan: &Plan) -> Option<Finding> {
    let mut tables: Vec<(String, u64, &PlanNode)> = Vec::new();
    for (i, s) in plan.steps() {
        let Step::Search { name, automatic: true, .. } = s else { continue };
        let Some(t) = plan_table(name, e.shape.as_ref(), ctx.catalog) else { continue };
        if t.rows_or_zero() >= ctx.t.advisor_min_rows && !tables.iter().any(|(n, _, _)| *n == t.name) {
            tables.push((t.name.clone(), t.rows_or_zero(), &plan.nodes[i]));
        }
    }
    if tables.is_empty() {
        return None;
    }
    let list: Vec<String> = tables.iter().map(|(n, r, _)| format!("{n} ({r} rows)")).collect();
    let mut f = statement_finding(
        ctx,
        &RULE,
        e,
        plan,
        format!("builds an automatic index on {} per execution", list.join(", ")),
    );
    for (_, _, node) in &tables {
        f.evidence.notes.push(format!("plan: {}", node.detail));
    }
    Some(f)
}
