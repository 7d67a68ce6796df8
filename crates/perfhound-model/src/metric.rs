//! [`Metric`]: the names thresholds and budgets judge, with their units.
//!
//! Values are normalized so one comparison works for every source: latencies and web
//! timings in microseconds, rates as fractions (`0.1%` → `0.001`), throughput in 1/s,
//! sizes in bytes, counts and scores as plain numbers.

use crate::extra::Extra;
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
    /// Mean response size in bytes (`bytes_in / requests`).
    ResponseSize,
    /// Total bytes received (`bytes_in`); summed over targets when a budget combines them.
    TransferSize,
    /// Number of targets a budget line matched (Lighthouse `resourceCounts`).
    Count,
    /// Findings of severity critical / warning / info about the matched targets.
    CriticalFindings,
    WarningFindings,
    InfoFindings,
    /// Cache hits / lookups (fraction), from `Measurements::extra` ([`Extra::CacheHitRatio`]).
    CacheHitRatio,
    /// Web timings (Lighthouse audit ids), from `Measurements::extra` in milliseconds.
    FirstContentfulPaint,
    LargestContentfulPaint,
    FirstMeaningfulPaint,
    Interactive,
    SpeedIndex,
    TotalBlockingTime,
    MaxPotentialFid,
    /// Cumulative layout shift (unitless), from `Measurements::extra`.
    CumulativeLayoutShift,
    /// Lighthouse performance score 0–100, from `Measurements::extra`.
    PerformanceScore,
}

/// What kind of number a metric is; decides which units are accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    Latency,
    Fraction,
    Rate,
    Count,
    Size,
}

