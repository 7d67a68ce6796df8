//! [`SqliteError`]: every way opening or reading the database can fail, each with a
//! message that says what was wrong and what to do about it.

use std::path::Path;

/// An error of the SQLite engine.
#[derive(Debug, thiserror::Error)]
pub enum SqliteError {
    /// A `sqlite:` URL that names no file.
    #[error("invalid SQLite URL {url}: {reason}\n  hint: use sqlite:///absolute/path.db or sqlite://relative/path.db")]
    InvalidUrl { url: String, reason: String },
    /// The database file does not exist.
    #[error("database file {path} does not exist\n  hint: check the path; perfhound never creates a database")]
    NotFound { path: String },
    /// The file exists but is not a SQLite database (or is encrypted).
    #[error("{path} is not a SQLite database ({reason})\n  hint: check the path; encrypted databases (SQLCipher) cannot be analyzed")]
    NotADatabase { path: String, reason: String },
    /// Another connection holds a lock for longer than the busy timeout.
    #[error("database {path} is locked by another connection ({reason})\n  hint: retry when the writer is done, or switch the database to WAL (PRAGMA journal_mode=WAL) so readers never wait")]
    Locked { path: String, reason: String },
    /// The file could not be opened.
    #[error("cannot open {path}: {reason}")]
    Open { path: String, reason: String },
    /// A statement perfhound runs failed.
    #[error("{context}: {reason}")]
    Query { context: String, reason: String },
    /// A file (`--sql`) could not be read.
    #[error("cannot read {path}: {reason}")]
    Io { path: String, reason: String },
}

impl SqliteError {
    /// Classifies a driver error met while reading `path`.
    pub fn classify(path: &Path, context: &str, err: &rusqlite::Error) -> SqliteError {
        let path_s = path.display().to_string();
        let reason = err.to_string();
        match err.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => SqliteError::NotADatabase { path: path_s, reason },
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                SqliteError::Locked { path: path_s, reason }
            }
            Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::PermissionDenied) => {
                SqliteError::Open { path: path_s, reason }
            }
            _ => SqliteError::Query { context: context.to_string(), reason },
        }
    }

    /// Wraps a driver error of a statement perfhound runs.
    pub fn query(context: impl Into<String>, err: &rusqlite::Error) -> SqliteError {
        SqliteError::Query { context: context.into(), reason: err.to_string() }
    }
}
