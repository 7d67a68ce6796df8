//! [`ComplexityFit`]: how an endpoint's time grows with a size parameter, measured from
//! the outside by `perfhound complexity` (time = a·n^k fitted on a log–log scale).
//!
//! The run file keeps the measured points (the median per size and how many samples it
//! came from) next to the fit, so a report can plot them and a reader can refit them.

use serde::{Deserialize, Serialize};

/// One size of the series: `n` and the median time of its samples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComplexityPoint {
    pub n: u64,
    /// Median time of the samples at this size, in microseconds.
    pub median_us: u64,
    /// Successful samples the median is taken over.
    pub samples: u64,
}

/// The fit of time = a·n^k for one request template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComplexityFit {
    /// The request with the size parameter as `{n}`, e.g. `GET /api/similar?items={n}`.
    pub target: String,
    /// The template variable that was varied (`n`).
    pub parameter: String,
    /// The fitted exponent k (Theil–Sen slope of ln time over ln n).
    pub exponent: f64,
    /// The 95 % confidence interval of k (bootstrap over the samples of each size).
    pub exponent_low: f64,
    pub exponent_high: f64,
    /// The fitted coefficient a, in microseconds (time at n = 1 on the fitted line).
    pub coefficient_us: f64,
    /// `constant`, `sublinear`, `linear`, `n log n`, `quadratic`, `cubic` or `polynomial`.
    pub class: String,
    pub points: Vec<ComplexityPoint>,
}

impl ComplexityFit {
    /// `GET /x?n={n}: time grows as n^2.0 (95 % CI 1.9–2.1): quadratic`.
    pub fn headline(&self) -> String {
        format!(
            "{}: time grows as n^{} (95 % CI {}–{}): {}",
            self.target,
            one_decimal(self.exponent),
            one_decimal(self.exponent_low),
            one_decimal(self.exponent_high),
            self.class
        )
    }
}

/// `2.0`, `-0.1`; never `-0.0`.
fn one_decimal(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    format!("{:.1}", if r == 0.0 { 0.0 } else { r })
}

#[cfg(test)]
mod tests {
    #[test]
    fn exponents_read_without_a_negative_zero() {
        assert_eq!(super::one_decimal(-0.04), "0.0");
        assert_eq!(super::one_decimal(-0.06), "-0.1");
        assert_eq!(super::one_decimal(1.96), "2.0");
    }
}
