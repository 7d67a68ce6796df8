//! `PH-LOGS001 cache-opportunity`
//!
//! **What it detects**: a GET endpoint whose requests, replayed from the access log
//! through a simulated cache-aside cache (LRU, a grid of sizes × TTLs), would often hit,
//! and whose measured latency says what those hits would save.
//!
//! **Why it matters**: a response computed again for every identical request is the
//! cheapest latency to remove — a cache hit costs a Redis round trip (~1 ms) instead of
//! the endpoint's work, and the database load goes with it.
//!
//! **Example**: `GET /api/products/{id}: a 5-minute TTL, 50 MB cache would hit 87 % and
//! save ≈ 41ms p50 (cache-aside in Redis)`.
//!
//! **Fix**: cache-aside in Redis keyed by the full URL (path and query), with the TTL and
//! `maxmemory` the finding names and `maxmemory-policy allkeys-lru`; invalidate on writes
//! when the TTL is longer than the data may be stale.
//!
//! **Thresholds**: at least 20 % hits and 5 ms saved at the median or on average; a
//! warning from 20 ms saved at the median when the endpoint is at least 10 % of the time
//! the log spent. Responses that set cookies or answer authenticated requests (`Set-Cookie`,
//! `Authorization`/`Cookie`, `$remote_user`, when the log shows them) are never
//! recommended for a shared cache.

use crate::cache::CacheResult;
use perfhound_model::{Confidence, Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-LOGS001",
    name: "cache-opportunity",
    severity: Severity::Info,
    summary: "A GET endpoint's requests, replayed from the access log through a simulated cache, would often hit; the finding says how much latency a cache would save.",
    why: "Identical requests computed again each time are the cheapest latency to remove: a cache hit costs one Redis round trip instead of the endpoint's work and its database queries.",
    fix: "Cache-aside in Redis keyed by the full URL, with the TTL and maxmemory the finding names and maxmemory-policy allkeys-lru; invalidate on writes if data must not be stale for the TTL. Never share responses that set cookies or answer authenticated requests.",
};

const MIN_HIT: f64 = 0.2;
const MIN_SAVED_US: f64 = 5_000.0;
const WARNING_SAVED_P50_US: u64 = 20_000;
const WARNING_SHARE: f64 = 0.1;

/// The finding for one simulated endpoint, or `None` when a cache would not pay (or
/// must not be shared). `total_us`: the time all requests of the log took.
pub fn finding(c: &CacheResult, total_us: f64) -> Option<Finding> {
    let saved_p50 = c.saved_p50_us();
    let pays = c.chosen.hit >= MIN_HIT && (saved_p50 as f64 >= MIN_SAVED_US || c.saved_mean_us >= MIN_SAVED_US);
    if !pays || c.not_shared.is_some() {
        return None;
    }
    let title = format!(
        "{}: a {} TTL, {} cache would hit {:.0} % and save ≈ {} p50 (cache-aside in Redis)",
        c.endpoint,
        ttl_words(c.chosen.ttl_s),
        perfhound_term::human::bytes(c.chosen.size_bytes as f64),
        c.chosen.hit * 100.0,
        perfhound_term::human::duration_us(saved_p50 as f64),
    );
    let mut f = Finding::new(&RULE, c.endpoint.clone(), title);
    let share = c.saved_mean_us * c.endpoint_requests as f64 / total_us.max(1.0);
    if saved_p50 >= WARNING_SAVED_P50_US && share >= WARNING_SHARE {
        f.severity = Severity::Warning;
    }
    f.confidence = if c.rate < 1.0 || c.requests < 1_000 { Confidence::Medium } else { Confidence::High };
    f.impact.time_saved_per_request_us = Some(c.saved_mean_us as u64);
    f.impact.share_of_total = Some(share);
    f.impact.occurrences = Some(c.requests);
    evidence(&mut f, c);
    f.recommendation.effort = Some(Effort::QuickWin);
    f.recommendation.snippet = Some(format!(
        "# redis.conf\nmaxmemory {}mb\nmaxmemory-policy allkeys-lru\n# on each request: GET url → on a miss, compute and SET url value EX {}",
        c.chosen.size_bytes / 1_000_000,
        c.chosen.ttl_s
    ));
    f.recommendation.snippet_lang = Some("text".into());
    Some(f)
}

