//! Change points in a series of runs: E-divisive means (Matteson & James 2014, what Apache
//! Otava/Hunter use) with a permutation test, plus an effect-size floor.
//!
//! Why not a threshold or a t-test between the last run and the previous ones: benchmark
//! series are often bimodal (two code paths, a GC that runs or not), and a test that
//! assumes one normal mode flags a stable bimodal series as regressing (folo-rs/folo#366).
//! E-divisive compares whole distributions through energy distances; the permutation test
//! asks whether the best split is better than splits of the same values shuffled — a
//! stable series, bimodal or not, is exchangeable, so its best split is not special.
//!
//! A series with two modes (each run lands in one of them) hides a shift *within* the
//! modes behind the jumps between them. When the values form two well-separated clusters,
//! the series is also searched with every value divided by its mode's median: a 10 % shift
//! of both modes becomes a clean 10 % step there, while a change of which mode runs land in
//! is still found on the raw series. Both searches are permutation-tested.
//!
//! The search is recursive bisection: the most significant split, then each side again,
//! while a split is significant (`p ≤ max_p`) and moves the mean by at least
//! `min_change` (a statistically certain 0.5 % is not worth a page).

/// How eager the detector is.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Most probability that a split this good happened by chance.
    pub max_p: f64,
    /// Smallest relative change of the mean worth reporting (0.05 = 5 %).
    pub min_change: f64,
    /// Fewest points on each side of a split.
    pub min_segment: usize,
    /// Shuffles per permutation test.
    pub permutations: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { max_p: 0.01, min_change: 0.05, min_segment: 3, permutations: 199 }
    }
}

/// A place where the series moved.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ChangePoint {
    /// Index of the first point after the change.
    pub index: usize,
    pub mean_before: f64,
    pub mean_after: f64,
    /// `mean_after / mean_before - 1` (+0.10 = 10 % higher).
    pub change: f64,
    /// Cliff's delta between the two sides, −1..1: the share of pairs where the later value
    /// is higher minus the share where it is lower (|δ| ≥ 0.474 is a large effect).
    pub effect_size: f64,
    /// Permutation p-value of the split.
    pub p_value: f64,
}

/// The change points of `series`, in index order. Each one's means, change and effect
/// size compare the segments on either side of it (up to the neighbouring change points).
pub fn detect(series: &[f64], cfg: &Config) -> Vec<ChangePoint> {
    let mut raw = Vec::new();
    let mut rng = SplitMix(0x5eed ^ series.len() as u64);
    split(series, 0, cfg, &mut rng, &mut raw);
    let mut splits: Vec<(usize, f64, bool)> = raw.iter().map(|&(i, p)| (i, p, false)).collect();
    let normalized = within_modes(series);
    if let Some(normalized) = &normalized {
        let mut inner = Vec::new();
        split(normalized, 0, cfg, &mut rng, &mut inner);
        inner.retain(|(i, _)| raw.iter().all(|(f, _)| f.abs_diff(*i) >= cfg.min_segment));
        splits.extend(inner.into_iter().map(|(i, p)| (i, p, true)));
    }
    splits.sort_by_key(|s| s.0);
    let bounds: Vec<usize> = std::iter::once(0).chain(splits.iter().map(|s| s.0)).chain([series.len()]).collect();
    let mut out = Vec::new();
    for (k, (index, p_value, within)) in splits.into_iter().enumerate() {
        let measured = if within { normalized.as_deref().unwrap_or(series) } else { series };
        let (left, right) = (bounds[k]..index, index..bounds[k + 2]);
        let change = relative_change(&measured[left.clone()], &measured[right.clone()]);
        if change.abs() < cfg.min_change {
            continue;
        }
        let (before, after) = (&series[left], &series[right]);
        let effect_size = cliffs_delta(&measured[bounds[k]..index], &measured[index..bounds[k + 2]]);
        out.push(ChangePoint {
            index,
            mean_before: mean(before),
            mean_after: mean(after),
            change,
            effect_size,
            p_value,
        });
    }
    out
}

fn relative_change(before: &[f64], after: &[f64]) -> f64 {
    let b = mean(before);
    if b != 0.0 {
        mean(after) / b - 1.0
    } else {
        0.0
    }
}

