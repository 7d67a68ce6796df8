//! Writing a [`Report`] as Markdown, self-contained HTML or JSON.
//!
//! Plain string building; the escaping functions of [`escape`] are the only way run-derived
//! text gets into the output. Wording shared by Markdown and HTML (impact lines, evidence,
//! horizon names) is computed here as plain text and escaped by each renderer.

pub mod escape;
pub mod html;
pub mod markdown;

use crate::human;
use crate::report::{Bottleneck, Delta, Report, Verdict};
use perfhound_model::{Effort, Finding};

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
