//! Versioned migrations, applied in order inside one write transaction each.
//!
//! The version lives in `store_meta` (`schema_version`). A store whose version is newer
//! than [`LATEST`] was written by a newer perfhound: it is refused, never read or
//! "migrated" downwards, because this build cannot know what the newer columns mean.

use crate::db::{Db, DbError};

/// Each migration's statements; `{SERIAL}` is the dialect's auto-numbered key type.
const MIGRATIONS: &[&str] = &[
    // 1: runs, their tags, and one row per (target, metric) for series queries.
    "CREATE TABLE runs (
        seq {SERIAL},
        id TEXT NOT NULL UNIQUE,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        git_commit TEXT NOT NULL,
        git_branch TEXT NOT NULL,
        host TEXT NOT NULL,
        findings BIGINT NOT NULL,
        budgets_failed BIGINT NOT NULL,
        run_json TEXT NOT NULL
     );
     CREATE TABLE run_tags (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
     );
     CREATE TABLE points (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        target TEXT NOT NULL,
        kind TEXT NOT NULL,
        metric TEXT NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (run_id, target, metric)
     );
     CREATE INDEX points_series ON points (target, metric);
     CREATE INDEX runs_branch ON runs (git_branch, seq);",
    // 2: learned fixes (a finding fixed between a baseline and a run, with its measured effect).
    "CREATE TABLE learned (
        seq {SERIAL},
        rule TEXT NOT NULL,
        target TEXT NOT NULL,
        before_run TEXT NOT NULL,
        after_run TEXT NOT NULL,
        metric TEXT NOT NULL,
        before_value DOUBLE PRECISION NOT NULL,
        after_value DOUBLE PRECISION NOT NULL,
        evidence_before TEXT NOT NULL,
        evidence_after TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        UNIQUE (rule, target, after_run)
     );
     CREATE INDEX learned_rule ON learned (rule);",
];

/// The schema version this build writes and reads.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Why the schema could not be brought to [`LATEST`].
#[derive(Debug)]
pub enum SchemaError {
    /// The store is newer than this build.
    Newer(i64),
    Db(DbError),
}

impl From<DbError> for SchemaError {
    fn from(e: DbError) -> Self {
        SchemaError::Db(e)
    }
}

/// Brings the store to [`LATEST`] (or refuses a newer one). Safe with concurrent openers:
/// the version is read again inside the write transaction.
pub fn migrate(db: &mut dyn Db) -> Result<(), SchemaError> {
    if db.table_exists("store_meta")? {
        let version = read_version(db)?;
        if version > LATEST {
            return Err(SchemaError::Newer(version));
        }
        if version == LATEST {
            return Ok(());
        }
    }
    db.begin_write()?;
    let result = apply(db);
    match result {
        Ok(()) => Ok(db.commit()?),
        Err(e) => {
            db.rollback();
            Err(e)
        }
    }
}

fn apply(db: &mut dyn Db) -> Result<(), SchemaError> {
    db.batch("CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")?;
    let version = read_version(db)?;
    if version > LATEST {
        return Err(SchemaError::Newer(version));
    }
    let serial = db.serial_type();
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        db.batch(&sql.replace("{SERIAL}", serial))?;
        let next = (i + 1) as i64;
        db.execute("DELETE FROM store_meta WHERE key = 'schema_version'", &[])?;
        db.execute("INSERT INTO store_meta (key, value) VALUES ('schema_version', $1)", &[next.to_string().into()])?;
    }
    Ok(())
}

/// The stored version; 0 for a store without one.
pub fn read_version(db: &mut dyn Db) -> Result<i64, DbError> {
    let rows = db.query("SELECT value FROM store_meta WHERE key = 'schema_version'", &[])?;
    Ok(rows.first().map(|r| r[0].text().parse().unwrap_or(i64::MAX)).unwrap_or(0))
}
