//! Opening the user's database safely: `sqlite:` URLs → paths, a read-only connection
//! (`SQLITE_OPEN_READ_ONLY` + `PRAGMA query_only`) with a busy timeout, errors classified
//! (missing file, not a database, locked), and a [`Deadline`] that interrupts any
//! statement running too long.

use crate::config::Limits;
use crate::error::SqliteError;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// True for `sqlite:…` URLs (any case), the form `perfhound db` dispatches on.
pub fn is_sqlite_url(url: &str) -> bool {
    url.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("sqlite:"))
}

/// The file a `sqlite:` URL names: `sqlite:///abs/path.db` → `/abs/path.db`,
/// `sqlite://relative.db` and `sqlite:relative.db` → `relative.db`. A `?query` suffix
/// (`?mode=ro`) is ignored; in-memory databases have nothing to analyze.
pub fn path_from_url(url: &str) -> Result<PathBuf, SqliteError> {
    let invalid = |reason: &str| SqliteError::InvalidUrl { url: url.to_string(), reason: reason.to_string() };
    if !is_sqlite_url(url) {
        return Err(invalid("it does not start with sqlite:"));
    }
    let rest = &url[7..];
    let rest = rest.split('?').next().unwrap_or("");
    let path = match rest.strip_prefix("//") {
        // sqlite:///abs → "/abs"; sqlite://localhost/abs → "/abs"; sqlite://rel.db → "rel.db".
        Some(r) => r.strip_prefix("localhost/").map_or(r.to_string(), |abs| format!("/{abs}")),
        None => rest.to_string(),
    };
    if path.is_empty() {
        return Err(invalid("no file path"));
    }
    if path == ":memory:" || path.starts_with("file::memory:") {
        return Err(invalid("an in-memory database has nothing to analyze"));
    }
    Ok(PathBuf::from(path))
}

/// Interrupts the statement running on a connection once an armed deadline has passed
/// (SQLite's progress handler, checked every few thousand VM instructions).
#[derive(Clone, Default)]
pub struct Deadline(Arc<Mutex<Option<Instant>>>);

impl Deadline {
    /// Installs the handler on `conn`.
    pub fn install(&self, conn: &Connection) -> Result<(), SqliteError> {
        let at = Arc::clone(&self.0);
        conn.progress_handler(
            4_000,
            Some(move || at.lock().map(|d| d.is_some_and(|d| Instant::now() >= d)).unwrap_or(false)),
        )
        .map_err(|e| SqliteError::query("installing the progress handler", &e))
    }

    /// Arms the deadline `d` from now until the guard is dropped.
    pub fn arm(&self, d: Duration) -> Armed<'_> {
        if let Ok(mut g) = self.0.lock() {
            *g = Some(Instant::now() + d);
        }
        Armed(self)
    }
}

/// Disarms its [`Deadline`] when dropped.
pub struct Armed<'a>(&'a Deadline);

impl Drop for Armed<'_> {
    fn drop(&mut self) {
        if let Ok(mut g) = self.0 .0.lock() {
            *g = None;
        }
    }
}

/// A read-only connection to the user's database.
pub struct ReadOnly {
    pub conn: Connection,
    pub path: PathBuf,
    pub deadline: Deadline,
}

/// Opens `path` read-only and checks that it is a readable SQLite database.
pub fn open_read_only(path: &Path, limits: &Limits, query_only: bool) -> Result<ReadOnly, SqliteError> {
    let shown = path.display().to_string();
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(SqliteError::NotFound { path: shown }),
        Err(e) => return Err(SqliteError::Open { path: shown, reason: e.to_string() }),
        Ok(m) if m.is_dir() => return Err(SqliteError::Open { path: shown, reason: "it is a directory".into() }),
        Ok(_) => {}
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| SqliteError::classify(path, "opening", &e))?;
    conn.busy_timeout(limits.busy_timeout).map_err(|e| SqliteError::classify(path, "setting busy_timeout", &e))?;
    if query_only {
        conn.pragma_update(None, "query_only", true)
            .map_err(|e| SqliteError::classify(path, "PRAGMA query_only", &e))?;
    }
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))
        .map_err(|e| SqliteError::classify(path, "reading the schema", &e))?;
    let deadline = Deadline::default();
    deadline.install(&conn)?;
    Ok(ReadOnly { conn, path: path.to_path_buf(), deadline })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_to_paths() {
        let p = |u: &str| path_from_url(u).map(|p| p.display().to_string()).map_err(|e| e.to_string());
        assert_eq!(p("sqlite:///var/db/app.db").unwrap(), "/var/db/app.db");
        assert_eq!(p("sqlite://data/app.db").unwrap(), "data/app.db");
        assert_eq!(p("sqlite:app.db?mode=ro").unwrap(), "app.db");
        assert_eq!(p("SQLITE:/abs.db").unwrap(), "/abs.db");
        assert_eq!(p("sqlite://localhost/srv/app.db").unwrap(), "/srv/app.db");
        assert!(p("sqlite://").unwrap_err().contains("no file path"));
        assert!(p("sqlite::memory:").unwrap_err().contains("in-memory"));
        assert!(p("postgres://x").is_err());
        assert!(is_sqlite_url("sqlite:x") && !is_sqlite_url("sqlite") && !is_sqlite_url("postgres://"));
    }
}
