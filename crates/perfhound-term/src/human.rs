//! Numbers as people read them, the same in every command and report.
//!
//! The convention, in one place:
//!
//! - **Three significant digits**, trailing zeros dropped: `1.62ms`, `28.5 kB`, `312ms`.
//! - **Sizes are SI, powers of 1000**: `B`, `kB`, `MB`, `GB`, `TB`, with a space
//!   (`28.5 kB`). Why SI and not IEC (KiB): the peers users compare perfhound with print SI
//!   (k6's `data_received`, Chrome DevTools' transfer sizes), network rates are decimal,
//!   and perfhound's budget grammar reads `kB`/`KB` as 1000 — so a printed size pasted into
//!   a budget means exactly what was printed. (PostgreSQL's `pg_size_pretty` uses 1024:
//!   perfhound prints a 16,384-byte index as `16.4 kB` where psql says `16 kB`.)
//! - **Durations** without a space, in the units of perfhound's duration grammar: `us`,
//!   `ms`, `s`, then `min` and `h` past a minute and an hour (`850us`, `4.5s`, `2.5min`).
//! - **Rates** per second: `50.3/s`, `1234/s`. **Percentages** of a fraction: `0.35%`,
//!   `50%`. A value that is not a finite number prints as `—`.

use perfhound_model::threshold::format_value;
use perfhound_model::{Comparison, Metric, MetricKind};

/// Printed for a missing value or a value that is not a finite number.
pub const MISSING: &str = "\u{2014}";

/// Bytes, SI units with 3 significant digits: `512 B`, `1.5 kB`, `12.6 MB`.
pub fn bytes(n: f64) -> String {
    if !n.is_finite() {
        return MISSING.into();
    }
    let units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut scaled = n.abs();
    let mut unit = 0;
    while unit + 1 < units.len() && round_sig3(scaled) >= 1000.0 {
        scaled /= 1000.0;
        unit += 1;
    }
    let digits = if unit == 0 { format!("{:.0}", scaled) } else { sig3(scaled) };
    let sign = if n < 0.0 && digits != "0" { "-" } else { "" };
    format!("{sign}{digits} {}", units[unit])
}

/// A duration in microseconds, 3 significant digits: `850us`, `1.62ms`, `312ms`,
/// `4.5s`, `2.5min`, `1.2h`.
pub fn duration_us(us: f64) -> String {
    if !us.is_finite() {
        return MISSING.into();
    }
    // (unit name, size in the previous unit): the value moves up while it reaches it.
    const STEPS: [(&str, f64); 5] = [("us", 1.0), ("ms", 1000.0), ("s", 1000.0), ("min", 60.0), ("h", 60.0)];
    let mut scaled = us.abs();
    let mut unit = 0;
    while unit + 1 < STEPS.len() && round_sig3(scaled) >= STEPS[unit + 1].1 {
        unit += 1;
        scaled /= STEPS[unit].1;
    }
    let sign = if us < 0.0 && round_sig3(scaled) != 0.0 { "-" } else { "" };
    format!("{sign}{}{}", sig3(scaled), STEPS[unit].0)
}

/// A duration in milliseconds; see [`duration_us`].
pub fn duration_ms(ms: f64) -> String {
    duration_us(ms * 1000.0)
}

/// A duration in seconds; see [`duration_us`].
pub fn duration_s(s: f64) -> String {
    duration_us(s * 1e6)
}

/// Per second: `50.3/s` below 100, whole numbers above (`1234/s`).
pub fn rate(per_s: f64) -> String {
    if !per_s.is_finite() {
        MISSING.into()
    } else if per_s.abs() >= 100.0 {
        format!("{per_s:.0}/s")
    } else {
        format!("{}/s", trim(format!("{per_s:.1}")))
    }
}

