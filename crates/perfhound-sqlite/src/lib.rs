//! perfhound's SQLite engine: what an embedded database's statements cost, which indexes
//! would change that — proven by building them on a copy and timing the statements, not
//! guessed — and what is unhealthy in the file.
//!
//! [`analyze`] runs the whole diagnosis from a [`SqliteConfig`]:
//! - **statements** given programmatically ([`StatementStat`], e.g. harvested from traces,
//!   with their call counts) and/or read from a `--sql` file, grouped by their
//!   `perfhound-sql` fingerprint so targets match the trace engine's ([`statements`]);
//! - **EXPLAIN QUERY PLAN** of each on the original database — placeholders `?`, `?NNN`,
//!   `:name`, `@name`, `$name`/`$1` bound to NULL — and the plan rules: full scans, temporary
//!   B-trees, automatic indexes, correlated subqueries ([`explain`], [`plan`], [`params`]);
//! - the **index advisor** ([`advisor`]): candidate columns from WHERE/JOIN/ORDER BY/GROUP BY
//!   ([`perfhound_sql::usage`]), each candidate built on a `VACUUM INTO` copy, ANALYZEd, the plan
//!   re-checked and the statements timed before/after with parameter values sampled from
//!   the tables' own data; suggested when the time drops by `min_time_drop` (50%);
//! - **health checks**, one rule per file ([`checks`]).
//!
//! Safety: the user's file is opened with `SQLITE_OPEN_READ_ONLY` and `PRAGMA query_only`
//! and is never written; every experiment runs on the private copy, where only statements
//! SQLite reports as read-only are executed (an UPDATE/DELETE is measured through the
//! `SELECT` that finds its rows). Every statement perfhound runs has a deadline. Literals
//! are not shown unless asked. The result converts to the model's `Run` ([`to_model`]).

pub mod advisor;
pub mod catalog;
pub mod checks;
pub mod config;
pub mod error;
pub mod explain;
pub mod open;
pub mod params;
pub mod plan;
pub mod render;
pub mod statements;
pub mod to_model;

pub use config::{Limits, SqliteConfig, StatementStat, Thresholds};
pub use error::SqliteError;
pub use open::{is_sqlite_url, path_from_url};
/// The rusqlite (bundled SQLite) this engine is built with: one SQLite per workspace.
pub use rusqlite;

use advisor::Advice;
use catalog::Catalog;
use explain::Explained;
use perfhound_model::Rule;
use perfhound_sql::engine::Diagnosis;
use statements::StatementSet;

/// Every rule of the engine, for `perfhound rules`.
pub fn rules() -> Vec<Rule> {
    let mut r = vec![advisor::rule::RULE];
    r.extend(explain::RULES);
    r.extend(checks::RULES);
    r
}

/// Everything one analysis found.
#[derive(Debug)]
pub struct Analysis {
    /// The database file as given.
    pub source: String,
    pub sqlite_version: String,
    pub statements: StatementSet,
    /// One per statement, same order.
    pub explained: Vec<Explained>,
    pub advice: Option<Advice>,
    pub catalog: Catalog,
    /// Findings, database-level measurements (sizes, free pages, tables…), warnings.
    pub diagnosis: Diagnosis,
}

impl Analysis {
    /// The index suggestion that serves statement `stmt`, if any.
    pub fn suggestion_for(&self, stmt: usize) -> Option<&advisor::Suggestion> {
        self.advice.as_ref()?.suggestions.iter().find(|s| s.helped.iter().any(|h| h.stmt == stmt))
    }

    /// `database app.db`: the name of the overall target and of database-level findings.
    pub fn database_label(&self) -> String {
        database_label(std::path::Path::new(&self.source))
    }
}

fn database_label(path: &std::path::Path) -> String {
    format!("database {}", path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into()))
}

/// Runs the diagnosis. Errors only when the database cannot be read at all (missing, not
/// a database, locked, unreadable `--sql` file); a failed check or an advisor that cannot
/// make its copy becomes a warning.
pub fn analyze(cfg: &SqliteConfig) -> Result<Analysis, SqliteError> {
    let started_at = perfhound_model::rfc3339_now();
    let db = open::open_read_only(&cfg.path, &cfg.limits, true)?;
    let statements = StatementSet::build(&cfg.statements, cfg.sql_file.as_deref(), cfg.window_s)?;
    let catalog = Catalog::load(&db.conn, &db.deadline, cfg.limits.statement_timeout)?;
    let mut warnings = Vec::new();
    let uncounted: Vec<&str> = catalog.tables.iter().filter(|t| t.rows.is_none()).map(|t| t.name.as_str()).collect();
    if !uncounted.is_empty() {
        warnings.push(format!("row counts timed out for: {} (treated as empty)", uncounted.join(", ")));
    }
    let explained = explain::explain_all(&db, &statements, cfg.limits.statement_timeout);
    let failed: Vec<&Explained> = explained.iter().filter(|e| e.plan.is_err()).collect();
    if let Some(first) = failed.first() {
        let reason = first.plan.as_ref().err().cloned().unwrap_or_default();
        warnings.push(format!(
            "{} statement(s) could not be explained; first: {} ({reason})",
            failed.len(),
            statements.statements[first.stmt].display(cfg.show_literals)
        ));
    }
    let mut findings = Vec::new();
    let advice = if cfg.advisor && explained.iter().any(|e| e.plan.is_ok()) {
        match advisor::advise(&catalog, &statements, &explained, cfg) {
            Ok(a) => {
                for (stmt, why) in &a.unmeasurable {
                    warnings.push(format!(
                        "could not time {}: {why}",
                        statements.statements[*stmt].display(cfg.show_literals)
                    ));
                }
                findings.extend(advisor::rule::findings(&a, &statements, cfg.show_literals));
                Some(a)
            }
            Err(e) => {
                warnings.push(format!("index advisor skipped: {e}"));
                None
            }
        }
    } else {
        None
    };
    let served: Vec<usize> =
        advice.iter().flat_map(|a| a.suggestions.iter().flat_map(|s| s.helped.iter().map(|h| h.stmt))).collect();
    let not_improved = advice.as_ref().map(|a| a.not_improved.clone()).unwrap_or_default();
    let ctx = explain::Ctx {
        catalog: &catalog,
        set: &statements,
        t: &cfg.thresholds,
        show_literals: cfg.show_literals,
        served: &served,
        not_improved: &not_improved,
    };
    findings.extend(explain::findings(&ctx, &explained));
    let mut metrics = perfhound_model::Extras::default();
    if cfg.checks {
        let suggested: Vec<advisor::candidates::Candidate> =
            advice.iter().flat_map(|a| a.suggestions.iter().map(|s| s.candidate.clone())).collect();
        let ctx = checks::Ctx {
            conn: &db.conn,
            catalog: &catalog,
            t: &cfg.thresholds,
            database: database_label(&cfg.path),
            suggested: &suggested,
            workload_known: cfg.advisor && !statements.statements.is_empty(),
        };
        let health = checks::run_all(&ctx);
        findings.extend(health.findings);
        metrics = health.metrics;
        warnings.extend(health.warnings);
    }
    Ok(Analysis {
        source: cfg.path.display().to_string(),
        sqlite_version: rusqlite::version().to_string(),
        statements,
        explained,
        advice,
        catalog,
        diagnosis: Diagnosis { findings, metrics, warnings, started_at, ended_at: perfhound_model::rfc3339_now() },
    })
}
