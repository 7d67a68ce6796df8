//! `PH-DB010 unused-index`: indexes no statement has used since statistics were reset.
//!
//! # What it detects
//! Valid indexes on plain tables with zero index scans that do not back a constraint
//! (primary key, unique, exclusion), with their size and the `DROP` statement.
//!
//! # Why it matters
//! Every index is updated by every insert and by updates of its columns (and blocks HOT
//! updates), takes disk and backup space, and competes for cache — for nothing.
//!
//! # Example
//! `public.orders_note_idx`: 0 scans, 4.2 MB → `DROP INDEX CONCURRENTLY public.orders_note_idx;`
//!
//! # Fix
//! Drop it concurrently — after checking replicas (their scans are not counted here) and
//! rare jobs (monthly reports) that statistics since the last reset may not have seen.
//!
//! # Thresholds
//! Zero scans. Severity is warning from 100 MB up, info below.

use super::{Ctx, Outcome};
use perfhound_model::{Confidence, Effort, Finding, Rule, Severity};
use perfhound_term::human::bytes;

pub const RULE: Rule = Rule {
    code: "PH-DB010",
    name: "unused-index",
    severity: Severity::Info,
    summary: "An index has not been used by any statement since statistics were last reset.",
    why: "Every write maintains it (and it can prevent HOT updates), it takes disk, backup and cache space, for no reader.",
    fix: "DROP INDEX CONCURRENTLY it, after checking replicas and rare jobs that the statistics window may not cover.",
};

const LARGE_BYTES: i64 = 100 * 1024 * 1024;

pub fn check(ctx: &Ctx<'_>) -> Outcome {
    let mut findings = Vec::new();
    for ix in &ctx.catalog.indexes {
        let Some(table) = ctx.catalog.table_by_oid(ix.table_oid) else { continue };
        if ix.scans > 0
            || ix.unique
            || ix.primary
            || ix.constraint
            || !ix.valid
            || table.partitioned
            || table.is_partition
        {
            continue;
        }
        let name = ix.qualified();
        let mut f = Finding::new(
            &RULE,
            name.clone(),
            format!("index {name} on {} has never been scanned ({})", table.name, bytes(ix.bytes as f64)),
        );
        f.evidence.counts.insert("index_scans".into(), 0);
        f.evidence.sizes_bytes.insert("index_size".into(), ix.bytes.max(0) as u64);
        f.evidence.code = Some(ix.definition.clone());
        f.evidence.code_lang = Some("sql".into());
        f.evidence.notes.push("scans on replicas are not counted; make sure no replica or rare job uses it".into());
        f.recommendation.snippet = Some(format!("DROP INDEX CONCURRENTLY {name};"));
        f.recommendation.snippet_lang = Some("sql".into());
        f.recommendation.effort = Some(Effort::QuickWin);
        f.confidence = Confidence::Medium;
        if ix.bytes >= LARGE_BYTES {
            f.severity = Severity::Warning;
        }
        findings.push(f);
    }
    findings.into()
}
