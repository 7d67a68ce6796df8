//! Classifying transport failures into the model's [`ErrorKind`]s.

use perfhound_model::ErrorKind;
use std::error::Error as StdError;
use std::io;

/// A failed request: its kind and a human message (first one of each kind is reported).
#[derive(Debug, Clone)]
pub struct RequestError {
    pub kind: ErrorKind,
    pub message: String,
    /// A reused keep-alive connection was closed cleanly (FIN) before any byte of the
    /// response: the server most likely timed it out while idle; safe to retry once for
    /// idempotent methods.
    pub stale_connection: bool,
}

impl RequestError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        RequestError { kind, message: message.into(), stale_connection: false }
    }

    /// Classifies an error from connecting (TCP or TLS).
    pub fn from_connect(e: &io::Error) -> Self {
        let kind = match e.kind() {
            io::ErrorKind::ConnectionRefused => ErrorKind::ConnectRefused,
            io::ErrorKind::TimedOut => ErrorKind::ConnectTimeout,
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => ErrorKind::Reset,
            _ if is_tls(e) => ErrorKind::Tls,
            _ => ErrorKind::Io,
        };
        RequestError::new(kind, e.to_string())
    }

    /// Classifies an error from hyper (sending or reading a response).
    pub fn from_hyper(e: &hyper::Error) -> Self {
        if let Some(io) = find_io(e) {
            let kind = match io.kind() {
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => ErrorKind::Reset,
                io::ErrorKind::TimedOut => ErrorKind::Timeout,
                _ if is_tls(io) => ErrorKind::Tls,
                _ => ErrorKind::Io,
            };
            return RequestError::new(kind, e.to_string());
        }
        let kind = if e.is_incomplete_message() || e.is_canceled() || e.is_closed() {
            ErrorKind::Reset
        } else if e.is_parse() || e.is_user() {
            ErrorKind::Protocol
        } else if is_h2_reset(e) {
            ErrorKind::Reset
        } else {
            ErrorKind::Protocol
        };
        RequestError::new(kind, e.to_string())
    }
}

fn find_io<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a io::Error> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            return Some(io);
        }
        cur = err.source();
    }
    None
}

fn is_tls(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
}

fn is_h2_reset(e: &hyper::Error) -> bool {
    let text = e.to_string();
    text.contains("reset") || text.contains("GOAWAY") || text.contains("go away")
}
