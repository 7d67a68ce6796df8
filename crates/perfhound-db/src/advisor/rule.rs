//! `PH-DB001 missing-index`: an index that makes statements much cheaper.
//!
//! # What it detects
//! Statements whose estimated cost drops by at least 50% (configurable) with an index
//! that does not exist yet, proven with a HypoPG hypothetical index on the statement's
//! generic plan; without HypoPG, sequential scans of large tables filtered on indexable
//! columns (low confidence).
//!
//! # Why it matters
//! A missing index turns a lookup into a scan of the whole table: the cost grows with the
//! table, not with the result, and the scan competes for I/O and cache with everything else.
//!
//! # Example
//! `SELECT * FROM orders WHERE user_id = $1` on 200k rows: cost 5,200 → 41 (−99%) with
//! `CREATE INDEX CONCURRENTLY orders_user_id_idx ON public.orders (user_id)`.
//!
//! # Fix
//! Run the suggested `CREATE INDEX CONCURRENTLY` (it does not block writes), or
//! `perfhound db … --apply` to create it and re-measure.
//!
//! # Thresholds
//! `--min-cost-drop` (50%), statements cheaper than cost 100 are ignored. Ranked by time
//! saved per day at the observed call rate.

use super::{Advice, Suggestion};
use crate::statements::StatementSet;
use perfhound_model::{Confidence, Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-DB001",
    name: "missing-index",
    severity: Severity::Warning,
    summary: "An index that does not exist would make statements at least 50% cheaper (HypoPG-verified when available).",
    why: "Without it the planner scans the whole table: cost grows with the table instead of the result, and the scan evicts useful cache.",
    fix: "Run the suggested CREATE INDEX CONCURRENTLY (it does not block writes), or `perfhound db … --apply` to create it and re-measure.",
};

/// One finding per suggested index.
pub fn findings(advice: &Advice, set: &StatementSet, show_literals: bool) -> Vec<Finding> {
    advice.suggestions.iter().map(|s| finding(s, set, show_literals)).collect()
}

fn finding(s: &Suggestion, set: &StatementSet, show_literals: bool) -> Finding {
    let label = s.spec.label();
    let best = s.queries.iter().filter_map(|q| q.drop()).fold(0.0_f64, f64::max);
    let title = if s.verified {
        format!("index {label} cuts estimated cost by {:.0}% for {} statement(s)", best * 100.0, s.queries.len())
    } else {
        format!("index {label} would likely remove a sequential scan for {} statement(s)", s.queries.len())
    };
    let mut f = Finding::new(&RULE, label, title);
    if let Some(first) = s.queries.first() {
        f.evidence.query = set.statements.get(first.stmt).map(|st| st.display(show_literals));
    }
    f.evidence.counts.insert("queries_helped".into(), s.queries.len() as u64);
    for (i, q) in s.queries.iter().enumerate() {
        let text = set.statements.get(q.stmt).map(|st| st.display(show_literals)).unwrap_or_default();
        let after = q.after.map_or("not measured".to_string(), |a| format!("{a:.1}"));
        let pct = q.drop().map_or(String::new(), |d| format!(" (−{:.1}%)", d * 100.0));
        f.evidence.notes.push(format!("statement {}: cost {:.1} → {after}{pct}: {text}", i + 1, q.before));
        if i == 0 {
            f.evidence.counts.insert("cost_before".into(), q.before.round() as u64);
            if let Some(a) = q.after {
                f.evidence.counts.insert("cost_after".into(), a.round() as u64);
            }
        }
    }
    if let Some(b) = s.size_bytes {
        f.evidence.sizes_bytes.insert("estimated_index_size".into(), b.max(0) as u64);
    }
    if let Some(ms) = s.time_saved_ms_per_day {
        f.evidence.durations_us.insert("time_saved_per_day".into(), (ms * 1000.0).round() as u64);
    }
    if let Some(w) = s.table_writes_per_day {
        f.evidence.notes.push(format!(
            "write cost: the table receives about {w:.0} row writes per day; each one also updates this index"
        ));
    }
    f.evidence.notes.extend(s.notes.iter().cloned());
    let helped_calls: i64 = s.queries.iter().filter_map(|q| set.statements.get(q.stmt)).map(|st| st.calls).sum();
    let helped_per_day: f64 =
        s.queries.iter().filter_map(|q| set.statements.get(q.stmt)).filter_map(|st| set.calls_per_day(st)).sum();
    f.impact.occurrences = (helped_calls > 0).then_some(helped_calls as u64);
    if let Some(q) = s.queries.first() {
        if let (Some(st), Some(d)) = (set.statements.get(q.stmt), q.drop()) {
            if st.calls > 0 {
                f.impact.time_saved_per_request_us = Some((st.mean_ms * d * 1000.0).round() as u64);
            }
        }
    }
    f.recommendation.text = format!("Create the index without blocking writes: {}", RULE.fix);
    f.recommendation.snippet = Some(s.create.iter().map(|c| format!("{c};")).collect::<Vec<_>>().join("\n"));
    f.recommendation.snippet_lang = Some("sql".into());
    f.recommendation.effort = Some(Effort::QuickWin);
    f.confidence = if !s.verified {
        Confidence::Low
    } else if s.table_writes_per_day.unwrap_or(0.0) > 10.0 * helped_per_day.max(1.0) {
        Confidence::Medium
    } else {
        Confidence::High
    };
    f
}
