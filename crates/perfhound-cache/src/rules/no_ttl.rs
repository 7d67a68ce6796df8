//! `PH-REDIS003 keys-without-ttl`: a key template whose keys never expire.
//!
//! # What it detects
//! In the `SCAN` sample, templates with a variable part (`session:{uuid}`, `user:{id}`) and
//! at least 10 keys, most of them (≥ 50 %) without a TTL (`PTTL` = -1).
//!
//! # Why it matters
//! Per-entity keys without an expiry only grow: memory fills with sessions and cached rows
//! nobody reads again, until `maxmemory` evicts useful keys or, with `noeviction`, writes
//! fail. A TTL per data class is what the seeds ask for.
//!
//! # Example
//! `session:{uuid}`: 48% of sampled memory, no TTL (1,000 of 1,000 sampled keys).
//!
//! # Fix
//! Write these keys with an expiry (`SET key value EX 1800`, or `EXPIRE` after `HSET`),
//! chosen per data class; for existing keys, a one-off `SCAN` + `EXPIRE` pass.
//!
//! # Thresholds
//! `min_template_keys` (10) sampled keys, ≥ 50 % without TTL; a warning from 10 % of the
//! sampled memory, info below.

use super::Ctx;
use crate::sample::Template;
use perfhound_model::{Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-REDIS003",
    name: "keys-without-ttl",
    severity: Severity::Warning,
    summary: "Per-entity Redis keys (a key template) stored without a TTL.",
    why: "Keys without expiry only grow: memory fills with data nobody reads again, until evictions or failed writes.",
    fix: "Write these keys with an expiry chosen per data class (SET key value EX seconds, or EXPIRE after HSET); expire existing ones with a SCAN + EXPIRE pass.",
};

pub fn check(ctx: &Ctx<'_>) -> Vec<Finding> {
    let Some(sample) = ctx.sample else { return Vec::new() };
    sample
        .templates
        .iter()
        .filter(|t| t.template.contains('{') && t.keys >= ctx.t.min_template_keys && t.no_ttl_keys * 2 >= t.keys)
        .map(|t| finding(ctx, t, sample.share(t)))
        .collect()
}

fn finding(ctx: &Ctx<'_>, t: &Template, share: f64) -> Finding {
    let title = format!(
        "{}: {:.0}% of sampled memory, no TTL ({} of {} sampled keys)",
        t.template,
        share * 100.0,
        t.no_ttl_keys,
        t.keys
    );
    let mut f = Finding::new(&RULE, t.template.clone(), title);
    f.evidence.counts.insert("keys_sampled".into(), t.keys);
    f.evidence.counts.insert("keys_without_ttl".into(), t.no_ttl_keys);
    f.evidence.sizes_bytes.insert("bytes_without_ttl".into(), t.no_ttl_bytes);
    f.evidence.notes.push(format!("server: {}", ctx.server));
    f.impact.occurrences = Some(t.no_ttl_keys);
    f.recommendation.snippet = Some(match t.kind.as_str() {
        "hash" | "set" | "zset" | "list" => format!("EXPIRE {} 1800   # right after writing it", t.template),
        _ => format!("SET {} <value> EX 1800   # an expiry chosen for this data class", t.template),
    });
    f.recommendation.snippet_lang = Some("redis".into());
    if share < 0.1 {
        f.severity = Severity::Info;
    }
    f
}

#[cfg(test)]
mod tests {
    use crate::info::Stats;
    use crate::rules::{fixture::ctx, Thresholds};
    use crate::sample::{Key, Sample, Stop};

    fn keys(prefix: &str, n: u64, ttl: bool, bytes: u64) -> Vec<Key> {
        (0..n)
            .map(|i| {
                let name = format!("{prefix}:{}", 1000 + i);
                Key {
                    template: perfhound_sql::template_key(&name),
                    name,
                    kind: "string".into(),
                    bytes,
                    has_ttl: ttl,
                    freq: None,
                }
            })
            .collect()
    }

    #[test]
    fn flags_templates_that_never_expire() {
        let mut k = keys("session", 20, false, 100);
        k.extend(keys("cache", 20, true, 100));
        k.extend(keys("tiny", 5, false, 1));
        k.extend(keys("other", 200, false, 1));
        let sample = Sample::of(k, Stop::Complete, std::time::Duration::ZERO);
        let s = Stats::default();
        let f = super::check(&ctx(&s, Some(&sample), &[], &Thresholds::default()));
        let titles: Vec<&str> = f.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "session:{id}: 48% of sampled memory, no TTL (20 of 20 sampled keys)",
                "other:{id}: 5% of sampled memory, no TTL (200 of 200 sampled keys)"
            ]
        );
        assert_eq!(f[0].severity, perfhound_model::Severity::Warning);
        assert_eq!(f[1].severity, perfhound_model::Severity::Info);
    }
}
