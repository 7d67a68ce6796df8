//! A trend chart as inline SVG: p50/p95/p99 polylines across runs, a dashed line at each
//! change point. Data attributes carry what tests (and curious people) read back.

use super::layout::{esc, short};
use perfhound_store::trend::Trend;
use std::fmt::Write as _;

const W: f64 = 760.0;
const H: f64 = 200.0;
const PAD: f64 = 30.0;

/// The chart of one target's three latency trends (same runs, oldest first).
pub fn svg(target: &str, trends: &[Trend]) -> String {
    let all = trends.iter().flat_map(|t| t.points.iter().map(|p| p.value));
    let (lo, hi) = all.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let n = trends.iter().map(|t| t.points.len()).max().unwrap_or(0);
    if n == 0 {
        return String::new();
    }
    let lo = lo.min(hi) * 0.9;
    let x = |i: usize| PAD + (W - 2.0 * PAD) * if n > 1 { i as f64 / (n - 1) as f64 } else { 0.5 };
    let y = |v: f64| H - PAD - (H - 2.0 * PAD) * if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
    let mut out = format!(
        "<svg class=\"trend\" viewBox=\"0 0 {W} {H}\" role=\"img\" data-target=\"{}\" data-runs=\"{n}\">\
         <title>{} latency across runs</title>",
        esc(target),
        esc(target)
    );
    for t in trends {
        let pts: Vec<String> =
            t.points.iter().enumerate().map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.value))).collect();
        let _ = write!(
            out,
            "<polyline class=\"series {}\" data-points=\"{}\" points=\"{}\"/>",
            t.metric,
            pts.len(),
            pts.join(" ")
        );
        for c in &t.change_points {
            let commit = t.points.get(c.index).map(|p| short(&p.git_commit)).unwrap_or("");
            let _ = write!(
                out,
                "<line class=\"change\" data-metric=\"{}\" data-index=\"{}\" data-commit=\"{}\" data-change=\"{:.4}\" \
                 x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{PAD}\" y2=\"{}\"><title>{} {:+.1}% at commit {}</title></line>",
                t.metric,
                c.index,
                esc(commit),
                c.change,
                H - PAD,
                t.metric,
                c.change * 100.0,
                esc(commit),
                x = x(c.index),
            );
        }
    }
    let label = |v: f64| perfhound_term::human::duration_us(v);
    let _ = write!(
        out,
        "<text x=\"4\" y=\"{:.0}\">{}</text><text x=\"4\" y=\"{:.0}\">{}</text></svg>",
        PAD - 8.0,
        esc(&label(hi)),
        H - 8.0,
        esc(&label(lo))
    );
    out
}
