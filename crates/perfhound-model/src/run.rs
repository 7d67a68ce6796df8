//! A [`Run`]: one execution of one or more perfhound engines, as written to `run.json`.
//!
//! The schema is versioned by [`SCHEMA_VERSION`]; readers reject newer major versions
//! with a clear message instead of misreading them. Every counter is additive and every
//! histogram mergeable, so N run files from sharded generators combine exactly.

use crate::extra::Extras;
use crate::finding::Finding;
use crate::histogram::Histogram;
use crate::kinds::{EndReason, ExecutorKind, SourceKind};
use crate::threshold::BudgetResult;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the run JSON schema. Bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// One perfhound run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub schema_version: u32,
    /// Random 128-bit id, hex.
    pub id: String,
    pub tool: ToolInfo,
    /// RFC 3339 UTC timestamps.
    pub started_at: String,
    pub ended_at: String,
    pub host: HostInfo,
    /// What produced the data (a load test, a trace file, a database…).
    pub sources: Vec<Source>,
    /// Everything that was measured, one entry per target name.
    pub targets: Vec<Target>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Outcomes of thresholds (load) and budgets (check).
    #[serde(default)]
    pub budget_results: Vec<BudgetResult>,
    /// Load-test specifics: accounting, time series, generator health.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadSection>,
    /// CPU and memory samples of the generator and of a watched target process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Things the user must know to trust (or distrust) the numbers.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Empirical complexity fits (`perfhound complexity`), with their measured points.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub complexity: Vec<crate::ComplexityFit>,
}

impl Run {
    /// A run of perfhound with this build's schema and version, a fresh id, this host, and
    /// `ended_at` now; nothing measured yet. Engines fill in what they produced with
    /// struct-update syntax: `Run { sources, targets, findings, ..Run::begun(command, started_at) }`.
    pub fn begun(command: Vec<String>, started_at: String) -> Run {
        Run {
            schema_version: SCHEMA_VERSION,
            id: crate::new_run_id(),
            tool: ToolInfo { name: "perfhound".into(), version: env!("CARGO_PKG_VERSION").into(), command },
            started_at,
            ended_at: crate::rfc3339_now(),
            host: HostInfo::current(),
            sources: Vec::new(),
            targets: Vec::new(),
            findings: Vec::new(),
            budget_results: Vec::new(),
            load: None,
            resources: None,
            warnings: Vec::new(),
            complexity: Vec::new(),
        }
    }

    /// Reads a run from JSON text, rejecting schema versions this build does not know.
    pub fn from_json(text: &str) -> Result<Run, String> {
        let probe: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        let version = probe.get("schema_version").and_then(|v| v.as_u64());
        match version {
            None => return Err("missing `schema_version`: not a perfhound run file".into()),
            Some(v) if v > u64::from(SCHEMA_VERSION) => {
                return Err(format!(
                "run schema version {v} is newer than this perfhound understands ({SCHEMA_VERSION}); upgrade perfhound"
            ))
            }
            Some(_) => {}
        }
        serde_json::from_value(probe).map_err(|e| format!("invalid run file: {e}"))
    }

    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
    /// The command line, with header values and secrets redacted.
    #[serde(default)]
    pub command: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HostInfo {
    pub hostname: String,
    pub os: String,
    pub arch: String,
    pub cpus: u32,
}

/// Where data came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    /// Human description: URL, scenario file, trace file…
    pub description: String,
}

/// What a target is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// The whole run (all requests together).
    Overall,
    /// An HTTP request name / endpoint, e.g. `GET /users/{id}`.
    Endpoint,
    /// A query fingerprint.
    Query,
    /// A source function or file.
    Code,
    /// A static asset.
    Asset,
    /// Another service's work the audited service waits for: an outbound call template
    /// (`GET http://host/users/{id}`) or a downstream service's own endpoint, seen in
    /// traces as a server span whose parent is a client span of the caller.
    Downstream,
    /// Work no request to the service started: a root span that is not a server or
    /// consumer span (a background job, a worker thread whose trace context was lost).
    Background,
}

impl TargetKind {
    /// Every kind, in the order reports list their sections.
    pub const ALL: [TargetKind; 7] = [
        TargetKind::Overall,
        TargetKind::Endpoint,
        TargetKind::Downstream,
        TargetKind::Background,
        TargetKind::Query,
        TargetKind::Code,
        TargetKind::Asset,
    ];