/// Each value divided by the median of its mode, when the (positive) values form two
/// clusters whose gap in log space is wider than either cluster; `None` otherwise.
fn within_modes(series: &[f64]) -> Option<Vec<f64>> {
    if series.len() < 6 || series.iter().any(|v| v.is_nan() || *v <= 0.0) {
        return None;
    }
    let mut logs: Vec<f64> = series.iter().map(|v| v.ln()).collect();
    logs.sort_by(f64::total_cmp);
    let (at, gap) =
        logs.windows(2).enumerate().map(|(i, w)| (i + 1, w[1] - w[0])).max_by(|a, b| a.1.total_cmp(&b.1))?;
    let (low, high) = logs.split_at(at);
    let range = |c: &[f64]| c[c.len() - 1] - c[0];
    if low.len() < 3 || high.len() < 3 || gap <= range(low).max(range(high)) {
        return None;
    }
    let (low_median, high_median) = (low[low.len() / 2].exp(), high[high.len() / 2].exp());
    let boundary = (low[low.len() - 1] + high[0]) / 2.0;
    Some(series.iter().map(|v| if v.ln() < boundary { v / low_median } else { v / high_median }).collect())
}

fn split(series: &[f64], offset: usize, cfg: &Config, rng: &mut SplitMix, out: &mut Vec<(usize, f64)>) {
    if series.len() < 2 * cfg.min_segment {
        return;
    }
    let Some((at, stat)) = best_split(series, cfg.min_segment) else { return };
    let p_value = permutation_p(series, stat, cfg, rng);
    if p_value > cfg.max_p {
        return;
    }
    out.push((offset + at, p_value));
    let (left, right) = series.split_at(at);
    split(left, offset, cfg, rng, out);
    split(right, offset + at, cfg, rng, out);
}

/// The split maximizing the scaled energy statistic, in O(n²) with running sums.
fn best_split(x: &[f64], min_segment: usize) -> Option<(usize, f64)> {
    let n = x.len();
    let d = |i: usize, j: usize| (x[i] - x[j]).abs();
    // τ = 1: left = {x0}, right = the rest.
    let mut within_left = 0.0;
    let mut within_right: f64 = (1..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).map(|(i, j)| d(i, j)).sum();
    let mut between: f64 = (1..n).map(|j| d(0, j)).sum();
    let mut best: Option<(usize, f64)> = None;
    for tau in 1..n {
        if tau >= min_segment && n - tau >= min_segment {
            let stat = energy(tau, n - tau, between, within_left, within_right);
            if best.is_none_or(|(_, b)| stat > b) {
                best = Some((tau, stat));
            }
        }
        // Move x[tau] from the right side to the left side.
        let to_left: f64 = (0..tau).map(|i| d(i, tau)).sum();
        let to_right: f64 = (tau + 1..n).map(|j| d(tau, j)).sum();
        within_left += to_left;
        within_right -= to_right;
        between += to_right - to_left;
    }
    best
}

/// Ê(τ) · m·n/(m+n) for sides of sizes `m` and `n` (α = 1).
fn energy(m: usize, n: usize, between: f64, within_left: f64, within_right: f64) -> f64 {
    let (mf, nf) = (m as f64, n as f64);
    let pairs = |k: f64| (k * (k - 1.0) / 2.0).max(1.0);
    let e = 2.0 * between / (mf * nf) - within_left / pairs(mf) - within_right / pairs(nf);
    e * mf * nf / (mf + nf)
}

fn permutation_p(series: &[f64], observed: f64, cfg: &Config, rng: &mut SplitMix) -> f64 {
    let mut shuffled = series.to_vec();
    let mut at_least = 0usize;
    let total = (cfg.permutations + 1) as f64;
    for _ in 0..cfg.permutations {
        rng.shuffle(&mut shuffled);
        if best_split(&shuffled, cfg.min_segment).is_some_and(|(_, s)| s >= observed) {
            at_least += 1;
            // Already not significant, whatever the remaining shuffles say: stop (a stable
            // segment costs a few shuffles instead of all of them).
            if (at_least + 1) as f64 / total > cfg.max_p {
                break;
            }
        }
    }
    (at_least + 1) as f64 / total
}

pub(crate) fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

/// Cliff's delta of `after` over `before`.
fn cliffs_delta(before: &[f64], after: &[f64]) -> f64 {
    let mut score = 0i64;
    for a in after {
        for b in before {
            score += (a > b) as i64 - (a < b) as i64;
        }
    }
    score as f64 / (before.len() * after.len()).max(1) as f64
}

/// A small deterministic generator (SplitMix64): the same series always gives the same
/// answer, in tests and in CI.
pub(crate) struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle(&mut self, x: &mut [f64]) {
        for i in (1..x.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            x.swap(i, j);
        }
    }
}
