//! PH-SCAN003 `quadratic-nested-loop`: two nested loops over the same collection that
//! compare elements for equality (O(n²)).
//!
//! **What it detects.** `for a in xs:` containing `for b in xs:` (or `xs[i+1:]`, or
//! `for (const b of xs)` inside `for (const a of xs)`) whose body compares with `==`
//! / `===` — the shape of seed 000's `find_duplicates`.
//!
//! **Why it matters.** n items cost n² comparisons: 10 000 items are 100 million
//! comparisons, seconds of CPU in a request.
//!
//! **Example.**
//! ```python
//! for i, a in enumerate(items):
//!     for b in items[i + 1:]:
//!         if a.email == b.email:
//!             dupes.append(b)
//! ```
//!
//! **Fix.** One pass with a set or dict keyed by the compared value (`seen = set()`,
//! `collections.Counter`, `groupby` on a sort, a JS `Map`/`Set`): O(n).
//!
//! **Thresholds.** None: structural.

use super::call::mentions;
use super::{ScanRule, BOTH};
use crate::ctx::{is_function, Ctx};
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN003",
        name: "quadratic-nested-loop",
        severity: Severity::Warning,
        summary: "Nested loops over the same collection comparing elements for equality (O(n²)).",
        why: "n items cost n² comparisons: 10 000 items are 10⁸ comparisons, seconds of CPU per call.",
        fix: "Make one pass with a set/dict (Python) or Set/Map (JS) keyed by the compared value.",
    },
    families: BOTH,
    kinds: &["for_statement", "for_in_statement"],
    confidence: Confidence::High,
    check,
};

fn check(ctx: &mut Ctx, node: Node) {
    let Some(inner_src) = iterated(ctx, node) else { return };
    let outer = ctx.stack.iter().rev().take_while(|n| !is_function(**n)).find(|n| {
        matches!(n.kind(), "for_statement" | "for_in_statement") && iterated(ctx, **n).is_some_and(|s| s == inner_src)
    });
    let Some(outer) = outer.copied() else { return };
    let Some(body) = node.child_by_field_name("body") else { return };
    let vars = (loop_vars(ctx, outer), loop_vars(ctx, node));
    // The same name rebound (`for ch in it: … for ch in it:`) consumes one iterator.
    if vars.1.iter().any(|v| vars.0.contains(v)) {
        return;
    }
    if !has_equality(ctx, body, &vars) {
        return;
    }
    let title = format!("nested loops over `{}` compare elements: O(n²)", perfhound_term::clip(&inner_src, 40));
    ctx.report(&RULE, node, outer, title, &inner_src);
}

/// The collection a `for` iterates, normalized: `xs` for `xs`, `xs[i+1:]`,
/// `enumerate(xs)`, `range(len(xs))`, `xs.items()`.
fn iterated(ctx: &Ctx, lp: Node) -> Option<String> {
    let right = lp.child_by_field_name("right")?;
    let mut n = right;
    loop {
        match n.kind() {
            "identifier" | "attribute" | "member_expression" => return Some(ctx.src(n).to_string()),
            "subscript" => n = n.child_by_field_name("value")?,
            "call" => {
                let f = ctx.src(n.child_by_field_name("function")?);
                if !matches!(f, "enumerate" | "range" | "len" | "list" | "reversed") {
                    return None;
                }
                let args = n.child_by_field_name("arguments")?;
                n = args.named_child(0)?;
            }
            _ => return None,
        }
    }
}

/// The names a loop binds (`a` in `for a in`, `i, a` in `for i, a in enumerate(…)`).
fn loop_vars(ctx: &Ctx, lp: Node) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(left) = lp.child_by_field_name("left") {
        collect_identifiers(ctx, left, &mut out);
    }
    out
}

fn collect_identifiers(ctx: &Ctx, n: Node, out: &mut Vec<String>) {
    if n.kind() == "identifier" {
        out.push(ctx.src(n).to_string());
    }
    let mut c = n.walk();
    for ch in n.named_children(&mut c) {
        collect_identifiers(ctx, ch, out);
    }
}

/// True when an `==`/`===` comparison in `node` involves a variable of each loop (the
/// elements are compared with each other; nested functions excluded).
fn has_equality(ctx: &Ctx, node: Node, vars: &(Vec<String>, Vec<String>)) -> bool {
    if is_function(node) {
        return false;
    }
    if matches!(node.kind(), "comparison_operator" | "binary_expression") {
        let op = node.child_by_field_name("operator").map(|o| ctx.src(o)).unwrap_or_else(|| operator_text(ctx, node));
        let uses = |names: &[String]| names.iter().any(|v| mentions(ctx, node, v));
        if matches!(op, "==" | "===") && uses(&vars.0) && uses(&vars.1) {
            return true;
        }
    }
    let mut c = node.walk();
    let found = node.children(&mut c).any(|ch| has_equality(ctx, ch, vars));
    found
}

/// Python's comparison operators are anonymous children between operands.
fn operator_text<'t>(ctx: &Ctx<'t>, node: Node<'t>) -> &'t str {
    let mut c = node.walk();
    let op = node.children(&mut c).find(|ch| !ch.is_named()).map(|o| ctx.src(o)).unwrap_or("");
    op
}
