//! `PH-DB009 low-index-cache-hit-ratio`: index reads that miss shared buffers.
//!
//! # What it detects
//! The share of index block reads served from shared buffers across user indexes, below
//! 99% (PgHero) once at least 10,000 blocks were read.
//!
//! # Why it matters
//! Indexes are supposed to be the hot, small part of the data; missing on them means even
//! point lookups wait for I/O. Unused and duplicate indexes compete for the same memory.
//!
//! # Example
//! 95.2% of 800k index block reads were hits.
//!
//! # Fix
//! Drop unused and duplicate indexes (`PH-DB010`, `PH-DB011`), rebuild bloated ones, then
//! size `shared_buffers` or the instance.
//!
//! # Thresholds
//! `cache_hit_ratio` (0.99), `cache_min_blocks` (10,000).

use super::{Ctx, Outcome};
use crate::error::DbError;
use perfhound_model::Extra;
use perfhound_model::{Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-DB009",
    name: "low-index-cache-hit-ratio",
    severity: Severity::Warning,
    summary: "Less than 99% of index block reads are served from shared buffers.",
    why: "Indexes should be the hot part of the data; misses make even point lookups wait for I/O.",
    fix: "Drop unused and duplicate indexes, rebuild bloated ones (REINDEX CONCURRENTLY), then size shared_buffers.",
};

pub async fn check(ctx: &Ctx<'_>) -> Result<Outcome, DbError> {
    let r = ctx
        .client
        .query_one(
            "/* perfhound */ SELECT coalesce(sum(idx_blks_hit), 0)::int8, coalesce(sum(idx_blks_read), 0)::int8 \
             FROM pg_statio_user_indexes",
            &[],
        )
        .await
        .map_err(|e| DbError::query("reading pg_statio_user_indexes", &e))?;
    Ok(super::table_cache_hit::judge(&RULE, Extra::IndexCacheHitRatio, r.get(0), r.get(1), ctx))
}
