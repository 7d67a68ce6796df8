//! `PH-REDIS006 memory-fragmentation`: the process holds much more memory than its data.
//!
//! # What it detects
//! `mem_fragmentation_ratio` (RSS / used memory) above 1.5 with at least 100 MB of
//! difference.
//!
//! # Why it matters
//! The difference is memory the host pays for and the data does not use: after many
//! deletes or value-size changes the allocator keeps the pages, and the machine runs out
//! of memory earlier than `used_memory` says.
//!
//! # Example
//! fragmentation ratio 2.1: RSS 2.1 GB for 1.0 GB of data.
//!
//! # Fix
//! Enable active defragmentation (`CONFIG SET activedefrag yes`, jemalloc builds), or
//! restart a replica and fail over; avoid churn of very different value sizes.
//!
//! # Thresholds
//! `fragmentation_ratio` (1.5) and `fragmentation_min_bytes` (100 MB) of difference.

use super::Ctx;
use perfhound_model::{Finding, Rule, Severity};
use perfhound_term::human::bytes;

pub const RULE: Rule = Rule {
    code: "PH-REDIS006",
    name: "memory-fragmentation",
    severity: Severity::Warning,
    summary: "Redis RSS is more than 1.5× its used memory (fragmentation).",
    why: "Fragmented memory is paid for but holds no data: the host runs out of memory before used_memory says so.",
    fix: "Enable active defragmentation (CONFIG SET activedefrag yes) or restart a replica and fail over; avoid churn of very different value sizes.",
};

pub fn check(ctx: &Ctx<'_>) -> Option<Finding> {
    let s = ctx.stats;
    let waste = s.used_memory_rss.saturating_sub(s.used_memory);
    if s.fragmentation_ratio <= ctx.t.fragmentation_ratio || waste < ctx.t.fragmentation_min_bytes {
        return None;
    }
    let title = format!(
        "fragmentation ratio {:.1}: RSS {} for {} of data",
        s.fragmentation_ratio,
        bytes(s.used_memory_rss as f64),
        bytes(s.used_memory as f64)
    );
    let mut f = Finding::new(&RULE, ctx.server, title);
    f.evidence.sizes_bytes.insert("used_memory".into(), s.used_memory);
    f.evidence.sizes_bytes.insert("used_memory_rss".into(), s.used_memory_rss);
    f.recommendation.snippet = Some("CONFIG SET activedefrag yes".into());
    Some(f)
}

#[cfg(test)]
mod tests {
    use crate::info::Stats;
    use crate::rules::{fixture::ctx, Thresholds};

    #[test]
    fn needs_ratio_and_absolute_waste() {
        let t = Thresholds::default();
        let s = |used: u64, rss: u64| Stats {
            used_memory: used,
            used_memory_rss: rss,
            fragmentation_ratio: rss as f64 / used as f64,
            ..Stats::default()
        };
        assert!(super::check(&ctx(&s(1 << 20, 4 << 20), None, &[], &t)).is_none(), "small: a fresh server");
        assert!(super::check(&ctx(&s(1 << 30, 1 << 30), None, &[], &t)).is_none());
        let f = super::check(&ctx(&s(1 << 30, 3 << 30), None, &[], &t)).unwrap();
        assert!(f.title.starts_with("fragmentation ratio 3.0"), "{}", f.title);
    }
}