    /// The serialized name (`overall`, `endpoint`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Overall => "overall",
            TargetKind::Endpoint => "endpoint",
            TargetKind::Query => "query",
            TargetKind::Code => "code",
            TargetKind::Asset => "asset",
            TargetKind::Downstream => "downstream",
            TargetKind::Background => "background",
        }
    }
}

/// Something measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    pub kind: TargetKind,
    /// Scenario (load) or service (traces) the target belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub measurements: Measurements,
}

/// Why a request failed. Used as a map key in [`Measurements::errors`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    ConnectRefused,
    ConnectTimeout,
    Dns,
    Timeout,
    Reset,
    Tls,
    Protocol,
    Http4xx,
    Http5xx,
    CheckFailed,
    /// In flight when the run was stopped (end of duration after the graceful stop, or Ctrl-C).
    Interrupted,
    Io,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::ConnectRefused => "connect refused",
            ErrorKind::ConnectTimeout => "connect timeout",
            ErrorKind::Dns => "dns",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Reset => "connection reset",
            ErrorKind::Tls => "tls",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Http4xx => "http 4xx",
            ErrorKind::Http5xx => "http 5xx",
            ErrorKind::CheckFailed => "check failed",
            ErrorKind::Interrupted => "interrupted",
            ErrorKind::Io => "i/o",
        }
    }
}

/// Pass/fail counts of one named check.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckCount {
    pub name: String,
    pub passed: u64,
    pub failed: u64,
}

/// Measurements of one target. All counters are additive across shards.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    /// Requests sent (= ok + failed).
    pub requests: u64,
    pub ok: u64,
    pub failed: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<ErrorKind, u64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub status_codes: BTreeMap<u16, u64>,
    /// Latency as the user experiences it: from the *intended* send time in open-model
    /// (arrival-rate) runs, so queueing behind a slow server is included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Histogram>,
    /// Service time: actual send → end of response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_time: Option<Histogram>,
    /// Achieved requests per second over the measured window.
    #[serde(default)]
    pub rps: f64,
    /// Target requests per second (open model), if there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_rps: Option<f64>,
    #[serde(default)]
    pub bytes_in: u64,
    #[serde(default)]
    pub bytes_out: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckCount>,
    /// Extra named measurements engines need (e.g. `cache_hit_ratio`), by [`crate::Extra`].
    #[serde(default, skip_serializing_if = "Extras::is_empty")]
    pub extra: Extras,
}

impl Measurements {
    pub fn error_rate(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.failed as f64 / self.requests as f64
        }
    }

    pub fn check_fail_rate(&self) -> f64 {
        let (p, f) = self.checks.iter().fold((0, 0), |(p, f), c| (p + c.passed, f + c.failed));
        if p + f == 0 {
            0.0
        } else {
            f as f64 / (p + f) as f64
        }
    }
}

/// Iteration and request accounting. Identities that always hold:
/// `requests_sent = requests_ok + requests_failed` and
/// `iterations_scheduled = iterations_started + iterations_dropped`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accounting {
    pub iterations_scheduled: u64,
    pub iterations_started: u64,
    pub iterations_dropped: u64,
    /// Started, but later than intended (more than the late tolerance).
    pub iterations_late: u64,
    pub iterations_completed: u64,
    /// Ended early: a failed check with `abort_on_fail`, or a failed request.
    pub iterations_aborted: u64,
    pub requests_sent: u64,
    pub requests_ok: u64,
    pub requests_failed: u64,
}

impl Accounting {
    pub fn add(&mut self, o: &Accounting) {
        self.iterations_scheduled += o.iterations_scheduled;
        self.iterations_started += o.iterations_started;
        self.iterations_dropped += o.iterations_dropped;
        self.iterations_late += o.iterations_late;
        self.iterations_completed += o.iterations_completed;
        self.iterations_aborted += o.iterations_aborted;
        self.requests_sent += o.requests_sent;
        self.requests_ok += o.requests_ok;
        self.requests_failed += o.requests_failed;
    }

    /// True when both accounting identities hold.
    pub fn is_consistent(&self) -> bool {
        self.requests_sent == self.requests_ok + self.requests_failed
            && self.iterations_scheduled == self.iterations_started + self.iterations_dropped
    }
}

/// One scenario of a load run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSummary {
    pub name: String,
    pub executor: ExecutorKind,
    pub accounting: Accounting,
    /// Mean target iterations per second over the scenario, for arrival-rate executors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_iterations_per_s: Option<f64>,
    pub achieved_iterations_per_s: f64,
    /// Peak virtual users in use.
    pub vus_max: u64,
}

