//! What a cache would save, per cacheable GET endpoint: its request stream replayed
//! through simulated caches over a grid of sizes × TTLs (LRU; SIEVE at the chosen
//! point), the hit ratio turned into latency saved with the endpoint's own measured
//! latency distribution, and a SHARDS-against-exact check on the largest stream.

use crate::sim::{self, key_hash, Access, Policy, Stream};
use crate::summary::EndpointSummary;
use crate::Config;
use std::collections::HashMap;

/// What a cache-aside hit costs instead of the request: one Redis GET round trip.
pub const HIT_US: u64 = 1_000;

/// Within this fraction of the best hit ratio of the grid, the smallest cache and then
/// the shortest TTL are chosen.
const GOOD_ENOUGH: f64 = 0.95;

/// The smallest sampled cache, in objects, the SHARDS check covers.
const MIN_OBJECTS: u64 = 100;

/// Requests a stream needs for the SHARDS check (4,000 once sampled at 1/4).
const CHECK_MIN_REQUESTS: usize = 16_000;

/// Fewer requests than this are not simulated.
const MIN_REQUESTS: u64 = 50;

/// One simulated configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridPoint {
    pub size_bytes: u64,
    pub ttl_s: u32,
    /// LRU hit ratio (fraction).
    pub hit: f64,
}

/// The simulation of one endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheResult {
    pub endpoint: String,
    /// Cacheable requests replayed (before sampling).
    pub requests: u64,
    /// Requests simulated after spatial sampling, and the rate (1 = exact).
    pub sampled: usize,
    pub rate: f64,
    pub grid: Vec<GridPoint>,
    pub chosen: GridPoint,
    /// SIEVE's hit ratio at the chosen size and TTL.
    pub sieve_hit: f64,
    pub p50_us: u64,
    pub p50_after_us: u64,
    /// Mean time saved per request of the endpoint.
    pub saved_mean_us: f64,
    /// Requests of the endpoint (all statuses).
    pub endpoint_requests: u64,
    /// Why no cache is recommended (cookies, credentials), when so.
    pub not_shared: Option<String>,
}

impl CacheResult {
    pub fn saved_p50_us(&self) -> u64 {
        self.p50_us.saturating_sub(self.p50_after_us)
    }
}

/// SHARDS checked against exact LRU on one stream.
#[derive(Clone, Debug, PartialEq)]
pub struct ShardsCheck {
    pub endpoint: String,
    pub requests: usize,
    pub rate: f64,
    /// Largest hit-ratio difference over the grid's sizes (fraction).
    pub max_error: f64,
}

pub(crate) fn evaluate(
    streams: crate::fasthash::FastMap<String, Stream>,
    endpoints: &[EndpointSummary],
    cfg: &Config,
) -> (Vec<CacheResult>, Option<ShardsCheck>) {
    let by_name: HashMap<&str, &EndpointSummary> = endpoints.iter().map(|e| (e.name.as_str(), e)).collect();
    let mut streams: Vec<(String, Stream)> = streams.into_iter().filter(|(_, s)| s.seen >= MIN_REQUESTS).collect();
    for (_, s) in &mut streams {
        // Several files may come newest first: replay in time order.
        s.accesses.sort_by_key(|a| a.t);
    }
    streams.sort_by(|a, b| b.1.seen.cmp(&a.1.seen).then_with(|| a.0.cmp(&b.0)));
    streams.truncate(cfg.simulate_endpoints);
    // The check runs where sampling matters most: the stream with the most distinct keys.
    let distinct = |s: &Stream| s.accesses.iter().map(|a| a.key).collect::<std::collections::HashSet<_>>().len();
    let check = streams
        .iter()
        .filter(|(_, s)| s.accesses.len() >= CHECK_MIN_REQUESTS)
        .max_by_key(|(_, s)| distinct(s))
        .and_then(|(n, s)| shards_check(n, s, cfg));
    let results =
        streams.iter().filter_map(|(name, s)| Some(simulate_one(name, s, by_name.get(name.as_str())?, cfg))).collect();
    (results, check)
}

/// What a cache would save on any stream of repeated reads — a query or downstream call
/// the traces show, not only a logged endpoint: `(cache key, seconds, result size in
/// bytes, latency in µs)` in time order; `private` of them served requests with
/// credentials or set cookies (then `not_shared` says so). `None` below 50 reads.
/// `perfhound-audit`'s `read_cache` feeds the traces' repeated reads here.
pub fn evaluate_reads<'a>(
    name: &str,
    reads: impl IntoIterator<Item = (&'a [u8], u32, u32, u64)>,
    private: u64,
    cfg: &Config,
) -> Option<CacheResult> {
    let mut stream = Stream::new(cfg.stream_budget);
    let mut h = perfhound_model::Histogram::new();
    for (key, t, size, us) in reads {
        stream.push(Access { key: key_hash(key), t, size });
        h.record_us(us);
    }
    if stream.seen < MIN_REQUESTS {
        return None;
    }
    let e = EndpointSummary {
        name: name.to_string(),
        requests: stream.seen,
        timed: stream.seen,
        p50_us: h.quantile_us(0.5),
        mean_us: h.mean_us(),
        latency: Some(h),
        private,
        ..EndpointSummary::default()
    };
    Some(simulate_one(name, &stream, &e, cfg))
}

