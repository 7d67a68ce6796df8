//! The scratch copy the advisor experiments on: `VACUUM INTO` a file in a private
//! temporary directory, from a read-only connection to the user's database (so the
//! original is only ever read), then opened read-write. Dropped with the directory.

use crate::config::Limits;
use crate::error::SqliteError;
use crate::open::{open_read_only, Deadline};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// A private, writable copy of the database.
pub struct Copy {
    pub conn: Connection,
    pub deadline: Deadline,
    pub path: PathBuf,
    pub bytes: u64,
    _dir: tempfile::TempDir,
}

impl Copy {
    /// Copies `original` (read-only) into a new temporary directory.
    pub fn make(original: &Path, limits: &Limits) -> Result<Copy, SqliteError> {
        let dir = tempfile::Builder::new()
            .prefix("perfhound-sqlite-")
            .tempdir()
            .map_err(|e| SqliteError::Io { path: "temporary directory".into(), reason: e.to_string() })?;
        let path = dir.path().join("copy.db");
        {
            // VACUUM INTO needs a connection without query_only; SQLITE_OPEN_READ_ONLY still
            // guarantees the original file is never written.
            let src = open_read_only(original, limits, false)?;
            let _armed = src.deadline.arm(limits.statement_timeout * 4);
            let target = path.display().to_string().replace('\'', "''");
            src.conn
                .execute(&format!("VACUUM INTO '{target}'"), [])
                .map_err(|e| SqliteError::classify(original, "copying the database (VACUUM INTO)", &e))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| SqliteError::query("opening the copy", &e))?;
        let deadline = Deadline::default();
        deadline.install(&conn)?;
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Ok(Copy { conn, deadline, path, bytes, _dir: dir })
    }

    /// `PRAGMA page_count` × `page_size`: the copy's size in bytes.
    pub fn used_bytes(&self) -> Option<u64> {
        let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0)).ok()?;
        let free: i64 = self.conn.query_row("PRAGMA freelist_count", [], |r| r.get(0)).ok()?;
        let size: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0)).ok()?;
        Some(((pages - free).max(0) * size.max(0)) as u64)
    }
}
