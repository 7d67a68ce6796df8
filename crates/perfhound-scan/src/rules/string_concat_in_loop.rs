//! PH-SCAN012 `string-concat-in-loop`: building a string with `+=` inside a loop
//! (Python).
//!
//! **What it detects.** `s += …` inside a loop where `s` is assigned a string literal
//! in the same function (or module) and nothing else. JavaScript is left out: V8 and
//! other engines build such strings as ropes, so the pattern is cheap there.
//!
//! **Why it matters.** Python strings are immutable: each `+=` may copy everything
//! built so far, O(n²) bytes copied for n pieces (CPython's in-place shortcut does not
//! hold for attributes, globals or shared references, nor on PyPy).
//!
//! **Example.**
//! ```python
//! out = ""
//! for row in rows:
//!     out += f"{row.id},{row.total}\n"
//! ```
//!
//! **Fix.** Collect the pieces in a list and `"".join(parts)` once, or write to an
//! `io.StringIO`.
//!
//! **Thresholds.** None: structural.

use super::call::{binding_values, string_value};
use super::{ScanRule, PYTHON};
use crate::ctx::Ctx;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN012",
        name: "string-concat-in-loop",
        severity: Severity::Info,
        summary: "A string built with += inside a loop (Python).",
        why: "Strings are immutable: each += can copy everything built so far, O(n²) bytes for n pieces.",
        fix: "Append the pieces to a list and \"\".join(parts) once after the loop, or write to io.StringIO.",
    },
    families: PYTHON,
    kinds: &["augmented_assignment"],
    confidence: Confidence::Medium,
    check,
};

fn check(ctx: &mut Ctx, node: Node) {
    let Some(op) = node.child_by_field_name("operator") else { return };
    if ctx.src(op) != "+=" {
        return;
    }
    let Some(left) = node.child_by_field_name("left").filter(|l| l.kind() == "identifier") else { return };
    let name = ctx.src(left);
    let Some(lp) = ctx.enclosing_loop(node) else { return };
    if leaves_loop_next(node) {
        return;
    }
    let values = binding_values(ctx, name);
    if values.is_empty() || !values.iter().all(|v| string_value(ctx, *v).is_some()) {
        return;
    }
    let title = format!("string `{name}` built with += in a loop: collect parts and join once");
    ctx.report(&RULE, node, lp, title, name);
}

/// `s += x` followed by `break`/`return` runs once, not once per iteration.
fn leaves_loop_next(node: Node) -> bool {
    let stmt = node.parent().filter(|p| p.kind() == "expression_statement").unwrap_or(node);
    let mut next = stmt.next_named_sibling();
    while let Some(n) = next.filter(|n| n.kind() == "comment") {
        next = n.next_named_sibling();
    }
    next.is_some_and(|n| matches!(n.kind(), "break_statement" | "return_statement"))
}
