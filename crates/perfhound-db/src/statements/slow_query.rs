//! `PH-DB002 slow-query`: statements that are both frequent and slow.
//!
//! # What it detects
//! Statements with at least 100 calls and a mean execution time of at least 20 ms (PgHero's
//! definition), ranked by total time.
//!
//! # Why it matters
//! Total time = calls × mean: these statements are where the database spends its time, and
//! each call adds its mean to some request's latency.
//!
//! # Example
//! `SELECT * FROM orders WHERE status = $1 ORDER BY created_at DESC LIMIT $2` — 5,000 calls,
//! 48 ms mean, 4 min total.
//!
//! # Fix
//! Look at the index advisor's suggestion for the statement (`PH-DB001`), its plan, and
//! whether the application needs every call (caching, batching).
//!
//! # Thresholds
//! `slow_query_calls` (100) and `slow_query_mean_ms` (20).

use super::{Statement, StatementSet};
use crate::config::Thresholds;
use perfhound_model::{Confidence, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-DB002",
    name: "slow-query",
    severity: Severity::Warning,
    summary: "A statement is called often (≥ 100 calls) and is slow on average (≥ 20 ms).",
    why: "Calls × mean time is where the database spends its time; every call adds the mean to a request's latency.",
    fix: "Check the index advisor's suggestion and the plan for this statement; cache or batch calls the application does not need.",
};

/// Findings for slow statements.
pub fn findings(set: &StatementSet, t: &Thresholds, show_literals: bool) -> Vec<Finding> {
    let all_ms: f64 = set.statements.iter().map(|s| s.total_ms).sum();
    set.statements
        .iter()
        .filter(|s| s.has_stats() && s.calls >= t.slow_query_calls && s.mean_ms >= t.slow_query_mean_ms)
        .map(|s| finding(s, set, all_ms, show_literals))
        .collect()
}

fn finding(s: &Statement, set: &StatementSet, all_ms: f64, show_literals: bool) -> Finding {
    let mut f = Finding::new(
        &RULE,
        s.fingerprint_text(),
        format!("{} calls averaging {:.1} ms ({:.1} s in total)", s.calls, s.mean_ms, s.total_ms / 1000.0),
    );
    describe_statement(&mut f, s, show_literals);
    f.evidence.counts.insert("calls".into(), s.calls.max(0) as u64);
    f.evidence.durations_us.insert("mean".into(), ms_to_us(s.mean_ms));
    f.evidence.durations_us.insert("total".into(), ms_to_us(s.total_ms));
    f.evidence.durations_us.insert("max".into(), ms_to_us(s.max_ms));
    if let Some(per_day) = set.calls_per_day(s) {
        f.evidence.notes.push(format!("{per_day:.0} calls per day at the observed rate"));
    }
    f.impact.occurrences = Some(s.calls.max(0) as u64);
    f.impact.share_of_total = (all_ms > 0.0).then(|| s.total_ms / all_ms);
    f.confidence = Confidence::High;
    if s.mean_ms >= 500.0 {
        f.severity = Severity::Critical;
    }
    f
}

/// The statement part of a finding's evidence: the text as it may be shown, the shared
/// fingerprint, and (logs, `--show-literals` only) the slowest execution with its values.
pub(crate) fn describe_statement(f: &mut Finding, s: &Statement, show_literals: bool) {
    f.evidence.query = Some(s.display(show_literals));
    f.evidence.notes.push(format!("perfhound-sql fingerprint {:016x} (the same for perfhound traces)", s.shape.hash));
    if let (true, Some(example)) = (show_literals, &s.slowest_example) {
        f.evidence.examples.push(format!("slowest logged call ({:.3} ms): {example}", s.max_ms));
    }
}

pub(crate) fn ms_to_us(ms: f64) -> u64 {
    (ms * 1000.0).round().max(0.0) as u64
}
