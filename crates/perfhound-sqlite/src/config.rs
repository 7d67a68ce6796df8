//! [`SqliteConfig`] for one analysis: the database file, the statements to analyze (with
//! their call statistics when known), and the [`Thresholds`] of the rules.

use std::path::PathBuf;
use std::time::Duration;

/// One statement as the application runs it, with what is known of its execution.
///
/// `calls` and `total_us` are counted over [`SqliteConfig::window_s`] (for example the time
/// span of the traces they were harvested from); zero when unknown (a `--sql` file).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatementStat {
    pub sql: String,
    pub calls: u64,
    pub total_us: u64,
}

impl StatementStat {
    pub fn new(sql: impl Into<String>, calls: u64, total_us: u64) -> StatementStat {
        StatementStat { sql: sql.into(), calls, total_us }
    }
}

/// What to analyze and how.
#[derive(Clone, Debug)]
pub struct SqliteConfig {
    /// The database file. Opened read-only; never modified.
    pub path: PathBuf,
    /// Statements given programmatically (e.g. harvested from traces).
    pub statements: Vec<StatementStat>,
    /// Also read statements from this SQL file (one per `;`, no statistics).
    pub sql_file: Option<PathBuf>,
    /// Seconds over which `calls`/`total_us` were counted: turns them into rates per day.
    pub window_s: Option<f64>,
    /// Suggest an index when the measured execution time drops by at least this fraction.
    pub min_time_drop: f64,
    /// Show statements with their literals instead of the normalized fingerprint.
    pub show_literals: bool,
    /// Run the index advisor (needs a temporary copy of the database).
    pub advisor: bool,
    /// Run the health checks.
    pub checks: bool,
    pub limits: Limits,
    pub thresholds: Thresholds,
}

impl SqliteConfig {
    pub fn new(path: impl Into<PathBuf>) -> SqliteConfig {
        SqliteConfig {
            path: path.into(),
            statements: Vec::new(),
            sql_file: None,
            window_s: None,
            min_time_drop: 0.5,
            show_literals: false,
            advisor: true,
            checks: true,
            limits: Limits::default(),
            thresholds: Thresholds::default(),
        }
    }
}

/// Time bounds: nothing perfhound runs can hang on a locked or huge database.
#[derive(Clone, Debug)]
pub struct Limits {
    /// How long to wait for a lock held by another connection before giving up.
    pub busy_timeout: Duration,
    /// Any single statement perfhound runs (a count, a timed execution, an index build on
    /// the copy) is interrupted after this long.
    pub statement_timeout: Duration,
    /// Time budget for measuring one statement in one configuration (before or after an index).
    pub measure_budget: Duration,
    /// Parameter sets (sampled from the table's data) per measured statement.
    pub samples: usize,
    /// Timed executions per parameter set (the fastest counts).
    pub repeats: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            busy_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
            measure_budget: Duration::from_secs(3),
            samples: 5,
            repeats: 3,
        }
    }
}

/// Thresholds of the plan rules, the advisor and the health checks.
#[derive(Clone, Debug)]
pub struct Thresholds {
    /// A full scan is reported on tables with at least this many rows.
    pub scan_min_rows: u64,
    /// …and is a warning (not info) from this many rows.
    pub scan_warning_rows: u64,
    /// The advisor works on statements touching tables with at least this many rows.
    pub advisor_min_rows: u64,
    /// Tables never analyzed are reported from this many rows (when they have an index).
    pub analyze_min_rows: u64,
    /// Unindexed foreign keys are a warning (not info) from this many child rows.
    pub fk_warning_rows: u64,
    /// Free pages above this share of the file…
    pub freelist_ratio: f64,
    /// …and at least this many bytes.
    pub freelist_min_bytes: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            scan_min_rows: 10_000,
            scan_warning_rows: 50_000,
            advisor_min_rows: 1_000,
            analyze_min_rows: 1_000,
            fk_warning_rows: 10_000,
            freelist_ratio: 0.2,
            freelist_min_bytes: 1024 * 1024,
        }
    }
}
