//! What a capacity search runs: the load plan, the SLO, the bounds of the search and what
//! to watch while it runs.

use crate::error::CapacityError;
use perfhound_load::plan::{Plan, ThresholdSpec};
use perfhound_model::Threshold;
use std::time::Duration;

/// Bounds and shape of the open-model search.
#[derive(Clone, Debug)]
pub struct Search {
    /// First step's arrival rate (iterations per second).
    pub start_rps: f64,
    /// No step goes above this.
    pub max_rps: f64,
    /// Each ramp step multiplies the rate by this.
    pub factor: f64,
    /// Length of each step.
    pub step: Duration,
    /// The whole search (every step, with its drain) stops starting steps after this.
    pub max_time: Duration,
    /// Bisection stops when (bad − good) / good is below this.
    pub precision: f64,
    /// At most this many refining steps.
    pub max_refine: u32,
    /// A step whose achieved rate is below this share of the offered one is over capacity.
    pub throughput_share: f64,
    /// Latency "departs from flat" once p99 exceeds this factor × the low-load p99.
    pub knee_factor: f64,
    /// Most VUs (connections) per step.
    pub max_vus: u64,
    /// Per-request timeout; also how long a step may drain.
    pub timeout: Duration,
}

impl Default for Search {
    fn default() -> Self {
        Search {
            start_rps: 10.0,
            max_rps: 10_000.0,
            factor: 1.5,
            step: Duration::from_secs(10),
            max_time: Duration::from_secs(300),
            precision: 0.05,
            max_refine: 5,
            throughput_share: 0.95,
            knee_factor: 2.0,
            max_vus: 1000,
            timeout: Duration::from_secs(10),
        }
    }
}

/// A soak: one steady rate for a long time, resources fitted against time.
#[derive(Clone, Debug)]
pub struct SoakConfig {
    pub rps: f64,
    pub duration: Duration,
    /// Samples before this are not fitted (caches filling, JIT, pools growing).
    pub warmup: Duration,
    /// RSS limit to project the time to (`--memory-limit`).
    pub memory_limit_bytes: Option<u64>,
}

/// Hold a rate above the knee, then drop back and time the recovery.
#[derive(Clone, Debug)]
pub struct HoldConfig {
    /// Hold at this multiple of the max sustainable rate.
    pub factor: f64,
    pub duration: Duration,
    /// How long the recovery runs.
    pub recovery: Duration,
    /// The recovery rate as a share of the max sustainable rate (0.5: the backlog built by
    /// the hold can drain; at 1.0 a service exactly at capacity never catches up).
    pub recovery_share: f64,
}

/// Everything one `perfhound capacity` run needs.
#[derive(Clone, Debug)]
pub struct CapacityConfig {
    /// The load (URL or scenario): its executors are replaced by constant arrival rates.
    pub plan: Plan,
    pub slo: Vec<ThresholdSpec>,
    pub search: Search,
    pub watch_pid: Option<u32>,
    /// `postgres://…`: connections and waits sampled during every step.
    pub db: Option<String>,
    /// OTLP receiver address: span groups measured per step.
    pub traces_listen: Option<String>,
    pub hold: Option<HoldConfig>,
    pub soak: Option<SoakConfig>,
    pub threads: Option<usize>,
}

/// Parses `--slo` expressions with the threshold grammar (`p99 < 500ms`, `error_rate < 1%`).
pub fn parse_slo(exprs: &[String]) -> Result<Vec<ThresholdSpec>, CapacityError> {
    exprs
        .iter()
        .map(|e| {
            let threshold = Threshold::parse(e).map_err(|err| CapacityError::Config(format!("--slo `{e}`: {err}")))?;
            perfhound_load::to_model::check_load_threshold(&threshold)
                .map_err(|err| CapacityError::Config(format!("--slo `{e}`: {err}")))?;
            Ok(ThresholdSpec { expression: e.clone(), name: None, threshold })
        })
        .collect()
}

impl Search {
    /// Rejects bounds that cannot make a search.
    pub fn validate(&self) -> Result<(), CapacityError> {
        let bad = |m: &str| Err(CapacityError::Config(m.to_string()));
        if !(self.start_rps > 0.0 && self.start_rps.is_finite()) {
            return bad("--start-rate must be a positive number of requests per second");
        }
        if !(self.max_rps >= self.start_rps && self.max_rps.is_finite()) {
            return bad("--max-rate must be at least --start-rate");
        }
        if !(self.factor > 1.0 && self.factor <= 10.0) {
            return bad("--step-factor must be above 1 and at most 10 (e.g. 1.5)");
        }
        if self.step < Duration::from_secs(2) {
            return bad("--step must be at least 2s (the first second of every step is not measured)");
        }
        if self.max_time < self.step {
            return bad("--max-time must be at least one --step");
        }
        Ok(())
    }
}
