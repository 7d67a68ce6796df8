//! `PH-LOGS002 read-cache-opportunity`
//!
//! **What it detects**: a read the traces show repeated across requests — the same SQL
//! statement with the same parameters, or a GET of the same downstream URL — whose
//! executions, replayed in time order through a simulated cache-aside cache (LRU, a grid
//! of sizes × TTLs), would often hit, with the latency saved taken from the measured span
//! durations of that read.
//!
//! **Why it matters**: each repeat waits for a database or a downstream service to
//! compute again what it answered a moment ago; a cache hit costs one Redis round trip
//! (~1 ms) instead, and the load on the database or service goes with it.
//!
//! **Example**: `GET http://pricing:8080/internal/pricing in GET /api/dashboard: a
//! 1-minute TTL, 1 MB cache would hit 98 % and save ≈ 24ms per read (cache-aside in
//! Redis)`.
//!
//! **Fix**: cache-aside in Redis keyed by the statement and its parameters (or the URL),
//! with the TTL the finding names; invalidate on writes to the tables it reads when the
//! TTL is longer than the data may be stale.
//!
//! **Thresholds**: at least 50 executions, 20 % simulated hits and 2 ms saved per read at
//! the median or on average; a warning from 20 ms saved at the median when the saved time
//! is at least 10 % of the traced requests' time. Reads serving a request that carried
//! credentials or a response that set a cookie (`Authorization`/`Cookie`/`Set-Cookie`
//! header attributes, `enduser.id`, when the traces record them) are never recommended
//! for a shared cache. The result size is the span's response size when recorded, else
//! 1 KiB. Under perfhound's own load (`perfhound audit`) the finding stays `info` with a
//! note: a scenario repeats its URLs and parameters, so its hit ratio says what a cache
//! could do, not what production traffic would give (corpus: the parallel dashboards'
//! fixed downstream URLs were 94 % "hits" only because the load asked for the same ones).

use crate::cache::CacheResult;
use crate::cache_opportunity::{simulation_evidence, ttl_words};
use perfhound_model::finding::fingerprint;
use perfhound_model::{Confidence, Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-LOGS002",
    name: "read-cache-opportunity",
    severity: Severity::Info,
    summary: "A read repeated across requests (same statement and parameters, or same downstream GET), replayed from the traces through a simulated cache, would often hit; the finding says how much latency a cache would save.",
    why: "Each repeat waits for the database or a downstream service to compute again what it answered a moment ago; a cache hit costs one Redis round trip instead.",
    fix: "Cache-aside in Redis keyed by the statement and its parameters (or the URL), with the TTL the finding names; invalidate on writes to the tables it reads if data must not be stale for the TTL. Never share results of requests with credentials or responses that set cookies.",
};

const MIN_HIT: f64 = 0.2;
const MIN_SAVED_US: f64 = 2_000.0;
const WARNING_SAVED_P50_US: u64 = 20_000;
const WARNING_SHARE: f64 = 0.1;

/// The read as the traces name it.
#[derive(Clone, Copy, Debug)]
pub struct ReadSite<'a> {
    /// `SELECT * FROM products WHERE id = ?`, `GET http://host/internal/pricing`.
    pub label: &'a str,
    /// The endpoint issuing most of its executions (the finding's target).
    pub endpoint: &'a str,
    /// Every endpoint issuing it.
    pub callers: &'a [String],
}

