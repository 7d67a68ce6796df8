//! `PH-SQLITE001 missing-index`: an index that makes statements measurably faster.
//!
//! # What it detects
//! Statements whose measured execution time drops by at least 50% (configurable) with an
//! index that does not exist yet — built on a temporary copy of the database, with the
//! plan switching to it (`SEARCH t USING INDEX idx_…`) and the statement timed before and
//! after with parameter values taken from the table's own data.
//!
//! # Why it matters
//! Without the index SQLite reads the whole table (or sorts, or builds a transient index)
//! on every execution: the cost grows with the table, not with the result.
//!
//! # Example
//! `SELECT * FROM orders WHERE user_id = ?` on 100,000 rows: `SCAN orders`, 9.8 ms →
//! `SEARCH orders USING INDEX idx_orders_user_id (user_id=?)`, 0.02 ms with
//! `CREATE INDEX IF NOT EXISTS idx_orders_user_id ON orders (user_id);`.
//!
//! # Fix
//! Run the suggested `CREATE INDEX IF NOT EXISTS …` and `ANALYZE` the table (as verified).
//! Building the index locks the database for writing while it runs (its build time on the
//! copy is in the evidence).
//!
//! # Thresholds
//! `min_time_drop` (50%, `--min-cost-drop`); statements on tables under 1,000 rows are
//! not considered. Ranked by time saved per day at the given call rates.

use super::{Advice, Helped, Suggestion};
use crate::statements::StatementSet;
use perfhound_model::finding::fingerprint;
use perfhound_model::{Confidence, Effort, Finding, Rule, Severity};
use perfhound_term::human::duration_us;

pub const RULE: Rule = Rule {
    code: "PH-SQLITE001",
    name: "missing-index",
    severity: Severity::Warning,
    summary: "An index that does not exist makes statements at least 50% faster, measured on a copy of the database.",
    why: "Without it SQLite scans the whole table (or sorts, or builds a transient index) on every execution: cost grows with the table.",
    fix: "Run the suggested CREATE INDEX IF NOT EXISTS and ANALYZE the table; the build locks writes while it runs.",
};

/// A drop as a percentage, rounded down (99.96% is `99.9`, never a `100` that is not).
pub fn pct(drop: f64) -> String {
    format!("{:.1}", (drop * 1000.0).floor() / 10.0)
}

/// One finding per suggested index.
pub fn findings(advice: &Advice, set: &StatementSet, show_literals: bool) -> Vec<Finding> {
    advice.suggestions.iter().map(|s| finding(s, set, show_literals)).collect()
}

fn finding(s: &Suggestion, set: &StatementSet, show_literals: bool) -> Finding {
    let first: &Helped = &s.helped[0];
    let st = &set.statements[first.stmt];
    let title = format!(
        "index {} makes {} statement(s) faster: {} → {} per execution (−{}%)",
        s.candidate.label(),
        s.helped.len(),
        duration_us(first.before_us),
        duration_us(first.after_us),
        pct(first.drop())
    );
    let mut f = Finding::new(&RULE, st.fingerprint.clone(), title);
    // The same index is the same finding whichever statement is listed first.
    let cols: Vec<String> = s.candidate.columns.iter().map(|c| c.to_ascii_lowercase()).collect();
    f.fingerprint = fingerprint(&[RULE.code, &s.candidate.table.to_ascii_lowercase(), &cols.join(",")]);
    f.evidence.query = Some(st.display(show_literals));
    f.evidence.code = Some(first.plan_before.render());
    f.evidence.code_lang = Some("text".into());
    f.evidence.counts.insert("statements_helped".into(), s.helped.len() as u64);
    if let Some(rows) = s.table_rows {
        f.evidence.counts.insert("table_rows".into(), rows);
    }
    f.evidence.durations_us.insert("time_before".into(), first.before_us.round() as u64);
    f.evidence.durations_us.insert("time_after".into(), first.after_us.round() as u64);
    f.evidence.durations_us.insert("index_build_on_copy".into(), (s.build_ms * 1000.0).round() as u64);
    if let Some(d) = s.time_saved_us_per_day {
        f.evidence.durations_us.insert("time_saved_per_day".into(), d.round() as u64);
    }
    if let Some(b) = s.size_bytes {
        f.evidence.sizes_bytes.insert("index_size".into(), b);
    }
    f.evidence.examples.push(s.name.clone());
    for (i, h) in s.helped.iter().enumerate() {
        let text = set.statements[h.stmt].display(show_literals);
        f.evidence.notes.push(format!(
            "statement {}: {} → {} per execution (−{}%, {} parameter set(s)): {text}",
            i + 1,
            duration_us(h.before_us),
            duration_us(h.after_us),
            pct(h.drop()),
            h.sets
        ));
        f.evidence.notes.push(format!("  plan before: {}", h.plan_before.render().replace('\n', " | ")));
        f.evidence.notes.push(format!("  plan after:  {}", h.plan_after.render().replace('\n', " | ")));
    }
    if let Some(fk) = &s.foreign_key {
        f.evidence.notes.push(format!("it also indexes the foreign key {fk}"));
    }
    if let Some(w) = s.table_writes_per_day {
        f.evidence.notes.push(format!(
            "write cost: about {w:.0} writes per day to {}; each one also updates this index",
            s.candidate.table
        ));
    }
    let calls: u64 = s.helped.iter().map(|h| set.statements[h.stmt].calls).sum();
    f.impact.occurrences = (calls > 0).then_some(calls);
    f.impact.time_saved_per_request_us = Some(first.saved_us().round() as u64);
    f.recommendation.text = RULE.fix.to_string();
    f.recommendation.snippet = Some(s.snippet());
    f.recommendation.snippet_lang = Some("sql".into());
    f.recommendation.effort = Some(Effort::QuickWin);
    let helped_per_day: f64 = s.helped.iter().filter_map(|h| set.calls_per_day(&set.statements[h.stmt])).sum();
    f.confidence = if s.table_writes_per_day.unwrap_or(0.0) > 10.0 * helped_per_day.max(1.0) {
        Confidence::Medium
    } else {
        Confidence::High
    };
    f
}