fn evidence(f: &mut Finding, c: &CacheResult) {
    simulation_evidence(f, c, ["cacheable_requests", "simulated_requests"], 0);
}

/// The evidence of a simulated cache, shared by both cache rules: requests counted and
/// simulated (under the names `counts`), p50 without and with the cache, the chosen size,
/// and the hit ratio of every point of the size × TTL grid, printed with `decimals`.
pub(crate) fn simulation_evidence(f: &mut Finding, c: &CacheResult, counts: [&str; 2], decimals: usize) {
    let e = &mut f.evidence;
    e.counts.insert(counts[0].into(), c.requests);
    e.counts.insert(counts[1].into(), c.sampled as u64);
    e.durations_us.insert("p50".into(), c.p50_us);
    e.durations_us.insert("p50_with_cache".into(), c.p50_after_us);
    e.sizes_bytes.insert("cache_size".into(), c.chosen.size_bytes);
    e.notes.push(format!(
        "LRU {:.*} % · SIEVE {:.*} % at this size and TTL{}",
        decimals,
        c.chosen.hit * 100.0,
        decimals,
        c.sieve_hit * 100.0,
        if c.rate < 1.0 { format!(" (spatially sampled at 1/{:.0})", 1.0 / c.rate) } else { String::new() }
    ));
    for g in &c.grid {
        e.notes.push(format!(
            "{} TTL, {}: {:.*} % hits",
            ttl_words(g.ttl_s),
            perfhound_term::human::bytes(g.size_bytes as f64),
            decimals,
            g.hit * 100.0
        ));
    }
}

/// `5-minute`, `1-hour`, `30-second`.
pub fn ttl_words(s: u32) -> String {
    match s {
        s if s % 86_400 == 0 => format!("{}-day", s / 86_400),
        s if s % 3600 == 0 => format!("{}-hour", s / 3600),
        s if s % 60 == 0 => format!("{}-minute", s / 60),
        s => format!("{s}-second"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::GridPoint;

    fn result(hit: f64, p50_after: u64, not_shared: Option<String>) -> CacheResult {
        let chosen = GridPoint { size_bytes: 50_000_000, ttl_s: 300, hit };
        CacheResult {
            endpoint: "GET /api/products/{id}".into(),
            requests: 10_000,
            sampled: 10_000,
            rate: 1.0,
            grid: vec![chosen],
            chosen,
            sieve_hit: hit,
            p50_us: 42_000,
            p50_after_us: p50_after,
            saved_mean_us: hit * 41_000.0,
            endpoint_requests: 10_000,
            not_shared,
        }
    }

    #[test]
    fn reads_like_the_issue() {
        let f = finding(&result(0.87, 1_000, None), 10_000.0 * 50_000.0).unwrap();
        assert_eq!(
            f.title,
            "GET /api/products/{id}: a 5-minute TTL, 50 MB cache would hit 87 % and save ≈ 41ms p50 (cache-aside in Redis)"
        );
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.recommendation.snippet.as_deref().unwrap().contains("EX 300"));
    }

    #[test]
    fn never_for_private_responses_or_small_savings() {
        assert!(finding(&result(0.87, 1_000, Some("sets cookies".into())), 1e9).is_none());
        assert!(finding(&result(0.1, 40_000, None), 1e9).is_none());
        let small = finding(&result(0.87, 1_000, None), 1e12).unwrap();
        assert_eq!(small.severity, Severity::Info, "a small share of the log's time");
    }
}
