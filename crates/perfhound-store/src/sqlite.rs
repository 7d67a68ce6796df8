//! The embedded backend: one SQLite file in WAL mode.
//!
//! Writers serialize on `BEGIN IMMEDIATE` and wait (busy timeout) instead of failing;
//! `synchronous = NORMAL` in WAL mode keeps every committed transaction intact across a
//! killed process (only the last commits can be lost on power failure, never corrupted).

use crate::db::{Db, DbError, Row, Value};
use rusqlite::types::ValueRef;
use std::path::Path;
use std::time::Duration;

/// How long a writer waits for another one before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

pub struct SqliteDb {
    conn: rusqlite::Connection,
}

fn err(e: rusqlite::Error) -> DbError {
    DbError(e.to_string())
}

impl SqliteDb {
    pub fn open(path: &Path) -> Result<SqliteDb, DbError> {
        let conn = rusqlite::Connection::open(path).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        // Switching to WAL takes a lock; the busy handler above covers concurrent openers.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(DbError(format!("could not switch to WAL journaling (got `{mode}`)")));
        }
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;").map_err(err)?;
        Ok(SqliteDb { conn })
    }
}

fn params(values: &[Value]) -> Vec<rusqlite::types::Value> {
    values
        .iter()
        .map(|v| match v {
            Value::Int(i) => rusqlite::types::Value::Integer(*i),
            Value::Real(r) => rusqlite::types::Value::Real(*r),
            Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        })
        .collect()
}

fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) | ValueRef::Blob(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Null => Value::Text(String::new()),
    }
}

impl Db for SqliteDb {
    fn begin_write(&mut self) -> Result<(), DbError> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(err)
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.conn.execute_batch("COMMIT").map_err(err)
    }

    fn rollback(&mut self) {
        let _ = self.conn.execute_batch("ROLLBACK");
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.conn.execute_batch(sql).map_err(err)
    }

    fn execute(&mut self, sql: &str, values: &[Value]) -> Result<u64, DbError> {
        let mut stmt = self.conn.prepare(sql).map_err(err)?;
        let n = stmt.execute(rusqlite::params_from_iter(params(values))).map_err(err)?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, values: &[Value]) -> Result<Vec<Row>, DbError> {
        let mut stmt = self.conn.prepare(sql).map_err(err)?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params(values))).map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(err)? {
            out.push((0..width).map(|i| row.get_ref(i).map(value).unwrap_or(Value::Int(0))).collect());
        }
        Ok(out)
    }

    fn serial_type(&self) -> &'static str {
        "INTEGER PRIMARY KEY"
    }

    fn table_exists(&mut self, table: &str) -> Result<bool, DbError> {
        let rows = self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1", &[table.into()])?;
        Ok(!rows.is_empty())
    }
}
