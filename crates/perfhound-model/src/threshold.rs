//! Threshold expressions (`p95 < 300ms`, `error_rate < 0.1%`, `rps > 100`) and their results.
//!
//! The same grammar serves load-test thresholds and `check` budgets, so it lives in the
//! model: `METRIC OP VALUE[UNIT]`. Latencies are normalized to microseconds, rates to a
//! fraction (`0.1%` → `0.001`), throughput to requests per second.

pub use crate::metric::{format_bytes, format_duration_us, format_value, parse_value, Metric, MetricKind};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The comparison a threshold requires to pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
}

impl Comparison {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Lt => "<",
            Comparison::Le => "<=",
            Comparison::Gt => ">",
            Comparison::Ge => ">=",
        }
    }

    pub fn holds(self, actual: f64, limit: f64) -> bool {
        match self {
            Comparison::Lt => actual < limit,
            Comparison::Le => actual <= limit,
            Comparison::Gt => actual > limit,
            Comparison::Ge => actual >= limit,
        }
    }
}

/// A parsed `METRIC OP VALUE` expression.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub metric: Metric,
    pub comparison: Comparison,
    /// Normalized limit: µs for latencies, fraction for rates, 1/s for rps.
    pub limit: f64,
}

/// Why an expression did not parse; the message says what is expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThresholdParseError(pub String);

impl fmt::Display for ThresholdParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ThresholdParseError {}

const EXPECTED: &str = "expected `METRIC OP VALUE`, e.g. `p95 < 300ms`, `error_rate < 0.1%` or \
     `rps > 100`; metrics: min, mean, p50, p75, p90, p95, p99, p99.9, max, error_rate, rps, \
     requests, check_fail_rate, dropped_rate, response_size, transfer_size, count, \
     critical_findings, warning_findings, info_findings, cache_hit_ratio, first_contentful_paint, \
     largest_contentful_paint, interactive, total_blocking_time, cumulative_layout_shift, performance_score";

impl Threshold {
    /// Parses `p95 < 300ms`, `error_rate<=1%`, `rps >= 100`, `max < 2s`.
    pub fn parse(text: &str) -> Result<Threshold, ThresholdParseError> {
        let (metric_text, comparison, value_text) = split_operator(text)
            .ok_or_else(|| ThresholdParseError(format!("no comparison operator in `{text}`: {EXPECTED}")))?;
        let metric = Metric::parse(metric_text).ok_or_else(|| {
            ThresholdParseError(format!("unknown metric `{}` in `{text}`: {EXPECTED}", metric_text.trim()))
        })?;
        let limit = parse_value(metric.kind(), value_text.trim())
            .map_err(|why| ThresholdParseError(format!("bad value in `{text}`: {why}")))?;
        Ok(Threshold { metric, comparison, limit })
    }

    /// The canonical text form, e.g. `p95 < 300ms`.
    pub fn describe(&self) -> String {
        format!("{} {} {}", self.metric, self.comparison.as_str(), format_value(self.metric.kind(), self.limit))
    }

    pub fn evaluate(&self, actual: f64) -> bool {
        self.comparison.holds(actual, self.limit)
    }
}

fn split_operator(text: &str) -> Option<(&str, Comparison, &str)> {
    for (token, cmp) in [("<=", Comparison::Le), (">=", Comparison::Ge), ("<", Comparison::Lt), (">", Comparison::Gt)] {
        if let Some(pos) = text.find(token) {
            return Some((&text[..pos], cmp, &text[pos + token.len()..]));
        }
    }
    None
}

/// The outcome of one threshold or budget line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BudgetResult {
    /// The expression as the user wrote it, e.g. `products: p99 < 800ms`.
    pub expression: String,
    /// Target name or pattern it applied to (`*` for the whole run).
    pub target: String,
    pub metric: Metric,
    pub comparison: Comparison,
    pub limit: f64,
    /// The measured value, normalized like `limit`; `None` when nothing was measured.
    pub actual: Option<f64>,
    pub passed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, metric: Metric, cmp: Comparison, limit: f64) {
        let t = Threshold::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!((t.metric, t.comparison), (metric, cmp), "{text}");
        assert!((t.limit - limit).abs() < 1e-9, "{text}: {} != {limit}", t.limit);
    }

    #[test]
    fn parses_the_documented_forms() {
        check("p95 < 300ms", Metric::P95, Comparison::Lt, 300_000.0);
        check("p99<=2s", Metric::P99, Comparison::Le, 2_000_000.0);
        check("error_rate < 0.1%", Metric::ErrorRate, Comparison::Lt, 0.001);
        check("rps > 100", Metric::Rps, Comparison::Gt, 100.0);
        check("p99.9 < 1500us", Metric::P999, Comparison::Lt, 1500.0);
        check("avg < 20", Metric::Mean, Comparison::Lt, 20_000.0);
        check("p(95) < 200", Metric::P95, Comparison::Lt, 200_000.0);
    }

    #[test]
    fn rejects_with_a_reason() {
        assert!(Threshold::parse("p95 300ms").unwrap_err().0.contains("operator"));
        assert!(Threshold::parse("p42 < 3ms").unwrap_err().0.contains("unknown metric"));
        assert!(Threshold::parse("p95 < 3 parsecs").unwrap_err().0.contains("unit"));
        assert!(Threshold::parse("p95 < fast").unwrap_err().0.contains("number"));
    }

    #[test]
    fn describes_canonically() {
        assert_eq!(Threshold::parse("p95<0.3s").unwrap().describe(), "p95 < 300ms");
        assert_eq!(Threshold::parse("error_rate < 0.1%").unwrap().describe(), "error_rate < 0.1%");
    }
}