/// One second of the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SecondSample {
    /// Seconds since the start of the run (the sample covers `[t_s, t_s + 1)`).
    pub t_s: u32,
    /// Requests completed in that second.
    pub requests: u64,
    pub errors: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    /// Iterations dropped in that second.
    #[serde(default)]
    pub dropped: u64,
    /// Virtual users busy at the end of the second.
    #[serde(default)]
    pub vus_active: u64,
}

/// Load-run specifics.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadSection {
    pub accounting: Accounting,
    pub scenarios: Vec<ScenarioSummary>,
    pub series: Vec<SecondSample>,
    /// Seconds of measured load.
    pub duration_s: f64,
    /// Open model (arrival-rate) or closed model (VUs).
    pub open_model: bool,
    /// Worker threads of the generator.
    pub threads: u32,
    /// True when the generator itself ran out of CPU: latencies may include its own delay.
    pub generator_saturated: bool,
    /// Why the run ended.
    pub end_reason: EndReason,
    /// A capacity search's steps and verdict (`perfhound capacity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Box<crate::capacity::CapacitySection>>,
}

/// One resource sample of a process.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessSample {
    pub t_s: u32,
    /// CPU use in percent of one core (200 = two cores busy).
    pub cpu_pct: f64,
    pub rss_bytes: u64,
}

/// Samples of one process plus their summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessResources {
    pub pid: u32,
    pub label: String,
    pub cpu_pct_avg: f64,
    pub cpu_pct_peak: f64,
    pub rss_bytes_avg: u64,
    pub rss_bytes_peak: u64,
    pub samples: Vec<ProcessSample>,
}

/// The seeds' "resource utilization": generator and target.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    pub generator: Option<ProcessResources>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<ProcessResources>,
}

impl HostInfo {
    /// The machine this process runs on.
    pub fn current() -> HostInfo {
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "unknown".into());
        HostInfo {
            hostname,
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
        }
    }
}

/// A new random 128-bit run id in hex (std's per-process random hasher keys, no RNG crate).
pub fn new_run_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let mut out = String::with_capacity(32);
    for i in 0..2u8 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u8(i);
        h.write_u128(nanos);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// Current UTC time as RFC 3339 with milliseconds, e.g. `2026-11-24T10:00:00.123Z`.
pub fn rfc3339_now() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    rfc3339(now.as_secs() as i64, now.subsec_millis())
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC.
pub fn rfc3339(secs: i64, millis: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z", rem / 3600, (rem % 3600) / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_000_000, 5), "2026-11-18T11:06:40.005Z");
        assert_eq!(rfc3339(951_782_400, 0), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn rejects_newer_schema_and_non_runs() {
        assert!(Run::from_json("{}").unwrap_err().contains("schema_version"));
        assert!(Run::from_json("{\"schema_version\": 99}").unwrap_err().contains("newer"));
        assert!(Run::from_json("[").unwrap_err().contains("JSON"));
    }

    #[test]
    fn accounting_identities() {
        let shard = Accounting {
            iterations_scheduled: 10,
            iterations_started: 8,
            iterations_dropped: 2,
            iterations_completed: 7,
            iterations_aborted: 1,
            requests_sent: 5,
            requests_ok: 4,
            requests_failed: 1,
            ..Default::default()
        };
        assert!(shard.is_consistent());
        // Each identity is checked on its own.
        assert!(!Accounting { requests_ok: 5, ..shard.clone() }.is_consistent(), "sent != ok + failed");
        assert!(!Accounting { requests_sent: 4, ..shard.clone() }.is_consistent(), "sent != ok + failed");
        assert!(
            !Accounting { iterations_dropped: 3, ..shard.clone() }.is_consistent(),
            "scheduled != started + dropped"
        );
        assert!(!Accounting { iterations_scheduled: 9, ..shard.clone() }.is_consistent());
        // Adding shards (merged runs) adds every counter and keeps both identities.
        let mut total = Accounting::default();
        assert!(total.is_consistent());
        total.add(&shard);
        total.add(&shard);
        assert!(total.is_consistent());
        assert_eq!((total.iterations_scheduled, total.iterations_started, total.iterations_dropped), (20, 16, 4));
        assert_eq!((total.iterations_completed, total.iterations_aborted), (14, 2));
        assert_eq!((total.requests_sent, total.requests_ok, total.requests_failed), (10, 8, 2));
    }
}
