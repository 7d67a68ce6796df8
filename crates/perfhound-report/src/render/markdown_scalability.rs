//! The Markdown "Scalability" section: max throughput under the SLO, the knee, what
//! saturated first, stress/recovery and soak trends, and the steps as a table.

use super::escape::md;
use crate::human;
use crate::report::Report;
use std::fmt::Write as _;

pub fn scalability(out: &mut String, report: &Report) {
    let Some(c) = &report.capacity else { return };
    out.push_str("## Scalability\n\n");
    let max = c.max_sustainable_rps.map_or("none: no step met the SLO".into(), human::rate);
    let _ = writeln!(out, "- **Max throughput under the SLO** ({}): {}", md(&c.slo.join(", ")), md(&max));
    if let Some(k) = c.knee_rps {
        let _ = writeln!(out, "- **Knee** (latency departs from flat): {} offered", human::rate(k));
    }
    let _ = writeln!(out, "- **Stopped**: {}", md(&c.stop_detail));
    for (i, s) in c.saturation.iter().enumerate() {
        let _ = writeln!(out, "- **{}**: {}", if i == 0 { "Saturates first" } else { "Then" }, md(&s.evidence));
    }
    if let Some(st) = &c.stress {
        let back =
            st.recovered_after_s.map_or("not within the recovery window".into(), perfhound_term::human::duration_s);
        let _ = writeln!(
            out,
            "- **Hold** at {}: {} timeouts, up to {} requests in flight; back under the SLO after {}",
            human::rate(st.hold_rps),
            st.timeouts,
            st.queued_peak,
            md(&back)
        );
    }
    for t in c.soak.iter().flat_map(|s| &s.trends) {
        let verdict = if t.growing { "growing" } else { "stable" };
        let _ = writeln!(
            out,
            "- **{}**: {verdict}, {:.2}/hour (95 % CI {:.2}–{:.2})",
            t.resource, t.slope_per_hour, t.slope_ci_low, t.slope_ci_high
        );
    }
    out.push_str("\n| phase | offered | achieved | p50 | p99 | errors | dropped | verdict |\n|---|---|---|---|---|---|---|---|\n");
    for s in &c.steps {
        let verdict = if s.passed { "ok".to_string() } else { s.broken.join("; ") };
        let _ = writeln!(
            out,
            "| {:?} | {} | {} | {} | {} | {} | {} | {} |",
            s.phase,
            human::rate(s.offered_rps),
            human::rate(s.achieved_rps),
            human::duration_us(s.latency_us_p50 as f64),
            human::duration_us(s.latency_us_p99 as f64),
            human::pct(s.error_rate),
            s.dropped,
            md(&verdict)
        );
    }
    out.push('\n');
}
