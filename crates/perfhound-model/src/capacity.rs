//! The capacity section of a run (`perfhound capacity`): the steps of an open-model search,
//! the maximum sustainable throughput under an SLO, the knee, what saturated first, the
//! stress/recovery phase and the soak (leak) fit.
//!
//! It lives in [`crate::LoadSection::capacity`]: a capacity search *is* a load run whose
//! targets and accounting cover every step, plus this per-step evidence.

use crate::run::ErrorKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything a capacity search found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CapacitySection {
    /// The SLO expressions as written (`p99 < 500ms`, `error_rate < 1%`).
    pub slo: Vec<String>,
    /// Every step run, in order.
    pub steps: Vec<CapacityStep>,
    /// Achieved requests/s of the best step that met the SLO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sustainable_rps: Option<f64>,
    /// Offered requests/s of that step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sustainable_offered_rps: Option<f64>,
    /// Offered requests/s of the last step before latency departed from flat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knee_rps: Option<f64>,
    pub stop: StopReason,
    /// One sentence: what stopped the search, with the numbers.
    pub stop_detail: String,
    /// The component that saturated first, when one could be named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub saturation: Vec<Saturation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stress: Option<Stress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soak: Option<Soak>,
}

/// Why the search ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// A latency objective of the SLO was broken.
    #[default]
    SloBroken,
    /// The error-rate objective (or failing requests) broke the step.
    Errors,
    /// The service completed fewer requests than offered: it is at its throughput limit.
    Throughput,
    /// perfhound could not offer the load (own CPU, VUs exhausted) while the service was fine.
    GeneratorSaturated,
    /// Every step up to `--max-rate` met the SLO.
    MaxRate,
    /// `--max-time` ran out before the search converged.
    TimeLimit,
    /// Ctrl-C: the finished steps are kept.
    Interrupted,
    /// A soak run only (no search).
    Soak,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::SloBroken => "SLO broken",
            StopReason::Errors => "errors",
            StopReason::Throughput => "service throughput limit",
            StopReason::GeneratorSaturated => "generator saturated",
            StopReason::MaxRate => "max rate reached",
            StopReason::TimeLimit => "time limit",
            StopReason::Interrupted => "interrupted",
            StopReason::Soak => "soak",
        }
    }

    /// True when the service, not perfhound or a bound, ended the search.
    pub fn blames_service(self) -> bool {
        matches!(self, StopReason::SloBroken | StopReason::Errors | StopReason::Throughput)
    }
}

/// What a step was for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepPhase {
    /// Rising arrival rate.
    #[default]
    Ramp,
    /// Bisection between the last good and the first bad step.
    Refine,
    /// Held above the knee (stress).
    Hold,
    /// Back at a good rate after the hold (recovery).
    Recovery,
    /// One long steady step (soak).
    Soak,
}

/// The evidence of one step at one offered rate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CapacityStep {
    pub phase: StepPhase,
    pub offered_rps: f64,
    /// Requests completed per second while the step's arrivals were due (first second skipped).
    pub achieved_rps: f64,
    pub duration_s: f64,
    pub requests: u64,
    pub errors: u64,
    pub error_rate: f64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors_by_kind: BTreeMap<ErrorKind, u64>,
    /// Arrivals that could not start in time (open model).
    pub dropped: u64,
    /// Arrivals that started more than 10 ms late (no VU was free).
    pub late: u64,
    /// Every VU the step allowed (`--max-vus`) was in use: arrivals waited in perfhound.
    #[serde(default)]
    pub vus_exhausted: bool,
    /// Latency from the intended send time (includes queueing).
    pub latency_us_p50: u64,
    pub latency_us_p99: u64,
    /// From the actual send to the end of the response (the service's own time).
    pub service_us_p50: u64,
    pub service_us_p99: u64,
    /// perfhound's worker CPU use, 0..1 per worker thread.
    pub generator_cpu_share: f64,
    pub passed: bool,
    /// Why the step did not pass (empty when it passed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub broken: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<StopReason>,
    /// The watched service's mean CPU (% of one core) and peak RSS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_cpu_pct: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_rss_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<DbSample>,
    /// Span groups seen in the service's traces during the step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spans: Vec<SpanGroupSample>,
    /// From the traces: DB statements in flight (the connections in use) during the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_busy: Option<DbBusy>,
    /// With `--watch-pid`: the service's threads' mean time runnable but waiting for a CPU
    /// (% of one core, from `/proc/PID/task/*/schedstat`); on-CPU plus this is its CPU demand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_cpu_wait_pct: Option<f64>,
}

/// DB statements in flight during one step, from the DB spans' start and end times.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DbBusy {
    /// DB span time per second of wall time: the mean number of connections running a statement.
    pub mean: f64,
    /// The most DB spans in flight at one instant (a lower bound of the connections the service has).
    pub peak: u32,
    /// The statement holding the most DB time, and its share of it (0..1).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub top_statement: String,
    #[serde(default)]
    pub top_share: f64,
}

/// PostgreSQL during one step (peaks over the samples taken while it ran).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DbSample {
    pub max_connections: u32,
    /// Peak client connections (all databases).
    pub connections_peak: u32,
    /// Peak connections running a statement.
    pub active_peak: u32,
    /// Mean connections running a statement over the step's samples.
    #[serde(default)]
    pub active_mean: f64,
    /// Samples taken during the step.
    #[serde(default)]
    pub samples: u32,
    /// Peak sessions waiting (`wait_event_type` set while active), by wait event.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub waits: BTreeMap<String, u32>,
}

/// One span group's latency during one step (from the service's traces).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpanGroupSample {
    /// `db`, `http` or `own`.
    pub kind: String,
    /// The statement, outbound call or endpoint.
    pub name: String,
    pub calls: u64,
    pub mean_us: f64,
}

/// A component and how it grew with load.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Saturation {
    /// `service CPU`, `service memory`, `DB connections`, `DB: SELECT …`, `own code`…
    pub component: String,
    /// Offered rate from which it was saturated or degrading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_rps: Option<f64>,
    /// Growth factor between the lowest-rate step and the highest one (1 = flat).
    pub growth: f64,
    /// For latencies: microseconds added per call between those steps (ranks span groups
    /// that saturate at the same rate: the one adding the most time grows fastest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_us: Option<f64>,
    /// One sentence with the evidence.
    pub evidence: String,
}

/// A step held above the knee and the recovery after it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stress {
    pub hold_rps: f64,
    pub errors_by_kind: BTreeMap<ErrorKind, u64>,
    pub timeouts: u64,
    /// Peak concurrently busy VUs during the hold (requests queued in the service).
    pub queued_peak: u64,
    pub recovery_rps: f64,
    /// Seconds after the load dropped until a second met the SLO again; `None` = never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered_after_s: Option<f64>,
}

/// A soak: resource trends of the watched process after warm-up.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Soak {
    pub rps: f64,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub trends: Vec<Trend>,
}

/// A robust (Theil–Sen) fit of one resource against time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// `rss_bytes`, `open_fds` or `threads`.
    pub resource: String,
    pub samples: u32,
    /// Units per hour.
    pub slope_per_hour: f64,
    /// 95 % confidence interval of the slope (units per hour).
    pub slope_ci_low: f64,
    pub slope_ci_high: f64,
    pub first: f64,
    pub last: f64,
    /// True when the whole interval is above zero by more than noise.
    pub growing: bool,
    /// Hours until `--memory-limit` at this slope (rss only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_to_limit: Option<f64>,
}
