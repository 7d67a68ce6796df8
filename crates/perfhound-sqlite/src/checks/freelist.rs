//! `PH-SQLITE009 freelist-fragmentation`: a large share of the file is free pages.
//!
//! # What it detects
//! `PRAGMA freelist_count` × `page_size` above 20% of the file and at least 1 MB.
//!
//! # Why it matters
//! Deleted data leaves free pages behind: the file stays large, live rows are spread over
//! more pages (more I/O per scan, a colder cache), and backups copy the empty space. Info:
//! free pages are reused by later inserts.
//!
//! # Example
//! `app.db`: 412 MB, of which 260 MB (63%) free pages after a purge of old events.
//!
//! # Fix
//! `VACUUM;` in a maintenance window (it rewrites the file, needs exclusive access and up
//! to twice the disk space), or `PRAGMA auto_vacuum = INCREMENTAL;` + `VACUUM;` once, then
//! `PRAGMA incremental_vacuum;` periodically.
//!
//! # Thresholds
//! `freelist_ratio` (0.2), `freelist_min_bytes` (1 MB).

use super::{Ctx, Outcome};
use crate::error::SqliteError;
use perfhound_model::Extra;
use perfhound_model::{Effort, Finding, Rule, Severity};
use perfhound_term::human;

pub const RULE: Rule = Rule {
    code: "PH-SQLITE009",
    name: "freelist-fragmentation",
    severity: Severity::Info,
    summary: "Free pages make up more than 20% (and 1 MB+) of the database file.",
    why:
        "The file stays large, live rows spread over more pages (more I/O, colder cache), and backups copy empty space.",
    fix: "VACUUM; in a maintenance window (exclusive access, up to 2× disk), or switch to incremental auto_vacuum.",
};

pub fn check(ctx: &Ctx<'_>) -> Result<Outcome, SqliteError> {
    let page_size = ctx.pragma_i64("page_size")?.max(0) as u64;
    let pages = ctx.pragma_i64("page_count")?.max(0) as u64;
    let free = ctx.pragma_i64("freelist_count")?.max(0) as u64;
    let (total_b, free_b) = (pages * page_size, free * page_size);
    let ratio = if pages > 0 { free as f64 / pages as f64 } else { 0.0 };
    let mut o = Outcome {
        metrics: vec![
            (Extra::PageSizeBytes, page_size as f64),
            (Extra::DatabaseBytes, total_b as f64),
            (Extra::FreelistBytes, free_b as f64),
            (Extra::FreelistRatio, ratio),
        ],
        ..Default::default()
    };
    if ratio > ctx.t.freelist_ratio && free_b >= ctx.t.freelist_min_bytes {
        let mut f = Finding::new(
            &RULE,
            ctx.database.clone(),
            format!(
                "{} of {} ({:.0}%) are free pages",
                human::bytes(free_b as f64),
                human::bytes(total_b as f64),
                ratio * 100.0
            ),
        );
        f.evidence.sizes_bytes.insert("freelist".into(), free_b);
        f.evidence.sizes_bytes.insert("database".into(), total_b);
        f.recommendation.snippet = Some("VACUUM;".into());
        f.recommendation.snippet_lang = Some("sql".into());
        f.recommendation.effort = Some(Effort::MediumTerm);
        o.findings.push(f);
    }
    Ok(o)
}
