//! The terminal report: what was read, where time goes per endpoint, and the findings
//! ranked by impact with their evidence and fix.

use perfhound_model::{Extra, Finding, Run, Target, TargetKind};
use perfhound_term::{clip, finding_line, human, one_line};
use std::fmt::Write as _;

fn lat(us: u64) -> String {
    human::duration_us(us as f64)
}

fn pct(v: Option<f64>) -> String {
    human::pct(v.unwrap_or(0.0))
}

/// Endpoints table and findings, for people.
pub fn render(run: &Run, max_endpoints: usize) -> String {
    let mut out = String::new();
    let overall = run.targets.iter().find(|t| t.kind == TargetKind::Overall);
    if let Some(o) = overall {
        let x = &o.measurements.extra;
        let _ = writeln!(
            out,
            "perfhound traces: {} spans, {} traces, {} requests",
            x.get(Extra::Spans).unwrap_or(0.0),
            x.get(Extra::Traces).unwrap_or(0.0),
            o.measurements.requests
        );
    }
    let endpoints: Vec<&Target> = run.targets.iter().filter(|t| t.kind == TargetKind::Endpoint).collect();
    if !endpoints.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<44} {:>8} {:>9} {:>9} {:>9}   {:>5} {:>5} {:>5} {:>5}",
            "endpoint", "requests", "p50", "p95", "p99", "db", "http", "cache", "own"
        );
        for t in endpoints.iter().take(max_endpoints) {
            let m = &t.measurements;
            let (p50, p95, p99) = m
                .latency
                .as_ref()
                .map_or((0, 0, 0), |h| (h.quantile_us(0.5), h.quantile_us(0.95), h.quantile_us(0.99)));
            let name = format!("{} [{}]", t.name, t.group.as_deref().unwrap_or(""));
            let _ = writeln!(
                out,
                "{:<44} {:>8} {:>9} {:>9} {:>9}   {:>5} {:>5} {:>5} {:>5}",
                clip(&name, 44),
                m.requests,
                lat(p50),
                lat(p95),
                lat(p99),
                pct(m.extra.get(Extra::DbShare)),
                pct(m.extra.get(Extra::HttpShare)),
                pct(m.extra.get(Extra::CacheShare)),
                pct(m.extra.get(Extra::OwnShare))
            );
        }
        if endpoints.len() > max_endpoints {
            let _ = writeln!(out, "… {} more endpoints in the JSON run", endpoints.len() - max_endpoints);
        }
    }
    if run.findings.is_empty() {
        let _ = writeln!(out, "\nNo findings.");
    } else {
        let _ = writeln!(out, "\nFindings, ranked by impact:");
        for (i, f) in run.findings.iter().enumerate() {
            out.push_str(&finding(i + 1, f));
        }
    }
    for w in &run.warnings {
        let _ = writeln!(out, "\nwarning: {w}");
    }
    out
}

/// One finding as a few lines.
pub fn finding(rank: usize, f: &Finding) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n{rank}. {}", finding_line(f));
    let mut impact = Vec::new();
    if let Some(us) = f.impact.time_saved_per_request_us {
        impact.push(format!("saves ~{} per affected request", lat(us)));
    }
    if let Some(s) = f.impact.share_of_total {
        impact.push(format!("{} of all request time", human::pct(s)));
    }
    if let Some(n) = f.impact.occurrences {
        impact.push(format!("{n} occurrence(s) in {} trace(s)", f.evidence.counts.get("traces").copied().unwrap_or(0)));
    }
    if !impact.is_empty() {
        let _ = writeln!(out, "   impact: {}", impact.join(", "));
    }
    if let Some(q) = &f.evidence.query {
        let _ = writeln!(out, "   query: {}", clip(q, 300));
    }
    if let Some(l) = &f.evidence.location {
        let _ = writeln!(out, "   at: {}", one_line(l));
    }
    for n in &f.evidence.notes {
        let _ = writeln!(out, "   {}", clip(n, 300));
    }
    if let Some(e) = f.evidence.examples.first() {
        let _ = writeln!(out, "   example: {}", one_line(e));
    }
    let _ = writeln!(out, "   fix: {}", one_line(&f.recommendation.text));
    if let Some(s) = &f.recommendation.snippet {
        let _ = writeln!(out, "        {s}");
    }
    out
}
