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

use super::{ScanRule, BOTH};
use crate::ctx::{is_function, Ctx};
use perfhound_model::{Confidence, Rule, Severity};
use tree_sitter::Node;

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
    if !has_equality(ctx, body) {
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

/// True when an `==`/`===` comparison appears in `node` (nested functions excluded).
fn has_equality(ctx: &Ctx, node: Node) -> bool {
    if is_function(node) {
        return false;
    }
    if matches!(node.kind(), "comparison_operator" | "binary_expression") {
        let op = node.child_by_field_name("operator").map(|o| ctx.src(o)).unwrap_or_else(|| operator_text(ctx, node));
        if matches!(op, "==" | "===") {
            return true;
        }
    }
    let mut c = node.walk();
    let found = node.children(&mut c).any(|ch| has_equality(ctx, ch));
    found
}

/// Python's comparison operators are anonymous children between operands.
fn operator_text<'t>(ctx: &Ctx<'t>, node: Node<'t>) -> &'t str {
    let mut c = node.walk();
    let op = node.children(&mut c).find(|ch| !ch.is_named()).map(|o| ctx.src(o)).unwrap_or("");
    op
}
