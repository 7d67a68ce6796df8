//! A comparison as terminal text, Markdown (a pull-request comment or job summary) and
//! JUnit (one test case per target and metric). Run-derived text goes through the one
//! escaping function of each format (`perfhound_term::print`, report's `md`/`xml`).

use perfhound_model::Metric;
use perfhound_report::check::xml;
use perfhound_report::render::escape::{md, md_code};
use perfhound_store::compare::{Comparison, FindingStatus, MetricDelta};
use std::fmt::Write as _;

fn value(m: &MetricDelta, v: f64) -> String {
    perfhound_term::human::metric_value(Metric::parse(m.metric).unwrap_or(Metric::P50), Some(v))
}

fn change(m: &MetricDelta) -> String {
    if m.metric == Metric::ErrorRate.as_str() {
        format!("{:+.2} pp", m.change * 100.0)
    } else {
        format!("{:+.1}%", m.change * 100.0)
    }
}

fn verdict(m: &MetricDelta) -> &'static str {
    if m.regression {
        "REGRESSION"
    } else if m.improvement {
        "improved"
    } else if m.significant {
        "within tolerance"
    } else {
        "no significant change"
    }
}

fn headline(c: &Comparison) -> String {
    match (c.regressions, c.improvements) {
        (0, 0) => "no significant change beyond the tolerance".into(),
        (0, i) => format!("no regression; {i} significant improvements"),
        (r, _) => format!("{r} significant regressions beyond the {:.0}% tolerance", c.tolerance * 100.0),
    }
}

/// Terminal text.
pub fn text(c: &Comparison) -> String {
    let mut out = format!("Compare {} → {}: {}\n", c.baseline, c.current, headline(c));
    for t in &c.targets {
        let _ = writeln!(
            out,
            "\n  {}  ({} → {} requests, effect δ={:+.2})",
            t.target, t.requests_baseline, t.requests_current, t.effect_size
        );
        for m in &t.metrics {
            let _ = writeln!(
                out,
                "    {:<10} {:>10} → {:<10} {:>9}  p={:<8.2e} {}",
                m.metric,
                value(m, m.baseline),
                value(m, m.current),
                change(m),
                m.p_value,
                verdict(m)
            );
        }
    }
    findings_text(c, &mut out);
    out
}

fn findings_text(c: &Comparison, out: &mut String) {
    if c.findings.is_empty() {
        return;
    }
    out.push_str("\n  Findings\n");
    for f in &c.findings {
        let status = status_name(f.status);
        let _ = writeln!(out, "    {status:<10} [{}] {} {}: {}", f.severity, f.code, f.target, f.title);
    }
}

fn status_name(s: FindingStatus) -> &'static str {
    match s {
        FindingStatus::New => "new",
        FindingStatus::Fixed => "fixed",
        FindingStatus::Persisting => "persisting",
    }
}

/// Markdown for a pull-request comment or a job summary.
pub fn markdown(c: &Comparison) -> String {
    let icon = if c.regressions > 0 { "❌" } else { "✅" };
    let mut out = format!(
        "### {icon} perfhound compare: {}\n\nBaseline {} → current {} · tolerance {:.0}% · α = {}\n\n",
        md(&headline(c)),
        md_code(&c.baseline),
        md_code(&c.current),
        c.tolerance * 100.0,
        c.alpha
    );
    out.push_str("| Target | Metric | Baseline | Current | Change | p | Effect δ | Verdict |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---|\n");
    for t in &c.targets {
        for m in &t.metrics {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {:.2e} | {:+.2} | {} |",
                md_code(&t.target),
                m.metric,
                value(m, m.baseline),
                value(m, m.current),
                change(m),
                m.p_value,
                t.effect_size,
                if m.regression { "**regression**" } else { verdict(m) }
            );
        }
    }
    if !c.findings.is_empty() {
        out.push_str("\n| Finding | Status | Severity | Target |\n|---|---|---|---|\n");
        for f in &c.findings {
            let title = format!("{} {}", f.code, f.title);
            let (status, target) = (status_name(f.status), md_code(&f.target));
            let _ = writeln!(out, "| {} | {status} | {} | {target} |", md(&title), f.severity);
        }
    }
    out
}

/// JUnit XML: one test case per target and metric; a regression is a failure.
pub fn junit(c: &Comparison) -> String {
    let cases: Vec<(&str, &MetricDelta)> =
        c.targets.iter().flat_map(|t| t.metrics.iter().map(move |m| (t.target.as_str(), m))).collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let (tests, failures) = (cases.len(), c.regressions);
    let _ = writeln!(out, "<testsuites name=\"perfhound compare\" tests=\"{tests}\" failures=\"{failures}\">");
    let suite = xml(&format!("{} → {}", c.baseline, c.current));
    let _ = writeln!(out, "  <testsuite name=\"{suite}\" tests=\"{tests}\" failures=\"{failures}\">");
    for (target, m) in cases {
        let name = xml(&format!("{target}: {}", m.metric));
        let _ = write!(out, "    <testcase name=\"{name}\" classname=\"{}\"", xml(target));
        if m.regression {
            let message = xml(&format!(
                "{} {} → {} ({}), p={:.2e}",
                m.metric,
                value(m, m.baseline),
                value(m, m.current),
                change(m),
                m.p_value
            ));
            let _ = writeln!(out, ">\n      <failure type=\"regression\" message=\"{message}\"/>\n    </testcase>");
        } else {
            out.push_str("/>\n");
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
