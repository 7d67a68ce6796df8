//! Server configuration: protocol switches, fixed delay, periodic stalls and scripted connection resets.

use std::time::Duration;

/// How a [`crate::TestServer`] behaves. `ServerConfig::default()` is a plain HTTP/1.1 + h2c server with no
/// injected latency or faults; use struct-update syntax to change single fields:
///
/// ```
/// use std::time::Duration;
/// use perfhound_testkit::ServerConfig;
/// let config = ServerConfig { fixed_delay: Some(Duration::from_millis(5)), ..ServerConfig::default() };
/// assert!(!config.tls);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerConfig {
    /// Serve HTTPS with a self-signed certificate for `localhost` and `127.0.0.1` (ALPN `h2`, `http/1.1`).
    pub tls: bool,
    /// Added to every response, measured from the instant the request reached the handler.
    pub fixed_delay: Option<Duration>,
    /// A periodic stall (GC pause / lock convoy): see [`Stall`].
    pub stall: Option<Stall>,
    /// Reset (TCP RST, no response) the connection carrying every Nth request, counted over all requests of
    /// the server in arrival order (request numbers start at 1; request `k` is reset when `k % N == 0`).
    /// `Some(10)` resets exactly 10% of requests. `None` or `Some(0)` disables it; `/reset` always resets.
    pub reset_every: Option<u64>,
    /// Accept only HTTP/1.x (ALPN offers only `http/1.1`; an h2c preface is rejected).
    pub http1_only: bool,
    /// Accept only HTTP/2 (h2c prior knowledge in clear text; ALPN offers only `h2`).
    /// Setting both `http1_only` and `h2_only` is an error at start.
    pub h2_only: bool,
    /// A fixed worker pool: at most this many requests are served at a time, the others wait in
    /// arrival order; each one's delays count from when it got a worker. With `fixed_delay` the
    /// server's capacity is known by construction: `workers / fixed_delay` requests per second.
    pub workers: Option<usize>,
}

/// A periodic stall: during each window `[offset + k*period, offset + k*period + length)` (k = 0, 1, 2, …,
/// measured from the server's start instant, [`crate::TestServer::started_at`]) every response that becomes
/// ready — new requests and requests already in flight alike — is held until the window ends.
///
/// `length` should be shorter than `period`; a zero `period` disables the stall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stall {
    /// Distance between the starts of two consecutive windows.
    pub period: Duration,
    /// How long each window lasts.
    pub length: Duration,
    /// Start of the first window after server start.
    pub offset: Duration,
}

impl Stall {
    /// If `since_start` (time since server start) falls inside a stall window, the time since server start at
    /// which that window ends; `None` when responses may be sent right away.
    pub fn window_end(&self, since_start: Duration) -> Option<Duration> {
        if self.period.is_zero() || self.length.is_zero() || since_start < self.offset {
            return None;
        }
        let period = self.period.as_nanos();
        let phase = (since_start - self.offset).as_nanos() % period;
        let length = self.length.as_nanos();
        if phase < length {
            let remaining = u64::try_from(length - phase).unwrap_or(u64::MAX);
            Some(since_start + Duration::from_nanos(remaining))
        } else {
            None
        }
    }

    /// Whether `since_start` lies inside a stall window.
    pub fn is_stalled(&self, since_start: Duration) -> bool {
        self.window_end(since_start).is_some()
    }
}

impl ServerConfig {
    /// Checks the combination of switches; called by [`crate::TestServer::try_start`].
    pub fn validate(&self) -> Result<(), String> {
        if self.http1_only && self.h2_only {
            return Err("http1_only and h2_only are mutually exclusive".to_owned());
        }
        Ok(())
    }

    /// Whether request number `n` (1-based, in arrival order) must be answered with a connection reset.
    pub fn resets_request(&self, n: u64) -> bool {
        matches!(self.reset_every, Some(every) if every > 0 && n % every == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn stall_windows_repeat_after_offset() {
        let stall = Stall { period: ms(100), length: ms(30), offset: ms(50) };
        assert_eq!(stall.window_end(ms(0)), None);
        assert_eq!(stall.window_end(ms(49)), None);
        assert_eq!(stall.window_end(ms(50)), Some(ms(80)));
        assert_eq!(stall.window_end(ms(79)), Some(ms(80)));
        assert_eq!(stall.window_end(ms(80)), None);
        assert_eq!(stall.window_end(ms(149)), None);
        assert_eq!(stall.window_end(ms(150)), Some(ms(180)));
        assert_eq!(stall.window_end(ms(1065)), Some(ms(1080)));
        assert!(stall.is_stalled(ms(251)));
        assert!(!stall.is_stalled(ms(281)));
    }

    #[test]
    fn degenerate_stalls_never_hold() {
        let zero_period = Stall { period: Duration::ZERO, length: ms(10), offset: Duration::ZERO };
        assert_eq!(zero_period.window_end(ms(5)), None);
        let zero_length = Stall { period: ms(10), length: Duration::ZERO, offset: Duration::ZERO };
        assert_eq!(zero_length.window_end(ms(5)), None);
    }

    #[test]
    fn reset_every_counts_requests() {
        let config = ServerConfig { reset_every: Some(4), ..ServerConfig::default() };
        let resets: Vec<u64> = (1..=12).filter(|n| config.resets_request(*n)).collect();
        assert_eq!(resets, vec![4, 8, 12]);
        assert!(!ServerConfig { reset_every: Some(0), ..ServerConfig::default() }.resets_request(3));
        assert!(!ServerConfig::default().resets_request(1));
    }

    #[test]
    fn protocol_switches_are_exclusive() {
        assert!(ServerConfig::default().validate().is_ok());
        let both = ServerConfig { http1_only: true, h2_only: true, ..ServerConfig::default() };
        assert!(both.validate().is_err());
    }
}
