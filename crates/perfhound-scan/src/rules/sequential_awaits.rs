//! PH-SCAN005 `sequential-independent-awaits`: consecutive `await`s whose results do
//! not depend on each other, run one after the other.
//!
//! **What it detects.** Two or more consecutive statements `a = await f(…)` /
//! `const a = await f(…)` in the same block where no later call mentions an earlier
//! result. Awaits on queues, locks, streams, sleeps, commits and response bodies are left
//! out: their order is the point.
//!
//! **Why it matters.** Independent I/O waits add up: three 50 ms calls take 150 ms in
//! sequence and ~50 ms concurrently (the seeds' serial-calls bottleneck).
//!
//! **Example.**
//! ```javascript
//! const user = await fetchUser(id);
//! const orders = await fetchOrders(id);
//! ```
//!
//! **Fix.** Start them together: `await asyncio.gather(f(), g())` (Python),
//! `await Promise.all([f(), g()])` (JS).
//!
//! **Thresholds.** Two or more consecutive independent awaits. Not reported in the body
//! of a loop that PH-SCAN014 (await-in-loop) reports.

use super::call::{call, mentions};
use super::{ScanRule, BOTH};
use crate::ctx::Ctx;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN005",
        name: "sequential-independent-awaits",
        severity: Severity::Info,
        summary: "Consecutive awaits of independent calls run one after the other.",
        why: "Independent I/O waits add up: three 50 ms calls take 150 ms in sequence and about 50 ms concurrently.",
        fix:
            "Run them concurrently: `await asyncio.gather(f(), g())` in Python, `await Promise.all([f(), g()])` in JS.",
    },
    families: BOTH,
    kinds: &["block", "statement_block", "module", "program"],
    confidence: Confidence::Medium,
    check,
};

/// Methods whose sequence matters (or that are not independent I/O).
pub(super) const ORDERED: &[&str] = &[
    "sleep",
    "acquire",
    "release",
    "lock",
    "commit",
    "rollback",
    "flush",
    "close",
    "send",
    "recv",
    "read",
    "write",
    "drain",
    "wait",
    "json",
    "text",
    "body",
    "arrayBuffer",
    "blob",
    "connect",
    "start",
    "stop",
    "put",
    "get_nowait",
    "readline",
    "readexactly",
    "execute",
    "begin",
    "transaction",
    "save",
    "delete",
    "update",
    "insert",
    "create",
    "refresh",
    "next",
    "pop",
    "shift",
    "receive",
    "emit",
    "publish",
];

fn check(ctx: &mut Ctx, node: Node) {
    // The body of a loop that PH-SCAN014 (await-in-loop) reports: one finding is enough.
    if node.parent().is_some_and(|lp| super::await_in_loop::first_independent_await(ctx, lp).is_some()) {
        return;
    }
    let mut c = node.walk();
    let stmts: Vec<Node> = node.named_children(&mut c).filter(|n| n.kind() != "comment").collect();
    let mut run: Vec<(Vec<String>, Node, String)> = Vec::new();
    for s in stmts {
        match awaited_assignment(ctx, s) {
            Some((names, callee)) if run.iter().flat_map(|r| &r.0).all(|prev| !mentions(ctx, s, prev)) => {
                run.push((names, s, callee));
            }
            Some((names, callee)) => {
                flush(ctx, &run);
                run = vec![(names, s, callee)];
            }
            None => {
                flush(ctx, &run);
                run.clear();
            }
        }
    }
    flush(ctx, &run);
}

fn flush(ctx: &mut Ctx, run: &[(Vec<String>, Node, String)]) {
    if run.len() < 2 {
        return;
    }
    let (first, last) = (run[0].1, run[run.len() - 1].1);
    let calls: Vec<&str> = run.iter().map(|(_, _, c)| c.as_str()).collect();
    let list = perfhound_term::clip(&calls.join("`, `"), 80);
    let fix = if ctx.family() == crate::lang::Family::Python { "asyncio.gather" } else { "Promise.all" };
    let title = format!("{} independent awaits run in sequence (`{list}`): use {fix}", run.len());
    let key = calls.join(",");
    // Reported on the first statement; the context shows them all.
    ctx.report(&RULE, first, first, title, &key);
    if let Some(h) = ctx.hits.last_mut() {
        h.context = (first.start_position().row + 1, last.end_position().row + 1);
    }
}

/// `name = await call(…)` / `const name = await call(…)` → (bound names, callee text).
fn awaited_assignment(ctx: &Ctx, stmt: Node) -> Option<(Vec<String>, String)> {
    let (target, value) = match stmt.kind() {
        "expression_statement" => {
            let a = stmt.named_child(0)?;
            if !matches!(a.kind(), "assignment" | "assignment_expression") {
                return None;
            }
            (a.child_by_field_name("left")?, a.child_by_field_name("right")?)
        }
        "lexical_declaration" | "variable_declaration" => {
            if stmt.named_child_count() != 1 {
                return None;
            }
            let d = stmt.named_child(0)?;
            (d.child_by_field_name("name")?, d.child_by_field_name("value")?)
        }
        _ => return None,
    };
    if !matches!(target.kind(), "identifier" | "pattern_list" | "object_pattern" | "array_pattern") {
        return None;
    }
    if !matches!(value.kind(), "await" | "await_expression") {
        return None;
    }
    let awaited = value.named_child(0)?;
    let c = call(ctx, awaited)?;
    if ORDERED.contains(&c.name) || c.receiver.is_some_and(|r| ordered_receiver(ctx.src(r))) {
        return None;
    }
    let mut names = Vec::new();
    identifiers(ctx, target, &mut names);
    Some((names, ctx.src(c.callee).to_string()))
}

fn identifiers(ctx: &Ctx, n: Node, out: &mut Vec<String>) {
    if matches!(n.kind(), "identifier" | "shorthand_property_identifier_pattern") {
        out.push(ctx.src(n).to_string());
    }
    let mut c = n.walk();
    for ch in n.named_children(&mut c) {
        identifiers(ctx, ch, out);
    }
}

/// Receivers whose operations are sequential by nature.
pub(super) fn ordered_receiver(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    ["queue", "lock", "stream", "reader", "writer", "socket", "ws", "channel", "sem", "tx", "trx", "transaction"]
        .iter()
        .any(|w| t == *w || t.ends_with(&format!(".{w}")) || t.ends_with(&format!("_{w}")))
        || t == "q"
}
