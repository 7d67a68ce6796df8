//! `PH-SQLITE008 unindexed-foreign-key`: a foreign key whose child columns have no index.
//!
//! # What it detects
//! `REFERENCES` constraints whose child columns are not the leading columns of any index
//! (nor the rowid). A warning when the child table has at least 10,000 rows, info below —
//! and info when the workload's statements were given and measured by the advisor, which
//! then found no statement that this index would speed up (it still costs parent DELETEs
//! when the application enables `PRAGMA foreign_keys`).
//!
//! # Why it matters
//! Joins from the parent to its children (`… JOIN order_items i ON i.order_id = o.id`) scan
//! the child table, and with `PRAGMA foreign_keys = ON` every DELETE or key UPDATE of a
//! parent row scans it to check for children.
//!
//! # Example
//! `order_items.order_id REFERENCES orders(id)` (300,000 rows) without an index.
//!
//! # Fix
//! `CREATE INDEX IF NOT EXISTS idx_order_items_order_id ON order_items (order_id);`
//!
//! A foreign key an index suggestion (`PH-SQLITE001`) already covers is reported there.
//!
//! # Thresholds
//! `fk_warning_rows` (10,000).

use super::{Ctx, Outcome};
use crate::advisor::candidates::Candidate;
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-SQLITE008",
    name: "unindexed-foreign-key",
    severity: Severity::Warning,
    summary: "A foreign key's child columns have no index (a warning from 10,000 child rows).",
    why:
        "Parent-to-child joins scan the child table, and with foreign_keys=ON each parent DELETE scans it for children.",
    fix: "Create an index on the child columns of the foreign key.",
};

pub fn check(ctx: &Ctx<'_>) -> Outcome {
    let mut out = Vec::new();
    for fk in &ctx.catalog.foreign_keys {
        let suggested = ctx.suggested.iter().any(|c| c.table == fk.table && c.columns.starts_with(&fk.from));
        if suggested
            || ctx.catalog.covering_index(&fk.table, &fk.from).is_some()
            || leading_set_indexed(ctx, &fk.table, &fk.from)
        {
            continue;
        }
        let rows = ctx.catalog.table(&fk.table).map_or(0, |t| t.rows_or_zero());
        let cand = Candidate { table: fk.table.clone(), columns: fk.from.clone() };
        let name = cand.index_name(ctx.catalog);
        let target = format!("{}({})", fk.table, fk.from.join(", "));
        let mut f = Finding::new(
            &RULE,
            target.clone(),
            format!("foreign key {target} → {} has no index ({rows} rows)", fk.parent),
        );
        f.severity =
            if rows >= ctx.t.fk_warning_rows && !ctx.workload_known { Severity::Warning } else { Severity::Info };
        if ctx.workload_known {
            f.evidence.notes.push("no statement of the analyzed workload needed this index".into());
        }
        f.evidence.counts.insert("child_rows".into(), rows);
        f.recommendation.snippet = Some(format!("{};", cand.create_sql(&name)));
        f.recommendation.snippet_lang = Some("sql".into());
        f.recommendation.effort = Some(Effort::QuickWin);
        out.push(f);
    }
    out.into()
}

/// An index whose first columns are the key's columns in any order also serves it.
fn leading_set_indexed(ctx: &Ctx<'_>, table: &str, cols: &[String]) -> bool {
    ctx.catalog.indexes_of(table).any(|ix| {
        !ix.partial
            && ix.columns.len() >= cols.len()
            && cols.iter().all(|c| {
                ix.columns[..cols.len()].iter().any(|k| k.as_deref().is_some_and(|k| k.eq_ignore_ascii_case(c)))
            })
    })
}
