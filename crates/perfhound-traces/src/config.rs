//! Detector thresholds, all overridable from a YAML file (`--config traces.yaml`) or
//! `--set key=value`.
//!
//! ```yaml
//! n_plus_one_db: {min_repeats: 5, min_total_ms: 0}
//! consecutive_http: {min_calls: 3, min_saved_ms: 100}
//! severity: {warning_saved_ms: 20, critical_saved_ms: 500}
//! rtt_ms: 1
//! ```
//!
//! Calibrated for where perfhound runs — a developer's machine and CI, against local
//! databases — rather than copied from production monitors (docs/traces.md, "How the
//! defaults were chosen"): a structurally certain pattern (≥ 5 repeats of one shape under
//! one parent) is always reported, its severity follows its saving per request and its
//! share of the request ([`SeverityScale`]), and calls faster than a network round trip are
//! projected at `rtt_ms`.

use serde::{Deserialize, Serialize};

macro_rules! section {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty = $default:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name { $($(#[$fm])* pub $field: $ty),* }
        impl Default for $name {
            fn default() -> Self { $name { $($field: $default),* } }
        }
    };
}

section!(
    /// N+1: the same query (or call) repeated under one parent, one after another.
    Repeats {
        /// Executions of the same fingerprint under one parent (Sentry: 5).
        min_repeats: u32 = 5,
        /// Their total duration. 0: the repeat count alone makes the pattern certain; how
        /// much it matters is the severity's business (Sentry, tuned for production: 50 ms).
        min_total_ms: f64 = 0.0,
    }
);

section!(
    /// Independent calls made one after another that could run concurrently.
    Consecutive {
        /// Calls in the sequence.
        min_calls: u32 = 2,
        /// Time saved by running them concurrently: sum − longest.
        min_saved_ms: f64 = 100.0,
        /// A gap longer than this between two calls means the code between them probably
        /// used the previous result: the sequence is broken there.
        max_gap_ms: f64 = 10.0,
    }
);

section!(
    /// A single slow call.
    Slow {
        min_ms: f64 = 500.0,
        /// Slower than this is critical.
        critical_ms: f64 = 2000.0,
    }
);

section!(
    /// The same statement with the same parameters (or the same URL) twice in one trace.
    Redundant {
        min_repeats: u32 = 2,
        /// Wasted time (all but the first call) below which nothing is reported.
        min_wasted_ms: f64 = 1.0,
    }
);

section!(
    /// Writes sent one row at a time.
    RowWrites {
        min_repeats: u32 = 5,
        min_total_ms: f64 = 10.0,
    }
);

section!(
    /// New connections opened while serving a request.
    Churn {
        /// Connect spans in one request that are reported on their own.
        min_connects_per_request: u32 = 2,
        /// Or: share of an endpoint's requests that open a connection…
        min_request_share: f64 = 0.5,
        /// …among at least this many requests.
        min_requests: u32 = 5,
    }
);

section!(
    /// Waiting for a free connection from a pool.
    PoolWait {
        /// Total wait in one request.
        min_wait_ms: f64 = 20.0,
    }
);

section!(
    /// HTTP payload size and compression.
    Payload {
        /// Large payload (Sentry: 300 kB).
        large_bytes: u64 = 300_000,
        /// Compressible responses at least this large should be compressed.
        uncompressed_min_bytes: u64 = 10_000,
    }
);

section!(
    /// One parent starting many calls at once.
    FanOut {
        /// Calls (DB, HTTP, RPC, cache) under one parent.
        min_children: u32 = 20,
        /// Of which at least this many run at the same time.
        min_concurrency: u32 = 4,
    }
);

section!(
    /// Repeating multi-span patterns (MN+1).
    Pattern {
        min_repeats: u32 = 5,
        min_total_ms: f64 = 0.0,
        /// Longest repeating unit looked for, in spans.
        max_period: u32 = 6,
    }
);

section!(
    /// The same expensive in-process computation repeated across requests (missing cache).
    RepeatedComputation {
        /// Internal spans at least this long.
        min_ms: f64 = 10.0,
        /// With the same name and inputs in at least this many requests.
        min_repeats: u32 = 10,
    }
);

section!(
    /// Severity of time-based findings from the saving per request (projected at the
    /// round trip when calls ran faster than one) and its share of the request's time.
    SeverityScale {
        /// Saving per request from which a finding is a warning…
        warning_saved_ms: f64 = 20.0,
        /// …when it is also at least this share of the request.
        warning_share: f64 = 0.05,
        /// Saving per request from which a finding is critical…
        critical_saved_ms: f64 = 500.0,
        /// …when it is also at least this share of the request.
        critical_share: f64 = 0.25,
    }
);

section!(
    /// Endpoints whose time goes to their own code, not to I/O (see `detect/own_code.rs`
    /// for how the defaults were chosen).
    OwnCode {
        /// Own-code time (outside DB, HTTP/RPC and cache spans) of one request.
        min_ms: f64 = 50.0,
        /// And its share of the request.
        min_share: f64 = 0.7,
        /// In at least this share of the endpoint's requests…
        min_request_share: f64 = 0.9,
        /// …and this many requests.
        min_requests: u32 = 3,
        /// The endpoint's own-code time over the median own-code time of the service's other
        /// endpoints.
        min_ratio: f64 = 4.0,
        /// Own-code time of the median request from which the finding is critical.
        critical_ms: f64 = 1000.0,
    }
);

section!(
    /// All detector thresholds.
    Config {
        n_plus_one_db: Repeats = Repeats::default(),
        n_plus_one_http: Repeats = Repeats::default(),
        n_plus_one_cache: Repeats = Repeats::default(),
        repeated_pattern: Pattern = Pattern::default(),
        consecutive_db: Consecutive = Consecutive { min_calls: 2, min_saved_ms: 10.0, max_gap_ms: 10.0 },
        consecutive_http: Consecutive = Consecutive { min_calls: 3, min_saved_ms: 100.0, max_gap_ms: 10.0 },
        slow_db: Slow = Slow::default(),
        slow_http: Slow = Slow { min_ms: 1000.0, critical_ms: 5000.0 },
        redundant: Redundant = Redundant::default(),
        row_writes: RowWrites = RowWrites::default(),
        connection_churn: Churn = Churn::default(),
        pool_wait: PoolWait = PoolWait::default(),
        payload: Payload = Payload::default(),
        fan_out: FanOut = FanOut::default(),
        repeated_computation: RepeatedComputation = RepeatedComputation::default(),
        severity: SeverityScale = SeverityScale::default(),
        /// Network round trip (ms) projected onto calls faster than it: a call that took
        /// less than a round trip ran against a local server and will pay one in production.
        rtt_ms: f64 = 1.0,
        own_code: OwnCode = OwnCode::default(),
        /// Example trace ids kept per finding.
        max_examples: usize = 5,
    }
);

/// Why a config could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error("--set {0}: expected key=value, e.g. n_plus_one_db.min_repeats=3")]
    SetSyntax(String),
    #[error("--set {assignment}: {message}")]
    Set { assignment: String, message: String },
}

impl Config {
    /// Reads a YAML config file's text (`file` names it in errors, which carry line and column).
    pub fn from_yaml(file: &str, text: &str) -> Result<Config, ConfigError> {
        serde_saphyr::from_str(text).map_err(|e| ConfigError::File { file: file.to_string(), message: e.to_string() })
    }

    /// Applies `section.key=value` overrides, validating each against the schema.
    pub fn with_overrides(&self, sets: &[String]) -> Result<Config, ConfigError> {
        let mut value = serde_json::to_value(self).map_err(|e| ConfigError::SetSyntax(e.to_string()))?;
        for s in sets {
            let (path, raw) = s.split_once('=').ok_or_else(|| ConfigError::SetSyntax(s.clone()))?;
            let mut slot = &mut value;
            for part in path.trim().split('.') {
                slot = slot.get_mut(part).ok_or_else(|| ConfigError::Set {
                    assignment: s.clone(),
                    message: format!("unknown setting `{path}` (see docs/traces.md for the list)"),
                })?;
            }
            let raw = raw.trim();
            *slot = serde_json::from_str(raw).unwrap_or_else(|_| serde_json::Value::String(raw.to_string()));
        }
        serde_json::from_value(value)
            .map_err(|e| ConfigError::Set { assignment: sets.join(" "), message: e.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_calibrated_for_local_runs() {
        let c = Config::default();
        assert_eq!(c.n_plus_one_db.min_repeats, 5);
        assert_eq!(c.n_plus_one_db.min_total_ms, 0.0);
        assert_eq!(c.consecutive_http.min_calls, 3);
        assert_eq!(c.consecutive_http.min_saved_ms, 100.0);
        assert_eq!(c.rtt_ms, 1.0);
        assert_eq!(c.consecutive_db.min_saved_ms, 10.0);
        assert_eq!(c.payload.large_bytes, 300_000);
    }

    #[test]
    fn yaml_and_overrides() {
        let c = Config::from_yaml("t.yaml", "n_plus_one_db: {min_repeats: 3}\nslow_db: {min_ms: 100}\n").unwrap();
        assert_eq!(c.n_plus_one_db.min_repeats, 3);
        assert_eq!(c.n_plus_one_db.min_total_ms, 0.0);
        let c = c.with_overrides(&["n_plus_one_db.min_total_ms=50".into(), "rtt_ms=0.5".into()]).unwrap();
        assert_eq!((c.n_plus_one_db.min_total_ms, c.rtt_ms), (50.0, 0.5));
        let e = Config::from_yaml("t.yaml", "n_plus_one_db: {min_repets: 3}\n").unwrap_err().to_string();
        assert!(e.contains("t.yaml") && e.contains("min_repets"), "{e}");
        assert!(c.with_overrides(&["nope.x=1".into()]).unwrap_err().to_string().contains("unknown setting"));
        assert!(c.with_overrides(&["slow_db.min_ms=fast".into()]).is_err());
    }
}
