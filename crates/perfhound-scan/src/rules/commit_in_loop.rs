//! PH-SCAN002 `write-per-row-in-loop`: a commit, or a single-row insert/update, issued
//! once per loop iteration.
//!
//! **What it detects.** Inside a loop of the same function: `session.commit()` /
//! `conn.commit()`, Django `Model.objects.create/get_or_create/update_or_create`,
//! `cursor.execute("INSERT …")` (any INSERT/UPDATE/DELETE literal), Prisma
//! `prisma.model.create/update/upsert/delete`, TypeORM `repository.save`,
//! Sequelize/Mongoose `Model.create({…})`, `client.query("INSERT …")`.
//!
//! **Why it matters.** Each row pays a round trip, and a commit per row pays a durable
//! flush (fsync) per row: row-at-a-time loading is typically 10–100× slower than a batch.
//!
//! **Example.**
//! ```python
//! for row in rows:
//!     db.session.add(Order(**row))
//!     db.session.commit()
//! ```
//!
//! **Fix.** Commit once after the loop; insert in batches (`bulk_create`,
//! `executemany`, `session.add_all` + one commit, `createMany`, multi-row `INSERT …
//! VALUES (…), (…)`, `COPY`).
//!
//! **Thresholds.** None: structural.

use super::call::{call, CALLS};
use super::db::classify;
use super::{ScanRule, BOTH};
use crate::ctx::Ctx;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN002",
        name: "write-per-row-in-loop",
        severity: Severity::Warning,
        summary: "A commit or single-row insert/update issued once per loop iteration.",
        why: "Each row pays a round trip and a commit per row pays a durable flush: row-at-a-time writes are 10–100× slower than one batch.",
        fix: "Batch the writes (bulk_create, executemany, add_all + one commit, createMany, multi-row INSERT … VALUES, COPY) and commit once after the loop.",
    },
    families: BOTH,
    kinds: CALLS,
    confidence: Confidence::Medium,
    check,
};

fn check(ctx: &mut Ctx, node: Node) {
    let Some(c) = call(ctx, node) else { return };
    let Some(db) = classify(ctx, &c) else { return };
    if !db.write {
        return;
    }
    let Some(lp) = ctx.enclosing_loop(node) else { return };
    let callee = ctx.src(c.callee);
    let what = if c.name == "commit" { "commit" } else { "single-row write" };
    let title = format!("{} `{}(…)` runs once per loop iteration", what, perfhound_term::clip(callee, 60));
    ctx.report(&RULE, node, lp, title, callee);
}