/// The finding for one simulated read, or `None` when a cache would not pay or must not
/// be shared. `total_us`: the time of all traced requests.
pub fn finding(c: &CacheResult, site: ReadSite<'_>, total_us: f64) -> Option<Finding> {
    let saved_p50 = c.saved_p50_us();
    let pays = c.chosen.hit >= MIN_HIT && (saved_p50 as f64 >= MIN_SAVED_US || c.saved_mean_us >= MIN_SAVED_US);
    if !pays || c.not_shared.is_some() {
        return None;
    }
    let label = perfhound_term::clip(&perfhound_term::one_line(site.label), 120);
    let title = format!(
        "{label} in {}: a {} TTL, {} cache would hit {:.0} % and save ≈ {} per read (cache-aside in Redis)",
        site.endpoint,
        ttl_words(c.chosen.ttl_s),
        perfhound_term::human::bytes(c.chosen.size_bytes as f64),
        c.chosen.hit * 100.0,
        perfhound_term::human::duration_us(saved_p50 as f64),
    );
    let mut f = Finding::new(&RULE, site.endpoint, title);
    f.fingerprint = fingerprint(&[RULE.code, site.endpoint, site.label]);
    f.affected = site.callers.iter().filter(|e| *e != site.endpoint).cloned().collect();
    let saved_total = c.saved_mean_us * c.requests as f64;
    let share = saved_total / total_us.max(1.0);
    if saved_p50 >= WARNING_SAVED_P50_US && share >= WARNING_SHARE {
        f.severity = Severity::Warning;
    }
    f.confidence = if c.rate < 1.0 || c.requests < 1_000 { Confidence::Medium } else { Confidence::High };
    f.impact.time_saved_per_request_us = Some(c.saved_mean_us as u64);
    f.impact.share_of_total = Some(share.min(1.0));
    f.impact.occurrences = Some(c.requests);
    evidence(&mut f, c, site.label);
    f.recommendation.effort = Some(Effort::QuickWin);
    f.recommendation.snippet = Some(format!(
        "# cache-aside around this read\nkey = hash(statement or URL, parameters)\nvalue = redis.get(key)\nif value is None:\n    value = read()\n    redis.set(key, value, ex={})",
        c.chosen.ttl_s
    ));
    f.recommendation.snippet_lang = Some("python".into());
    Some(f)
}

fn evidence(f: &mut Finding, c: &CacheResult, label: &str) {
    f.evidence.notes.push(format!("read: {}", perfhound_term::clip(label, 400)));
    simulation_evidence(f, c, ["reads", "simulated_reads"], 1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::GridPoint;

    fn result(hit: f64, p50: u64, not_shared: Option<String>) -> CacheResult {
        let chosen = GridPoint { size_bytes: 1_000_000, ttl_s: 60, hit };
        CacheResult {
            endpoint: "GET http://pricing/internal/pricing".into(),
            requests: 600,
            sampled: 600,
            rate: 1.0,
            grid: vec![chosen],
            chosen,
            sieve_hit: hit,
            p50_us: p50,
            p50_after_us: 1_000,
            saved_mean_us: hit * (p50 - 1_000) as f64,
            endpoint_requests: 600,
            not_shared,
        }
    }

    fn site() -> ReadSite<'static> {
        ReadSite { label: "GET http://pricing/internal/pricing", endpoint: "GET /api/dashboard", callers: &[] }
    }

    #[test]
    fn names_the_read_its_endpoint_and_the_saving() {
        let f = finding(&result(0.98, 25_000, None), site(), 600.0 * 130_000.0).unwrap();
        assert_eq!(
            f.title,
            "GET http://pricing/internal/pricing in GET /api/dashboard: a 1-minute TTL, 1 MB cache would hit 98 % and save ≈ 24ms per read (cache-aside in Redis)"
        );
        assert_eq!((f.target.as_str(), f.severity), ("GET /api/dashboard", Severity::Warning));
        assert_eq!(f.evidence.counts["reads"], 600);
    }

    #[test]
    fn never_for_private_reads_rare_hits_or_fast_reads() {
        assert!(finding(&result(0.98, 25_000, Some("credentials".into())), site(), 1e9).is_none());
        assert!(finding(&result(0.1, 25_000, None), site(), 1e9).is_none());
        assert!(finding(&result(0.98, 2_500, None), site(), 1e9).is_none(), "1.5 ms saved per read");
    }
}
