//! PH-SCAN014 `await-in-loop`: an `await` of an independent call in every iteration of a
//! loop, so the iterations' I/O waits run one after the other.
//!
//! **What it detects.** A Python `for`/`while` loop or a JavaScript `for…of` loop whose
//! body awaits a call (`await client.fetch(uid)`) that does not depend on an earlier
//! iteration. Left out: awaits on queues, locks, streams, sleeps, commits and response
//! bodies (their order is the point, as in PH-SCAN005); batches that are already concurrent
//! (`await asyncio.gather(…)`, `await Promise.all(…)` per chunk); loops that stop early
//! (`break`/`return`: retries, first success) or yield (async generators stream on
//! purpose); `for await` loops; calls of the loop variable itself (`for receiver in
//! receivers: await receiver(…)`: hooks and signal handlers run in order by contract); database calls (PH-SCAN001/002 report those: the fix is
//! one query, not concurrency); calls fed by a result awaited in the loop (`cursor = await
//! fetch(cursor)`); `while` loops whose condition reads a value the body assigns
//! (pagination) or that run `while True`. One finding per loop, on its first such await;
//! PH-SCAN005 stays silent on the body of a loop reported here.
//!
//! **Why it matters.** n iterations cost n round trips in sequence: 100 calls of 20 ms
//! take 2 s where a bounded concurrent batch takes a few tens of milliseconds.
//!
//! **Example.**
//! ```python
//! for uid in ids:
//!     profiles.append(await client.fetch_profile(uid))
//! ```
//!
//! **Fix.** Start the calls together with a bound on concurrency: `await
//! asyncio.gather(*(fetch(u) for u in ids))` with an `asyncio.Semaphore` (or a
//! `TaskGroup`) in Python; `await Promise.all(ids.map(fetch))` in chunks, or with a limiter
//! such as p-limit, in JavaScript.
//!
//! **Thresholds.** None: the pattern is structural.

use super::call::{call, mentions};
use super::sequential_awaits::{ordered_receiver, ORDERED};
use super::{ScanRule, BOTH};
use crate::ctx::{is_function, is_loop, Ctx};
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN014",
        name: "await-in-loop",
        severity: Severity::Info,
        summary: "An independent call awaited in every loop iteration: the iterations' I/O runs one after the other.",
        why: "n iterations cost n sequential round trips: 100 calls of 20 ms take 2 s instead of a few tens of milliseconds concurrently.",
        fix: "Run the calls concurrently with a bound: asyncio.gather with a Semaphore or a TaskGroup (Python), Promise.all over chunks or a limiter such as p-limit (JS).",
    },
    families: BOTH,
    kinds: &["for_statement", "while_statement", "for_in_statement"],
    confidence: Confidence::Medium,
    check,
};

/// Calls that are already a concurrent batch (or wait on one).
const BATCH: &[&str] = &["gather", "all", "allSettled", "any", "race", "wait", "wait_for", "as_completed"];

fn check(ctx: &mut Ctx, lp: Node) {
    let Some((aw, callee)) = first_independent_await(ctx, lp) else { return };
    let fix = if ctx.family() == crate::lang::Family::Python { "asyncio.gather" } else { "Promise.all" };
    let title = format!(
        "`await {}(…)` runs once per loop iteration, one at a time: start them together with {fix} and a concurrency bound",
        perfhound_term::clip(&callee, 60)
    );
    ctx.report(&RULE, aw, lp, title, &callee);
}

/// The first await in `lp`'s body that this rule reports, with the awaited callee's text.
pub fn first_independent_await<'t>(ctx: &Ctx<'t>, lp: Node<'t>) -> Option<(Node<'t>, String)> {
    let body = lp.child_by_field_name("body")?;
    if !loop_qualifies(ctx, lp, body) {
        return None;
    }
    let inside = descendants(body);
    if inside.iter().any(|n| matches!(n.kind(), "break_statement" | "return_statement" | "yield")) {
        return None;
    }
    let carried = awaited_names(ctx, &inside);
    let loop_vars = loop_vars(ctx, lp);
    inside.iter().find_map(|n| independent(ctx, *n, &carried, &loop_vars))
}

