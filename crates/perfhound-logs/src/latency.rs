//! Per-endpoint latency storage under a memory budget: a few hundred values in a plain
//! vector, promoted to an HDR histogram ([`Histogram`], ~190 KB each) while the budget
//! of histograms lasts; past it, the vector becomes a uniform reservoir sample and the
//! percentiles are marked approximate. This is what keeps RSS bounded whatever the
//! number of endpoints.

use perfhound_model::Histogram;

/// Values kept before promotion (and the reservoir size after the budget).
pub const SMALL: usize = 256;

#[derive(Clone, Debug)]
pub enum Latency {
    Small { values: Vec<u32>, seen: u64, rng: u64 },
    Hdr(Box<Histogram>),
}

impl Default for Latency {
    fn default() -> Self {
        Latency::Small { values: Vec::new(), seen: 0, rng: 0x9e37_79b9_7f4a_7c15 }
    }
}

impl Latency {
    /// Records one value; `budget` is decremented when a histogram is allocated.
    #[inline]
    pub fn record(&mut self, us: u64, budget: &mut usize) {
        match self {
            Latency::Hdr(h) => h.record_us(us),
            Latency::Small { values, seen, rng } => {
                *seen += 1;
                let v = us.min(u64::from(u32::MAX)) as u32;
                if values.len() < SMALL {
                    values.push(v);
                } else if *budget > 0 {
                    *budget -= 1;
                    let mut h = Histogram::new();
                    for x in values.iter() {
                        h.record_us(u64::from(*x));
                    }
                    h.record_us(us);
                    *self = Latency::Hdr(Box::new(h));
                } else {
                    *rng ^= *rng << 13;
                    *rng ^= *rng >> 7;
                    *rng ^= *rng << 17;
                    let j = *rng % *seen;
                    if (j as usize) < SMALL {
                        values[j as usize] = v;
                    }
                }
            }
        }
    }

    /// Values recorded.
    pub fn count(&self) -> u64 {
        match self {
            Latency::Hdr(h) => h.count(),
            Latency::Small { seen, .. } => *seen,
        }
    }

    /// True when percentiles come from a reservoir sample.
    pub fn approximate(&self) -> bool {
        matches!(self, Latency::Small { values, seen, .. } if *seen > values.len() as u64)
    }

    /// The values as a histogram (the sample's, for a reservoir).
    pub fn histogram(&self) -> Histogram {
        match self {
            Latency::Hdr(h) => (**h).clone(),
            Latency::Small { values, .. } => {
                let mut h = Histogram::new();
                for v in values {
                    h.record_us(u64::from(*v));
                }
                h
            }
        }
    }

    /// Adds `other`'s values (merged endpoints).
    pub fn absorb(&mut self, other: Latency, budget: &mut usize) {
        match other {
            Latency::Hdr(h) => {
                let mut mine = self.histogram();
                mine.merge(&h);
                if matches!(self, Latency::Small { .. }) {
                    *budget = budget.saturating_sub(1);
                }
                *self = Latency::Hdr(Box::new(mine));
            }
            Latency::Small { values, .. } => {
                for v in values {
                    self.record(u64::from(v), budget);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotes_within_budget_then_samples() {
        let mut budget = 1;
        let (mut a, mut b) = (Latency::default(), Latency::default());
        for i in 0..1000 {
            a.record(i, &mut budget);
        }
        for i in 0..1000 {
            b.record(i, &mut budget);
        }
        assert!(matches!(a, Latency::Hdr(_)) && !a.approximate());
        assert_eq!((budget, a.count(), b.count()), (0, 1000, 1000));
        assert!(b.approximate());
        let p50 = b.histogram().quantile_us(0.5);
        assert!((300..700).contains(&p50), "{p50}");
    }
}
