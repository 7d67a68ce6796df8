//! The HTML report's sections, in the order of the seeds' report.

use super::charts;
use super::esc;
use crate::check::Status;
use crate::human;
use crate::render::escape::html_spans;
use crate::render::{change_plain, delta_value, potential_text, target_potential_text, POTENTIAL_NOTE};
use crate::report::{Report, Verdict};
use perfhound_model::TargetKind;
use std::fmt::Write as _;

pub(super) use super::findings::{bottlenecks, recommendations};
pub(super) use super::targets::metrics;

pub(super) fn header(out: &mut String, report: &Report) {
    let _ = writeln!(out, "<header><h1>{}</h1>", esc(&report.title));
    for run in &report.runs {
        let sources: Vec<String> = run
            .sources
            .iter()
            .map(|s| format!("{} <code>{}</code>", esc(s.kind.as_str()), esc(&s.description)))
            .collect();
        let _ = writeln!(
            out,
            "<p class=\"meta\">Run <code>{}</code> · {} · {} → {} · {}</p>",
            esc(&run.id),
            sources.join(", "),
            esc(&run.started_at),
            esc(&run.ended_at),
            esc(&run.tool)
        );
    }
    for run in &report.baseline_runs {
        let _ = writeln!(
            out,
            "<p class=\"meta\">Baseline <code>{}</code> · {} → {}</p>",
            esc(&run.id),
            esc(&run.started_at),
            esc(&run.ended_at)
        );
    }
    out.push_str("<nav><a href=\"#summary\">Summary</a><a href=\"#metrics\">Metrics</a><a href=\"#charts\">Charts</a>\
        <a href=\"#resources\">Resources</a><a href=\"#bottlenecks\">Bottlenecks</a><a href=\"#recommendations\">Recommendations</a>");
    if report.budgets.is_some() {
        out.push_str("<a href=\"#budgets\">Budgets</a>");
    }
    if report.comparison.is_some() {
        out.push_str("<a href=\"#before-after\">Before / After</a>");
    }
    out.push_str("</nav></header>\n");
}

pub(super) fn summary(out: &mut String, report: &Report) {
    let s = &report.summary;
    let status_class =
        serde_json::to_value(s.status).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
    let _ = writeln!(out, "<section id=\"summary\"><h2>Executive Summary</h2>\n<p><span class=\"status {}\" data-status=\"{}\">● {}</span></p>", esc(&status_class), esc(&status_class), s.status.label());
    out.push_str("<ul class=\"reasons\">");
    if s.reasons.is_empty() {
        out.push_str(
            "<li>No status rule fired: no findings above info, no breached budget, error rate below 0.1%.</li>",
        );
    }
    for r in &s.reasons {
        let level = serde_json::to_value(r.level).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let _ = write!(out, "<li><span class=\"dot {}\">●</span> {}</li>", esc(&level), esc(&r.text));
    }
    out.push_str("</ul>\n<div class=\"cards\">");
    let f = &s.findings;
    let mut key = format!("{} critical · {} warning · {} info", f.critical, f.warning, f.info);
    if let Some(n) = s.pareto_top {
        key.push_str(&format!(" · top {n} = 80% of savings"));
    }
    card(out, &s.key_bottlenecks.to_string(), "Key bottlenecks", &key);
    let potential = s.potential_improvement.map_or("—".to_string(), |p| format!("up to {}", human::pct(p)));
    let detail = match s.potential_improvement {
        Some(_) => "of all measured response time, weighted by each endpoint's traffic".to_string(),
        None => potential_text(None),
    };
    card(out, &potential, "Potential improvement", &detail);
    if let Some(h) = &s.headline {
        let p95 = h.p95_us.map_or("—".into(), |v| human::duration_us(v as f64));
        card(
            out,
            &p95,
            "p95 latency",
            &format!(
                "p50 {} · p99 {}",
                h.p50_us.map_or("—".into(), |v| human::duration_us(v as f64)),
                h.p99_us.map_or("—".into(), |v| human::duration_us(v as f64))
            ),
        );
        card(
            out,
            &crate::render::rate_or_dash(h.rps),
            "Throughput",
            &format!("{} requests · {} errors", h.requests, human::pct(h.error_rate)),
        );
    }
    if let Some(b) = &report.budgets {
        card(
            out,
            &format!("{} / {}", b.passed, b.lines.len()),
            "Budget lines passed",
            &format!("{} failed · {} without data", b.failed, b.no_data),
        );
    }
    if let Some(c) = &report.comparison {
        card(
            out,
            &format!("{} / {}", c.regressions, c.improvements),
            "Regressions / improvements",
            &format!("{} new · {} resolved findings", c.new_findings.len(), c.resolved_findings.len()),
        );
    }
    out.push_str("</div>");
    if !s.target_potential.is_empty() {
        let _ = write!(
            out,
            "<p class=\"potential\"><b>Most to gain</b> ({}):</p><ul class=\"potential\">",
            esc(POTENTIAL_NOTE)
        );
        for t in &s.target_potential {
            let _ = write!(out, "<li><code>{}</code>: {}</li>", esc(&t.target), esc(&target_potential_text(t)));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>\n");
}

fn card(out: &mut String, value: &str, label: &str, detail: &str) {
    let _ = write!(
        out,
        "<div class=\"card\"><span>{}</span><b>{}</b><span>{}</span></div>",
        esc(label),
        esc(value),
        esc(detail)
    );
}

/// `✓ ` for an improvement, `✗ ` for a regression (colour is not the only signal).
pub(super) fn verdict_mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Regression => "✗ ",
        Verdict::Improvement => "✓ ",
        Verdict::Unchanged => "",
    }
}

