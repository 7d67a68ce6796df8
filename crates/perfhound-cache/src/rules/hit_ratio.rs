//! `PH-REDIS001 low-cache-hit-ratio`: keyspace hits / lookups below the 80 % target.
//!
//! # What it detects
//! `keyspace_hits / (keyspace_hits + keyspace_misses)` from `INFO stats` — since the server
//! started, or over the load window inside `perfhound audit` — below 80 %.
//!
//! # Why it matters
//! Every miss is a trip to the slower source (the database, another service) plus the
//! cache round trip that found nothing. The seeds set "cache hit ratio > 80 %".
//!
//! # Example
//! keyspace hit ratio 45 % (450 hits, 550 misses) — below the 80 % target.
//!
//! # Fix
//! Find the key templates that miss (cache spans in traces, `perfhound redis` key sampling):
//! TTLs shorter than the data's change rate, keys that embed volatile parts (timestamps,
//! request ids), evictions from too little memory, or reads of keys nobody writes.
//!
//! # Thresholds
//! `min_hit_ratio` (0.8) after `min_lookups` (100) lookups; critical below half the target.

use super::Ctx;
use perfhound_model::{Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-REDIS001",
    name: "low-cache-hit-ratio",
    severity: Severity::Warning,
    summary: "Redis keyspace hit ratio below the 80% target.",
    why: "Each miss costs the cache round trip plus the slower source; the seeds' target is a hit ratio above 80%.",
    fix: "Find the missing key templates; lengthen TTLs that expire before reuse, keep volatile parts out of keys, give the cache enough memory to stop evictions.",
};

pub fn check(ctx: &Ctx<'_>) -> Option<Finding> {
    let s = ctx.stats;
    let ratio = s.hit_ratio().filter(|_| s.lookups() >= ctx.t.min_lookups)?;
    if ratio >= ctx.t.min_hit_ratio {
        return None;
    }
    let title = format!(
        "keyspace hit ratio {:.0}% ({} hits, {} misses) — below the {:.0}% target",
        ratio * 100.0,
        s.keyspace_hits,
        s.keyspace_misses,
        ctx.t.min_hit_ratio * 100.0
    );
    let mut f = Finding::new(&RULE, ctx.server, title);
    f.evidence.counts.insert("keyspace_hits".into(), s.keyspace_hits);
    f.evidence.counts.insert("keyspace_misses".into(), s.keyspace_misses);
    if s.evicted_keys > 0 {
        f.evidence.notes.push(format!("{} keys were evicted: misses may come from too little memory", s.evicted_keys));
    }
    f.impact.occurrences = Some(s.keyspace_misses);
    if ratio < ctx.t.min_hit_ratio / 2.0 {
        f.severity = Severity::Critical;
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use crate::info::Stats;
    use crate::rules::{fixture::ctx, Thresholds};
    use perfhound_model::Severity;

    fn judge(hits: u64, misses: u64) -> Option<perfhound_model::Finding> {
        let s = Stats { keyspace_hits: hits, keyspace_misses: misses, ..Stats::default() };
        super::check(&ctx(&s, None, &[], &Thresholds::default()))
    }

    #[test]
    fn judges_the_ratio_after_enough_lookups() {
        assert!(judge(85, 15).is_none());
        assert!(judge(1, 50).is_none(), "too few lookups");
        let f = judge(45, 55).unwrap();
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.title.starts_with("keyspace hit ratio 45% (45 hits, 55 misses)"), "{}", f.title);
        assert_eq!(judge(10, 90).unwrap().severity, Severity::Critical);
    }
}
