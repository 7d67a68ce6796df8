//! `PH-DB011 duplicate-index`: an index whose key columns are a prefix of another's.
//!
//! # What it detects
//! Two valid indexes on the same table with the same method and predicate where the first
//! one's key columns (with operator classes and sort options) are the leading columns of
//! the second: every lookup the first serves, the second serves too. Unique and
//! constraint indexes are only reported when the other index enforces the same uniqueness.
//!
//! # Why it matters
//! The redundant index costs writes, disk and cache and gives no reader anything.
//!
//! # Example
//! `orders_user_id_idx (user_id)` is covered by `orders_user_id_status_idx (user_id, status)`.
//!
//! # Fix
//! `DROP INDEX CONCURRENTLY` the covered index.
//!
//! # Thresholds
//! None: every prefix-covered index is reported.

use super::{Ctx, Outcome};
use crate::catalog::Index;
use perfhound_model::{Effort, Finding, Rule, Severity};
use perfhound_term::human::bytes;

pub const RULE: Rule = Rule {
    code: "PH-DB011",
    name: "duplicate-index",
    severity: Severity::Warning,
    summary: "An index's key columns are the leading columns of another index on the same table.",
    why: "The other index serves every lookup this one serves; this one only costs writes, disk and cache.",
    fix: "DROP INDEX CONCURRENTLY the covered index.",
};

/// True when `b` serves everything `a` serves and `a` can be dropped.
pub fn covers(b: &Index, a: &Index) -> bool {
    let n = a.keys.len();
    let same_keys = a.keys.len() == b.keys.len();
    a.oid != b.oid
        && a.table_oid == b.table_oid
        && a.valid
        && b.valid
        && a.method == b.method
        && a.predicate == b.predicate
        && n > 0
        && b.keys.len() >= n
        && a.keys.iter().all(Option::is_some)
        && b.keys[..n] == a.keys[..]
        && b.opclasses.get(..n) == a.opclasses.get(..n)
        && b.options.get(..n) == a.options.get(..n)
        && !a.primary
        && !a.constraint
        && (!a.unique || (b.unique && same_keys))
        // Of two identical indexes, report only the younger one.
        && !(same_keys && !b.primary && !b.constraint && b.unique == a.unique && b.included == a.included && b.oid > a.oid)
}

pub fn check(ctx: &Ctx<'_>) -> Outcome {
    let mut findings = Vec::new();
    for a in &ctx.catalog.indexes {
        let Some(b) = ctx.catalog.indexes.iter().find(|b| covers(b, a)) else { continue };
        let name = a.qualified();
        let mut f = Finding::new(
            &RULE,
            name.clone(),
            format!("index {name} is covered by {} ({})", b.qualified(), bytes(a.bytes as f64)),
        );
        f.evidence.sizes_bytes.insert("index_size".into(), a.bytes.max(0) as u64);
        f.evidence.counts.insert("index_scans".into(), a.scans.max(0) as u64);
        f.evidence.code = Some(format!("{};\n{};", a.definition, b.definition));
        f.evidence.code_lang = Some("sql".into());
        f.recommendation.snippet = Some(format!("DROP INDEX CONCURRENTLY {name};"));
        f.recommendation.snippet_lang = Some("sql".into());
        f.recommendation.effort = Some(Effort::QuickWin);
        findings.push(f);
    }
    findings.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ix(oid: u32, keys: &[&str], unique: bool) -> Index {
        Index {
            oid,
            schema: "public".into(),
            name: format!("i{oid}"),
            table_oid: 1,
            method: "btree".into(),
            keys: keys.iter().map(|k| Some(k.to_string())).collect(),
            opclasses: vec![3; keys.len()],
            options: vec![0; keys.len()],
            included: 0,
            predicate: None,
            unique,
            primary: false,
            constraint: unique,
            valid: true,
            bytes: 8192,
            scans: 0,
            definition: String::new(),
        }
    }

    #[test]
    fn prefix_rules() {
        assert!(covers(&ix(2, &["a", "b"], false), &ix(1, &["a"], false)));
        assert!(!covers(&ix(1, &["a"], false), &ix(2, &["a", "b"], false)), "the wider index is needed");
        assert!(!covers(&ix(2, &["b", "a"], false), &ix(1, &["a"], false)), "order matters");
        assert!(!covers(&ix(2, &["a", "b"], false), &ix(1, &["a"], true)), "uniqueness is not covered");
        // identical: only the younger is reported
        assert!(covers(&ix(1, &["a"], false), &ix(2, &["a"], false)));
        assert!(!covers(&ix(2, &["a"], false), &ix(1, &["a"], false)));
    }
}
