//! `perfhound capacity`: the maximum throughput a service sustains under an SLO, the knee
//! of its latency curve, the component that saturates first, how it fails and recovers
//! above the knee, and whether it leaks over a long steady run.
//!
//! Why a crate of its own: a capacity search *owns the load* (the open-model steps run by
//! `perfhound-load`) and watches the service during every step — its CPU and RSS
//! (`--watch-pid`), PostgreSQL's connections and waits ([`db`]) and its statements'
//! latency from its traces ([`spans`], the audit's OTLP receiver). Judging each step
//! ([`judge`]), locating the knee ([`knee`]) and naming what saturated ([`verdict`]) are
//! pure functions over the steps' evidence, tested without a server.
//!
//! The search ([`search`]) rises by `--step-factor` from `--start-rate` until a step breaks
//! the SLO, cannot keep up or fails, then bisects between the last good and the first bad
//! rate. Every step is bounded; `--max-time` and `--max-rate` bound the search; Ctrl-C keeps
//! the finished steps. When perfhound itself is the limit the search says so and does not
//! blame the service.

pub mod busy;
pub mod config;
pub mod db;
pub mod error;
pub mod interrupt;
pub mod judge;
pub mod knee;
pub mod leak;
pub mod output;
pub mod procstat;
pub mod search;
pub mod soak;
pub mod spans;
pub mod step;
pub mod stress;
pub mod trend;
pub mod verdict;
pub mod verdict_traces;
pub mod watch;

pub use config::{CapacityConfig, HoldConfig, Search, SoakConfig};
pub use error::CapacityError;

use perfhound_model::{CapacityStep, Run};
use watch::Watchers;

/// The outcome: one run whose `load.capacity` holds every step and the verdict.
pub struct Capacity {
    pub run: Run,
    pub interrupted: bool,
}

/// Runs the search (and the hold/recovery when asked) described by `cfg`.
pub fn run(
    cfg: &CapacityConfig,
    watchers: &mut Watchers,
    on_step: &mut dyn FnMut(&CapacityStep),
    command: Vec<String>,
) -> Result<Capacity, CapacityError> {
    let searched = search::search(cfg, watchers, on_step)?;
    let mut section = searched.section;
    section.saturation = verdict::saturation(&section.steps, section.stop.blames_service());
    let mut interrupted = searched.interrupted;
    if let (Some(hold), Some(good), false) = (&cfg.hold, section.max_sustainable_offered_rps, interrupted) {
        let stressed = stress::stress(cfg, hold, good)?;
        on_step(&stressed.step);
        section.steps.push(stressed.step);
        section.stress = Some(stressed.stress);
        interrupted = stressed.interrupted;
    }
    let mut run = searched.best_run.unwrap_or_else(|| empty_run(cfg));
    run.tool.command = command;
    let load = run.load.get_or_insert_with(Default::default);
    load.capacity = Some(Box::new(section));
    run.redact_secrets();
    Ok(Capacity { run, interrupted })
}

/// Runs a soak (`cfg.soak`): one steady step, resources fitted against time, leaks as
/// findings.
pub fn run_soak(cfg: &CapacityConfig, soak_cfg: &SoakConfig, command: Vec<String>) -> Result<Capacity, CapacityError> {
    let soaked = soak::soak(cfg, soak_cfg)?;
    let mut run = soaked.run;
    run.tool.command = command;
    run.findings.extend(soaked.findings);
    let growing: Vec<&str> = soaked.soak.trends.iter().filter(|t| t.growing).map(|t| t.resource.as_str()).collect();
    let stop_detail = format!(
        "soak at {} for {} (first {} not fitted): {}",
        perfhound_term::human::rate(soak_cfg.rps),
        perfhound_term::human::duration_s(soaked.step.duration_s),
        perfhound_term::human::duration_s(soaked.soak.warmup_s),
        if growing.is_empty() { "stable".to_string() } else { format!("growing: {}", growing.join(", ")) }
    );
    let section = perfhound_model::CapacitySection {
        slo: cfg.slo.iter().map(|s| s.expression.clone()).collect(),
        steps: vec![soaked.step],
        stop: perfhound_model::StopReason::Soak,
        stop_detail,
        soak: Some(soaked.soak),
        ..Default::default()
    };
    run.load.get_or_insert_with(Default::default).capacity = Some(Box::new(section));
    run.redact_secrets();
    Ok(Capacity { run, interrupted: soaked.interrupted })
}

/// A run with no step (interrupted before the first one finished).
fn empty_run(cfg: &CapacityConfig) -> Run {
    Run {
        sources: vec![perfhound_model::Source {
            kind: perfhound_model::SourceKind::Load,
            description: cfg.plan.source.clone(),
        }],
        ..Run::begun(Vec::new(), perfhound_model::rfc3339_now())
    }
}
