//! PH-SCAN001 `query-in-loop`: a database read issued once per iteration of a loop.
//!
//! **What it detects.** A call that issues a query — Django `Model.objects.get/filter/…`,
//! SQLAlchemy `session.query/execute/get/scalars`, Flask-SQLAlchemy `Model.query.…`,
//! Peewee `Model.get(Model.f == x)`/`get_or_none`, DB-API `cursor.execute`, asyncpg
//! `conn.fetch*`, Prisma `prisma.model.findUnique/findMany/…`, TypeORM repositories,
//! Sequelize/Mongoose `Model.findOne/findByPk/findAll`, Knex `knex('t')`, node-postgres
//! and mysql `client.query` — inside a `for`/`while` loop, a comprehension, or a
//! `forEach`/`map` callback of the same function. Writes go to PH-SCAN002. Lazy loading
//! (SQLAlchemy/Django relationships): `for o in session.scalars(q):` (or any ORM read as
//! the iterable, without `selectinload`/`joinedload`/`prefetch_related`/`select_related`)
//! whose body iterates `o.items` or takes `len(o.items)` — one query per row.
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

use super::call::call;
use super::db::classify;
use super::{ScanRule, BOTH};
use crate::ctx::Ctx;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

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
    kinds: &["call", "call_expression", "for_statement"],
    confidence: Confidence::Medium,
    check,
};

fn check(ctx: &mut Ctx, node: Node) {
    if node.kind() == "for_statement" {
        return lazy_load(ctx, node);
    }
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

const EAGER: &[&str] =
    &["selectinload", "joinedload", "subqueryload", "prefetch_related", "select_related", "contains_eager"];

/// `for o in <ORM read>:` whose body iterates or counts a relationship `o.rel`.
fn lazy_load(ctx: &mut Ctx, lp: Node) {
    if ctx.family() != crate::lang::Family::Python {
        return;
    }
    let (Some(left), Some(right), Some(body)) =
        (lp.child_by_field_name("left"), lp.child_by_field_name("right"), lp.child_by_field_name("body"))
    else {
        return;
    };
    let right_text = ctx.src(right);
    if left.kind() != "identifier" || EAGER.iter().any(|e| right_text.contains(e)) || !orm_read(ctx, right) {
        return;
    }
    if let Some(access) = relationship_use(ctx, body, ctx.src(left)) {
        let title = format!(
            "`{}` is loaded lazily: one query per row of the loop (N+1); load it with selectinload/joinedload or prefetch_related",
            ctx.src(access)
        );
        let key = ctx.src(access).to_string();
        ctx.report(&RULE, access, lp, title, &key);
    }
}

/// True when `node` (or a call inside it) is an ORM read.
fn orm_read(ctx: &Ctx, node: Node) -> bool {
    if let Some(c) = call(ctx, node) {
        if classify(ctx, &c).is_some_and(|d| !d.write && d.orm != "DB-API") {
            return true;
        }
    }
    let mut c = node.walk();
    let found = node.named_children(&mut c).any(|ch| orm_read(ctx, ch));
    found
}

/// `for x in o.rel`, `len(o.rel)`, `[… for x in o.rel]` in `body`, for the loop variable `var`.
fn relationship_use<'t>(ctx: &Ctx<'t>, body: Node<'t>, var: &str) -> Option<Node<'t>> {
    let is_rel = |n: Node| {
        n.kind() == "attribute"
            && n.child_by_field_name("object").is_some_and(|o| o.kind() == "identifier" && ctx.src(o) == var)
    };
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        let hit = match n.kind() {
            "for_statement" | "for_in_clause" => n.child_by_field_name("right").filter(|r| is_rel(*r)),
            "call" => call(ctx, n)
                .filter(|c| c.receiver.is_none() && c.name == "len")
                .and_then(|c| c.arg_nodes().first().copied())
                .filter(|a| is_rel(*a)),
            _ => None,
        };
        if hit.is_some() {
            return hit;
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c).filter(|ch| !crate::ctx::is_function(*ch)));
    }
    None
}
