//! PH-SCAN004 `list-membership-in-loop`: `x in items` (Python) or `items.includes(x)` /
//! `items.indexOf(x)` (JS) inside a loop, where `items` is a list built at run time.
//!
//! **What it detects.** A membership test inside a loop whose right side is a variable
//! of the same function (or module) assigned only list values: a list comprehension,
//! `list(…)`, `sorted(…)`, an empty `[]` filled later; in JS `[]`, `.map(…)`,
//! `.filter(…)`, `Array.from(…)`, `Object.keys(…)`. Short constant literals are left out.
//!
//! **Why it matters.** A list membership test scans the list: n tests against m items
//! are n·m comparisons, O(n²) when both grow with the data.
//!
//! **Example.**
//! ```python
//! active_ids = [u.id for u in users if u.active]
//! for order in orders:
//!     if order.user_id in active_ids:
//!         ...
//! ```
//!
//! **Fix.** Build a `set` (Python) or `Set` (JS, then `.has(x)`) once before the loop.
//!
//! **Thresholds.** None: structural.

use super::call::{binding_values, call};
use super::{ScanRule, BOTH};
use crate::ctx::Ctx;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN004",
        name: "list-membership-in-loop",
        severity: Severity::Info,
        summary: "A membership test on a list inside a loop (linear scan per iteration).",
        why: "Each `in`/`includes` scans the list: n lookups in m items are n·m comparisons, quadratic when both grow with the data.",
        fix: "Build a set (Python) or Set (JS, then `.has`) once before the loop and test membership on it.",
    },
    families: BOTH,
    kinds: &["comparison_operator", "call_expression"],
    confidence: Confidence::Medium,
    check,
};

fn check(ctx: &mut Ctx, node: Node) {
    let Some(name) = list_operand(ctx, node) else { return };
    let Some(lp) = ctx.enclosing_loop(node) else { return };
    let values = binding_values(ctx, name);
    if values.is_empty() || !values.iter().all(|v| is_runtime_list(ctx, *v)) {
        return;
    }
    let title = format!("membership test on list `{}` inside a loop: use a set", perfhound_term::clip(name, 40));
    ctx.report(&RULE, node, lp, title, name);
}

/// `items` in `x in items` / `x not in items` / `items.includes(x)` / `items.indexOf(x)`.
fn list_operand<'t>(ctx: &Ctx<'t>, node: Node<'t>) -> Option<&'t str> {
    if node.kind() == "comparison_operator" {
        let mut c = node.walk();
        let children: Vec<Node> = node.children(&mut c).collect();
        let op = children.iter().find(|ch| !ch.is_named()).map(|o| ctx.src(*o))?;
        if op != "in" && op != "not in" && !ctx.src(node).contains(" not in ") {
            return None;
        }
        let right = children.last()?;
        return (right.kind() == "identifier").then(|| ctx.src(*right));
    }
    let c = call(ctx, node)?;
    let recv = c.receiver?;
    (matches!(c.name, "includes" | "indexOf") && recv.kind() == "identifier").then(|| ctx.src(recv))
}

/// A list whose size follows the data.
fn is_runtime_list(ctx: &Ctx, v: Node) -> bool {
    match v.kind() {
        "list_comprehension" => true,
        "list" | "array" => v.named_child_count() == 0,
        "call" | "call_expression" => {
            let Some(c) = call(ctx, v) else { return false };
            match ctx.family() {
                crate::lang::Family::Python => c.receiver.is_none() && matches!(c.name, "list" | "sorted"),
                crate::lang::Family::Js => {
                    matches!(c.name, "map" | "filter")
                        || matches!(ctx.src(c.callee), "Array.from" | "Object.keys" | "Object.values")
                }
            }
        }
        _ => false,
    }
}
