//! `PH-DB015 heavy-sequential-scans`: large tables read mostly by sequential scans.
//!
//! # What it detects
//! Tables with at least 10,000 live rows where less than 95% of scans use an index
//! (PgHero's "missing indexes" check), with the rows read sequentially.
//!
//! # Why it matters
//! Each sequential scan reads the whole table: its cost grows with the data, and it pushes
//! useful pages out of the cache.
//!
//! # Example
//! `public.orders` (200,000 rows): 1,240 sequential scans read 248M rows, 12% of scans
//! used an index.
//!
//! # Fix
//! Run the advisor (`PH-DB001`) on the statements that touch the table; add the index.
//!
//! # Thresholds
//! `seq_scan_min_rows` (10,000), `seq_scan_index_share` (0.95).

use super::{Ctx, Outcome};
use perfhound_model::{Confidence, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-DB015",
    name: "heavy-sequential-scans",
    severity: Severity::Warning,
    summary: "A table with 10,000+ rows is read mostly by sequential scans (< 95% of scans use an index).",
    why:
        "Each sequential scan reads the whole table: cost grows with the data and useful pages are pushed out of cache.",
    fix: "Look at the index advisor's suggestions for statements on this table and add the missing index.",
};

pub fn check(ctx: &Ctx<'_>) -> Outcome {
    let mut findings = Vec::new();
    for t in &ctx.catalog.tables {
        let scans = t.seq_scan + t.idx_scan;
        if t.partitioned || (t.rows as i64) < ctx.t.seq_scan_min_rows || t.seq_scan == 0 || scans == 0 {
            continue;
        }
        let share = t.idx_scan as f64 / scans as f64;
        if share >= ctx.t.seq_scan_index_share {
            continue;
        }
        let name = format!("{}.{}", crate::catalog::quote_ident(&t.schema), crate::catalog::quote_ident(&t.name));
        let mut f = Finding::new(
            &RULE,
            name.clone(),
            format!(
                "{name} ({:.0} rows): {} sequential scans, only {:.0}% of scans use an index",
                t.rows,
                t.seq_scan,
                share * 100.0
            ),
        );
        f.evidence.counts.insert("seq_scans".into(), t.seq_scan.max(0) as u64);
        f.evidence.counts.insert("index_scans".into(), t.idx_scan.max(0) as u64);
        f.evidence.counts.insert("live_rows".into(), t.rows.max(0.0) as u64);
        f.confidence = Confidence::Medium;
        findings.push(f);
    }
    findings.into()
}
