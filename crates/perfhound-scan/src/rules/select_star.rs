//! PH-SCAN011 `select-star`: `SELECT *` in a SQL string literal.
//!
//! **What it detects.** A string or template literal that starts with `SELECT * FROM`
//! (any case and spacing).
//!
//! **Why it matters.** Every column is read and sent, including large text/JSON columns
//! the code never uses; covering indexes cannot serve the query, and a new column
//! silently makes every such query heavier.
//!
//! **Example.**
//! ```python
//! cur.execute("SELECT * FROM orders WHERE customer_id = %s", (cid,))
//! ```
//!
//! **Fix.** Name the columns the code uses: `SELECT id, total, created_at FROM orders …`.
//!
//! **Thresholds.** None: structural.

use super::call::string_value;
use super::{ScanRule, BOTH};
use crate::ctx::Ctx;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN011",
        name: "select-star",
        severity: Severity::Info,
        summary: "`SELECT *` in a SQL string literal.",
        why: "All columns are read and transferred, including large ones the code ignores, and no covering index can answer the query.",
        fix: "List the columns the code uses: SELECT id, total, created_at FROM …",
    },
    families: BOTH,
    kinds: &["string", "template_string"],
    confidence: Confidence::High,
    check,
};

fn check(ctx: &mut Ctx, node: Node) {
    if node.parent().is_some_and(|p| p.kind() == "concatenated_string") {
        return;
    }
    let Some(text) = string_value(ctx, node) else { return };
    if !is_select_star(&text) {
        return;
    }
    let stmt = super::call::statement_of(ctx, node);
    let title = "`SELECT *` reads every column: name the ones the code uses".to_string();
    ctx.report(&RULE, node, stmt, title, &text);
}

/// `SELECT * FROM …` at the start of the text, any case and whitespace.
pub fn is_select_star(text: &str) -> bool {
    let mut words = text.split_whitespace();
    words.next().is_some_and(|w| w.eq_ignore_ascii_case("select"))
        && words.next() == Some("*")
        && words.next().is_some_and(|w| w.eq_ignore_ascii_case("from"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn shapes() {
        assert!(super::is_select_star("  select *\n from t"));
        assert!(!super::is_select_star("SELECT count(*) FROM t"));
        assert!(!super::is_select_star("select * of these"));
    }
}
