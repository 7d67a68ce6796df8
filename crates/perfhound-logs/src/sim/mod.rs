//! Cache simulation: what hit ratio a cache of a given size and TTL would have had on
//! the requests of one endpoint, replayed in log order.
//!
//! - [`Lru`] is exact LRU with a byte capacity and a TTL (Redis cache-aside with
//!   `allkeys-lru`); [`Sieve`] is SIEVE, compared with it at the recommended size.
//! - Long streams are sampled spatially (SHARDS, Waldspurger et al., FAST '15): a request
//!   is kept when its key's hash falls under a threshold, so every key is either fully in
//!   or fully out; a cache of size `C × rate` on the sample behaves like size `C` on the
//!   whole. The threshold halves whenever the sample outgrows its budget (fixed-size
//!   SHARDS), so memory stays bounded whatever the log size. [`shards_error`] checks the
//!   sampling against exact simulation on a sample.
//! - [`Stream`] takes `(key, timestamp, size)` from any source: access logs today, the
//!   repeated reads of traces later (the caller hashes the key with [`key_hash`]).

pub mod list;
pub mod lru;
pub mod sieve;

pub use lru::Lru;
pub use sieve::Sieve;

/// One request for a cacheable object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// [`key_hash`] of the cache key.
    pub key: u64,
    /// Seconds since the start of the log.
    pub t: u32,
    /// Object size in bytes (what the cache would store).
    pub size: u32,
}

/// A simulated cache: `access` returns whether the request was a hit, and stores the
/// object on a miss (cache-aside).
pub trait Cache {
    fn access(&mut self, a: Access) -> bool;
}

/// The replacement policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    Lru,
    Sieve,
}

