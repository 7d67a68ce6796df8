//! Significance tests over two HDR histograms, computed on their buckets (never on
//! expanded samples, so a million requests cost as much as their few hundred buckets).
//!
//! - Mann–Whitney U with tie correction (the whole distributions: is B slower than A?)
//!   and its effect size, Cliff's delta.
//! - A tail test for a quantile: the share of requests slower than A's p95/p99 in each
//!   run, compared as two proportions — a regression of the tail alone moves few ranks
//!   and would escape Mann–Whitney.
//!
//! Requests of one run are not independent samples (a slow second slows many), so with
//! thousands of requests tiny differences are "significant": callers pair a p-value with
//! a minimum relative change (the tolerance) before calling anything a regression.

use perfhound_model::Histogram;

/// Mann–Whitney result for B against A.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankTest {
    /// Two-sided p-value (normal approximation with tie and continuity correction).
    pub p_value: f64,
    /// Cliff's delta: P(B > A) − P(B < A), −1..1 (> 0: B slower).
    pub delta: f64,
}

/// Mann–Whitney U of `b` against `a` over their buckets.
pub fn mann_whitney(a: &Histogram, b: &Histogram) -> RankTest {
    let (na, nb) = (a.count() as f64, b.count() as f64);
    if na == 0.0 || nb == 0.0 {
        return RankTest { p_value: 1.0, delta: 0.0 };
    }
    let (ua, ties) = u_of_a(&a.buckets(), &b.buckets());
    let n = na + nb;
    let mean = na * nb / 2.0;
    let variance = na * nb / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)).max(1.0));
    let p_value = if variance <= 0.0 {
        1.0
    } else {
        let z = ((ua - mean).abs() - 0.5).max(0.0) / variance.sqrt();
        erfc(z / std::f64::consts::SQRT_2)
    };
    // U_A counts pairs where A is larger (ties half): δ(B over A) = (U_B − U_A) / (na·nb).
    let delta = ((na * nb - ua) - ua) / (na * nb);
    RankTest { p_value: p_value.clamp(0.0, 1.0), delta }
}

/// U of sample A (pairs where A > B, ties counted half) and Σ(t³ − t) over tie groups.
fn u_of_a(a: &[(u64, u64)], b: &[(u64, u64)]) -> (f64, f64) {
    let (mut i, mut j) = (0, 0);
    let (mut rank_below, mut rank_sum_a, mut ties) = (0.0f64, 0.0f64, 0.0f64);
    while i < a.len() || j < b.len() {
        let va = a.get(i).map_or(u64::MAX, |x| x.0);
        let vb = b.get(j).map_or(u64::MAX, |x| x.0);
        let v = va.min(vb);
        let ca = if va == v { a[i].1 as f64 } else { 0.0 };
        let cb = if vb == v { b[j].1 as f64 } else { 0.0 };
        let t = ca + cb;
        let average_rank = rank_below + (t + 1.0) / 2.0;
        rank_sum_a += ca * average_rank;
        ties += t * t * t - t;
        rank_below += t;
        i += (va == v) as usize;
        j += (vb == v) as usize;
    }
    let na: f64 = a.iter().map(|x| x.1 as f64).sum();
    (rank_sum_a - na * (na + 1.0) / 2.0, ties)
}

/// Two-sided p-value that `b` has a different share of values above `threshold_us` than `a`
/// (pooled two-proportion z-test), with both shares.
pub fn exceedance(a: &Histogram, b: &Histogram, threshold_us: u64) -> (f64, f64, f64) {
    let share = |h: &Histogram| {
        let above: u64 = h.buckets().iter().filter(|(v, _)| *v > threshold_us).map(|(_, c)| c).sum();
        (above as f64, h.count() as f64)
    };
    let ((xa, na), (xb, nb)) = (share(a), share(b));
    if na == 0.0 || nb == 0.0 {
        return (1.0, 0.0, 0.0);
    }
    let (pa, pb) = (xa / na, xb / nb);
    let pooled = (xa + xb) / (na + nb);
    let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    let p_value = if se > 0.0 { erfc(((pb - pa).abs() / se) / std::f64::consts::SQRT_2) } else { 1.0 };
    (p_value.clamp(0.0, 1.0), pa, pb)
}

