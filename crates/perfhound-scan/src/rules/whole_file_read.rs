//! PH-SCAN013 `whole-file-read`: reading a whole file into memory only to iterate over
//! its lines (Python).
//!
//! **What it detects.** `for line in f.readlines():`, `for line in f.read().splitlines():`
//! and `for x in f.read().split(…):` (also in comprehensions).
//!
//! **Why it matters.** The whole file is held in memory (twice: the text and the list of
//! lines) before the first line is processed; memory follows the file size instead of
//! the longest line, and large inputs get slow or run out of memory.
//!
//! **Example.**
//! ```python
//! with open(path) as f:
//!     for line in f.readlines():
//!         handle(line)
//! ```
//!
//! **Fix.** Iterate the file object: `for line in f:` (strip the newline with
//! `line.rstrip("\n")`), or read in chunks.
//!
//! **Thresholds.** None: structural.

use super::call::call;
use super::{ScanRule, PYTHON};
use crate::ctx::Ctx;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN013",
        name: "whole-file-read",
        severity: Severity::Info,
        summary: "A whole file read into memory only to iterate over its lines (readlines(), read().splitlines()).",
        why: "The whole file (and a list of its lines) is held in memory before the first line is processed: memory follows the file size.",
        fix: "Iterate the file object line by line (`for line in f:`) or read it in chunks.",
    },
    families: PYTHON,
    kinds: &["for_statement", "for_in_clause"],
    confidence: Confidence::High,
    check,
};

fn check(ctx: &mut Ctx, node: Node) {
    let Some(right) = node.child_by_field_name("right") else { return };
    let Some(c) = call(ctx, right) else { return };
    let whole = match c.name {
        "readlines" => c.arg_nodes().is_empty() && c.receiver.is_some(),
        "splitlines" | "split" => c
            .receiver
            .and_then(|r| call(ctx, r))
            .is_some_and(|inner| inner.name == "read" && inner.arg_nodes().is_empty() && inner.receiver.is_some()),
        _ => false,
    };
    if !whole {
        return;
    }
    let context = if node.kind() == "for_in_clause" { node.parent().unwrap_or(node) } else { node };
    let shown = ctx.src(right);
    let title =
        format!("`{}` reads the whole file before iterating: iterate the file object", perfhound_term::clip(shown, 50));
    ctx.report(&RULE, right, context, title, shown);
}