pub(super) fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Regression => "regression",
        Verdict::Improvement => "improvement",
        Verdict::Unchanged => "unchanged",
    }
}

pub(super) fn status_class(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::NoData => "no_data",
    }
}

pub(super) fn status_mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "✓",
        Status::Fail => "✗",
        Status::NoData => "–",
    }
}

pub(super) fn charts(out: &mut String, report: &Report) {
    out.push_str("<section id=\"charts\"><h2>Charts</h2>\n");
    for load in report.load.iter().filter(|l| !l.series.is_empty()) {
        let _ = writeln!(out, "<figure class=\"latency-time\"><figcaption>Latency p50 / p99 over time — <code>{}</code></figcaption>{}</figure>", esc(&load.description), charts::latency_over_time(load));
        let _ = writeln!(out, "<figure class=\"throughput-time\"><figcaption>Throughput and errors over time — <code>{}</code></figcaption>{}</figure>", esc(&load.description), charts::throughput_over_time(load));
    }
    if !report.distributions.is_empty() {
        let _ = writeln!(out, "<figure class=\"distribution\"><figcaption>Latency percentile distribution (log scale)</figcaption>{}</figure>", charts::distribution(&report.distributions));
        distribution_table(out, report);
    }
    if report.load.iter().all(|l| l.series.is_empty()) && report.distributions.is_empty() {
        out.push_str("<p>No time series or latency histograms in these runs.</p>");
    }
    out.push_str("</section>\n");
}