/// `for`, `while` without `True` and without a condition fed by the body (Python),
/// `for … of` without `await` (JS).
fn loop_qualifies(ctx: &Ctx, lp: Node, body: Node) -> bool {
    let mut c = lp.walk();
    match lp.kind() {
        "for_statement" => ctx.family() == crate::lang::Family::Python,
        "for_in_statement" => {
            let mut children = lp.children(&mut c);
            lp.child_by_field_name("operator").is_some_and(|o| ctx.src(o) == "of")
                && !children.any(|ch| !ch.is_named() && ch.kind() == "await")
        }
        "while_statement" if ctx.family() == crate::lang::Family::Python => {
            let Some(cond) = lp.child_by_field_name("condition") else { return false };
            let assigned = assigned_names(ctx, &descendants(body), false);
            !matches!(ctx.src(cond), "True" | "1") && !assigned.iter().any(|n| mentions(ctx, cond, n))
        }
        _ => false,
    }
}

/// `await f(…)` whose call is not ordered, not a batch, not fed by `carried` and not a
/// call of a loop variable.
fn independent<'t>(ctx: &Ctx<'t>, n: Node<'t>, carried: &[String], loop_vars: &[String]) -> Option<(Node<'t>, String)> {
    if !matches!(n.kind(), "await" | "await_expression") {
        return None;
    }
    let awaited = n.named_child(0)?;
    let c = call(ctx, awaited)?;
    let ordered = ORDERED.contains(&c.name) || c.receiver.is_some_and(|r| ordered_receiver(ctx.src(r)));
    // A database call in a loop is PH-SCAN001/002's finding (one query, not concurrency).
    if ordered || BATCH.contains(&c.name) || is_db(ctx, awaited) {
        return None;
    }
    if c.args.is_some_and(|a| carried.iter().any(|name| mentions(ctx, a, name))) {
        return None;
    }
    // `for receiver in receivers: await receiver(…)`: hooks and handlers run in order.
    if c.receiver.is_none() && loop_vars.iter().any(|v| v == ctx.src(c.callee)) {
        return None;
    }
    Some((n, ctx.src(c.callee).to_string()))
}

/// True when the awaited expression calls the database anywhere (`knex('t').where(…).first()`).
fn is_db(ctx: &Ctx, awaited: Node) -> bool {
    std::iter::once(awaited)
        .chain(descendants(awaited))
        .filter_map(|n| call(ctx, n))
        .any(|c| super::db::classify(ctx, &c).is_some())
}

/// The names a `for` binds (none for `while`).
fn loop_vars(ctx: &Ctx, lp: Node) -> Vec<String> {
    let Some(left) = lp.child_by_field_name("left") else { return Vec::new() };
    std::iter::once(left)
        .chain(descendants(left))
        .filter(|n| n.kind() == "identifier")
        .map(|n| ctx.src(n).to_string())
        .collect()
}

/// Names bound by assignments among `nodes` whose value awaits something.
fn awaited_names(ctx: &Ctx, nodes: &[Node]) -> Vec<String> {
    assigned_names(ctx, nodes, true)
}

/// Names bound by `x = …` / `const x = …` among `nodes` (only those whose value awaits,
/// when `awaiting`). Augmented assignments (`i += 1`) are counters, not results.
fn assigned_names(ctx: &Ctx, nodes: &[Node], awaiting: bool) -> Vec<String> {
    let mut out = Vec::new();
    for n in nodes {
        let (target, value) = match n.kind() {
            "assignment" | "assignment_expression" => (n.child_by_field_name("left"), n.child_by_field_name("right")),
            "variable_declarator" => (n.child_by_field_name("name"), n.child_by_field_name("value")),
            _ => continue,
        };
        let (Some(target), Some(value)) = (target, value) else { continue };
        let is_await = |d: &Node| matches!(d.kind(), "await" | "await_expression");
        if awaiting && !is_await(&value) && !descendants(value).iter().any(is_await) {
            continue;
        }
        for d in std::iter::once(target).chain(descendants(target)) {
            if d.kind() == "identifier" {
                out.push(ctx.src(d).to_string());
            }
        }
    }
    out
}

/// Every node under `node` in document order, nested functions and loops left out.
fn descendants(node: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut stack: Vec<Node> = node.children(&mut node.walk()).collect();
    stack.reverse();
    while let Some(n) = stack.pop() {
        if is_function(n) || is_loop(n) {
            continue;
        }
        out.push(n);
        let mut kids: Vec<Node> = n.children(&mut n.walk()).collect();
        kids.reverse();
        stack.extend(kids);
    }
    out
}
