//! The HTML "Current Performance Metrics": the service's response times, then downstream
//! calls, background work, SQL statements and other targets each in their own table.

use super::esc;
use super::sections::{status_class, status_mark, verdict_class, verdict_mark};
use crate::human;
use crate::render::{change_plain, section_cells, section_header, throughput, TargetSection};
use crate::render::{RESPONSE_TIMES, TARGET_SECTIONS};
use crate::report::{Report, TargetRow};
use std::fmt::Write as _;

pub(super) fn metrics(out: &mut String, report: &Report) {
    out.push_str("<section id=\"metrics\"><h2>Current Performance Metrics</h2><h3>Response Times</h3>\n");
    out.push_str("<table class=\"sortable\" id=\"targets\"><thead><tr><th>Target</th><th>Kind</th><th class=\"num\">Requests</th>\
        <th class=\"num\">Errors</th><th class=\"num\">Throughput</th><th class=\"num\">P50</th><th class=\"num\">P95</th>\
        <th class=\"num\">P99</th><th class=\"num\">Max</th><th>Target limits</th></tr></thead><tbody>\n");
    for t in report.targets.iter().filter(|t| RESPONSE_TIMES.contains(&t.kind)) {
        target_row(out, t);
    }
    out.push_str("</tbody></table>\n");
    if !report.targets.iter().any(|t| RESPONSE_TIMES.contains(&t.kind)) {
        out.push_str("<p>No endpoints of the service were measured.</p>\n");
    }
    for load in &report.load {
        let a = &load.accounting;
        let model = if load.open_model { "open model (arrival rate)" } else { "closed model (VUs)" };
        let _ = writeln!(out, "<p><b>Load</b> <code>{}</code>: {model}, {:.1} s, ended {}. {} sent = {} ok + {} failed; {} iterations scheduled = {} started + {} dropped, {} late.</p>", esc(&load.description), load.duration_s, esc(&load.end_reason), a.requests_sent, a.requests_ok, a.requests_failed, a.iterations_scheduled, a.iterations_started, a.iterations_dropped, a.iterations_late);
    }
    for section in &TARGET_SECTIONS {
        let rows: Vec<&TargetRow> = report.targets.iter().filter(|t| section.kinds.contains(&t.kind)).collect();
        if !rows.is_empty() {
            section_table(out, section, &rows);
        }
    }
    out.push_str("</section>\n");
}

/// One of the tables after "Response Times"; the first cell is code, the rest numbers.
fn section_table(out: &mut String, section: &TargetSection, rows: &[&TargetRow]) {
    let buffer = rows.iter().any(|t| t.db_buffer_hit_ratio.is_some());
    let with_limits = rows.iter().any(|t| !t.limits.is_empty());
    let _ =
        write!(out, "<h3 id=\"{}\">{}</h3><p class=\"meta\">{}</p>", section.id, esc(section.title), esc(section.note));
    let _ = write!(out, "<table class=\"sortable\" id=\"{}-table\"><thead><tr>", section.id);
    for (i, h) in section_header(buffer).iter().enumerate() {
        let class = if i < 2 { "" } else { " class=\"num\"" };
        let _ = write!(out, "<th{class}>{}</th>", esc(h));
    }
    if with_limits {
        out.push_str("<th>Target limits</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for t in rows {
        out.push_str("<tr>");
        for (i, cell) in section_cells(t, buffer).iter().enumerate() {
            match i {
                0 => {
                    let _ = write!(out, "<td><code>{}</code></td>", esc(cell));
                }
                1 => {
                    let _ = write!(out, "<td>{}</td>", esc(cell));
                }
                _ => {
                    let _ = write!(out, "<td class=\"num\">{}</td>", esc(cell));
                }
            }
        }
        if with_limits {
            let _ = write!(out, "<td>{}</td>", limits_cell(t));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

fn target_row(out: &mut String, t: &TargetRow) {
    let lat = |f: fn(&perfhound_model::LatencySummary) -> u64| t.latency.as_ref().map(f);
    let cell = |v: Option<u64>, idx: Option<usize>| {
        let text = v.map_or("—".to_string(), |us| human::duration_us(us as f64));
        let sort = v.map_or(String::new(), |us| us.to_string());
        format!("<td class=\"num\" data-sort=\"{sort}\">{}{}</td>", esc(&text), change_span(t, idx))
    };
    let kind = crate::human::kind_name(t.kind);
    let _ = writeln!(
        out,
        "<tr><td><code>{}</code></td><td>{kind}</td><td class=\"num\" data-sort=\"{}\">{}</td><td class=\"num\" data-sort=\"{}\">{}{}</td><td class=\"num\" data-sort=\"{}\">{}{}</td>{}{}{}{}<td>{}</td></tr>",
        esc(&t.name), t.requests, t.requests, t.error_rate, esc(&human::pct(t.error_rate)), change_span(t, Some(3)),
        t.rps, esc(&throughput(t)), change_span(t, Some(4)),
        cell(lat(|l| l.p50_us), Some(0)), cell(lat(|l| l.p95_us), Some(1)), cell(lat(|l| l.p99_us), Some(2)), cell(lat(|l| l.max_us), None),
        limits_cell(t)
    );
}

/// Budget and threshold lines about a target, with their outcome (HTML).
fn limits_cell(t: &TargetRow) -> String {
    let limits: Vec<String> = t
        .limits
        .iter()
        .map(|l| {
            format!("<span class=\"{}\">{} {}</span>", status_class(l.status), status_mark(l.status), esc(&l.text))
        })
        .collect();
    if limits.is_empty() {
        "—".into()
    } else {
        limits.join("<br>")
    }
}

/// ` (+12%)` with a regression/improvement class, when there is a baseline.
fn change_span(t: &TargetRow, idx: Option<usize>) -> String {
    let (Some(change), Some(i)) = (&t.change, idx) else { return String::new() };
    let d = change.deltas()[i].1;
    let Some(text) = change_plain(d) else { return String::new() };
    format!(" <span class=\"{}\">({}{})</span>", verdict_class(d.verdict), verdict_mark(d.verdict), esc(&text))
}