fn distribution_table(out: &mut String, report: &Report) {
    out.push_str("<details><summary>Distribution data</summary><table><thead><tr><th>Target</th>");
    let Some(first) = report.distributions.first() else { return };
    for (p, _) in &first.points {
        let _ = write!(
            out,
            "<th class=\"num\">{}</th>",
            match *p {
                p if p >= 100.0 => "max".to_string(),
                p if p <= 0.0 => "min".to_string(),
                p => format!("p{p}"),
            }
        );
    }
    out.push_str("</tr></thead><tbody>");
    for d in &report.distributions {
        let _ = write!(out, "<tr><td><code>{}</code></td>", esc(&d.target));
        for (_, us) in &d.points {
            let _ = write!(out, "<td class=\"num\">{}</td>", esc(&human::duration_us(*us as f64)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></details>\n");
}

pub(super) fn resources(out: &mut String, report: &Report) {
    out.push_str("<section id=\"resources\"><h3>Resource Utilization</h3>\n");
    if report.resources.is_empty() {
        out.push_str("<p>No resource samples (run <code>perfhound load --watch-pid PID</code> to sample the service under test).</p>");
    } else {
        out.push_str("<table><thead><tr><th>Process</th><th>Role</th><th class=\"num\">CPU avg</th><th class=\"num\">CPU peak</th><th class=\"num\">Memory avg</th><th class=\"num\">Memory peak</th></tr></thead><tbody>");
        for r in &report.resources {
            let change = |c: Option<f64>| c.map_or(String::new(), |c| format!(" ({})", esc(&human::change_pct(c))));
            let _ = write!(out, "<tr><td>{}</td><td>{}</td><td class=\"num\">{:.0}%{}</td><td class=\"num\">{:.0}%</td><td class=\"num\">{}{}</td><td class=\"num\">{}</td></tr>", esc(&r.label), esc(&r.role), r.cpu_pct_avg, change(r.cpu_change), r.cpu_pct_peak, esc(&human::bytes(r.rss_bytes_avg as f64)), change(r.rss_change), esc(&human::bytes(r.rss_bytes_peak as f64)));
        }
        out.push_str("</tbody></table><p class=\"meta\">CPU: 100% = one core.</p>");
    }
    cache_ratios(out, report);
    out.push_str("</section>\n");
}

/// The application cache's hit rate, apart from the databases' buffer cache ratio.
fn cache_ratios(out: &mut String, report: &Report) {
    let lines = crate::report::cache_lines(&report.targets);
    if lines.is_empty() {
        out.push_str("<p class=\"cache\"><b>Cache hit rate</b>: not measured (no cache instrumentation)</p>");
    }
    for l in lines {
        let ratio = human::pct(l.ratio);
        let detail = l.detail.map_or(String::new(), |d| format!(" ({})", esc(&d)));
        let name = if l.headline { "<b>Cache hit rate</b>" } else { "Cache hit rate" };
        let by = l.called_by.map_or(String::new(), |e| format!(", looked up by <code>{}</code>", esc(&e)));
        let _ = write!(
            out,
            "<p class=\"cache\">{name} ({}, <code>{}</code>{by}): {}{detail}</p>",
            l.source,
            esc(&l.target),
            esc(&ratio)
        );
    }
    let databases = report.targets.iter().filter(|t| t.kind != TargetKind::Query && t.db_buffer_hit_ratio.is_some());
    for t in databases {
        let ratio = human::pct(t.db_buffer_hit_ratio.unwrap_or_default());
        let _ = write!(
            out,
            "<p class=\"db-buffer\"><b>Database buffer cache hit ratio</b> (<code>{}</code>): {}</p>",
            esc(&t.name),
            esc(&ratio)
        );
    }
}

pub(super) fn budgets(out: &mut String, report: &Report) {
    let Some(b) = &report.budgets else { return };
    let _ = writeln!(
        out,
        "<section id=\"budgets\"><h2>Budgets</h2><p>{} passed, {} failed, {} without data (<code>{}</code>).</p>",
        b.passed,
        b.failed,
        b.no_data,
        esc(&b.budget_file)
    );
    out.push_str("<table class=\"sortable\"><thead><tr><th>Result</th><th>Budget line</th><th>Target</th><th class=\"num\">Actual</th><th>Limit</th><th>Where</th></tr></thead><tbody>\n");
    for line in &b.lines {
        if line.results.is_empty() {
            let _ = writeln!(out, "<tr><td class=\"no_data\">– no data</td><td><code>{}</code></td><td><code>{}</code> (no match)</td><td class=\"num\">—</td><td>{}</td><td>{}</td></tr>", esc(&line.text), esc(&line.selector), esc(&line.expression), esc(&line.origin.to_string()));
        }
        for r in &line.results {
            let s = if r.actual.is_none() {
                Status::NoData
            } else if r.passed {
                Status::Pass
            } else {
                Status::Fail
            };
            let _ = writeln!(out, "<tr><td class=\"{}\">{} {}</td><td><code>{}</code></td><td><code>{}</code></td><td class=\"num\" data-sort=\"{}\">{}</td><td>{}</td><td>{}</td></tr>", status_class(s), status_mark(s), s.as_str(), esc(&line.text), esc(&r.target), r.actual.unwrap_or(f64::NAN), esc(&human::metric_value(r.metric, r.actual)), esc(&human::limit(r.metric, r.comparison, r.limit)), esc(&line.origin.to_string()));
        }
    }
    out.push_str("</tbody></table>");
    for note in &b.ignored {
        let _ = write!(out, "<p class=\"meta\">Not judged: {}</p>", esc(note));
    }
    out.push_str("</section>\n");
}

pub(super) fn before_after(out: &mut String, report: &Report) {
    let Some(c) = &report.comparison else { return };
    out.push_str("<section id=\"before-after\"><h2>Before / After</h2><table class=\"sortable\"><thead><tr><th>Target</th><th>Metric</th><th class=\"num\">Before</th><th class=\"num\">After</th><th>Change</th></tr></thead><tbody>\n");
    for t in &report.targets {
        let Some(change) = &t.change else { continue };
        for (name, d) in change.deltas() {
            let _ = writeln!(out, "<tr class=\"{}\"><td><code>{}</code></td><td>{name}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{}\" data-sort=\"{}\">{}{}</td></tr>", verdict_class(d.verdict), esc(&t.name), esc(&delta_value(name, d.before)), esc(&delta_value(name, d.after)), verdict_class(d.verdict), d.change.unwrap_or(0.0), verdict_mark(d.verdict), esc(&change_plain(d).unwrap_or_default()));
        }
    }
    out.push_str("</tbody></table><h3>Findings</h3><ul>");
    for f in &c.new_findings {
        let _ = write!(
            out,
            "<li class=\"regression\">new: <code>{}</code> {} (<code>{}</code>)</li>",
            esc(&f.code),
            html_spans(&f.title),
            esc(&f.target)
        );
    }
    for f in &c.resolved_findings {
        let _ = write!(
            out,
            "<li class=\"improvement\">✓ resolved: <code>{}</code> {} (<code>{}</code>)</li>",
            esc(&f.code),
            html_spans(&f.title),
            esc(&f.target)
        );
    }
    let _ = writeln!(out, "<li>persisting: {}</li></ul></section>", c.persisting_findings);
}

pub(super) fn warnings(out: &mut String, report: &Report) {
    if report.warnings.is_empty() {
        return;
    }
    out.push_str("<section id=\"warnings\"><h2>Warnings</h2><ul>");
    for w in &report.warnings {
        let _ = write!(out, "<li>{}</li>", esc(w));
    }
    out.push_str("</ul></section>\n");
}
