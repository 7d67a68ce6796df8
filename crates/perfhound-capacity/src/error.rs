//! The one error type of a capacity search: what went wrong and what to do.

/// A capacity search could not run (nothing is blamed on the service here).
#[derive(Debug, thiserror::Error)]
pub enum CapacityError {
    #[error("{0}")]
    Config(String),
    #[error("the load could not start: {0}")]
    Load(String),
    #[error("database {url}: {message}")]
    Db { url: String, message: String },
    #[error("OTLP receiver: {0}")]
    Receiver(String),
}
