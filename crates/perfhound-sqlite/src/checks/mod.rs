//! Health checks, one rule per file (`PH-SQLITE006`…`PH-SQLITE009`): statistics never
//! gathered, journal mode, unindexed foreign keys, free-page fragmentation. Each check
//! reads pragmas or the catalog on the read-only connection; a check that fails becomes
//! a warning, never the end of the analysis.
//!
//! Deliberately absent: `synchronous`, `cache_size` and `mmap_size` are per-connection
//! settings — what perfhound's own connection reports says nothing about the
//! application's, so a finding about them would be a guess.

pub mod freelist;
pub mod journal_mode;
pub mod never_analyzed;
pub mod unindexed_foreign_key;

use crate::catalog::Catalog;
use crate::config::Thresholds;
use crate::error::SqliteError;
use perfhound_model::{Extra, Rule};
pub use perfhound_sql::engine::{Health, Outcome};
use rusqlite::Connection;

/// What every check gets.
pub struct Ctx<'a> {
    pub conn: &'a Connection,
    pub catalog: &'a Catalog,
    pub t: &'a Thresholds,
    /// `database app.db`: the target of database-level findings (file name only, so the
    /// fingerprint does not depend on where the file lives).
    pub database: String,
    /// Indexes the advisor suggests: problems they fix are reported there, not again here.
    pub suggested: &'a [crate::advisor::candidates::Candidate],
    /// The advisor measured the workload's statements: an index none of them needed is
    /// a lesser concern than one nobody checked.
    pub workload_known: bool,
}

impl Ctx<'_> {
    pub fn pragma_i64(&self, name: &str) -> Result<i64, SqliteError> {
        self.conn
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .map_err(|e| SqliteError::query(format!("PRAGMA {name}"), &e))
    }

    pub fn pragma_text(&self, name: &str) -> Result<String, SqliteError> {
        self.conn
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .map_err(|e| SqliteError::query(format!("PRAGMA {name}"), &e))
    }
}

/// Every health-check rule, for `perfhound rules`.
pub const RULES: [Rule; 4] = [never_analyzed::RULE, journal_mode::RULE, unindexed_foreign_key::RULE, freelist::RULE];

/// Runs every check; failures become warnings naming the check.
pub fn run_all(ctx: &Ctx<'_>) -> Health {
    let results: Vec<(Rule, Result<Outcome, SqliteError>)> = vec![
        (never_analyzed::RULE, Ok(never_analyzed::check(ctx))),
        (journal_mode::RULE, journal_mode::check(ctx)),
        (unindexed_foreign_key::RULE, Ok(unindexed_foreign_key::check(ctx))),
        (freelist::RULE, freelist::check(ctx)),
    ];
    let mut h = Health::collect(results);
    h.metrics.insert(Extra::Tables, ctx.catalog.tables.len() as f64);
    h.metrics.insert(Extra::Indexes, ctx.catalog.indexes.len() as f64);
    h
}
