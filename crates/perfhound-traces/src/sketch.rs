//! A small mergeable latency sketch: sparse log-linear buckets (≤ 0.8 % relative error).
//!
//! Endpoints and query fingerprints can number in the thousands; a full HDR histogram
//! (1 µs – 1 h, 3 digits) is ~180 kB each, a sketch a few hundred bytes. Sketches become
//! model [`Histogram`]s only for the targets written to the run.

use perfhound_model::Histogram;
use std::collections::BTreeMap;

/// Bucketed durations in microseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sketch {
    buckets: BTreeMap<u32, u64>,
    pub count: u64,
    pub sum_us: u64,
    pub max_us: u64,
}

const SUB_BITS: u32 = 7;

fn bucket(v: u64) -> u32 {
    if v < (2 << SUB_BITS) {
        return v as u32;
    }
    let exp = 63 - v.leading_zeros();
    let shift = exp - SUB_BITS;
    let mantissa = (v >> shift) as u32; // in [128, 256)
    (shift + 1) * (1 << SUB_BITS) + mantissa
}

fn representative(b: u32) -> u64 {
    if b < (2 << SUB_BITS) {
        return u64::from(b);
    }
    let shift = b / (1 << SUB_BITS) - 2;
    let mantissa = u64::from(b - (shift + 1) * (1 << SUB_BITS));
    (mantissa << shift) + ((1u64 << shift) >> 1)
}

impl Sketch {
    pub fn record(&mut self, us: u64) {
        *self.buckets.entry(bucket(us)).or_insert(0) += 1;
        self.count += 1;
        self.sum_us = self.sum_us.saturating_add(us);
        self.max_us = self.max_us.max(us);
    }

    pub fn merge(&mut self, o: &Sketch) {
        for (b, c) in &o.buckets {
            *self.buckets.entry(*b).or_insert(0) += c;
        }
        self.count += o.count;
        self.sum_us = self.sum_us.saturating_add(o.sum_us);
        self.max_us = self.max_us.max(o.max_us);
    }

    /// Value at quantile `q` (0..=1), in microseconds.
    pub fn quantile_us(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (b, c) in &self.buckets {
            seen += c;
            if seen >= rank {
                return representative(*b).min(self.max_us);
            }
        }
        self.max_us
    }

    /// The model's HDR histogram of the same values (bucket representatives).
    pub fn to_histogram(&self) -> Histogram {
        let mut h = Histogram::new();
        for (b, c) in &self.buckets {
            let v = representative(*b).min(self.max_us.max(1));
            for _ in 0..*c {
                h.record_us(v);
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_within_one_percent() {
        let mut s = Sketch::default();
        for v in 1..=100_000u64 {
            s.record(v);
        }
        for (q, want) in [(0.5, 50_000.0), (0.95, 95_000.0), (0.99, 99_000.0)] {
            let got = s.quantile_us(q) as f64;
            assert!((got - want).abs() / want < 0.01, "q{q}: {got}");
        }
        assert_eq!(s.max_us, 100_000);
        let h = s.to_histogram();
        assert_eq!(h.count(), 100_000);
        assert!((h.quantile_us(0.5) as f64 - 50_000.0).abs() < 500.0);
    }

    #[test]
    fn buckets_are_monotonic() {
        let mut last = 0;
        for v in (0..5_000_000u64).step_by(997) {
            let b = bucket(v);
            assert!(b >= last);
            last = b;
            let r = representative(b);
            assert!(v == 0 || (r as f64 - v as f64).abs() / v as f64 <= 0.008, "{v} → {r}");
        }
    }
}
