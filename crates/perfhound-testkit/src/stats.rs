//! Server-side counters: a lock-free recorder updated by the server and the [`Stats`] snapshot tests read.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// A point-in-time copy of a server's counters, returned by [`crate::TestServer::stats`].
///
/// Request counters are updated when a request reaches the handler (before its response is produced), so a
/// client that has received a response always sees that request counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests that reached the handler (including those answered with a reset).
    pub requests_total: u64,
    /// TCP connections accepted (before any TLS handshake).
    pub connections_accepted: u64,
    /// Requests received over HTTP/2 (h2c prior knowledge or TLS + ALPN `h2`).
    pub http2_requests: u64,
    /// Requests per URI path (query string excluded), e.g. `"/delay/20" -> 3`.
    pub requests_per_path: BTreeMap<String, u64>,
    /// Highest number of requests in flight at once (between reaching the handler and the response being ready).
    pub max_in_flight: u64,
    /// Requests currently in flight.
    pub in_flight: u64,
    /// Connections the server closed gracefully after a `Connection: close` response (`/close` over HTTP/1.x).
    pub connections_closed_by_server: u64,
    /// Connections the server aborted with a TCP RST (`/reset` or [`crate::ServerConfig::reset_every`]).
    pub connections_reset: u64,
    /// Responses held back by a [`crate::Stall`] window.
    pub stalled_responses: u64,
    /// TLS handshakes that failed (TLS servers only).
    pub tls_handshake_failures: u64,
}

impl Stats {
    /// Requests seen for `path` (0 if none).
    pub fn path(&self, path: &str) -> u64 {
        self.requests_per_path.get(path).copied().unwrap_or(0)
    }
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct StatsRecorder {
    requests_total: AtomicU64,
    connections_accepted: AtomicU64,
    http2_requests: AtomicU64,
    per_path: Mutex<BTreeMap<String, u64>>,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    closed_by_server: AtomicU64,
    resets: AtomicU64,
    stalled: AtomicU64,
    tls_failures: AtomicU64,
}

/// Decrements the in-flight gauge when the request's handler finishes or is dropped.
pub(crate) struct InFlightGuard<'a> {
    recorder: &'a StatsRecorder,
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.recorder.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl StatsRecorder {
    /// Records a request reaching the handler; returns its 1-based number and the in-flight guard.
    pub(crate) fn begin_request(&self, path: &str, http2: bool) -> (u64, InFlightGuard<'_>) {
        let number = self.requests_total.fetch_add(1, Ordering::SeqCst) + 1;
        if http2 {
            self.http2_requests.fetch_add(1, Ordering::SeqCst);
        }
        {
            let mut per_path = self.per_path.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            *per_path.entry(path.to_owned()).or_insert(0) += 1;
        }
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        (number, InFlightGuard { recorder: self })
    }

    pub(crate) fn record_accept(&self) {
        self.connections_accepted.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn record_close(&self) {
        self.closed_by_server.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn record_reset(&self) {
        self.resets.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn record_stall(&self) {
        self.stalled.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn record_tls_failure(&self) {
        self.tls_failures.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn snapshot(&self) -> Stats {
        let requests_per_path = self.per_path.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
        Stats {
            requests_total: self.requests_total.load(Ordering::SeqCst),
            connections_accepted: self.connections_accepted.load(Ordering::SeqCst),
            http2_requests: self.http2_requests.load(Ordering::SeqCst),
            requests_per_path,
            max_in_flight: self.max_in_flight.load(Ordering::SeqCst),
            in_flight: self.in_flight.load(Ordering::SeqCst),
            connections_closed_by_server: self.closed_by_server.load(Ordering::SeqCst),
            connections_reset: self.resets.load(Ordering::SeqCst),
            stalled_responses: self.stalled.load(Ordering::SeqCst),
            tls_handshake_failures: self.tls_failures.load(Ordering::SeqCst),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_paths_and_in_flight() {
        let recorder = StatsRecorder::default();
        let (first, a) = recorder.begin_request("/a", false);
        let (second, b) = recorder.begin_request("/a", true);
        assert_eq!((first, second), (1, 2));
        assert_eq!(recorder.snapshot().in_flight, 2);
        drop(a);
        let (_, c) = recorder.begin_request("/b", false);
        drop(b);
        drop(c);
        recorder.record_accept();
        recorder.record_close();
        recorder.record_reset();
        recorder.record_stall();
        let stats = recorder.snapshot();
        assert_eq!(stats.requests_total, 3);
        assert_eq!(stats.http2_requests, 1);
        assert_eq!(stats.path("/a"), 2);
        assert_eq!(stats.path("/b"), 1);
        assert_eq!(stats.path("/missing"), 0);
        assert_eq!(stats.max_in_flight, 2);
        assert_eq!(stats.in_flight, 0);
        assert_eq!(
            (stats.connections_accepted, stats.connections_closed_by_server, stats.connections_reset),
            (1, 1, 1)
        );
        assert_eq!(stats.stalled_responses, 1);
        assert_eq!(stats.tls_handshake_failures, 0);
    }
}
