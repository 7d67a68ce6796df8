//! One step: the plan at one constant arrival rate, run by the load engine, turned into
//! the step's evidence (offered vs achieved rate, p50/p99, errors, dropped arrivals).

use crate::config::CapacityConfig;
use crate::error::CapacityError;
use perfhound_load::engine::{self, EngineOptions, Observer, RunResult, Tick};
use perfhound_load::plan::{Executor, Plan};
use perfhound_model::{CapacityStep, EndReason, Run, StepPhase};
use std::time::Duration;

/// A step's evidence and the full run it came from.
pub struct StepRun {
    pub step: CapacityStep,
    pub run: Run,
    /// Per-second samples of the step (for recovery timing).
    pub interrupted: bool,
}

/// Counts seconds without printing: a capacity search prints one line per step.
#[derive(Default)]
pub struct Quiet;

impl Observer for Quiet {
    fn on_tick(&mut self, _tick: &Tick<'_>) {}
}

/// The base plan with every scenario at `rps` (split evenly) for `duration`.
pub fn plan_at(cfg: &CapacityConfig, rps: f64, duration: Duration) -> Plan {
    let mut plan = cfg.plan.clone();
    let n = plan.scenarios.len().max(1) as f64;
    let rate = rps / n;
    let max_vus = cfg.search.max_vus;
    let pre_allocated_vus = ((rate * 0.05).ceil() as u64 + 2).min(max_vus);
    for s in &mut plan.scenarios {
        s.executor = Executor::ConstantArrivalRate { rate, duration, pre_allocated_vus, max_vus };
        s.start_time = Duration::ZERO;
        s.graceful_stop = cfg.search.timeout;
    }
    plan.http.request_timeout = cfg.search.timeout;
    plan.thresholds = cfg.slo.clone();
    plan.hard_cap = duration + cfg.search.timeout * 2 + Duration::from_secs(5);
    plan
}

/// Runs one step and measures it.
pub fn run_step(
    cfg: &CapacityConfig,
    plan: Plan,
    phase: StepPhase,
    first: bool,
    observer: &mut dyn Observer,
) -> Result<StepRun, CapacityError> {
    let opts = EngineOptions { threads: cfg.threads, watch_pid: cfg.watch_pid, skip_preflight: !first };
    let result = engine::run(plan, &opts, observer).map_err(|e| CapacityError::Load(e.to_string()))?;
    let run = perfhound_load::to_model::to_run(&result, Vec::new());
    let step = evidence(&result, &run, phase);
    Ok(StepRun { step, run, interrupted: result.end_reason == EndReason::Interrupted })
}

/// Offered rate of the plan: arrivals per second × request steps per iteration.
fn offered(result: &RunResult, run: &Run) -> f64 {
    let from_run = run.target(perfhound_load::to_model::OVERALL).and_then(|t| t.measurements.target_rps);
    from_run.unwrap_or_else(|| {
        result
            .plan
            .scenarios
            .iter()
            .map(|s| match s.executor {
                Executor::ConstantArrivalRate { rate, .. } => rate,
                _ => 0.0,
            })
            .sum()
    })
}

/// Requests the service completed per second: the larger of two estimates that are both
/// biased low only for a service that keeps up — responses per second while arrivals were
/// due (first second skipped; the once-a-second sampling moves a request or two between
/// seconds on a busy machine) and all responses over the whole step including its drain
/// (the last responses' latency lengthens it). For a service over capacity both measure
/// its throughput.
pub fn achieved(run: &Run, scheduled_s: f64, elapsed_s: f64) -> f64 {
    let Some(load) = &run.load else { return 0.0 };
    let end = scheduled_s.floor() as u32;
    let window: Vec<u64> = load.series.iter().filter(|s| s.t_s >= 1 && s.t_s < end).map(|s| s.requests).collect();
    let in_window = if window.is_empty() { 0.0 } else { window.iter().sum::<u64>() as f64 / window.len() as f64 };
    let overall = load.accounting.requests_sent as f64 / elapsed_s.max(scheduled_s).max(1e-3);
    in_window.max(overall)
}

fn scheduled_s(result: &RunResult) -> f64 {
    result.plan.scenarios.iter().map(|s| s.executor.max_duration()).max().unwrap_or_default().as_secs_f64()
}

fn evidence(result: &RunResult, run: &Run, phase: StepPhase) -> CapacityStep {
    let overall = run.target(perfhound_load::to_model::OVERALL).map(|t| &t.measurements);
    let q =
        |h: Option<&perfhound_model::Histogram>, p: f64| h.filter(|h| !h.is_empty()).map_or(0, |h| h.quantile_us(p));
    let latency = overall.and_then(|m| m.latency.as_ref());
    let service = overall.and_then(|m| m.service_time.as_ref());
    let acc = run.load.as_ref().map(|l| l.accounting.clone()).unwrap_or_default();
    let target = run.resources.as_ref().and_then(|r| r.target.as_ref());
    let scheduled = scheduled_s(result);
    CapacityStep {
        phase,
        offered_rps: round2(offered(result, run)),
        achieved_rps: round2(achieved(run, scheduled, result.elapsed.as_secs_f64())),
        duration_s: round2(result.elapsed.as_secs_f64()),
        requests: overall.map_or(0, |m| m.requests),
        errors: overall.map_or(0, |m| m.failed),
        error_rate: overall.map_or(0.0, |m| m.error_rate()),
        errors_by_kind: overall.map(|m| m.errors.clone()).unwrap_or_default(),
        dropped: acc.iterations_dropped,
        late: acc.iterations_late,
        vus_exhausted: vus_exhausted(result),
        latency_us_p50: q(latency, 0.5),
        latency_us_p99: q(latency, 0.99),
        service_us_p50: q(service, 0.5),
        service_us_p99: q(service, 0.99),
        generator_cpu_share: round2(result.generator_cpu_share),
        target_cpu_pct: target.map(|t| t.cpu_pct_avg),
        target_rss_bytes: target.map(|t| t.rss_bytes_peak),
        ..CapacityStep::default()
    }
}

/// Some scenario used every VU it was allowed.
fn vus_exhausted(result: &RunResult) -> bool {
    result.plan.scenarios.iter().zip(&result.vus_max).any(|(s, used)| *used >= s.executor.max_vus())
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
