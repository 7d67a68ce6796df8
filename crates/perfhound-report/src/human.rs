//! Numbers and names as people read them in reports: `1.2s`, `0.35%`, `28.5 kB`, `endpoint`.
//!
//! The numbers come from `perfhound-term`'s formatters, the same ones every terminal
//! summary uses, so a report and the command that produced its run print a value alike.

use perfhound_model::TargetKind;
pub use perfhound_term::human::{bytes, duration_us, limit, metric_value, pct, rate};

pub fn kind_name(kind: TargetKind) -> &'static str {
    kind.as_str()
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

/// `high` / `medium` / `low`.
pub fn confidence(c: perfhound_model::Confidence) -> &'static str {
    match c {
        perfhound_model::Confidence::High => "high",
        perfhound_model::Confidence::Medium => "medium",
        perfhound_model::Confidence::Low => "low",
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
    }
}
