//! `PH-REDIS005 slow-command`: commands in `SLOWLOG`, grouped by shape.
//!
//! # What it detects
//! `SLOWLOG GET` entries (commands slower than the server's `slowlog-log-slower-than`),
//! grouped by command shape (`SORT list:{id} BY NOSORT LIMIT ?…`); a group whose slowest
//! entry took 10 ms or more.
//!
//! # Why it matters
//! Redis runs one command at a time: while `KEYS *`, a big `SORT`, `SMEMBERS` of a huge set
//! or a Lua script runs, every other client waits. One slow command is latency for all.
//!
//! # Example
//! `KEYS session:*`: 12 times, mean 45 ms, max 120 ms.
//!
//! # Fix
//! Replace `KEYS` with `SCAN`, bound ranges (`LRANGE`/`ZRANGE` with limits, `SSCAN`/`HSCAN`),
//! precompute sorted results, split big keys, keep scripts short.
//!
//! # Thresholds
//! `slow_command_us` (10 ms) for the slowest entry of a group; critical from 100 ms.

use super::Ctx;
use crate::slowlog::Group;
use perfhound_model::{Finding, Rule, Severity};
use perfhound_term::human::duration_us;

pub const RULE: Rule = Rule {
    code: "PH-REDIS005",
    name: "slow-command",
    severity: Severity::Warning,
    summary: "Redis commands in the slowlog (grouped by command shape).",
    why: "Redis runs one command at a time: a slow KEYS, SORT or big-collection read makes every other client wait.",
    fix: "Use SCAN instead of KEYS, bound range reads (LIMIT, SSCAN/HSCAN), precompute sorted results, split big keys.",
};

pub fn check(ctx: &Ctx<'_>) -> Vec<Finding> {
    ctx.slowlog.iter().filter(|g| g.max_us >= ctx.t.slow_command_us).map(|g| finding(ctx, g)).collect()
}

fn finding(ctx: &Ctx<'_>, g: &Group) -> Finding {
    let title = format!(
        "{}: {} time(s) in the slowlog, mean {}, max {}",
        g.shape,
        g.count,
        duration_us(g.mean_us()),
        duration_us(g.max_us as f64)
    );
    let mut f = Finding::new(&RULE, g.shape.clone(), title);
    f.evidence.counts.insert("entries".into(), g.count);
    f.evidence.durations_us.insert("total_us".into(), g.total_us);
    f.evidence.durations_us.insert("max_us".into(), g.max_us);
    f.evidence.query = Some(g.shape.clone());
    f.evidence.notes.push(format!("server: {}", ctx.server));
    f.impact.occurrences = Some(g.count);
    f.impact.time_saved_per_request_us = Some(g.mean_us() as u64);
    if g.shape.starts_with("KEYS ") {
        f.recommendation.snippet = Some("SCAN 0 MATCH <pattern> COUNT 1000   # iterate instead of KEYS".into());
    }
    if g.max_us >= ctx.t.slow_command_us * 10 {
        f.severity = Severity::Critical;
    }
    f
}

#[cfg(test)]
mod tests {
    use crate::info::Stats;
    use crate::rules::{fixture::ctx, Thresholds};
    use crate::slowlog::Group;

    #[test]
    fn groups_above_the_threshold() {
        let g = |shape: &str, max_us| Group { shape: shape.into(), count: 2, total_us: max_us * 2, max_us };
        let groups = [g("KEYS *", 200_000), g("SORT big:{id} ?", 20_000), g("GET a", 500)];
        let s = Stats::default();
        let f = super::check(&ctx(&s, None, &groups, &Thresholds::default()));
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].severity, perfhound_model::Severity::Critical);
        assert!(f[0].recommendation.snippet.as_deref().unwrap().starts_with("SCAN"));
        assert_eq!(f[1].severity, perfhound_model::Severity::Warning);
        assert!(f[1].title.starts_with("SORT big:{id} ?: 2 time(s) in the slowlog"), "{}", f[1].title);
    }
}