/// A fraction as a percentage: `0.0035` → `0.35%`, `0.5` → `50%`, `0.00001` → `0.001%`.
pub fn pct(fraction: f64) -> String {
    let p = fraction * 100.0;
    if !p.is_finite() {
        MISSING.into()
    } else if p == 0.0 {
        "0%".into()
    } else if p.abs() < 0.01 {
        format!("{p:.3}%")
    } else if p.abs() < 10.0 {
        format!("{}%", trim(format!("{p:.2}")))
    } else {
        format!("{p:.0}%")
    }
}

/// A metric value with its unit (durations, sizes, rates, percentages as above); `—`
/// when absent.
pub fn metric_value(metric: Metric, value: Option<f64>) -> String {
    match value {
        None => MISSING.into(),
        Some(v) => kind_value(metric.kind(), v),
    }
}

/// A limit with its operator: `<= 300ms`, `< 500 kB`.
pub fn limit(metric: Metric, comparison: Comparison, limit: f64) -> String {
    format!("{} {}", comparison.as_str(), kind_value(metric.kind(), limit))
}

fn kind_value(kind: MetricKind, v: f64) -> String {
    match kind {
        MetricKind::Latency => duration_us(v),
        MetricKind::Size => bytes(v),
        MetricKind::Rate => rate(v),
        MetricKind::Fraction => pct(v),
        MetricKind::Count => format_value(kind, (v * 1000.0).round() / 1000.0),
    }
}

/// `v` rounded to 3 significant digits.
fn round_sig3(v: f64) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    let decimals = 2 - v.abs().log10().floor() as i32;
    let factor = 10f64.powi(decimals);
    (v * factor).round() / factor
}

/// `v` (≥ 0) with 3 significant digits and no trailing zeros: `1.5`, `28.5`, `312`, `0.05`.
fn sig3(v: f64) -> String {
    let r = round_sig3(v);
    let decimals = if r == 0.0 { 0 } else { (2 - r.log10().floor() as i32).clamp(0, 6) as usize };
    trim(format!("{r:.decimals$}"))
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
    fn sizes() {
        let cases = [
            (0.0, "0 B"),
            (512.0, "512 B"),
            (999.4, "999 B"),
            (999.6, "1 kB"),
            (1_000.0, "1 kB"),
            (1_024.0, "1.02 kB"),
            (1_500.0, "1.5 kB"),
            (28_480.0, "28.5 kB"),
            (999_999.0, "1 MB"),
            (12_585_642.0, "12.6 MB"),
            (3.2e9, "3.2 GB"),
            (-2_048.0, "-2.05 kB"),
            (f64::NAN, MISSING),
        ];
        for (n, want) in cases {
            assert_eq!(bytes(n), want, "{n}");
        }
    }

    #[test]
    fn durations() {
        let cases = [
            (0.0, "0us"),
            (0.4, "0.4us"),
            (850.0, "850us"),
            (999.7, "1ms"),
            (1_620.0, "1.62ms"),
            (4_495.0, "4.5ms"),
            (312_400.0, "312ms"),
            (4_500_000.0, "4.5s"),
            (59_990_000.0, "1min"),
            (150_000_000.0, "2.5min"),
            (4_320_000_000.0, "1.2h"),
            (f64::INFINITY, MISSING),
        ];
        for (us, want) in cases {
            assert_eq!(duration_us(us), want, "{us}");
        }
        assert_eq!(duration_ms(12.5), "12.5ms");
        assert_eq!(duration_s(90.0), "1.5min");
    }

    #[test]
    fn rates_percentages_and_metrics() {
        assert_eq!(rate(50.34), "50.3/s");
        assert_eq!(rate(1234.4), "1234/s");
        assert_eq!(pct(0.0035), "0.35%");
        assert_eq!(pct(0.5), "50%");
        assert_eq!(pct(0.000_01), "0.001%");
        assert_eq!(metric_value(Metric::P95, None), MISSING);
        assert_eq!(metric_value(Metric::ResponseSize, Some(1500.0)), "1.5 kB");
        assert_eq!(metric_value(Metric::ErrorRate, Some(0.001)), "0.1%");
        assert_eq!(limit(Metric::P95, Comparison::Le, 300_000.0), "<= 300ms");
    }
}
