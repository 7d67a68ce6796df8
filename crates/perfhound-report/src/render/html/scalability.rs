//! The "Scalability" section of a capacity search's report: latency against offered load
//! with the knee and the max sustainable rate marked, the steps' evidence, and what
//! saturated first.

use super::super::escape::html as esc;
use super::charts;
use crate::human;
use crate::report::Report;
use std::fmt::Write as _;

pub(super) fn scalability(out: &mut String, report: &Report) {
    let Some(c) = &report.capacity else { return };
    out.push_str("<section id=\"scalability\"><h2>Scalability</h2>\n");
    let max = c.max_sustainable_rps.map_or("none: no step met the SLO".into(), human::rate);
    let _ = writeln!(
        out,
        "<p>Max throughput under the SLO (<code>{}</code>): <strong>{}</strong>. Stopped: {}</p>",
        esc(&c.slo.join(", ")),
        esc(&max),
        esc(&c.stop_detail)
    );
    if let Some(first) = c.saturation.first() {
        let _ = writeln!(out, "<p class=\"verdict\">Saturates first: {}</p>", esc(&first.evidence));
    }
    if c.steps.len() > 1 {
        let _ = writeln!(
            out,
            "<figure class=\"scalability\"><figcaption>Latency against offered load</figcaption>{}</figure>",
            charts::scalability(c)
        );
    }
    out.push_str("<table class=\"sortable\"><thead><tr><th>phase</th><th>offered</th><th>achieved</th><th>p50</th><th>p99</th><th>errors</th><th>dropped</th><th>verdict</th></tr></thead><tbody>\n");
    for s in &c.steps {
        let verdict = if s.passed { "ok".to_string() } else { s.broken.join("; ") };
        let _ = writeln!(
            out,
            "<tr><td>{:?}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            s.phase,
            esc(&human::rate(s.offered_rps)),
            esc(&human::rate(s.achieved_rps)),
            esc(&human::duration_us(s.latency_us_p50 as f64)),
            esc(&human::duration_us(s.latency_us_p99 as f64)),
            esc(&human::pct(s.error_rate)),
            s.dropped,
            esc(&verdict)
        );
    }
    out.push_str("</tbody></table></section>\n");
}
