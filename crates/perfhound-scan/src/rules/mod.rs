//! The scan rules, one file each. A [`ScanRule`] names its model [`Rule`] (code, name,
//! doc sections), the language families and node kinds it inspects, and its check, which
//! the one walk in `analyze.rs` calls for every node of those kinds.

use crate::ctx::Ctx;
use crate::lang::Family;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule};

mod await_in_loop;
pub mod call;
mod commit_in_loop;
pub mod db;
mod effect_without_cleanup;
mod http_client_per_call;
mod list_membership_in_loop;
mod quadratic_nested_loop;
mod query_in_loop;
mod select_star;
mod sequential_awaits;
mod string_concat_in_loop;
mod sync_io_in_async;
mod unbounded_cache;
mod whole_file_read;
mod whole_library_import;

/// A rule of the scanner.
pub struct ScanRule {
    pub rule: Rule,
    pub families: &'static [Family],
    /// Node kinds (tree-sitter names) the check is called on.
    pub kinds: &'static [&'static str],
    pub confidence: Confidence,
    pub check: fn(&mut Ctx, Node),
}

impl std::fmt::Debug for ScanRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.rule.code)
    }
}

pub const BOTH: &[Family] = &[Family::Python, Family::Js];
pub const PYTHON: &[Family] = &[Family::Python];
pub const JS: &[Family] = &[Family::Js];

/// Every rule, in code order.
pub static RULES: &[&ScanRule] = &[
    &query_in_loop::RULE,
    &commit_in_loop::RULE,
    &quadratic_nested_loop::RULE,
    &list_membership_in_loop::RULE,
    &sequential_awaits::RULE,
    &http_client_per_call::RULE,
    &sync_io_in_async::RULE,
    &unbounded_cache::RULE,
    &whole_library_import::RULE,
    &effect_without_cleanup::RULE,
    &select_star::RULE,
    &string_concat_in_loop::RULE,
    &whole_file_read::RULE,
    &await_in_loop::RULE,
];

/// The model rules, for `perfhound rules` and SARIF.
pub fn rules() -> Vec<Rule> {
    RULES.iter().map(|r| r.rule).collect()
}