/// Two proportions `xa/na` and `xb/nb` (error rates): two-sided p-value.
pub fn proportions(xa: u64, na: u64, xb: u64, nb: u64) -> f64 {
    if na == 0 || nb == 0 {
        return 1.0;
    }
    let (xa, na, xb, nb) = (xa as f64, na as f64, xb as f64, nb as f64);
    let pooled = (xa + xb) / (na + nb);
    let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    if se > 0.0 {
        erfc(((xb / nb - xa / na).abs() / se) / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
    } else {
        1.0
    }
}

/// The complementary error function (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(values: &[u64]) -> Histogram {
        let mut h = Histogram::new();
        values.iter().for_each(|v| h.record_us(*v));
        h
    }

    #[test]
    fn erfc_matches_known_values() {
        assert!((erfc(0.0) - 1.0).abs() < 1e-6);
        assert!((erfc(1.0) - 0.157_299_2).abs() < 1e-6);
        assert!((erfc(-1.0) - 1.842_700_8).abs() < 1e-6);
    }

    #[test]
    fn mann_whitney_matches_the_textbook_u() {
        // A = 1..=10, B = 6..=15: 10 pairs with A > B and 5 ties (half each): U_A = 12.5.
        let a = hist(&(1..=10).collect::<Vec<_>>());
        let b = hist(&(6..=15).collect::<Vec<_>>());
        let (ua, _) = u_of_a(&a.buckets(), &b.buckets());
        assert_eq!(ua, 12.5);
        let t = mann_whitney(&a, &b);
        assert!(t.delta > 0.7 && t.p_value < 0.01, "{t:?}");
        let same = mann_whitney(&a, &a.clone());
        assert!(same.delta.abs() < 1e-9 && same.p_value > 0.9, "{same:?}");
    }

    #[test]
    fn a_tail_only_regression_is_seen_by_the_exceedance_test() {
        let base: Vec<u64> = (0..1000).map(|i| 1000 + i % 100).collect();
        let mut tail = base.clone();
        tail.iter_mut().skip(950).for_each(|v| *v = 5000);
        let (a, b) = (hist(&base), hist(&tail));
        let (p, pa, pb) = exceedance(&a, &b, a.quantile_us(0.99));
        assert!(p < 1e-6 && pb > pa * 3.0, "{p} {pa} {pb}");
    }

    proptest::proptest! {
        /// U over buckets equals U counted pair by pair on the samples (values below 2048
        /// are exact in a 3-digit HDR histogram); δ is antisymmetric; p is a probability.
        #[test]
        fn bucket_u_equals_pairwise_u(a in proptest::collection::vec(1u64..2000, 1..60),
                                      b in proptest::collection::vec(1u64..2000, 1..60)) {
            let (ha, hb) = (hist(&a), hist(&b));
            let pairwise: f64 = a.iter().flat_map(|x| b.iter().map(move |y| match x.cmp(y) {
                std::cmp::Ordering::Greater => 1.0,
                std::cmp::Ordering::Equal => 0.5,
                std::cmp::Ordering::Less => 0.0,
            })).sum();
            let (ua, _) = u_of_a(&ha.buckets(), &hb.buckets());
            proptest::prop_assert!((ua - pairwise).abs() < 1e-6, "{} vs {}", ua, pairwise);
            let (ab, ba) = (mann_whitney(&ha, &hb), mann_whitney(&hb, &ha));
            proptest::prop_assert!((ab.delta + ba.delta).abs() < 1e-9);
            proptest::prop_assert!((0.0..=1.0).contains(&ab.p_value) && (ab.p_value - ba.p_value).abs() < 1e-9);
        }
    }
}
