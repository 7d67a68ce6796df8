//! The value of a [`Metric`] for one target's measurements, normalized like thresholds.

use perfhound_model::{Accounting, Measurements, Metric};

/// Latencies and web timings in µs, rates as fractions, sizes in bytes; `None` when the
/// measurements do not contain the metric (no latency recorded, no such extra value).
pub fn metric_value(metric: Metric, m: &Measurements, acc: Option<&Accounting>) -> Option<f64> {
    let lat = m.latency.as_ref().filter(|h| !h.is_empty());
    let q = |p: f64| lat.map(|h| h.quantile_us(p) as f64);
    let value = match metric {
        Metric::Min => lat?.min_us() as f64,
        Metric::Mean => lat?.mean_us(),
        Metric::P50 => q(0.5)?,
        Metric::P75 => q(0.75)?,
        Metric::P90 => q(0.9)?,
        Metric::P95 => q(0.95)?,
        Metric::P99 => q(0.99)?,
        Metric::P999 => q(0.999)?,
        Metric::Max => lat?.max_us() as f64,
        Metric::ErrorRate => m.error_rate(),
        Metric::Rps => m.rps,
        Metric::Requests => m.requests as f64,
        Metric::CheckFailRate => m.check_fail_rate(),
        Metric::DroppedRate => dropped_rate(acc?),
        Metric::ResponseSize => (m.requests > 0).then(|| m.bytes_in as f64 / m.requests as f64)?,
        Metric::TransferSize => m.bytes_in as f64,
        Metric::Count => 1.0,
        Metric::CriticalFindings | Metric::WarningFindings | Metric::InfoFindings => return None,
        other => extra_value(other, m)?,
    };
    Some(value)
}

fn dropped_rate(a: &Accounting) -> f64 {
    if a.iterations_scheduled == 0 {
        0.0
    } else {
        a.iterations_dropped as f64 / a.iterations_scheduled as f64
    }
}

/// Metrics engines report in `extra`: web timings in ms (→ µs), ratios and scores as is.
fn extra_value(metric: Metric, m: &Measurements) -> Option<f64> {
    let raw = m.extra.get(metric.extra_key()?)?;
    let scaled = match metric {
        Metric::CacheHitRatio | Metric::CumulativeLayoutShift | Metric::PerformanceScore => raw,
        _ => raw * 1_000.0,
    };
    scaled.is_finite().then_some(scaled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfhound_model::Extra;

    #[test]
    fn extras_and_sizes() {
        let mut m = Measurements { requests: 4, bytes_in: 4000, ..Default::default() };
        m.extra.insert(Extra::FirstContentfulPaintMs, 1500.0);
        m.extra.insert(Extra::CacheHitRatio, 0.45);
        assert_eq!(metric_value(Metric::FirstContentfulPaint, &m, None), Some(1_500_000.0));
        assert_eq!(metric_value(Metric::CacheHitRatio, &m, None), Some(0.45));
        assert_eq!(metric_value(Metric::ResponseSize, &m, None), Some(1000.0));
        assert_eq!(metric_value(Metric::P95, &m, None), None);
        assert_eq!(metric_value(Metric::Interactive, &m, None), None);
    }
}
