//! `PH-DB003 n-plus-one-query`: the database-side signature of an N+1 query pattern.
//!
//! # What it detects
//! One statement fingerprint called very many times (≥ 1,000), each call tiny (< 1 ms mean)
//! and returning about one row: the shape of an ORM loading a list and then fetching each
//! item's relation one by one (`SELECT … FROM users WHERE id = $1` × N).
//!
//! # Why it matters
//! Each call costs a network round trip and per-statement overhead that dwarfs the
//! execution time; a page that shows 100 items makes 101 queries.
//!
//! # Example
//! `SELECT * FROM users WHERE id = $1` — 48,000 calls, 0.02 ms mean, 1 row per call.
//!
//! # Fix
//! Fetch the set at once: `WHERE id = ANY($1)`, a JOIN, or the ORM's eager loading
//! (`includes`, `select_related`/`prefetch_related`, `JOIN FETCH`).
//!
//! # Thresholds
//! `n_plus_one_calls` (1000), `n_plus_one_mean_ms` (1), `n_plus_one_rows_per_call` (1.5).
//! pg_stat_statements cannot see which calls belong to one request, so confidence is
//! medium; traces (`perfhound traces`) confirm it per request.

use super::slow_query::ms_to_us;
use super::{Statement, StatementSet};
use crate::config::Thresholds;
use perfhound_model::{Confidence, Effort, Finding, Rule, Severity};
use perfhound_sql::StatementKind;

pub const RULE: Rule = Rule {
    code: "PH-DB003",
    name: "n-plus-one-query",
    severity: Severity::Warning,
    summary: "One single-row lookup is executed thousands of times with a tiny mean time: the N+1 query signature.",
    why: "Every call pays a round trip and statement overhead far larger than its execution; a list of N items costs N+1 queries.",
    fix: "Load the set at once: `WHERE id = ANY($1)`, a JOIN, or the ORM's eager loading (includes / select_related / JOIN FETCH).",
};

/// Findings for N+1 signatures.
pub fn findings(set: &StatementSet, t: &Thresholds, show_literals: bool) -> Vec<Finding> {
    set.statements.iter().filter(|s| matches(s, t)).map(|s| finding(s, set, show_literals)).collect()
}

fn matches(s: &Statement, t: &Thresholds) -> bool {
    s.has_stats()
        && s.calls >= t.n_plus_one_calls
        && s.mean_ms < t.n_plus_one_mean_ms
        && s.rows_per_call() <= t.n_plus_one_rows_per_call
        && s.shape.kind == StatementKind::Select
        && s.fingerprint_text().contains('?')
}

fn finding(s: &Statement, set: &StatementSet, show_literals: bool) -> Finding {
    let mut f = Finding::new(
        &RULE,
        s.fingerprint_text(),
        format!("{} calls of a single-row lookup averaging {:.3} ms: likely N+1", s.calls, s.mean_ms),
    );
    super::slow_query::describe_statement(&mut f, s, show_literals);
    f.evidence.counts.insert("calls".into(), s.calls.max(0) as u64);
    f.evidence.counts.insert("rows".into(), s.rows.max(0) as u64);
    f.evidence.durations_us.insert("mean".into(), ms_to_us(s.mean_ms));
    f.evidence.durations_us.insert("total".into(), ms_to_us(s.total_ms));
    if let (Some(per_day), Some(w)) = (set.calls_per_day(s), set.window_s) {
        f.evidence.notes.push(format!(
            "{:.1} calls per second over the last {:.0} s ({per_day:.0} per day)",
            s.calls as f64 / w.max(1.0),
            w
        ));
    }
    f.impact.occurrences = Some(s.calls.max(0) as u64);
    f.recommendation.snippet = Some("-- instead of one query per id:\nSELECT * FROM <table> WHERE id = ANY($1)".into());
    f.recommendation.snippet_lang = Some("sql".into());
    f.recommendation.effort = Some(Effort::MediumTerm);
    f.confidence = Confidence::Medium;
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statements::Origin;

    fn stmt(query: &str, calls: i64, mean_ms: f64, rows: i64) -> Statement {
        let mut s = Statement::from_file("x", 1, query.into());
        s.origin = Origin::PgStatStatements { queryid: 7 };
        s.calls = calls;
        s.mean_ms = mean_ms;
        s.total_ms = mean_ms * calls as f64;
        s.rows = rows;
        s
    }

    #[test]
    fn literal_lookups_from_logs_count_and_the_target_is_the_shared_fingerprint() {
        let t = Thresholds::default();
        let s = stmt("select * from users where id = 42", 5000, 0.02, 0);
        assert!(matches(&s, &t), "a literal is a parameter too; logs have no row counts");
        assert!(!matches(&stmt("SELECT now()", 5000, 0.02, 5000), &t), "nothing looked up");
        let set = StatementSet { statements: vec![s], window_s: None, hidden: 0 };
        let f = findings(&set, &t, false);
        let traces = perfhound_sql::fingerprint("SELECT * FROM users WHERE id = $1", "postgresql");
        assert_eq!(f[0].target, traces.shape.text);
        assert_eq!(f[0].evidence.query.as_deref(), Some("select * from users where id = $1"));
    }

    #[test]
    fn flags_many_tiny_single_row_lookups_only() {
        let t = Thresholds::default();
        assert!(matches(&stmt("SELECT * FROM users WHERE id = $1", 5000, 0.02, 5000), &t));
        assert!(!matches(&stmt("SELECT * FROM users WHERE id = $1", 50, 0.02, 50), &t), "too few calls");
        assert!(!matches(&stmt("SELECT * FROM users WHERE id = $1", 5000, 3.0, 5000), &t), "not tiny");
        assert!(!matches(&stmt("SELECT * FROM users WHERE org = $1", 5000, 0.1, 500_000), &t), "many rows");
        assert!(!matches(&stmt("UPDATE users SET a = $1", 5000, 0.1, 5000), &t), "not a lookup");
    }
}