/// A well-mixed 64-bit hash of a cache key (FNV-1a, then the SplitMix64 finalizer so the
/// top bits SHARDS samples on are uniform).
pub fn key_hash(key: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Sampling thresholds are out of 2^24.
const SCALE: u64 = 1 << 24;

fn sample_bits(key: u64) -> u64 {
    key >> 40
}

/// A spatially sampled request stream with a size budget (fixed-size SHARDS).
#[derive(Clone, Debug)]
pub struct Stream {
    threshold: u64,
    budget: usize,
    /// Requests offered (sampled or not).
    pub seen: u64,
    pub accesses: Vec<Access>,
}

impl Stream {
    /// A stream keeping at most `budget` requests (exact while it fits).
    pub fn new(budget: usize) -> Stream {
        Stream { threshold: SCALE, budget: budget.max(16), seen: 0, accesses: Vec::new() }
    }

    pub fn push(&mut self, a: Access) {
        self.seen += 1;
        if sample_bits(a.key) >= self.threshold {
            return;
        }
        self.accesses.push(a);
        while self.accesses.len() > self.budget && self.threshold > 1 {
            self.threshold /= 2;
            let t = self.threshold;
            self.accesses.retain(|x| sample_bits(x.key) < t);
        }
    }

    /// Adds another stream's requests (two endpoints merged into one), in time order.
    pub fn absorb(&mut self, other: Stream) {
        self.seen += other.seen;
        self.threshold = self.threshold.min(other.threshold);
        let t = self.threshold;
        self.accesses.extend(other.accesses);
        self.accesses.retain(|x| sample_bits(x.key) < t);
        self.accesses.sort_by_key(|a| a.t);
        while self.accesses.len() > self.budget && self.threshold > 1 {
            self.threshold /= 2;
            let t = self.threshold;
            self.accesses.retain(|x| sample_bits(x.key) < t);
        }
    }

    /// The sampling rate (1 = exact).
    pub fn rate(&self) -> f64 {
        self.threshold as f64 / SCALE as f64
    }

    /// The hit ratio of a cache of `capacity` bytes and `ttl_s` on this stream (capacity
    /// scaled by the sampling rate).
    pub fn hit_ratio(&self, policy: Policy, capacity: u64, ttl_s: u32) -> f64 {
        let rate = self.rate();
        let hits = hits(policy, &self.accesses, (capacity as f64 * rate) as u64, ttl_s);
        adjusted(hits, self.accesses.len(), self.seen, rate)
    }
}

/// Replays `accesses` through a fresh cache; the fraction of hits.
pub fn simulate(policy: Policy, accesses: &[Access], capacity: u64, ttl_s: u32) -> f64 {
    if accesses.is_empty() {
        return 0.0;
    }
    hits(policy, accesses, capacity, ttl_s) as f64 / accesses.len() as f64
}

fn hits(policy: Policy, accesses: &[Access], capacity: u64, ttl_s: u32) -> u64 {
    match policy {
        Policy::Lru => run(&mut Lru::new(capacity, ttl_s), accesses),
        Policy::Sieve => run(&mut Sieve::new(capacity, ttl_s), accesses),
    }
}

/// SHARDS_adj: a sample holding more (or fewer) requests than `seen × rate` owes the
/// difference to a few hot keys falling in (or out); those are hits in any cache, so the
/// difference is taken off (or added to) the hits, over the expected sample size.
fn adjusted(hits: u64, sampled: usize, seen: u64, rate: f64) -> f64 {
    if rate >= 1.0 {
        return if sampled == 0 { 0.0 } else { hits as f64 / sampled as f64 };
    }
    let expected = seen as f64 * rate;
    if expected < 1.0 {
        return 0.0;
    }
    ((hits as f64 + expected - sampled as f64) / expected).clamp(0.0, 1.0)
}

fn run(cache: &mut impl Cache, accesses: &[Access]) -> u64 {
    accesses.iter().map(|a| u64::from(cache.access(*a))).sum()
}

/// SHARDS checked against exact LRU on `accesses`: the largest difference in hit ratio
/// (fraction) over `capacities`, sampling at `rate`.
pub fn shards_error(accesses: &[Access], rate: f64, capacities: &[u64], ttl_s: u32) -> f64 {
    let threshold = (rate * SCALE as f64) as u64;
    let sample: Vec<Access> = accesses.iter().copied().filter(|a| sample_bits(a.key) < threshold).collect();
    capacities
        .iter()
        .map(|&c| {
            let exact = simulate(Policy::Lru, accesses, c, ttl_s);
            let h = hits(Policy::Lru, &sample, (c as f64 * rate) as u64, ttl_s);
            let sampled = adjusted(h, sample.len(), accesses.len() as u64, rate);
            (exact - sampled).abs()
        })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Zipf-like stream (deterministic): key rank r drawn with weight 1/r.
    pub fn zipf(n: usize, keys: u64, seed: u64) -> Vec<Access> {
        let weights: Vec<f64> = (1..=keys).map(|r| 1.0 / r as f64).collect();
        let total: f64 = weights.iter().sum();
        let cdf: Vec<f64> = weights
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w / total;
                Some(*acc)
            })
            .collect();
        let mut x = seed;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let u = (x >> 11) as f64 / (1u64 << 53) as f64;
                let rank = cdf.partition_point(|c| *c < u) as u64;
                Access { key: key_hash(&rank.to_le_bytes()), t: (i / 100) as u32, size: 1000 + (rank % 7) as u32 * 300 }
            })
            .collect()
    }

    #[test]
    fn shards_matches_exact_within_two_points() {
        let stream = zipf(200_000, 50_000, 7);
        // From ~600 objects (1 MB) up; a sampled cache of a handful of objects (100 KB
        // at 1/16) is where SHARDS is known to be loose.
        let caps = [1_000_000, 5_000_000, 20_000_000];
        let err = shards_error(&stream, 1.0 / 16.0, &caps, u32::MAX);
        assert!(err < 0.02, "SHARDS error {err}");
        let exact = simulate(Policy::Lru, &stream, 1_000_000, u32::MAX);
        assert!(exact > 0.2 && exact < 0.9, "{exact}");
    }

    #[test]
    fn fixed_size_stream_stays_in_budget_and_estimates() {
        let all = zipf(100_000, 20_000, 3);
        let mut s = Stream::new(8_000);
        for a in &all {
            s.push(*a);
        }
        assert!(s.accesses.len() <= 8_000 && s.rate() < 1.0, "{} {}", s.accesses.len(), s.rate());
        assert_eq!(s.seen, 100_000);
        let exact = simulate(Policy::Lru, &all, 2_000_000, u32::MAX);
        let est = s.hit_ratio(Policy::Lru, 2_000_000, u32::MAX);
        assert!((exact - est).abs() < 0.05, "exact {exact} estimate {est}");
    }

    #[test]
    fn sieve_is_no_worse_than_lru_on_zipf() {
        let stream = zipf(50_000, 10_000, 11);
        let lru = simulate(Policy::Lru, &stream, 1_000_000, u32::MAX);
        let sieve = simulate(Policy::Sieve, &stream, 1_000_000, u32::MAX);
        assert!(sieve + 0.01 >= lru, "sieve {sieve} lru {lru}");
    }
}
