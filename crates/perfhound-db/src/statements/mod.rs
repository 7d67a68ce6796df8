//! Statements to analyze — from pg_stat_statements ([`pgss`]: this database, top-level
//! only, perfhound's own filtered out, optionally as the delta since a [`window`]
//! snapshot), from a PostgreSQL log ([`crate::pglog`]) or from a `--sql` file — plus the
//! top lists and the statement rules (`PH-DB002 slow-query`, `PH-DB003 n-plus-one-query`).
//!
//! Every statement carries its `perfhound-sql` shape (`SELECT * FROM users WHERE id = ?`),
//! the fingerprint `perfhound traces` computes for the same SQL: statements are grouped by
//! it ([`group`]) and findings and targets are named by it, so a database finding and a
//! trace finding about one query line up.

pub mod group;
pub mod n_plus_one;
pub mod pgss;
pub mod slow_query;
pub mod window;

use crate::error::DbError;
use crate::sqltext;
use perfhound_sql::{Normalizer, Shape};
use std::sync::Arc;

pub use pgss::from_pg_stat_statements;

/// Marks perfhound's own catalog queries so they can be told apart in pg_stat_statements.
pub const MARKER: &str = "/* perfhound */";

/// The `db.system` perfhound-sql fingerprints statements as.
pub const SYSTEM: &str = "postgresql";

/// Where a statement came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    PgStatStatements {
        queryid: i64,
    },
    File {
        path: String,
        index: usize,
    },
    /// A PostgreSQL log; `line` is where the statement was first seen.
    Log {
        path: String,
        line: usize,
    },
}

/// One statement with its execution statistics (zero for files).
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub origin: Origin,
    /// Text as stored (pg_stat_statements normalizes literals to `$n`; files and logs keep them).
    pub query: String,
    /// The shared `perfhound-sql` shape of `query`: the statement's identity.
    pub shape: Arc<Shape>,
    pub calls: i64,
    pub total_ms: f64,
    pub mean_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub stddev_ms: f64,
    pub rows: i64,
    pub shared_blks_hit: i64,
    pub shared_blks_read: i64,
    /// Logs only: the slowest execution with its logged parameters bound (has literals).
    pub slowest_example: Option<String>,
}

impl Statement {
    /// A statement without statistics, fingerprinted with `normalizer`.
    pub fn new(origin: Origin, query: String, normalizer: &mut Normalizer) -> Statement {
        let shape = normalizer.fingerprint(&query, SYSTEM).shape;
        Statement::with_shape(origin, query, shape)
    }

    /// A statement without statistics whose shape is already known.
    pub fn with_shape(origin: Origin, query: String, shape: Arc<Shape>) -> Statement {
        Statement {
            origin,
            query,
            shape,
            calls: 0,
            total_ms: 0.0,
            mean_ms: 0.0,
            min_ms: 0.0,
            max_ms: 0.0,
            stddev_ms: 0.0,
            rows: 0,
            shared_blks_hit: 0,
            shared_blks_read: 0,
            slowest_example: None,
        }
    }

    /// A statement read from a file (no statistics).
    pub fn from_file(path: &str, index: usize, query: String) -> Statement {
        Statement::new(Origin::File { path: path.to_string(), index }, query, &mut Normalizer::new(1))
    }

    /// The text shown to people: whitespace collapsed, literals redacted unless asked.
    pub fn display(&self, show_literals: bool) -> String {
        sqltext::display(&self.query, show_literals)
    }

    /// The name of the statement in findings and targets: its `perfhound-sql` shape text
    /// (never has literals), the same name `perfhound traces` gives it.
    pub fn fingerprint_text(&self) -> &str {
        &self.shape.text
    }

    pub fn has_stats(&self) -> bool {
        !matches!(self.origin, Origin::File { .. })
    }

    pub fn rows_per_call(&self) -> f64 {
        if self.calls > 0 {
            self.rows as f64 / self.calls as f64
        } else {
            0.0
        }
    }
}

/// Statements of this database plus the statistics window.
#[derive(Clone, Debug, Default)]
pub struct StatementSet {
    pub statements: Vec<Statement>,
    /// Seconds the statistics cover (since pg_stat_statements was reset, since the
    /// baseline snapshot, or first to last log line), to turn totals into rates.
    pub window_s: Option<f64>,
    /// Statements whose text the role may not see.
    pub hidden: usize,
}

impl StatementSet {
    /// Calls per day of a statement at the rate observed over the window.
    pub fn calls_per_day(&self, s: &Statement) -> Option<f64> {
        let w = self.window_s.filter(|w| *w > 0.0)?;
        s.has_stats().then(|| s.calls as f64 * 86_400.0 / w.max(1.0))
    }

    /// Indices of the top `n` statements by a key, descending.
    pub fn top_by(&self, n: usize, key: impl Fn(&Statement) -> f64) -> Vec<usize> {
        perfhound_sql::engine::top_by(&self.statements, n, key)
    }
}

/// perfhound's own statements, utility statements and catalog-only probes are not workload.
pub fn is_own_or_utility(query: &str) -> bool {
    if query.contains(MARKER) || query.contains("pg_stat_statements") || query.contains("hypopg") {
        return true;
    }
    let kw = sqltext::first_keyword(query).unwrap_or_default();
    !matches!(kw.as_str(), "SELECT" | "WITH" | "INSERT" | "UPDATE" | "DELETE" | "VALUES" | "TABLE" | "MERGE")
}

/// Reads statements from a SQL file (one per `;`).
pub fn from_file(path: &str) -> Result<StatementSet, DbError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| DbError::Io { path: path.to_string(), reason: e.to_string() })?;
    let mut normalizer = Normalizer::default();
    let statements = sqltext::split_statements(&text)
        .into_iter()
        .enumerate()
        .map(|(i, q)| Statement::new(Origin::File { path: path.to_string(), index: i + 1 }, q, &mut normalizer))
        .collect();
    Ok(StatementSet { statements, window_s: None, hidden: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_and_utility_statements_are_not_workload() {
        assert!(is_own_or_utility("/* perfhound */ SELECT 1"));
        assert!(is_own_or_utility("SET plan_cache_mode = force_generic_plan"));
        assert!(is_own_or_utility("SELECT * FROM hypopg_create_index($1)"));
        assert!(!is_own_or_utility("SELECT * FROM orders WHERE id = $1"));
        assert!(!is_own_or_utility("with x as (select 1) select * from x"));
    }

    #[test]
    fn rates_and_top_lists() {
        let mut a = Statement::from_file("f", 1, "SELECT 1".into());
        a.origin = Origin::PgStatStatements { queryid: 1 };
        a.calls = 100;
        a.total_ms = 5.0;
        let mut b = a.clone();
        b.total_ms = 50.0;
        let set = StatementSet { statements: vec![a, b], window_s: Some(3600.0), hidden: 0 };
        assert_eq!(set.calls_per_day(&set.statements[0]), Some(2400.0));
        assert_eq!(set.top_by(1, |s| s.total_ms), vec![1]);
    }

    #[test]
    fn statements_are_named_by_the_shared_fingerprint() {
        let a = Statement::from_file("f", 1, "select *\n from users where id=42 -- x".into());
        let traces = perfhound_sql::fingerprint("SELECT * FROM users WHERE id = $1", "postgresql");
        assert_eq!(a.shape.hash, traces.shape.hash);
        assert_eq!(a.fingerprint_text(), traces.shape.text);
        assert!(!a.fingerprint_text().contains("42"));
    }
}
