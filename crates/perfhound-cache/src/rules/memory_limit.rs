//! `PH-REDIS007 memory-near-limit`: used memory close to `maxmemory`.
//!
//! # What it detects
//! `used_memory / maxmemory` above 90 % when a `maxmemory` is set.
//!
//! # Why it matters
//! At the limit Redis evicts keys (a cache's hit ratio falls) or, with the `noeviction`
//! policy, refuses writes with `OOM command not allowed` — an outage for a session store.
//!
//! # Example
//! 95% of maxmemory in use (95 MB of 100 MB), policy noeviction.
//!
//! # Fix
//! Raise `maxmemory`, set TTLs on keys that lack them, shrink big keys; a cache should use
//! an eviction policy (`allkeys-lfu`), not `noeviction`.
//!
//! # Thresholds
//! `memory_limit_ratio` (0.9); critical with `noeviction`.

use super::Ctx;
use perfhound_model::{Finding, Rule, Severity};
use perfhound_term::human::bytes;

pub const RULE: Rule = Rule {
    code: "PH-REDIS007",
    name: "memory-near-limit",
    severity: Severity::Warning,
    summary: "Redis used memory above 90% of maxmemory.",
    why: "At the limit Redis evicts keys (misses) or, with noeviction, refuses writes with OOM errors.",
    fix: "Raise maxmemory, set TTLs on keys without one, shrink big keys; use an eviction policy such as allkeys-lfu for a cache.",
};

pub fn check(ctx: &Ctx<'_>) -> Option<Finding> {
    let s = ctx.stats;
    if s.maxmemory == 0 {
        return None;
    }
    let ratio = s.used_memory as f64 / s.maxmemory as f64;
    if ratio <= ctx.t.memory_limit_ratio {
        return None;
    }
    let title = format!(
        "{:.0}% of maxmemory in use ({} of {}), policy {}",
        ratio * 100.0,
        bytes(s.used_memory as f64),
        bytes(s.maxmemory as f64),
        s.maxmemory_policy
    );
    let mut f = Finding::new(&RULE, ctx.server, title);
    f.evidence.sizes_bytes.insert("used_memory".into(), s.used_memory);
    f.evidence.sizes_bytes.insert("maxmemory".into(), s.maxmemory);
    if s.maxmemory_policy == "noeviction" {
        f.severity = Severity::Critical;
        f.evidence.notes.push("policy noeviction: writes fail with OOM at the limit".into());
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use crate::info::Stats;
    use crate::rules::{fixture::ctx, Thresholds};

    #[test]
    fn judges_the_share_of_maxmemory() {
        let t = Thresholds::default();
        let s = |used: u64, max: u64, policy: &str| Stats {
            used_memory: used,
            maxmemory: max,
            maxmemory_policy: policy.into(),
            ..Stats::default()
        };
        assert!(super::check(&ctx(&s(95, 0, "noeviction"), None, &[], &t)).is_none(), "no limit set");
        assert!(super::check(&ctx(&s(80, 100, "noeviction"), None, &[], &t)).is_none());
        let f = super::check(&ctx(&s(95, 100, "noeviction"), None, &[], &t)).unwrap();
        assert_eq!(f.severity, perfhound_model::Severity::Critical);
        let f = super::check(&ctx(&s(95, 100, "allkeys-lru"), None, &[], &t)).unwrap();
        assert_eq!(f.severity, perfhound_model::Severity::Warning);
    }
}
