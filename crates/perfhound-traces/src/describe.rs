//! Turns an aggregated [`Group`] into a model [`Finding`]: the rule-independent part
//! (counts, durations, examples, affected endpoints, impact, the generic severity scale),
//! plus what the rule's [`Detector`] says (title, escalation, evidence, recommendation,
//! effort). Nothing here depends on which rule it is.

use crate::aggregate::Group;
use crate::config::{Config, SeverityScale};
use crate::detect::{Context, Detector};
use crate::measure::Measure;
use perfhound_model::{Confidence, Finding, Severity};

/// `label` cut to `max` characters, with `…` when cut.
pub fn short(label: &str, max: usize) -> String {
    match label.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &label[..cut]),
        None => label.to_string(),
    }
}

/// Microseconds as milliseconds for titles: `12 ms`, `3.4 ms`.
pub fn ms(us: u64) -> String {
    if us >= 10_000 {
        format!("{:.0} ms", us as f64 / 1000.0)
    } else {
        format!("{:.1} ms", us as f64 / 1000.0)
    }
}

/// Bytes as kilobytes for titles.
pub fn kb(bytes: u64) -> String {
    format!("{:.0} kB", bytes as f64 / 1000.0)
}

/// Evidence of the database rules: the normalized statement is the query.
pub fn query_evidence(g: &Group, f: &mut Finding) {
    f.evidence.query = Some(g.key.to_string());
}

/// Makes `f` critical when one occurrence took at least `critical_ms` (slow-call rules).
pub fn critical_from(g: &Group, critical_ms: f64, f: &mut Finding) {
    if g.max_total_us as f64 >= critical_ms * 1000.0 {
        f.severity = Severity::Critical;
    }
}

/// Per request: the saving (projected at the round trip when the calls ran faster than
/// one) and its share of the request's time (the request projected the same way).
pub fn saving_and_share(g: &Group) -> (u64, f64) {
    let traces = g.traces.max(1);
    let saved = g.projected_saved_us.max(g.saved_us) / traces;
    let request = (g.request_us + g.projected_total_us.saturating_sub(g.total_us)) / traces;
    let share = if request == 0 { 1.0 } else { (saved as f64 / request as f64).min(1.0) };
    (saved, share)
}

/// The generic severity scale (`Config::severity`): critical when a fix saves at least
/// `critical_saved_ms` per request *and* `critical_share` of it; the rule's default when
/// it saves `warning_saved_ms` and `warning_share`; `info` below. Rules about bytes or
/// shape that save no time keep their default.
fn scale(g: &Group, rule: &dyn Detector, s: &SeverityScale) -> Severity {
    if g.saved_us == 0 && !rule.time_based() {
        return g.rule.severity;
    }
    let (saved, share) = saving_and_share(g);
    let reaches = |ms: f64, min_share: f64| saved as f64 >= ms * 1000.0 && share >= min_share;
    if reaches(s.critical_saved_ms, s.critical_share) {
        Severity::Critical
    } else if reaches(s.warning_saved_ms, s.warning_share) {
        g.rule.severity
    } else {
        Severity::Info
    }
}

/// "30 calls: 3.0 ms here, ≈ 33 ms at 1 ms RTT" for groups projected at the round trip.
pub fn projection(g: &Group, rtt_ms: f64) -> Option<String> {
    if !g.projected {
        return None;
    }
    let traces = g.traces.max(1);
    let calls = g.calls / g.occurrences.max(1);
    let (here, there) = (g.total_us / traces, g.projected_total_us / traces);
    Some(format!("{calls} calls: {} here, ≈ {} at {rtt_ms} ms RTT", ms(here), ms(there)))
}

/// The finding for one group.
pub fn finding(g: &Group, m: &Measure, cfg: &Config) -> Finding {
    let rule = g.detector;
    let endpoint = g.primary_endpoint().to_string();
    let cx = Context { endpoint: &endpoint, measure: m, cfg };
    let mut f = Finding::new(g.rule, endpoint.clone(), rule.title(g, &cx));
    f.fingerprint = g.fingerprint();
    let per_request = g.saved_us / g.traces.max(1);
    let total_request_us = m.overall.latency.sum_us.max(1);
    f.severity = scale(g, rule, &cfg.severity);
    if let Some(p) = projection(g, cfg.rtt_ms) {
        f.title = format!("{} ({p})", f.title);
        f.evidence.notes.push(format!(
            "{p}: each call took less than a network round trip here (a local server); against a server over the network each pays one"
        ));
    }
    f.confidence = if g.strong == 0 { Confidence::Medium } else { Confidence::High };
    rule.escalate(g, &cx, &mut f);
    let e = &mut f.evidence;
    e.counts.insert("occurrences".into(), g.occurrences);
    e.counts.insert("traces".into(), g.traces);
    e.counts.insert("calls".into(), g.calls);
    e.counts.insert("max_calls_per_occurrence".into(), g.max_calls);
    e.durations_us.insert("total_us".into(), g.total_us);
    e.durations_us.insert("saved_us".into(), g.saved_us);
    e.durations_us.insert("max_us".into(), g.max_total_us);
    if g.bytes > 0 {
        e.sizes_bytes.insert("total_bytes".into(), g.bytes);
        e.sizes_bytes.insert("max_bytes".into(), g.max_bytes);
    }
    e.examples = g.examples.iter().map(|t| format!("trace {t}")).collect();
    rule.evidence(g, &cx, &mut f);
    let e = &mut f.evidence;
    e.location.clone_from(&g.location);
    if let Some(n) = &g.note {
        e.notes.push(n.clone());
    }
    if !g.tables.is_empty() {
        e.notes.push(format!("tables: {}", g.tables.join(", ")));
    }
    if g.endpoints.len() > 1 {
        let others: Vec<&str> = g.endpoints.iter().map(|(e, _)| &**e).filter(|e| *e != endpoint).take(10).collect();
        e.notes.push(format!("also in: {}", others.join(", ")));
    }
    if !g.example_spans.is_empty() {
        e.notes.push(format!("example spans: {}", g.example_spans.join(", ")));
    }
    f.impact.occurrences = Some(g.occurrences);
    if g.saved_us > 0 {
        f.impact.time_saved_per_request_us = Some(per_request);
        f.impact.share_of_total =
            Some(((g.saved_us as f64 / total_request_us as f64).min(1.0) * 10_000.0).round() / 10_000.0);
    }
    f.recommendation.effort = Some(rule.effort());
    rule.recommend(g, &cx, &mut f.recommendation);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(short("abcdef", 3), "abc…");
        assert_eq!(short("abc", 3), "abc");
        assert_eq!(ms(12_345), "12 ms");
        assert_eq!(ms(3_456), "3.5 ms");
        assert_eq!(kb(301_000), "301 kB");
    }
}
