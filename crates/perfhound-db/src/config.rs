//! [`Config`] for one `perfhound db` analysis and the [`Thresholds`] of its rules, with
//! PgHero's defaults where PgHero has one.

use crate::session::Limits;
use crate::statements::window::StatementSnapshot;

/// What to analyze and how.
#[derive(Clone, Debug)]
pub struct Config {
    /// `postgres://…` or `key=value` connection string. Never printed as is.
    pub url: String,
    /// Analyze the statements of this file instead of pg_stat_statements.
    pub sql_file: Option<String>,
    /// Analyze the statements of this PostgreSQL log (stderr format, or csvlog when it ends
    /// in `.csv`) instead of pg_stat_statements.
    pub log_file: Option<String>,
    /// Report pg_stat_statements' counters as the delta since this snapshot
    /// ([`crate::snapshot`]) instead of since the last reset.
    pub baseline: Option<StatementSnapshot>,
    pub limits: Limits,
    /// Length of each top list (total time, mean time, calls).
    pub top: usize,
    /// At most this many statements are read from pg_stat_statements (by total time).
    pub max_statements: usize,
    /// Show query literals (statements from files) instead of `$n`.
    pub show_literals: bool,
    pub advisor: AdvisorConfig,
    /// Run the health checks.
    pub checks: bool,
    pub thresholds: Thresholds,
}

impl Config {
    pub fn new(url: impl Into<String>) -> Config {
        Config {
            url: url.into(),
            sql_file: None,
            log_file: None,
            baseline: None,
            limits: Limits::default(),
            top: 10,
            max_statements: 1000,
            show_literals: false,
            advisor: AdvisorConfig::default(),
            checks: true,
            thresholds: Thresholds::default(),
        }
    }
}

/// Index advisor settings.
#[derive(Clone, Debug)]
pub struct AdvisorConfig {
    pub enabled: bool,
    /// Suggest an index when the estimated cost drops by at least this fraction (Dexter: 0.5).
    pub min_cost_drop: f64,
    /// Statements whose plan costs less than this are not worth an index (Dexter: 100).
    pub min_cost: f64,
    /// Candidate indexes per table per statement, at most.
    pub max_candidates_per_table: usize,
}

impl Default for AdvisorConfig {
    fn default() -> Self {
        AdvisorConfig { enabled: true, min_cost_drop: 0.5, min_cost: 100.0, max_candidates_per_table: 24 }
    }
}

/// Thresholds of the statement rules and health checks.
#[derive(Clone, Debug)]
pub struct Thresholds {
    /// PgHero slow query: at least this many calls…
    pub slow_query_calls: i64,
    /// …and at least this mean time.
    pub slow_query_mean_ms: f64,
    /// N+1 signature: at least this many calls…
    pub n_plus_one_calls: i64,
    /// …each faster than this…
    pub n_plus_one_mean_ms: f64,
    /// …returning at most this many rows per call.
    pub n_plus_one_rows_per_call: f64,
    /// Queries running longer than this (PgHero: 60 s).
    pub long_running_s: f64,
    /// Sessions idle in a transaction longer than this.
    pub idle_in_transaction_s: f64,
    /// Connections in use above this share of max_connections.
    pub connections_ratio: f64,
    /// Cache hit ratios below this (PgHero: 99%).
    pub cache_hit_ratio: f64,
    /// …judged only after this many block reads + hits.
    pub cache_min_blocks: i64,
    /// Sequences above this share of their maximum (PgHero: 90%).
    pub sequence_ratio: f64,
    /// Databases whose oldest unfrozen transaction id is older than this.
    pub wraparound_age: i64,
    /// Heavy sequential scans: tables with at least this many live rows…
    pub seq_scan_min_rows: i64,
    /// …where fewer than this share of scans use an index (PgHero: 95%).
    pub seq_scan_index_share: f64,
    /// Dead tuples above this share of the table…
    pub dead_tuple_ratio: f64,
    /// …and at least this many dead tuples.
    pub dead_tuple_min: i64,
    /// Estimated bloat above this share of the table…
    pub bloat_ratio: f64,
    /// …and at least this many bytes.
    pub bloat_min_bytes: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            slow_query_calls: 100,
            slow_query_mean_ms: 20.0,
            n_plus_one_calls: 1000,
            n_plus_one_mean_ms: 1.0,
            n_plus_one_rows_per_call: 1.5,
            long_running_s: 60.0,
            idle_in_transaction_s: 60.0,
            connections_ratio: 0.8,
            cache_hit_ratio: 0.99,
            cache_min_blocks: 10_000,
            sequence_ratio: 0.9,
            wraparound_age: 1_000_000_000,
            seq_scan_min_rows: 10_000,
            seq_scan_index_share: 0.95,
            dead_tuple_ratio: 0.2,
            dead_tuple_min: 10_000,
            bloat_ratio: 0.5,
            bloat_min_bytes: 10 * 1024 * 1024,
        }
    }
}
