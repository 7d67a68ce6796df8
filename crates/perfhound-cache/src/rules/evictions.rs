//! `PH-REDIS002 evicted-keys`: keys evicted because memory reached `maxmemory`.
//!
//! # What it detects
//! `evicted_keys` from `INFO stats` above zero (since start, or over the audit window).
//!
//! # Why it matters
//! An evicted key is a future miss: the working set does not fit, so the cache throws away
//! data the application will ask for again, and the hit ratio drops under load.
//!
//! # Example
//! 1,204 keys evicted (maxmemory 100 MB, policy allkeys-lru).
//!
//! # Fix
//! Raise `maxmemory` to fit the working set, shorten TTLs of rarely re-read data, shrink
//! big values, or switch to an LFU policy (`allkeys-lfu`) so frequently used keys stay.
//!
//! # Thresholds
//! Any eviction; critical when evictions exceed a tenth of the lookups.

use super::Ctx;
use perfhound_model::{Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-REDIS002",
    name: "evicted-keys",
    severity: Severity::Warning,
    summary: "Redis evicted keys because memory reached maxmemory.",
    why: "The working set does not fit: evicted keys come back as misses and the hit ratio drops under load.",
    fix: "Raise maxmemory to fit the working set, shorten TTLs of rarely re-read data, shrink big values, or use allkeys-lfu.",
};

pub fn check(ctx: &Ctx<'_>) -> Option<Finding> {
    let s = ctx.stats;
    if s.evicted_keys == 0 {
        return None;
    }
    let policy = if s.maxmemory_policy.is_empty() { "unknown" } else { &s.maxmemory_policy };
    let title = format!(
        "{} keys evicted (maxmemory {}, policy {policy})",
        s.evicted_keys,
        perfhound_term::human::bytes(s.maxmemory as f64)
    );
    let mut f = Finding::new(&RULE, ctx.server, title);
    f.evidence.counts.insert("evicted_keys".into(), s.evicted_keys);
    f.evidence.sizes_bytes.insert("maxmemory".into(), s.maxmemory);
    f.evidence.sizes_bytes.insert("used_memory".into(), s.used_memory);
    f.impact.occurrences = Some(s.evicted_keys);
    f.recommendation.snippet = Some(format!(
        "CONFIG SET maxmemory {}mb   # and in redis.conf\nCONFIG SET maxmemory-policy allkeys-lfu",
        (s.maxmemory.max(s.used_memory) * 3 / 2) >> 20
    ));
    if s.evicted_keys * 10 > s.lookups() {
        f.severity = Severity::Critical;
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use crate::info::Stats;
    use crate::rules::{fixture::ctx, Thresholds};

    #[test]
    fn any_eviction_is_reported() {
        let t = Thresholds::default();
        assert!(super::check(&ctx(&Stats::default(), None, &[], &t)).is_none());
        let s = Stats { evicted_keys: 5, keyspace_hits: 1000, maxmemory: 100 << 20, ..Stats::default() };
        let f = super::check(&ctx(&s, None, &[], &t)).unwrap();
        assert_eq!(f.severity, perfhound_model::Severity::Warning);
        assert!(f.title.starts_with("5 keys evicted"), "{}", f.title);
        assert!(f.recommendation.snippet.unwrap().contains("maxmemory 150mb"));
    }
}