impl Metric {
    pub const ALL: [Metric; 30] = [
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
        Metric::ResponseSize,
        Metric::TransferSize,
        Metric::Count,
        Metric::CriticalFindings,
        Metric::WarningFindings,
        Metric::InfoFindings,
        Metric::CacheHitRatio,
        Metric::FirstContentfulPaint,
        Metric::LargestContentfulPaint,
        Metric::FirstMeaningfulPaint,
        Metric::Interactive,
        Metric::SpeedIndex,
        Metric::TotalBlockingTime,
        Metric::MaxPotentialFid,
        Metric::CumulativeLayoutShift,
        Metric::PerformanceScore,
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
            Metric::ResponseSize => "response_size",
            Metric::TransferSize => "transfer_size",
            Metric::Count => "count",
            Metric::CriticalFindings => "critical_findings",
            Metric::WarningFindings => "warning_findings",
            Metric::InfoFindings => "info_findings",
            Metric::CacheHitRatio => "cache_hit_ratio",
            Metric::FirstContentfulPaint => "first_contentful_paint",
            Metric::LargestContentfulPaint => "largest_contentful_paint",
            Metric::FirstMeaningfulPaint => "first_meaningful_paint",
            Metric::Interactive => "interactive",
            Metric::SpeedIndex => "speed_index",
            Metric::TotalBlockingTime => "total_blocking_time",
            Metric::MaxPotentialFid => "max_potential_fid",
            Metric::CumulativeLayoutShift => "cumulative_layout_shift",
            Metric::PerformanceScore => "performance_score",
        }
    }

    pub fn kind(self) -> MetricKind {
        use Metric as M;
        match self {
            M::ErrorRate | M::CheckFailRate | M::DroppedRate | M::CacheHitRatio => MetricKind::Fraction,
            M::Rps => MetricKind::Rate,
            M::Requests | M::Count | M::CriticalFindings | M::WarningFindings | M::InfoFindings => MetricKind::Count,
            M::CumulativeLayoutShift | M::PerformanceScore => MetricKind::Count,
            M::ResponseSize | M::TransferSize => MetricKind::Size,
            _ => MetricKind::Latency,
        }
    }

    /// True when a larger value is better (throughput, hit ratios, scores): budgets must
    /// then spell the operator out (`rps: ">= 100"`), since a bare limit would be ambiguous.
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::Rps | Metric::Requests | Metric::CacheHitRatio | Metric::PerformanceScore)
    }

    /// The [`Extra`] a metric is read from, for metrics that engines report in
    /// [`crate::Measurements::extra`] (web timings in milliseconds, ratios, scores).
    pub fn extra_key(self) -> Option<Extra> {
        Some(match self {
            Metric::CacheHitRatio => Extra::CacheHitRatio,
            Metric::FirstContentfulPaint => Extra::FirstContentfulPaintMs,
            Metric::LargestContentfulPaint => Extra::LargestContentfulPaintMs,
            Metric::FirstMeaningfulPaint => Extra::FirstMeaningfulPaintMs,
            Metric::Interactive => Extra::InteractiveMs,
            Metric::SpeedIndex => Extra::SpeedIndexMs,
            Metric::TotalBlockingTime => Extra::TotalBlockingTimeMs,
            Metric::MaxPotentialFid => Extra::MaxPotentialFidMs,
            Metric::CumulativeLayoutShift => Extra::CumulativeLayoutShift,
            Metric::PerformanceScore => Extra::PerformanceScore,
            _ => return None,
        })
    }

    /// Parses a metric name or one of its aliases (`avg`, `p(95)`, `throughput`, `fcp`…).
    pub fn parse(name: &str) -> Option<Metric> {
        let name = name.trim().to_ascii_lowercase().replace('-', "_");
        let alias = match name.as_str() {
            "avg" | "average" => "mean",
            "median" | "med" | "p(50)" => "p50",
            "p999" | "p99_9" | "p(99.9)" => "p99.9",
            "p(90)" => "p90",
            "p(95)" => "p95",
            "p(99)" => "p99",
            "p(75)" => "p75",
            "throughput" | "rate" | "reqs" => "rps",
            "errors" | "error_rate" | "http_req_failed" => "error_rate",
            "size" | "body_size" => "response_size",
            "total_size" | "bytes_in" => "transfer_size",
            "fcp" => "first_contentful_paint",
            "lcp" => "largest_contentful_paint",
            "fmp" => "first_meaningful_paint",
            "tti" | "time_to_interactive" => "interactive",
            "tbt" => "total_blocking_time",
            "fid" => "max_potential_fid",
            "cls" => "cumulative_layout_shift",
            "lighthouse_score" | "score" => "performance_score",
            "cache_hit_rate" | "hit_ratio" => "cache_hit_ratio",
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

/// Parses a value with an optional unit for a metric kind.
pub fn parse_value(kind: MetricKind, text: &str) -> Result<f64, String> {
    if kind == MetricKind::Latency {
        // The one duration grammar; a bare number is milliseconds, as in k6.
        let d = crate::duration::parse(text, crate::duration::Bare::Millis)?;
        return Ok(d.as_nanos() as f64 / 1000.0);
    }
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.replace('_', "").parse().map_err(|_| format!("`{text}` does not start with a number"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let scaled = match (kind, unit.as_str()) {
        (MetricKind::Fraction, "%") => number / 100.0,
        (MetricKind::Fraction, "") => number,
        (MetricKind::Rate, "" | "/s" | "rps") => number,
        (MetricKind::Count, "") => number,
        (MetricKind::Size, u) => {
            number * size_unit(u).ok_or_else(|| format!("unknown size unit `{u}` (use B, KB, KiB, MB or MiB)"))?
        }
        (MetricKind::Fraction, u) => return Err(format!("unknown unit `{u}` (use % or a fraction like 0.001)")),
        (_, u) => return Err(format!("unexpected unit `{u}`")),
    };
    if !scaled.is_finite() {
        return Err(format!("`{text}` is not a finite number"));
    }
    Ok(scaled)
}

/// Bytes per unit: decimal `KB`/`MB`/`GB` (1000), binary `KiB`/`MiB`/`GiB` (1024).
fn size_unit(unit: &str) -> Option<f64> {
    Some(match unit {
        "" | "b" | "bytes" => 1.0,
        "kb" => 1e3,
        "kib" => 1024.0,
        "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    })
}

/// Formats a normalized value back with a unit.
pub fn format_value(kind: MetricKind, value: f64) -> String {
    match kind {
        MetricKind::Latency => format_duration_us(value),
        MetricKind::Fraction => format!("{}%", trim_float(value * 100.0)),
        MetricKind::Rate => format!("{}/s", trim_float(value)),
        MetricKind::Count => trim_float(value),
        MetricKind::Size => format_bytes(value),
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

/// `1500` → `1.5KB`, `2_000_000` → `2MB` (decimal units).
pub fn format_bytes(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{}GB", trim_float(bytes / 1e9))
    } else if bytes >= 1e6 {
        format!("{}MB", trim_float(bytes / 1e6))
    } else if bytes >= 1e3 {
        format!("{}KB", trim_float(bytes / 1e3))
    } else {
        format!("{}B", trim_float(bytes))
    }
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_parses_back_from_its_name() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m), "{m}");
        }
        assert_eq!(Metric::parse("LCP"), Some(Metric::LargestContentfulPaint));
        assert_eq!(Metric::parse("first-contentful-paint"), Some(Metric::FirstContentfulPaint));
    }

    #[test]
    fn sizes_use_decimal_and_binary_units() {
        assert_eq!(parse_value(MetricKind::Size, "500KB"), Ok(500_000.0));
        assert_eq!(parse_value(MetricKind::Size, "1 KiB"), Ok(1024.0));
        assert!(parse_value(MetricKind::Size, "3 parsecs").unwrap_err().contains("size unit"));
        assert_eq!(format_value(MetricKind::Size, 1_500.0), "1.5KB");
    }
}
