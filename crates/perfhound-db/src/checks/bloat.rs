//! `PH-DB017 table-bloat`: tables much larger on disk than their live rows need.
//!
//! # What it detects
//! An estimate of each table's size from its row count and average row width (pg_stats),
//! with tuple and page overhead and the fill factor, compared with its real page count;
//! reports when more than 50% and at least 10 MB is estimated to be empty space.
//!
//! # Why it matters
//! Bloated tables make every sequential scan read empty pages and waste cache and disk;
//! plain VACUUM makes the space reusable but does not give it back.
//!
//! # Example
//! `public.events`: 2.1 GB on disk, ~0.4 GB needed (81% bloat, ~1.7 GB reclaimable).
//!
//! # Fix
//! Rebuild without long locks (`pg_repack`), or `VACUUM FULL` in a maintenance window; then
//! keep autovacuum ahead of the write rate so it does not come back.
//!
//! # Thresholds
//! `bloat_ratio` (0.5), `bloat_min_bytes` (10 MB). An estimate: columns without
//! statistics (never analyzed) make the table skipped.

use super::{Ctx, Outcome};
use crate::catalog::quote_ident;
use crate::error::DbError;
use perfhound_model::{Confidence, Effort, Finding, Rule, Severity};
use perfhound_term::human;

pub const RULE: Rule = Rule {
    code: "PH-DB017",
    name: "table-bloat",
    severity: Severity::Info,
    summary: "A table is estimated to be more than 50% empty space (and at least 10 MB of it).",
    why: "Sequential scans read the empty pages and the cache holds them; plain VACUUM does not return the space.",
    fix: "Rebuild online with pg_repack (or VACUUM FULL in a maintenance window), then keep autovacuum ahead of the write rate.",
};

/// Page and tuple overheads of the heap format.
const PAGE_HEADER: f64 = 24.0;
const TUPLE_OVERHEAD: f64 = 23.0 + 1.0 + 4.0; // header, null bitmap (approx.), line pointer

/// Estimated bytes needed for `rows` rows of `width` bytes.
pub fn expected_bytes(rows: f64, width: f64, block_size: f64, fillfactor: f64) -> f64 {
    let tuple = ((TUPLE_OVERHEAD + width) / 8.0).ceil() * 8.0;
    let per_page = ((block_size * fillfactor / 100.0 - PAGE_HEADER) / tuple).floor().max(1.0);
    (rows / per_page).ceil() * block_size
}

pub async fn check(ctx: &Ctx<'_>) -> Result<Outcome, DbError> {
    let rows = ctx
        .client
        .query(
            "/* perfhound */ SELECT n.nspname::text, c.relname::text, c.reltuples::float8, \
             (c.relpages::float8 * current_setting('block_size')::float8), current_setting('block_size')::float8, \
             coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::float8 FROM unnest(c.reloptions) o \
                       WHERE o LIKE 'fillfactor=%'), 100), \
             (SELECT sum(s.avg_width)::float8 FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname), \
             (SELECT count(*) FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname)::int8, \
             (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::int8 \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND c.relpages > 0 AND c.reltuples >= 0 \
             AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'",
            &[],
        )
        .await
        .map_err(|e| DbError::query("estimating bloat", &e))?;
    let mut findings = Vec::new();
    for r in rows {
        let (schema, table, tuples, bytes, block, ff): (String, String, f64, f64, f64, f64) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
        let (width, stats_cols, cols): (Option<f64>, i64, i64) = (r.get(6), r.get(7), r.get(8));
        let Some(width) = width.filter(|_| stats_cols == cols && cols > 0) else { continue };
        let expected = expected_bytes(tuples, width, block, ff);
        let bloat = bytes - expected;
        if bloat < ctx.t.bloat_min_bytes as f64 || bloat / bytes < ctx.t.bloat_ratio {
            continue;
        }
        let name = format!("{}.{}", quote_ident(&schema), quote_ident(&table));
        let mut f = Finding::new(
            &RULE,
            name.clone(),
            format!(
                "{name}: {} on disk, ~{} needed ({:.0}% estimated bloat)",
                human::bytes(bytes),
                human::bytes(expected),
                bloat / bytes * 100.0
            ),
        );
        f.evidence.sizes_bytes.insert("table_size".into(), bytes as u64);
        f.evidence.sizes_bytes.insert("estimated_bloat".into(), bloat as u64);
        f.recommendation.snippet = Some(format!(
            "-- online: pg_repack --table={schema}.{table}\nVACUUM (FULL, ANALYZE) {name};  -- takes an exclusive lock"
        ));
        f.recommendation.snippet_lang = Some("sql".into());
        f.recommendation.effort = Some(Effort::MediumTerm);
        f.confidence = Confidence::Medium;
        findings.push(f);
    }
    Ok(findings.into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn estimate_matches_a_known_table() {
        // 100k rows of 100 bytes: 128-byte tuples, 63 per 8 kB page → 1588 pages.
        let bytes = super::expected_bytes(100_000.0, 100.0, 8192.0, 100.0);
        assert_eq!(bytes, 1588.0 * 8192.0);
    }
}
