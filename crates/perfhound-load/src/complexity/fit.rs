//! Fitting time = a·n^k on a log–log scale, robustly: the Theil–Sen slope (the median of
//! the slopes between every pair of sizes) of ln(median time) over ln(n), and a 95 %
//! confidence interval on k from a bootstrap that resamples the samples of every size.
//!
//! Why these: one slow sample (a GC pause, another process on the core) moves a mean and
//! a least-squares line; a median per size and a median of slopes ignore it. The bootstrap
//! makes no assumption about the noise's distribution, which on a loaded machine is
//! anything but normal. The random generator is seeded, so a run file refits identically.

/// The fitted exponent with its 95 % confidence interval and the coefficient.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub k: f64,
    pub k_low: f64,
    pub k_high: f64,
    /// Time at n = 1 on the fitted line, in the samples' unit.
    pub a: f64,
}

/// Bootstrap resamples for the confidence interval.
const BOOTSTRAP_ROUNDS: usize = 2000;

/// Fits `sizes[i]` against the samples measured at that size (each non-empty, positive).
/// `None` with fewer than two distinct sizes.
pub fn fit(sizes: &[u64], samples: &[Vec<f64>]) -> Option<Fit> {
    let xs: Vec<f64> = sizes.iter().map(|n| (*n as f64).ln()).collect();
    let medians: Vec<f64> = samples.iter().map(|s| median(s.clone())).collect();
    let ys: Vec<f64> = medians.iter().map(|t| t.max(f64::MIN_POSITIVE).ln()).collect();
    let k = theil_sen(&xs, &ys)?;
    let a = median(xs.iter().zip(&ys).map(|(x, y)| y - k * x).collect()).exp();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut slopes = Vec::with_capacity(BOOTSTRAP_ROUNDS);
    let mut resampled = vec![0.0; ys.len()];
    for _ in 0..BOOTSTRAP_ROUNDS {
        for (y, s) in resampled.iter_mut().zip(samples) {
            let pick: Vec<f64> = (0..s.len()).map(|_| s[rng.below(s.len())]).collect();
            *y = median(pick).max(f64::MIN_POSITIVE).ln();
        }
        slopes.extend(theil_sen(&xs, &resampled));
    }
    slopes.sort_by(f64::total_cmp);
    let at = |q: f64| slopes[((slopes.len() - 1) as f64 * q).round() as usize];
    Some(Fit { k, k_low: at(0.025).min(k), k_high: at(0.975).max(k), a })
}

/// The median of the slopes between every pair of points with distinct x.
fn theil_sen(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let mut slopes = Vec::new();
    for i in 0..xs.len() {
        for j in i + 1..xs.len() {
            let dx = xs[j] - xs[i];
            if dx.abs() > 1e-12 {
                slopes.push((ys[j] - ys[i]) / dx);
            }
        }
    }
    (!slopes.is_empty()).then(|| median(slopes))
}

/// The median (mean of the middle two for an even count); 0 for none.
pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// The growth class people name for an exponent. Bands are centred on the integer
/// exponents; `n log n` fits as k ≈ 1.1–1.3 over a 16× range of n, hence its band.
pub fn class(k: f64) -> &'static str {
    match k {
        k if k < 0.25 => "constant",
        k if k < 0.75 => "sublinear",
        k if k < 1.15 => "linear",
        k if k < 1.5 => "n log n",
        k if k < 2.5 => "quadratic",
        k if k < 3.5 => "cubic",
        _ => "polynomial",
    }
}

/// A small deterministic generator (xorshift64*): reproducible bootstraps, no dependency.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(k: f64, noise: &[f64]) -> (Vec<u64>, Vec<Vec<f64>>) {
        let sizes = vec![100, 200, 400, 800, 1600];
        let samples = sizes.iter().map(|n| noise.iter().map(|e| 3.0 * (*n as f64).powf(k) * e).collect()).collect();
        (sizes, samples)
    }

    #[test]
    fn recovers_the_exponent_despite_outliers() {
        // One sample in seven is 5× slow: a median per size ignores it.
        let noise = [1.0, 1.05, 0.97, 5.0, 1.02, 0.99, 1.01];
        for k in [0.0, 1.0, 2.0] {
            let (sizes, samples) = series(k, &noise);
            let f = fit(&sizes, &samples).unwrap();
            assert!((f.k - k).abs() < 0.05, "k={k}: {f:?}");
            assert!(f.k_low <= k && k <= f.k_high + 0.05, "k={k}: {f:?}");
            assert!(f.k_high - f.k_low < 0.3, "k={k}: {f:?}");
        }
    }

    #[test]
    fn classes_follow_the_exponent() {
        let names: Vec<_> = [0.02, 0.5, 0.98, 1.2, 2.04, 3.0, 4.2].into_iter().map(class).collect();
        assert_eq!(names, ["constant", "sublinear", "linear", "n log n", "quadratic", "cubic", "polynomial"]);
    }

    #[test]
    fn one_size_is_not_a_fit() {
        assert_eq!(fit(&[100], &[vec![1.0]]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0, 10.0]), 2.5);
    }
}
