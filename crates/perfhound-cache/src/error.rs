//! [`CacheError`]: every way talking to Redis can fail, with what to do about it.
//! Messages name the server by its redacted URL, never with a password.

/// An error of the cache engine.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("invalid Redis URL: {0}")]
    InvalidUrl(String),
    #[error("cannot connect to {url}: {reason}\n  hint: check host and port, and that redis-server listens there")]
    Connect { url: String, reason: String },
    #[error("TLS connection to {url} failed: {reason}\n  hint: {hint}")]
    Tls { url: String, reason: String, hint: String },
    #[error("{url}: authentication failed: {reason}\n  hint: put the password (and ACL user) in the URL: redis://user:password@host:port")]
    Auth { url: String, reason: String },
    #[error("{url}: `{command}` timed out after {timeout_ms} ms\n  hint: the server is busy or unreachable; raise --timeout")]
    Timeout { url: String, command: String, timeout_ms: u128 },
    #[error("{url}: `{command}` failed: {reason}")]
    Command { url: String, command: String, reason: String },
    #[error("{url}: connection lost: {reason}")]
    Io { url: String, reason: String },
    #[error("{url}: {reason}")]
    Protocol { url: String, reason: String },
}
