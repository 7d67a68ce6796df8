//! `PH-DB012 invalid-index`: indexes left invalid by a failed concurrent build.
//!
//! # What it detects
//! Indexes with `indisvalid = false`: a `CREATE INDEX CONCURRENTLY` or `REINDEX
//! CONCURRENTLY` that failed (duplicate key, deadlock, cancel) — or one still running.
//!
//! # Why it matters
//! An invalid index is never used for reads but is still maintained on every write; a
//! unique one that failed did not enforce anything.
//!
//! # Example
//! `users_email_key` invalid after `CREATE UNIQUE INDEX CONCURRENTLY` found duplicates.
//!
//! # Fix
//! Drop it and build it again (after fixing the cause, e.g. the duplicates).
//!
//! # Thresholds
//! None. Make sure no concurrent build is in progress (`pg_stat_progress_create_index`).

use super::{Ctx, Outcome};
use perfhound_model::{Effort, Finding, Rule, Severity};
use perfhound_term::human::bytes;

pub const RULE: Rule = Rule {
    code: "PH-DB012",
    name: "invalid-index",
    severity: Severity::Warning,
    summary: "An index is invalid, usually left behind by a failed CREATE INDEX CONCURRENTLY.",
    why: "It is maintained on every write but never used to read; an invalid unique index enforces nothing.",
    fix: "DROP INDEX CONCURRENTLY it and build it again after fixing the cause (unless a build is still in progress).",
};

pub fn check(ctx: &Ctx<'_>) -> Outcome {
    let findings: Vec<Finding> = ctx
        .catalog
        .indexes
        .iter()
        .filter(|ix| !ix.valid)
        .map(|ix| {
            let name = ix.qualified();
            let mut f =
                Finding::new(&RULE, name.clone(), format!("index {name} is invalid ({})", bytes(ix.bytes as f64)));
            f.evidence.code = Some(ix.definition.clone());
            f.evidence.code_lang = Some("sql".into());
            f.evidence.sizes_bytes.insert("index_size".into(), ix.bytes.max(0) as u64);
            f.evidence
                .notes
                .push("an index being built concurrently right now is also invalid until it finishes".into());
            let rebuild = ix.definition.replacen("CREATE INDEX", "CREATE INDEX CONCURRENTLY", 1).replacen(
                "CREATE UNIQUE INDEX",
                "CREATE UNIQUE INDEX CONCURRENTLY",
                1,
            );
            f.recommendation.snippet = Some(format!("DROP INDEX CONCURRENTLY {name};\n{rebuild};"));
            f.recommendation.snippet_lang = Some("sql".into());
            f.recommendation.effort = Some(Effort::QuickWin);
            f
        })
        .collect();
    findings.into()
}
