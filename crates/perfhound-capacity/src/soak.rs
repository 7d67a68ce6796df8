//! A soak: one long step at a steady rate while the watched process's RSS, descriptors and
//! threads are sampled; each is fitted against time after warm-up ([`crate::trend`]) and a
//! growing one becomes a PH-CAP001 finding ([`crate::leak`]).

use crate::config::{CapacityConfig, SoakConfig};
use crate::error::CapacityError;
use crate::procstat::{Sample, Sampler};
use crate::step::{plan_at, run_step, Quiet, StepRun};
use crate::trend::{grows, theil_sen};
use perfhound_model::capacity::{Soak, Trend};
use perfhound_model::{CapacityStep, Finding, Run, StepPhase};
use std::time::Duration;

/// What a soak produced.
pub struct Soaked {
    pub step: CapacityStep,
    pub soak: Soak,
    pub run: Run,
    pub findings: Vec<Finding>,
    pub interrupted: bool,
}

/// Rise over the fitted window below which a trend is noise.
fn min_rise(resource: &str) -> f64 {
    if resource == "rss_bytes" {
        1e6
    } else {
        5.0
    }
}

/// The soak's plan with its VUs (connections) opened from the start: VUs started later
/// (late arrivals on a busy machine) would add connections — descriptors and, in
/// thread-per-connection servers, threads — during the fitted window.
fn steady_plan(cfg: &CapacityConfig, s: &SoakConfig) -> perfhound_load::plan::Plan {
    let mut plan = plan_at(cfg, s.rps, s.duration);
    for sc in &mut plan.scenarios {
        if let perfhound_load::plan::Executor::ConstantArrivalRate { rate, pre_allocated_vus, max_vus, .. } =
            &mut sc.executor
        {
            *pre_allocated_vus = ((*rate * 0.5).ceil() as u64 + 2).min(*max_vus);
        }
    }
    plan
}

/// Runs the soak; needs `--watch-pid`.
pub fn soak(cfg: &CapacityConfig, s: &SoakConfig) -> Result<Soaked, CapacityError> {
    let pid = cfg.watch_pid.ok_or_else(|| {
        CapacityError::Config("--soak needs --watch-pid PID: the leak check samples the service's process".into())
    })?;
    if s.warmup >= s.duration {
        return Err(CapacityError::Config("--warmup must be shorter than --soak".into()));
    }
    let sampler = Sampler::start(pid, Duration::from_secs(1));
    let StepRun { step, run, interrupted } = run_step(cfg, steady_plan(cfg, s), StepPhase::Soak, true, &mut Quiet)?;
    let samples = sampler.finish();
    let warmup_s = s.warmup.as_secs_f64();
    let after: Vec<&Sample> = samples.iter().filter(|x| x.t_s >= warmup_s).collect();
    let trends: Vec<Trend> = [
        ("rss_bytes", after.iter().map(|x| (x.t_s, x.rss_bytes)).collect::<Vec<_>>()),
        ("open_fds", after.iter().map(|x| (x.t_s, x.fds)).collect()),
        ("threads", after.iter().map(|x| (x.t_s, x.threads)).collect()),
    ]
    .into_iter()
    .filter_map(|(name, pts)| trend(name, &pts, s.memory_limit_bytes))
    .collect();
    let target = run.sources.first().map(|x| x.description.clone()).unwrap_or_default();
    let findings =
        trends.iter().filter(|t| t.growing).map(|t| crate::leak::finding(t, &target, step.achieved_rps)).collect();
    let soak = Soak { rps: s.rps, duration_s: step.duration_s, warmup_s, trends };
    Ok(Soaked { step, soak, run, findings, interrupted })
}

fn trend(resource: &str, pts: &[(f64, f64)], limit: Option<u64>) -> Option<Trend> {
    let fit = theil_sen(pts)?;
    let growing = grows(pts, &fit, min_rise(resource));
    let last = pts.last()?.1;
    let per_hour = |v: f64| (v * 3600.0 * 100.0).round() / 100.0;
    let hours_to_limit = match (resource, limit) {
        ("rss_bytes", Some(l)) if growing && fit.slope > 0.0 => {
            Some(((l as f64 - last).max(0.0) / (fit.slope * 3600.0) * 10.0).round() / 10.0)
        }
        _ => None,
    };
    Some(Trend {
        resource: resource.into(),
        samples: pts.len() as u32,
        slope_per_hour: per_hour(fit.slope),
        slope_ci_low: per_hour(fit.low),
        slope_ci_high: per_hour(fit.high),
        first: pts.first()?.1,
        last,
        growing,
        hours_to_limit,
    })
}
