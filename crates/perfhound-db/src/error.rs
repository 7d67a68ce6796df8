//! [`DbError`]: every way talking to PostgreSQL can fail, each with a message that says
//! what was wrong and what to do about it. Messages never contain credentials.

use tokio_postgres::error::SqlState;

/// An error of the PostgreSQL engine.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The connection string could not be parsed.
    #[error("invalid connection string {url}: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The server could not be reached or refused the login.
    #[error("cannot connect to {url}: {reason}\n  hint: check host, port, user, password and that the server accepts connections from this machine (pg_hba.conf)")]
    Connect { url: String, reason: String },
    /// A required extension is not installed in the database.
    #[error("extension {name} is not installed in database {database}\n  hint: {how}")]
    ExtensionMissing { name: &'static str, database: String, how: String },
    /// The role lacks a privilege.
    #[error("insufficient privileges: {what}\n  hint: {how}")]
    InsufficientPrivilege { what: String, how: String },
    /// A statement failed.
    #[error("{context}: {reason}")]
    Query { context: String, reason: String, sqlstate: Option<String> },
    /// The `--sql` or `--log` file could not be read.
    #[error("cannot read {path}: {reason}")]
    Io { path: String, reason: String },
    /// An input file is not what it should be (`location` is `file:line`).
    #[error("{location}: {reason}\n  hint: {hint}")]
    InvalidInput { location: String, reason: String, hint: String },
    /// A TLS connection could not be set up as `sslmode` asks.
    #[error("TLS connection to {url} failed: {reason}\n  hint: {hint}")]
    Tls { url: String, reason: String, hint: String },
    /// Applying an index failed.
    #[error("could not apply {statement}: {reason}")]
    Apply { statement: String, reason: String },
}

impl DbError {
    /// Wraps a driver error from a statement, classifying privilege problems.
    pub fn query(context: impl Into<String>, err: &tokio_postgres::Error) -> DbError {
        let context = context.into();
        let reason = describe(err);
        if err.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
            return DbError::InsufficientPrivilege {
                what: format!("{context}: {reason}"),
                how: "connect as a role with the missing privilege, or `GRANT pg_read_all_stats TO <role>;` for statistics views"
                    .into(),
            };
        }
        DbError::Query { context, reason, sqlstate: err.code().map(|c| c.code().to_string()) }
    }

    /// The SQLSTATE of a failed statement, when the server sent one.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            DbError::Query { sqlstate, .. } => sqlstate.as_deref(),
            DbError::InsufficientPrivilege { .. } => Some("42501"),
            _ => None,
        }
    }
}

// The server's message (with detail and hint) or the driver's description of an error.
pub use perfhound_net::pg::describe;
