//! Threshold expressions (`p95 < 300ms`, `error_rate < 0.1%`, `rps > 100`) and their results.
//!
//! The same grammar serves load-test thresholds and `check` budgets, so it lives in the
//! model: `METRIC OP VALUE[UNIT]`. Latencies are normalized to microseconds, rates to a
//! fraction (`0.1%` → `0.001`), throughput to requests per second.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a threshold is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Min,
    Mean,
    P50,
    P75,
    P90,
    P95,
    P99,
    P999,
    Max,
    /// Failed requests / sent requests (fraction).
    ErrorRate,
    /// Achieved requests per second.
    Rps,
    /// Number of requests sent.
    Requests,
    /// Failed checks / evaluated checks (fraction).
    CheckFailRate,
    /// Dropped iterations / scheduled iterations (fraction).
    DroppedRate,
}

/// What kind of number a metric is; decides which units are accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    Latency,
    Fraction,
    Rate,
    Count,
}

impl Metric {
    pub const ALL: [Metric; 14] = [
        Metric::Min,
        Metric::Mean,
        Metric::P50,
        Metric::P75,
        Metric::P90,
        Metric::P95,
        Metric::P99,
        Metric::P999,
        Metric::Max,
        Metric::ErrorRate,
        Metric::Rps,
        Metric::Requests,
        Metric::CheckFailRate,
        Metric::DroppedRate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Min => "min",
            Metric::Mean => "mean",
            Metric::P50 => "p50",
            Metric::P75 => "p75",
            Metric::P90 => "p90",
            Metric::P95 => "p95",
            Metric::P99 => "p99",
            Metric::P999 => "p99.9",
            Metric::Max => "max",
            Metric::ErrorRate => "error_rate",
            Metric::Rps => "rps",
            Metric::Requests => "requests",
            Metric::CheckFailRate => "check_fail_rate",
            Metric::DroppedRate => "dropped_rate",
        }
    }

    pub fn kind(self) -> MetricKind {
        match self {
            Metric::ErrorRate | Metric::CheckFailRate | Metric::DroppedRate => MetricKind::Fraction,
            Metric::Rps => MetricKind::Rate,
            Metric::Requests => MetricKind::Count,
            _ => MetricKind::Latency,
        }
    }

    fn parse(name: &str) -> Option<Metric> {
        let name = name.trim().to_ascii_lowercase();
        let alias = match name.as_str() {
            "avg" | "average" => "mean",
            "median" | "med" => "p50",
            "p999" | "p99_9" => "p99.9",
            "p(50)" => "p50",
            "p(90)" => "p90",
            "p(95)" => "p95",
            "p(99)" => "p99",
            "p(75)" => "p75",
            "p(99.9)" => "p99.9",
            "throughput" | "rate" | "reqs" => "rps",
            "errors" | "error-rate" | "http_req_failed" => "error_rate",
            other => other,
        };
        Metric::ALL.into_iter().find(|m| m.as_str() == alias)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
     requests, check_fail_rate, dropped_rate";

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

/// Parses a value with an optional unit for a metric kind.
pub fn parse_value(kind: MetricKind, text: &str) -> Result<f64, String> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.replace('_', "").parse().map_err(|_| format!("`{text}` does not start with a number"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let scaled = match (kind, unit.as_str()) {
        (MetricKind::Latency, "us" | "µs") => number,
        (MetricKind::Latency, "ms" | "") => number * 1_000.0,
        (MetricKind::Latency, "s") => number * 1_000_000.0,
        (MetricKind::Latency, "m" | "min") => number * 60_000_000.0,
        (MetricKind::Fraction, "%") => number / 100.0,
        (MetricKind::Fraction, "") => number,
        (MetricKind::Rate, "" | "/s" | "rps") => number,
        (MetricKind::Count, "") => number,
        (MetricKind::Latency, u) => return Err(format!("unknown time unit `{u}` (use us, ms, s or m)")),
        (MetricKind::Fraction, u) => return Err(format!("unknown unit `{u}` (use % or a fraction like 0.001)")),
        (_, u) => return Err(format!("unexpected unit `{u}`")),
    };
    if !scaled.is_finite() {
        return Err(format!("`{text}` is not a finite number"));
    }
    Ok(scaled)
}

/// Formats a normalized value back with a unit.
pub fn format_value(kind: MetricKind, value: f64) -> String {
    match kind {
        MetricKind::Latency => format_duration_us(value),
        MetricKind::Fraction => format!("{}%", trim_float(value * 100.0)),
        MetricKind::Rate => format!("{}/s", trim_float(value)),
        MetricKind::Count => trim_float(value),
    }
}

/// `1500` → `1.5ms`, `2_000_000` → `2s`, `800` → `800us`.
pub fn format_duration_us(us: f64) -> String {
    if us >= 1_000_000.0 {
        format!("{}s", trim_float(us / 1_000_000.0))
    } else if us >= 1_000.0 {
        format!("{}ms", trim_float(us / 1_000.0))
    } else {
        format!("{}us", trim_float(us))
    }
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
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
