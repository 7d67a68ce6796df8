//! Writing a [`Report`] as Markdown, self-contained HTML or JSON.
//!
//! Plain string building; the escaping functions of [`escape`] are the only way run-derived
//! text gets into the output. Wording shared by Markdown and HTML (impact lines, evidence,
//! horizon names) is computed here as plain text and escaped by each renderer.

pub mod escape;
pub mod html;
pub mod markdown;
mod markdown_metrics;
mod markdown_scalability;

use crate::human;
use crate::report::{Bottleneck, Delta, Report, TargetPotential, TargetRow, Verdict};
use perfhound_model::{Effort, Finding, TargetKind};

/// Kinds listed in "Response Times": the whole run and the service's own endpoints.
pub(crate) const RESPONSE_TIMES: [TargetKind; 2] = [TargetKind::Overall, TargetKind::Endpoint];

/// A table of targets after "Response Times".
pub(crate) struct TargetSection {
    /// HTML id.
    pub id: &'static str,
    pub title: &'static str,
    /// One sentence: what the table holds.
    pub note: &'static str,
    pub kinds: &'static [TargetKind],
}

/// Everything that is not the service's endpoints, each in its own table.
pub(crate) const TARGET_SECTIONS: [TargetSection; 4] = [
    TargetSection {
        id: "downstream",
        title: "Downstream Calls",
        note: "Calls the service makes to other services, and those services' own endpoints: their time is part of the endpoints' time above.",
        kinds: &[TargetKind::Downstream],
    },
    TargetSection {
        id: "background",
        title: "Background and Orphan Work",
        note: "Work no request to the service started: jobs, and spans from threads that lost the request's trace context (they have no server span as parent).",
        kinds: &[TargetKind::Background],
    },
    TargetSection {
        id: "sql",
        title: "SQL Statements",
        note: "Statements by normalized text: executions, not requests to the service.",
        kinds: &[TargetKind::Query],
    },
    TargetSection {
        id: "other-targets",
        title: "Other Targets",
        note: "Source code and static assets.",
        kinds: &[TargetKind::Code, TargetKind::Asset],
    },
];

/// Header and cells of a section table row (plain text): name, group, calls, errors,
/// mean, p50, p95, max, total time, and the buffer hit ratio column when `buffer`. The
/// renderers add a "Target limits" column of their own when a row has limits.
pub(crate) fn section_header(buffer: bool) -> Vec<&'static str> {
    let mut h = vec!["Name", "Service / system", "Calls", "Errors", "Mean", "P50", "P95", "Max", "Total time"];
    if buffer {
        h.push("DB buffer hit ratio");
    }
    h
}

pub(crate) fn section_cells(t: &TargetRow, buffer: bool) -> Vec<String> {
    let dash = || "\u{2014}".to_string();
    let lat = |f: fn(&perfhound_model::LatencySummary) -> u64| {
        t.latency.as_ref().map_or_else(dash, |l| human::duration_us(f(l) as f64))
    };
    let total = t.latency.as_ref().map_or_else(dash, |l| human::duration_us(l.mean_us as f64 * l.count as f64));
    let mut cells = vec![
        t.name.clone(),
        t.group.clone().unwrap_or_else(dash),
        t.requests.to_string(),
        human::pct(t.error_rate),
        lat(|l| l.mean_us),
        lat(|l| l.p50_us),
        lat(|l| l.p95_us),
        lat(|l| l.max_us),
        total,
    ];
    if buffer {
        cells.push(t.db_buffer_hit_ratio.map_or_else(dash, human::pct));
    }
    cells
}

/// Throughput, or a dash when the source did not measure it (traces, databases).
pub(crate) fn throughput(t: &TargetRow) -> String {
    rate_or_dash(t.rps)
}

/// `12/s`, or a dash for 0 (a source that measures no throughput).
pub(crate) fn rate_or_dash(rps: f64) -> String {
    if rps > 0.0 {
        human::rate(rps)
    } else {
        "\u{2014}".into()
    }
}

