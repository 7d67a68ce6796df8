//! PH-SCAN001 `query-in-loop`: a database read issued once per iteration of a loop.
//!
//! **What it detects.** A call that issues a query — Django `Model.objects.get/filter/…`,
//! SQLAlchemy `session.query/execute/get/scalars`, Flask-SQLAlchemy `Model.query.…`,
//! Peewee `Model.get(Model.f == x)`/`get_or_none`, DB-API `cursor.execute`, asyncpg
//! `conn.fetch*`, Prisma `prisma.model.findUnique/findMany/…`, TypeORM repositories,
//! Sequelize/Mongoose `Model.findOne/findByPk/findAll`, Knex `knex('t')`, node-postgres
//! and mysql `client.query` — inside a `for`/`while` loop, a comprehension, or a
//! `forEach`/`map` callback of the same function. Writes go to PH-SCAN002.
//!
//! **Why it matters.** Each iteration pays a database round trip: 100 orders → 101
//! queries (the N+1 pattern). Locally each costs ~0.1 ms; over a network 1 ms or more.
//!
//! **Example.**
//! ```python
//! for order in orders:
//!     customer = Customer.objects.get(id=order.customer_id)
//! ```
//!
//! **Fix.** Fetch all rows at once before the loop (`filter(id__in=ids)`,
//! `select_related`/`prefetch_related`, `selectinload`, `findMany({where: {id: {in: ids}}})`,
//! a JOIN or `WHERE id = ANY($1)`), then look them up in a dict.
//!
//! **Thresholds.** None: the pattern is structural. Runtime findings (PH-TRACE N+1) give
//! the measured cost when traces are joined (`perfhound traces --source`).

use super::call::{call, CALLS};
use super::db::classify;
use super::{ScanRule, BOTH};
use crate::ctx::Ctx;
use perfhound_model::{Confidence, Rule, Severity};
use tree_sitter::Node;

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN001",
        name: "query-in-loop",
        severity: Severity::Warning,
        summary: "A database query issued once per loop iteration (N+1 queries).",
        why: "Every iteration pays a database round trip: N items cost N+1 queries, which grows with the data and with network latency.",
        fix: "Load the rows in one query before the loop (IN (...), JOIN, select_related/prefetch_related, selectinload, findMany with `in`) and look them up in a dict/Map.",
    },
    families: BOTH,
    kinds: CALLS,
    confidence: Confidence::Medium,
    check,
};

fn check(ctx: &mut Ctx, node: Node) {
    let Some(c) = call(ctx, node) else { return };
    let Some(db) = classify(ctx, &c) else { return };
    if db.write {
        return;
    }
    let Some(lp) = ctx.enclosing_loop(node) else { return };
    if statement_varies(ctx, &c, lp) {
        return;
    }
    let callee = ctx.src(c.callee);
    let title =
        format!("{} query `{}(…)` runs once per loop iteration (N+1)", db.orm, perfhound_term::clip(callee, 60));
    ctx.report(&RULE, node, lp, title, callee);
}

/// `for sql in STATEMENTS: conn.execute(sql)`: the statement itself is the loop variable,
/// so iterations run different queries (consecutive queries, not N+1 of one statement).
fn statement_varies(ctx: &Ctx, c: &super::call::Call, lp: Node) -> bool {
    let Some(arg) = c.arg_nodes().first().copied().filter(|a| a.kind() == "identifier") else { return false };
    let header = match lp.kind() {
        "call_expression" => lp
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
            .and_then(|f| f.child_by_field_name("parameters").or_else(|| f.child_by_field_name("parameter"))),
        _ => lp.child_by_field_name("left"),
    };
    let name = ctx.src(arg);
    header.is_some_and(|h| super::call::mentions(ctx, h, name))
}
