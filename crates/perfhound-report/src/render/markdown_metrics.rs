//! Markdown "Current Performance Metrics": the service's response times, then downstream
//! calls, background work, SQL statements and other targets each in their own table, and
//! resource utilization with the application and database cache ratios kept apart.

use super::escape::{md, md_code};
use super::markdown::status_mark;
use super::{change_text, section_cells, section_header, throughput, RESPONSE_TIMES, TARGET_SECTIONS};
use crate::human;
use crate::report::{cache_lines, Report, TargetRow};
use perfhound_model::TargetKind;
use std::fmt::Write as _;

pub(super) fn metrics(out: &mut String, report: &Report) {
    out.push_str("## Current Performance Metrics\n\n### Response Times\n\n");
    let service: Vec<&TargetRow> = report.targets.iter().filter(|t| RESPONSE_TIMES.contains(&t.kind)).collect();
    if service.is_empty() {
        out.push_str("_No endpoints of the service were measured._\n\n");
    } else {
        out.push_str("| Target | Requests | Errors | Throughput | P50 | P95 | P99 | Max | Target limits |\n");
        out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|---|\n");
        for t in service {
            metrics_row(out, t);
        }
        out.push('\n');
    }
    for load in &report.load {
        let a = &load.accounting;
        let model = if load.open_model { "open model (arrival rate)" } else { "closed model (VUs)" };
        let _ = writeln!(out, "**Load** ({}): {model}, {:.1} s, ended {}. {} sent = {} ok + {} failed; {} iterations scheduled = {} started + {} dropped, {} late.\n", md_code(&load.description), load.duration_s, md(&load.end_reason), a.requests_sent, a.requests_ok, a.requests_failed, a.iterations_scheduled, a.iterations_started, a.iterations_dropped, a.iterations_late);
    }
    for section in &TARGET_SECTIONS {
        let rows: Vec<&TargetRow> = report.targets.iter().filter(|t| section.kinds.contains(&t.kind)).collect();
        if !rows.is_empty() {
            section_table(out, section.title, section.note, &rows);
        }
    }
}

fn section_table(out: &mut String, title: &str, note: &str, rows: &[&TargetRow]) {
    let buffer = rows.iter().any(|t| t.db_buffer_hit_ratio.is_some());
    let with_limits = rows.iter().any(|t| !t.limits.is_empty());
    let mut header = section_header(buffer);
    let mut align: Vec<&str> = header.iter().enumerate().map(|(i, _)| if i < 2 { "---" } else { "--:" }).collect();
    if with_limits {
        header.push("Target limits");
        align.push("---");
    }
    let _ = writeln!(out, "### {title}\n\n_{note}_\n\n| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}|", align.join("|"));
    for t in rows {
        let cells = section_cells(t, buffer);
        let mut escaped: Vec<String> =
            cells.iter().enumerate().map(|(i, c)| if i == 0 { md_code(c) } else { md(c) }).collect();
        if with_limits {
            escaped.push(limits_cell(t));
        }
        let _ = writeln!(out, "| {} |", escaped.join(" | "));
    }
    out.push('\n');
}

fn metrics_row(out: &mut String, t: &TargetRow) {
    let lat = |f: fn(&perfhound_model::LatencySummary) -> u64| {
        t.latency.as_ref().map_or("\u{2014}".into(), |l| human::duration_us(f(l) as f64))
    };
    let with = |value: String, idx: usize| match &t.change {
        Some(c) => {
            let change = change_text(c.deltas()[idx].1);
            if change.is_empty() {
                value
            } else {
                format!("{value} ({change})")
            }
        }
        None => value,
    };
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        md_code(&t.name),
        t.requests,
        with(human::pct(t.error_rate), 3),
        with(throughput(t), 4),
        with(lat(|l| l.p50_us), 0),
        with(lat(|l| l.p95_us), 1),
        with(lat(|l| l.p99_us), 2),
        lat(|l| l.max_us),
        limits_cell(t),
    );
}

/// Budget and threshold lines about a target, with their outcome.
fn limits_cell(t: &TargetRow) -> String {
    let limits: Vec<String> = t.limits.iter().map(|l| format!("{} {}", status_mark(l.status), md(&l.text))).collect();
    if limits.is_empty() {
        "\u{2014}".into()
    } else {
        limits.join("<br>")
    }
}

pub(super) fn resources(out: &mut String, report: &Report) {
    out.push_str("### Resource Utilization\n\n");
    if report.resources.is_empty() {
        out.push_str(
            "_No resource samples (run `perfhound load --watch-pid PID` to sample the service under test)._\n",
        );
    }
    for r in &report.resources {
        let who = if r.role == "target" { "service under test" } else { "load generator" };
        let _ = writeln!(
            out,
            "- **CPU Usage** ({who}, {}): {:.0}% average, {:.0}% peak (100% = one core)",
            md(&r.label),
            r.cpu_pct_avg,
            r.cpu_pct_peak
        );
        let _ = writeln!(
            out,
            "- **Memory** ({who}): {} average, {} peak",
            human::bytes(r.rss_bytes_avg as f64),
            human::bytes(r.rss_bytes_peak as f64)
        );
    }
    let lines = cache_lines(&report.targets);
    if lines.is_empty() {
        out.push_str("- **Cache Hit Rate**: not measured (no cache instrumentation)\n");
    }
    for l in lines {
        let ratio = human::pct(l.ratio);
        let detail = l.detail.map_or(String::new(), |d| format!(" ({d})"));
        let name = if l.headline { "**Cache Hit Rate**" } else { "Cache hit rate" };
        let by = l.called_by.map_or(String::new(), |e| format!(", looked up by {}", md_code(&e)));
        let _ = writeln!(out, "- {name} ({}, {}{by}): {ratio}{detail}", l.source, md_code(&l.target));
    }
    // Per statement ratios are a column of the SQL table; here the databases as a whole.
    let databases = report.targets.iter().filter(|t| t.kind != TargetKind::Query);
    for t in databases.filter(|t| t.db_buffer_hit_ratio.is_some()) {
        let ratio = human::pct(t.db_buffer_hit_ratio.unwrap_or_default());
        let _ = writeln!(out, "- **Database buffer cache hit ratio** ({}): {ratio}", md_code(&t.name));
    }
    out.push('\n');
}

/// The complexity fits: the headline and the measured medians of each.
pub(super) fn complexity(out: &mut String, report: &Report) {
    if report.complexity.is_empty() {
        return;
    }
    out.push_str("## Empirical Complexity\n\n");
    for f in &report.complexity {
        let _ = writeln!(out, "**{}**\n", md(&f.headline()));
        let _ = writeln!(out, "| {} | median | samples |\n|---:|---:|---:|", md(&f.parameter));
        for p in &f.points {
            let _ = writeln!(out, "| {} | {} | {} |", p.n, human::duration_us(p.median_us as f64), p.samples);
        }
        out.push('\n');
    }
}

/// The CPU profile's hottest functions.
pub(super) fn profile(out: &mut String, report: &Report) {
    let Some(p) = &report.profile else { return };
    let _ = writeln!(
        out,
        "## CPU Profile\n\n_{}_\n\n| function | location | self | total |\n|---|---|---:|---:|",
        md(&p.description)
    );
    for h in &p.hotspots {
        let at = h.location.as_deref().map_or_else(|| "\u{2014}".to_string(), md_code);
        let _ = writeln!(
            out,
            "| {} | {at} | {} | {} |",
            md_code(&h.function),
            human::pct(h.self_share),
            human::pct(h.total_share)
        );
    }
    out.push('\n');
}
