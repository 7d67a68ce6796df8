//! Turns an aggregated [`Group`] into a model [`Finding`]: title, severity, evidence,
//! impact and a concrete recommendation (with a SQL snippet where one can be derived).

use crate::aggregate::Group;
use crate::config::Config;
use crate::detect;
use crate::measure::Measure;
use perfhound_model::{Confidence, Effort, Finding, Severity};

/// Per-request saving at or above which a finding is critical.
pub const CRITICAL_SAVING_US: u64 = 500_000;
/// Per-request saving below which a time-based finding is only informational.
pub const INFO_SAVING_US: u64 = 5_000;

fn short(label: &str, max: usize) -> String {
    match label.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &label[..cut]),
        None => label.to_string(),
    }
}

fn ms(us: u64) -> String {
    if us >= 10_000 {
        format!("{:.0} ms", us as f64 / 1000.0)
    } else {
        format!("{:.1} ms", us as f64 / 1000.0)
    }
}

fn kb(bytes: u64) -> String {
    format!("{:.0} kB", bytes as f64 / 1000.0)
}

fn title(g: &Group, endpoint: &str) -> String {
    let label = short(&g.key, 100);
    let n = g.max_calls;
    match g.rule.code {
        "PH-TRACE001" => format!("N+1 query: {n} executions per request in {endpoint}: {label}"),
        "PH-TRACE002" => format!("N+1 HTTP calls: {n} calls per request in {endpoint}: {label}"),
        "PH-TRACE003" => format!("Repeated call pattern: {n} iterations per request in {endpoint}: {label}"),
        "PH-TRACE004" => format!("{n} independent queries run one after another in {endpoint}"),
        "PH-TRACE005" => format!("{n} independent HTTP calls run one after another in {endpoint}"),
        "PH-TRACE006" => format!("Slow query (up to {}) in {endpoint}: {label}", ms(g.max_total_us)),
        "PH-TRACE007" => format!("Slow outbound call (up to {}) in {endpoint}: {label}", ms(g.max_total_us)),
        "PH-TRACE008" => format!("Same read repeated {n}× in one request in {endpoint}: {label}"),
        "PH-TRACE009" => format!("Row-at-a-time writes: {n} statements per request in {endpoint}: {label}"),
        "PH-TRACE010" => format!("New connections opened while serving {endpoint} (up to {n} per request)"),
        "PH-TRACE011" => format!("Requests wait for a pooled connection in {endpoint} (up to {})", ms(g.max_total_us)),
        "PH-TRACE012" => format!("Large HTTP payload (up to {}): {label}", kb(g.max_bytes)),
        "PH-TRACE013" => format!("Uncompressed HTTP response (~{} could be saved): {label}", kb(g.max_bytes)),
        "PH-TRACE014" => format!("Fan-out of {n} calls from one span in {endpoint}"),
        "PH-TRACE015" => {
            format!("Same computation repeated in {} requests, no cache, in {endpoint}: {label}", g.traces)
        }
        _ => format!("{}: {label}", g.rule.name),
    }
}

fn is_db_rule(code: &str) -> bool {
    matches!(code, "PH-TRACE001" | "PH-TRACE004" | "PH-TRACE006" | "PH-TRACE008" | "PH-TRACE009")
}

/// For an N+1 query `… WHERE col = ?`: the batched form `… WHERE col IN (?)`.
fn batched_sql(label: &str) -> Option<String> {
    let pos = label.rfind(" = ?")?;
    Some(format!("{} IN (?, ?, ...){}", &label[..pos], &label[pos + 4..]))
}

fn effort(code: &str) -> Effort {
    match code {
        "PH-TRACE006" | "PH-TRACE010" | "PH-TRACE011" | "PH-TRACE013" => Effort::QuickWin,
        "PH-TRACE014" => Effort::LongTerm,
        "PH-TRACE015" => Effort::MediumTerm,
        _ => Effort::MediumTerm,
    }
}