fn simulate_one(name: &str, s: &Stream, e: &EndpointSummary, cfg: &Config) -> CacheResult {
    let mut grid = Vec::new();
    for &size in &cfg.cache_sizes {
        for &ttl in &cfg.cache_ttls {
            grid.push(GridPoint { size_bytes: size, ttl_s: ttl, hit: s.hit_ratio(Policy::Lru, size, ttl) });
        }
    }
    let best = grid.iter().map(|g| g.hit).fold(0.0, f64::max);
    let chosen = *grid.iter().find(|g| g.hit >= best * GOOD_ENOUGH).unwrap_or(&grid[0]);
    let sieve_hit = s.hit_ratio(Policy::Sieve, chosen.size_bytes, chosen.ttl_s);
    let share = s.seen as f64 / e.requests.max(1) as f64;
    let hit = chosen.hit * share.min(1.0);
    let p50_after_us = p50_with_hits(e, hit);
    let not_shared = (e.private > 0).then(|| {
        format!("{} of {} responses set a cookie or answered an authenticated request", e.private, e.requests)
    });
    CacheResult {
        endpoint: name.to_string(),
        requests: s.seen,
        sampled: s.accesses.len(),
        rate: s.rate(),
        grid,
        chosen,
        sieve_hit,
        p50_us: e.p50_us,
        p50_after_us,
        saved_mean_us: hit * (e.mean_us - HIT_US as f64).max(0.0),
        endpoint_requests: e.requests,
        not_shared,
    }
}

/// The median once a fraction `hit` of requests costs [`HIT_US`] and the rest keep the
/// measured distribution: below `HIT_US` when `hit ≥ ½`, else the measured quantile at
/// `(½ − hit) / (1 − hit)`.
fn p50_with_hits(e: &EndpointSummary, hit: f64) -> u64 {
    if hit >= 0.5 {
        return HIT_US.min(e.p50_us);
    }
    let q = (0.5 - hit) / (1.0 - hit);
    e.latency.as_ref().map_or(e.p50_us, |h| h.quantile_us(q)).min(e.p50_us)
}

fn shards_check(name: &str, s: &Stream, cfg: &Config) -> Option<ShardsCheck> {
    let rate = 1.0 / 4.0;
    // SHARDS is loose when the sampled cache holds a handful of objects: the check (and
    // the docs' error bound) is for caches of at least MIN_OBJECTS objects once sampled.
    let mean_size = s.accesses.iter().map(|a| u64::from(a.size)).sum::<u64>() / s.accesses.len() as u64;
    let caps: Vec<u64> = cfg
        .cache_sizes
        .iter()
        .map(|c| (*c as f64 * s.rate()) as u64)
        .filter(|c| (*c as f64 * rate) as u64 >= MIN_OBJECTS * mean_size.max(1))
        .collect();
    if caps.is_empty() {
        return None;
    }
    let ttl = cfg.cache_ttls.iter().copied().max().unwrap_or(u32::MAX);
    Some(ShardsCheck {
        endpoint: name.to_string(),
        requests: s.accesses.len(),
        rate,
        max_error: sim::shards_error(&s.accesses, rate, &caps, ttl),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_reads_from_any_source() {
        let keys: Vec<String> = (0..300).map(|i| format!("SELECT * FROM products WHERE id = {}", i % 10)).collect();
        let reads = keys.iter().enumerate().map(|(i, k)| (k.as_bytes(), i as u32 / 10, 500, 30_000));
        let r = evaluate_reads("SELECT * FROM products WHERE id = ?", reads, 0, &Config::default()).unwrap();
        assert!(r.not_shared.is_none());
        assert!((r.chosen.hit - 290.0 / 300.0).abs() < 1e-9, "10 cold misses: {}", r.chosen.hit);
        assert_eq!((r.p50_us / 1000, r.p50_after_us), (30, HIT_US));
        let few = keys.iter().take(10).map(|k| (k.as_bytes(), 0, 500, 30_000));
        assert!(evaluate_reads("q", few, 0, &Config::default()).is_none());
        let private = keys.iter().map(|k| (k.as_bytes(), 0, 500, 30_000));
        assert!(evaluate_reads("q", private, 1, &Config::default()).unwrap().not_shared.is_some());
    }
}
