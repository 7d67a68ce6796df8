//! Numbers and names as people read them in reports: `1.2s`, `0.35%`, `28.5 KB`, `endpoint`.

use perfhound_model::threshold::{format_duration_us, format_value};
use perfhound_model::{Comparison, Metric, TargetKind};

pub fn kind_name(kind: TargetKind) -> &'static str {
    kind.as_str()
}

/// A duration in µs with a unit and 3 significant digits: `1.62ms`, `4.5ms`, `312ms`.
pub fn duration_us(us: f64) -> String {
    let unit = if us >= 1_000_000.0 {
        1_000_000.0
    } else if us >= 1_000.0 {
        1_000.0
    } else {
        1.0
    };
    let scaled = us / unit;
    let decimals = if scaled >= 100.0 {
        0
    } else if scaled >= 10.0 {
        1
    } else {
        2
    };
    let factor = 10f64.powi(decimals);
    format_duration_us((scaled * factor).round() / factor * unit)
}

/// A fraction as a percentage: `0.0035` → `0.35%`.
pub fn pct(fraction: f64) -> String {
    let p = fraction * 100.0;
    if p == 0.0 {
        "0%".into()
    } else if p.abs() < 0.01 {
        format!("{p:.3}%")
    } else if p.abs() < 10.0 {
        format!("{}%", trim(format!("{p:.2}")))
    } else {
        format!("{p:.0}%")
    }
}

/// A signed relative change: `+12%`, `−35%`.
pub fn change_pct(fraction: f64) -> String {
    let text = pct(fraction.abs());
    if fraction > 0.0 {
        format!("+{text}")
    } else if fraction < 0.0 {
        format!("\u{2212}{text}")
    } else {
        text
    }
}

/// Bytes with 3 significant digits: `28.5 KB`, `12.6 MB`.
pub fn bytes(n: f64) -> String {
    let (unit, name) = [(1e9, "GB"), (1e6, "MB"), (1e3, "KB")].into_iter().find(|(u, _)| n >= *u).unwrap_or((1.0, "B"));
    let scaled = n / unit;
    let decimals = if scaled >= 100.0 || unit == 1.0 {
        0
    } else if scaled >= 10.0 {
        1
    } else {
        2
    };
    let text = trim(format!("{scaled:.decimals$}"));
    format!("{text} {name}")
}

/// `high` / `medium` / `low`.
pub fn confidence(c: perfhound_model::Confidence) -> &'static str {
    match c {
        perfhound_model::Confidence::High => "high",
        perfhound_model::Confidence::Medium => "medium",
        perfhound_model::Confidence::Low => "low",
    }
}

/// Requests per second: `50.3/s`.
pub fn rate(rps: f64) -> String {
    if rps >= 100.0 {
        format!("{rps:.0}/s")
    } else {
        format!("{}/s", trim(format!("{rps:.1}")))
    }
}

/// A metric value with its unit; `—` when absent.
pub fn metric_value(metric: Metric, value: Option<f64>) -> String {
    match value {
        None => "\u{2014}".into(),
        Some(v) if metric.kind() == perfhound_model::MetricKind::Latency => duration_us(v),
        Some(v) if metric.kind() == perfhound_model::MetricKind::Size => bytes(v),
        Some(v) => format_value(metric.kind(), (v * 1000.0).round() / 1000.0),
    }
}

/// A limit with its operator: `<= 300ms`.
pub fn limit(metric: Metric, comparison: Comparison, limit: f64) -> String {
    let value = match metric.kind() {
        perfhound_model::MetricKind::Size => bytes(limit),
        kind => format_value(kind, limit),
    };
    format!("{} {value}", comparison.as_str())
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(pct(0.0035), "0.35%");
        assert_eq!(pct(0.5), "50%");
        assert_eq!(change_pct(-0.35), "\u{2212}35%");
        assert_eq!(duration_us(1620.0), "1.62ms");
        assert_eq!(duration_us(4495.0), "4.5ms");
        assert_eq!(duration_us(312_400.0), "312ms");
        assert_eq!(rate(50.3), "50.3/s");
        assert_eq!(bytes(12_585_642.0), "12.6 MB");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(metric_value(Metric::P95, None), "\u{2014}");
        assert_eq!(limit(Metric::P95, Comparison::Le, 300_000.0), "<= 300ms");
    }
}
