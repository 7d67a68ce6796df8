//! Why an audit could not run.

/// An audit failure: every variant says what to do.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The config file: `file:line:column: field: message`.
    #[error("{0}")]
    Config(String),
    #[error(
        "OTLP receiver: cannot listen on {addr}: {message} (choose another `audit.traces.listen`, e.g. 127.0.0.1:0)"
    )]
    Listen { addr: String, message: String },
    #[error("the load could not start: {0}")]
    Load(String),
    #[error("database {url}: {message}")]
    Database { url: String, message: String },
    #[error("redis {url}: {message}")]
    Cache { url: String, message: String },
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
    #[error("baseline {path}: {message}")]
    Baseline { path: String, message: String },
}
