//! Robust trends: the Theil–Sen slope (median of pairwise slopes) with its distribution-free
//! 95 % confidence interval (Sen 1968: order statistics of the sorted pairwise slopes at
//! `(N ∓ 1.96·√Var(S)) / 2`, `Var(S) = n(n−1)(2n+5)/18`).
//!
//! Theil–Sen ignores up to 29 % of outliers, so one GC pause or a cache fill does not make a
//! trend; a sawtooth (allocate, collect, allocate…) over several periods has a slope near
//! zero whose interval covers zero. The floor test in [`grows`] adds the other half of the
//! leak definition: a leak raises the *troughs*, a sawtooth returns to them.

/// Points beyond this are thinned evenly (the pairwise slopes are O(n²)).
const MAX_POINTS: usize = 400;

/// A slope and its 95 % interval, in units per x unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub slope: f64,
    pub low: f64,
    pub high: f64,
}

/// Theil–Sen over `(x, y)` points; `None` below 3 points.
pub fn theil_sen(points: &[(f64, f64)]) -> Option<Fit> {
    let pts = thin(points);
    let n = pts.len();
    if n < 3 {
        return None;
    }
    let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            let dx = pts[j].0 - pts[i].0;
            if dx > 0.0 {
                slopes.push((pts[j].1 - pts[i].1) / dx);
            }
        }
    }
    if slopes.is_empty() {
        return None;
    }
    slopes.sort_by(f64::total_cmp);
    let m = slopes.len();
    let slope = if m % 2 == 1 { slopes[m / 2] } else { (slopes[m / 2 - 1] + slopes[m / 2]) / 2.0 };
    let nf = n as f64;
    let c = 1.96 * (nf * (nf - 1.0) * (2.0 * nf + 5.0) / 18.0).sqrt();
    let idx = |k: f64| (k.round().max(1.0) as usize - 1).min(m - 1);
    Some(Fit { slope, low: slopes[idx((m as f64 - c) / 2.0)], high: slopes[idx((m as f64 + c) / 2.0 + 1.0)] })
}

fn thin(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    if points.len() <= MAX_POINTS {
        return points.to_vec();
    }
    let step = points.len() as f64 / MAX_POINTS as f64;
    (0..MAX_POINTS).map(|i| points[(i as f64 * step) as usize]).collect()
}

/// A real growth: the interval is above zero, the fitted rise over the window is at least
/// `min_rise` (noise), and the floor rises too (minimum of the last quarter above the
/// minimum of the first quarter by half the fitted rise) — which a sawtooth's does not.
pub fn grows(points: &[(f64, f64)], fit: &Fit, min_rise: f64) -> bool {
    let (Some(first), Some(last)) = (points.first(), points.last()) else { return false };
    let rise = fit.slope * (last.0 - first.0);
    let quarter = (points.len() / 4).max(1);
    let floor = |p: &[(f64, f64)]| p.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let floor_rise = floor(&points[points.len() - quarter..]) - floor(&points[..quarter]);
    fit.low > 0.0 && rise >= min_rise && floor_rise >= rise / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize, slope: f64, noise: f64) -> Vec<(f64, f64)> {
        (0..n).map(|i| (i as f64, 100.0 + slope * i as f64 + if i % 2 == 0 { noise } else { -noise })).collect()
    }

    #[test]
    fn recovers_a_linear_slope_with_an_interval_around_it() {
        let fit = theil_sen(&line(60, 2.0, 1.0)).unwrap();
        assert!((fit.slope - 2.0).abs() < 0.05, "{fit:?}");
        assert!(fit.low <= 2.0 && fit.high >= 2.0 && fit.low > 1.8, "{fit:?}");
        assert!(grows(&line(60, 2.0, 1.0), &fit, 10.0));
    }

    #[test]
    fn outliers_do_not_make_a_trend() {
        let mut pts = line(60, 0.0, 0.5);
        for i in (5..60).step_by(10) {
            pts[i].1 += 500.0;
        }
        let fit = theil_sen(&pts).unwrap();
        assert!(fit.slope.abs() < 0.1, "{fit:?}");
        assert!(!grows(&pts, &fit, 10.0));
    }

    #[test]
    fn a_sawtooth_is_not_growth() {
        let pts: Vec<(f64, f64)> = (0..120).map(|i| (i as f64, 100.0 + (i % 15) as f64 * 10.0)).collect();
        let fit = theil_sen(&pts).unwrap();
        assert!(!grows(&pts, &fit, 10.0), "{fit:?}");
    }

    #[test]
    fn too_few_points_have_no_fit() {
        assert!(theil_sen(&[(0.0, 1.0), (1.0, 2.0)]).is_none());
        assert!(theil_sen(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]).is_none());
    }
}