/// Below this share of slow executions, a slow query is a latency tail, not a slow query.
const TAIL_SHARE: f64 = 0.1;

/// For a slow query: when only a few of its many executions were slow (a stall under
/// load, a cold cache), the query itself is fast; say so instead of warning.
fn tail_only(g: &Group, m: &Measure, cfg: &Config) -> Option<String> {
    if g.rule.code != detect::slow_db::RULE.code || g.max_total_us as f64 >= cfg.slow_db.critical_ms * 1000.0 {
        return None;
    }
    let executions = m.queries.values().find(|q| *q.label == *g.key)?.latency.count;
    let slow = g.occurrences;
    (executions >= 20 && (slow as f64) < executions as f64 * TAIL_SHARE).then(|| {
        format!(
            "only {slow} of {executions} executions were slow ({:.1}%): a latency tail (contention, cold cache), not a slow query",
            slow as f64 / executions as f64 * 100.0
        )
    })
}

/// The finding for one group.
pub fn finding(g: &Group, m: &Measure, cfg: &Config) -> Finding {
    let endpoint = g.primary_endpoint().to_string();
    let mut f = Finding::new(g.rule, endpoint.clone(), title(g, &endpoint));
    f.fingerprint = g.fingerprint();
    let traces = g.traces.max(1);
    let per_request = g.saved_us / traces;
    let time_based = g.saved_us > 0 || !matches!(g.rule.code, "PH-TRACE012" | "PH-TRACE013" | "PH-TRACE014");
    let total_request_us = m.overall.latency.sum_us.max(1);
    f.severity = if per_request >= CRITICAL_SAVING_US || g.saved_us * 10 >= total_request_us && g.saved_us > 0 {
        Severity::Critical
    } else if time_based && per_request < INFO_SAVING_US {
        Severity::Info
    } else {
        g.rule.severity
    };
    if g.rule.code == "PH-TRACE006" || g.rule.code == "PH-TRACE007" {
        let slow = if g.rule.code == "PH-TRACE006" { &cfg.slow_db } else { &cfg.slow_http };
        if g.max_total_us as f64 >= slow.critical_ms * 1000.0 {
            f.severity = Severity::Critical;
        }
    }
    if let Some(note) = tail_only(g, m, cfg) {
        f.severity = Severity::Info;
        f.evidence.notes.push(note);
    }
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
    if is_db_rule(g.rule.code) {
        e.query = Some(g.key.to_string());
    } else {
        e.notes.push(format!("calls: {}", g.key));
    }
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
    if g.bytes > 0 && g.rule.code == detect::uncompressed_payload::RULE.code {
        f.impact.bytes_saved_per_request = Some(g.bytes / g.occurrences.max(1));
    }
    f.recommendation.effort = Some(effort(g.rule.code));
    if g.rule.code == detect::n_plus_one_db::RULE.code {
        if let Some(sql) = batched_sql(&g.key) {
            f.recommendation.snippet = Some(sql);
            f.recommendation.snippet_lang = Some("sql".into());
        }
    }
    f.confidence = if g.strong == 0 || g.rule.code == detect::repeated_pattern::RULE.code {
        Confidence::Medium
    } else {
        Confidence::High
    };
    if g.rule.code == detect::repeated_computation::RULE.code && !g.key.contains(" inputs#") {
        // Without recorded inputs, equal names do not prove equal results.
        f.severity = Severity::Info;
        f.confidence = Confidence::Low;
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batched_form() {
        assert_eq!(
            batched_sql("SELECT * FROM items WHERE order_id = ? LIMIT ?").as_deref(),
            Some("SELECT * FROM items WHERE order_id IN (?, ?, ...) LIMIT ?")
        );
        assert_eq!(batched_sql("SELECT 1"), None);
        assert_eq!(short("abcdef", 3), "abc…");
    }
}
