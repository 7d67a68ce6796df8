//! `PH-CPLX001 superlinear-time-growth`
//!
//! **What it detects**: a request whose time grows faster than its input: measured by
//! `perfhound complexity` over a geometric series of sizes n, the fitted exponent k of
//! time = a·n^k is above linear with 95 % confidence (the bootstrap interval's low end is
//! above 1.15). Typically a nested loop over the input (seed 002's `find_similar_products`
//! compares every product with every other: O(n²)), a list searched inside a loop, or a
//! query per item.
//!
//! **Why it matters**: a test with 100 items hides it; production has 10 000. Doubling the
//! data quadruples a quadratic request's time, so it is fine in the demo and a timeout a
//! year later, and no server, index or cache size fixes the shape of the curve.
//!
//! **Example**: `GET /api/similar?items={n}: time grows as n^2.0 (95 % CI 1.9–2.1):
//! quadratic`, 4 ms at n = 100 and 1 s at n = 1600.
//!
//! **Fix**: profile the request at the largest size (`audit.profile`, py-spy, `perf`) and
//! replace the hot loop: a dict/set or an index instead of a list scan, sorting once instead
//! of comparing all pairs, a database join instead of a query per item, or bound n (paging).
//!
//! **Thresholds**: reported when the interval's low end is above 1.15, the top of the band
//! a linear request fits in (k < 1.15; `n log n` fits as 1.1–1.3 over a 16× range).
//! Info for `n log n` (k < 1.5: often the best possible, e.g. sorting), warning from
//! quadratic, critical when the low end is at least 1.5 and the largest size already takes
//! 500 ms (half of the second a user waits without losing the flow). The estimated saving
//! is the time at the largest size above what linear growth from the smallest size gives.

use super::fit;
use perfhound_model::{ComplexityFit, Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-CPLX001",
    name: "superlinear-time-growth",
    severity: Severity::Warning,
    summary: "A request's time grows faster than linearly with a size parameter (fitted time = a·n^k, k above 1 with 95 % confidence).",
    why: "Small test data hides it: doubling the input quadruples a quadratic request, so it turns into timeouts as data grows, and no hardware fixes the curve.",
    fix: "Profile the request at the largest size and replace the hot loop: a dict/set or index instead of a list scan, sort once instead of comparing all pairs, a join instead of a query per item, or page the input.",
};

/// The low end of k's interval above which growth is superlinear.
pub const SUPERLINEAR_LOW: f64 = 1.15;
/// Below this exponent, growth is `n log n`-like: info.
const QUADRATIC_FROM: f64 = 1.5;
/// Critical when the largest size already takes this long.
const CRITICAL_US: u64 = 500_000;

/// The finding for a fit, when its growth is superlinear.
pub fn finding(f: &ComplexityFit) -> Option<Finding> {
    if f.exponent_low <= SUPERLINEAR_LOW {
        return None;
    }
    let (first, last) = (f.points.first()?, f.points.last()?);
    let mut out = Finding::new(&RULE, &f.target, f.headline());
    out.severity = severity(f, last.median_us);
    let linear = first.median_us as f64 * last.n as f64 / first.n.max(1) as f64;
    out.impact.time_saved_per_request_us = Some((last.median_us as f64 - linear).max(0.0) as u64);
    for p in &f.points {
        out.evidence.durations_us.insert(format!("median at {}={}", f.parameter, p.n), p.median_us);
    }
    out.evidence.counts.insert("sizes".into(), f.points.len() as u64);
    out.evidence.counts.insert("samples".into(), f.points.iter().map(|p| p.samples).sum());
    let ten = last.n.saturating_mul(10);
    out.evidence.notes.push(format!(
        "fit: time ≈ {:.3} µs · n^{:.2} (Theil–Sen slope on log–log, 95 % interval by bootstrap over the samples of each size); at {}={ten} the curve gives {:.0} ms",
        f.coefficient_us,
        f.exponent,
        f.parameter,
        f.coefficient_us * (ten as f64).powf(f.exponent) / 1000.0
    ));
    out.recommendation.effort = Some(Effort::MediumTerm);
    Some(out)
}

fn severity(f: &ComplexityFit, largest_us: u64) -> Severity {
    if f.exponent < QUADRATIC_FROM {
        Severity::Info
    } else if f.exponent_low >= QUADRATIC_FROM && largest_us >= CRITICAL_US {
        Severity::Critical
    } else {
        Severity::Warning
    }
}

/// A fit in the model's terms from measured sizes and samples (µs).
pub fn to_fit(target: &str, parameter: &str, sizes: &[u64], samples: &[Vec<f64>]) -> Option<ComplexityFit> {
    let fitted = fit::fit(sizes, samples)?;
    let points = sizes
        .iter()
        .zip(samples)
        .map(|(n, s)| perfhound_model::ComplexityPoint {
            n: *n,
            median_us: fit::median(s.clone()).round() as u64,
            samples: s.len() as u64,
        })
        .collect();
    Some(ComplexityFit {
        target: target.to_string(),
        parameter: parameter.to_string(),
        exponent: round2(fitted.k),
        exponent_low: round2(fitted.k_low),
        exponent_high: round2(fitted.k_high),
        coefficient_us: fitted.a,
        class: fit::class(fitted.k).to_string(),
        points,
    })
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quadratic(ms_at_1600: f64) -> ComplexityFit {
        let sizes = [100u64, 200, 400, 800, 1600];
        let samples: Vec<Vec<f64>> =
            sizes.iter().map(|n| vec![ms_at_1600 * 1000.0 * (*n as f64 / 1600.0).powi(2); 5]).collect();
        to_fit("GET /api/similar?items={n}", "n", &sizes, &samples).unwrap()
    }

    #[test]
    fn quadratic_growth_is_reported_with_its_curve() {
        let f = finding(&quadratic(200.0)).unwrap();
        assert_eq!(f.title, "GET /api/similar?items={n}: time grows as n^2.0 (95 % CI 2.0–2.0): quadratic");
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.evidence.durations_us["median at n=1600"], 200_000);
        // Linear from 100 → 1600 would be 16 × 0.781 ms = 12.496 ms.
        assert_eq!(f.impact.time_saved_per_request_us, Some(187_504));
        assert_eq!(finding(&quadratic(900.0)).unwrap().severity, Severity::Critical);
    }

    #[test]
    fn linear_growth_is_no_finding() {
        let mut f = quadratic(200.0);
        (f.exponent, f.exponent_low) = (1.02, 0.96);
        assert!(finding(&f).is_none());
    }
}