/// `up to 5.9% of the measured response time` (plain text).
pub(crate) fn potential_text(share: Option<f64>) -> String {
    match share {
        Some(p) => format!("up to {} of the measured response time", human::pct(p)),
        None => "not estimated (no finding carries a time saving)".into(),
    }
}

/// `GET /x: up to 60% (~330ms of 550ms per request)` (plain text).
pub(crate) fn target_potential_text(t: &TargetPotential) -> String {
    format!(
        "up to {} (~{} of {} per request)",
        human::pct(t.share),
        human::duration_us(t.saved_per_request_us),
        human::duration_us(t.mean_us)
    )
}

/// How the potential is computed, one sentence.
pub(crate) const POTENTIAL_NOTE: &str =
    "each finding's saving per affected request × that endpoint's requests, at most the endpoint's own time";

/// The JSON form of a report (the [`Report`] struct, pretty-printed).
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The seeds' section titles for each horizon.
pub(crate) fn horizon_title(h: Effort) -> &'static str {
    match h {
        Effort::QuickWin => "Immediate Actions (Quick Wins)",
        Effort::MediumTerm => "Medium-term Improvements",
        Effort::LongTerm => "Long-term Architectural Changes",
    }
}

/// `~500ms per request · 34% of measured time · 150 occurrences` (plain text).
pub(crate) fn impact_text(b: &Bottleneck) -> String {
    let i = &b.finding.impact;
    let mut parts = Vec::new();
    if let Some(us) = i.time_saved_per_request_us {
        parts.push(format!("~{} per request", human::duration_us(us as f64)));
    }
    if let Some(share) = b.share {
        parts.push(format!("{} of measured time", human::pct(share)));
    }
    if let Some(bytes) = i.bytes_saved_per_request {
        parts.push(format!("~{} per response", human::bytes(bytes as f64)));
    }
    if let Some(n) = i.occurrences {
        parts.push(format!("{n} occurrences"));
    }
    if parts.is_empty() {
        "not estimated by the detector".into()
    } else {
        parts.join(" · ")
    }
}

/// `(label, value)` lines of a finding's evidence, plain text.
pub(crate) fn evidence_items(f: &Finding) -> Vec<(String, String)> {
    let e = &f.evidence;
    let mut out = Vec::new();
    let join = |items: Vec<String>| items.join(", ");
    if !e.counts.is_empty() {
        out.push(("Counts".into(), join(e.counts.iter().map(|(k, v)| format!("{k} {v}")).collect())));
    }
    if !e.durations_us.is_empty() {
        let items = e.durations_us.iter().map(|(k, v)| format!("{k} {}", human::duration_us(*v as f64))).collect();
        out.push(("Durations".into(), join(items)));
    }
    if !e.sizes_bytes.is_empty() {
        let items = e.sizes_bytes.iter().map(|(k, v)| format!("{k} {}", human::bytes(*v as f64))).collect();
        out.push(("Sizes".into(), join(items)));
    }
    if !e.examples.is_empty() {
        out.push(("Examples".into(), join(e.examples.iter().take(5).cloned().collect())));
    }
    for note in &e.notes {
        out.push(("Note".into(), note.clone()));
    }
    out
}

/// `+12%` / `−35%` with 🔴 for a regression and 🟢 for an improvement.
pub(crate) fn change_text(d: &Delta) -> String {
    let Some(change) = d.change else {
        return String::new();
    };
    let marker = match d.verdict {
        Verdict::Regression => "🔴 ",
        Verdict::Improvement => "🟢 ",
        Verdict::Unchanged => "",
    };
    format!("{marker}{}", human::change_pct(change))
}

/// `+12%` / `−35%` without a marker (HTML marks the verdict with a class and a symbol).
pub(crate) fn change_plain(d: &Delta) -> Option<String> {
    d.change.map(human::change_pct)
}

/// A before/after value: latencies in µs are shown as durations, the rest by `fmt`.
pub(crate) fn delta_value(name: &str, v: Option<f64>) -> String {
    match (name, v) {
        (_, None) => "\u{2014}".into(),
        ("error rate", Some(x)) => human::pct(x),
        ("throughput", Some(x)) => human::rate(x),
        (_, Some(x)) => human::duration_us(x),
    }
}
