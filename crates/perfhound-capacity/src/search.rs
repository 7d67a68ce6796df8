//! The open-model search: rising arrival-rate steps until one breaks, then bisection
//! between the last good and the first bad step, bounded by `--max-rate` and `--max-time`.
//! Ctrl-C ends the search and keeps every finished step.

use crate::config::CapacityConfig;
use crate::error::CapacityError;
use crate::judge::judge;
use crate::step::{plan_at, run_step, Quiet, StepRun};
use crate::watch::Watchers;
use perfhound_model::{CapacitySection, CapacityStep, Run, StepPhase, StopReason};
use perfhound_term::human;
use std::time::{Duration, Instant};

/// Called after every step (one progress line per step).
pub type OnStep<'a> = &'a mut dyn FnMut(&CapacityStep);

/// The search's steps and the runs they came from.
pub struct Searched {
    pub section: CapacitySection,
    /// The run of the best passing step (or of the first step when none passed).
    pub best_run: Option<Run>,
    pub interrupted: bool,
}

/// State of the search between steps.
struct Walk<'a> {
    cfg: &'a CapacityConfig,
    watchers: &'a mut Watchers,
    started: Instant,
    steps: Vec<CapacityStep>,
    best: Option<(f64, Run)>,
    first_run: Option<Run>,
    baseline: Option<CapacityStep>,
    on_step: OnStep<'a>,
}

enum Next {
    Good,
    Bad(StopReason),
    Stop(StopReason),
}

impl Walk<'_> {
    /// Time left for one more step (with its worst-case drain)?
    fn has_time(&self) -> bool {
        let s = &self.cfg.search;
        self.started.elapsed() + s.step + s.timeout.min(s.step) <= s.max_time
    }

    fn step(&mut self, rps: f64, phase: StepPhase) -> Result<Next, CapacityError> {
        if crate::interrupt::pressed() {
            return Ok(Next::Stop(StopReason::Interrupted));
        }
        if !self.has_time() {
            return Ok(Next::Stop(StopReason::TimeLimit));
        }
        let plan = plan_at(self.cfg, rps, self.cfg.search.step);
        self.watchers.begin_step();
        let wait = self.cfg.watch_pid.and_then(crate::procstat::CpuWait::start);
        let StepRun { mut step, run, interrupted } =
            run_step(self.cfg, plan, phase, self.steps.is_empty(), &mut Quiet)?;
        step.target_cpu_wait_pct = wait.and_then(crate::procstat::CpuWait::finish);
        if interrupted {
            self.watchers.end_step(&mut step);
            return Ok(Next::Stop(StopReason::Interrupted));
        }
        self.watchers.end_step(&mut step);
        judge(&mut step, &run, &self.cfg.search, self.baseline.as_ref());
        (self.on_step)(&step);
        let next = if step.passed { Next::Good } else { Next::Bad(step.cause.unwrap_or(StopReason::SloBroken)) };
        if step.passed {
            self.baseline.get_or_insert_with(|| step.clone());
            if self.best.as_ref().is_none_or(|(a, _)| step.achieved_rps > *a) {
                self.best = Some((step.achieved_rps, run));
            }
        } else if self.first_run.is_none() {
            self.first_run = Some(run);
        }
        self.steps.push(step);
        Ok(next)
    }
}

/// Runs the ramp and the refinement.
pub fn search(cfg: &CapacityConfig, watchers: &mut Watchers, on_step: OnStep<'_>) -> Result<Searched, CapacityError> {
    cfg.search.validate()?;
    crate::interrupt::install();
    let mut walk = Walk {
        cfg,
        watchers,
        started: Instant::now(),
        steps: Vec::new(),
        best: None,
        first_run: None,
        baseline: None,
        on_step,
    };
    let (stop, bracket) = ramp(&mut walk)?;
    let stop = match (stop, bracket) {
        (s, Some((good, bad))) if s.blames_service() || s == StopReason::GeneratorSaturated => {
            refine(&mut walk, good, bad, s)?
        }
        (s, _) => s,
    };
    Ok(finish(walk, stop))
}

/// Rising steps until one is bad; returns the stop reason and (last good, first bad).
fn ramp(walk: &mut Walk<'_>) -> Result<(StopReason, Option<(f64, f64)>), CapacityError> {
    let s = walk.cfg.search.clone();
    let mut rps = s.start_rps;
    let mut last_good = None;
    loop {
        match walk.step(rps, StepPhase::Ramp)? {
            Next::Good => last_good = Some(rps),
            Next::Bad(reason) => return Ok((reason, last_good.map(|g| (g, rps)))),
            Next::Stop(reason) => return Ok((reason, None)),
        }
        if rps >= s.max_rps {
            return Ok((StopReason::MaxRate, None));
        }
        rps = (rps * s.factor).min(s.max_rps);
    }
}

/// Bisection between a good and a bad rate.
fn refine(
    walk: &mut Walk<'_>,
    mut good: f64,
    mut bad: f64,
    mut reason: StopReason,
) -> Result<StopReason, CapacityError> {
    let s = walk.cfg.search.clone();
    for _ in 0..s.max_refine {
        if (bad - good) / good <= s.precision {
            break;
        }
        let mid = ((good + bad) / 2.0 * 10.0).round() / 10.0;
        match walk.step(mid, StepPhase::Refine)? {
            Next::Good => good = mid,
            Next::Bad(r) => {
                bad = mid;
                reason = r;
            }
            Next::Stop(r) => return Ok(r),
        }
    }
    Ok(reason)
}

fn finish(walk: Walk<'_>, stop: StopReason) -> Searched {
    let search = &walk.cfg.search;
    let best_step = walk.steps.iter().filter(|s| s.passed).max_by(|a, b| a.achieved_rps.total_cmp(&b.achieved_rps));
    let first_bad = walk.steps.iter().filter(|s| !s.passed).min_by(|a, b| a.offered_rps.total_cmp(&b.offered_rps));
    let section = CapacitySection {
        slo: walk.cfg.slo.iter().map(|s| s.expression.clone()).collect(),
        max_sustainable_rps: best_step.map(|s| s.achieved_rps),
        max_sustainable_offered_rps: best_step.map(|s| s.offered_rps),
        knee_rps: crate::knee::knee(&walk.steps, search.knee_factor),
        stop,
        stop_detail: stop_detail(stop, best_step, first_bad, search.max_rps, walk.started.elapsed()),
        steps: walk.steps.clone(),
        ..CapacitySection::default()
    };
    Searched {
        section,
        best_run: walk.best.map(|(_, r)| r).or(walk.first_run),
        interrupted: stop == StopReason::Interrupted,
    }
}

fn stop_detail(
    stop: StopReason,
    best: Option<&CapacityStep>,
    bad: Option<&CapacityStep>,
    max_rps: f64,
    elapsed: Duration,
) -> String {
    let why = bad.map(|b| b.broken.join("; ")).unwrap_or_default();
    let at = |s: &CapacityStep| human::rate(s.offered_rps);
    match (stop, bad) {
        (StopReason::MaxRate, _) => format!("every step up to --max-rate {} met the SLO", human::rate(max_rps)),
        (StopReason::TimeLimit, _) => {
            format!(
                "--max-time ran out after {}; the finished steps are kept",
                human::duration_s(elapsed.as_secs_f64())
            )
        }
        (StopReason::Interrupted, _) => "interrupted (Ctrl-C); the finished steps are kept".into(),
        (StopReason::GeneratorSaturated, Some(b)) => {
            format!("perfhound could not offer {}: {why}. The service was not shown to be at its limit", at(b))
        }
        (_, Some(b)) => format!(
            "{} at {}: {why}{}",
            stop.as_str(),
            at(b),
            best.map(|g| format!("; {} held the SLO", at(g))).unwrap_or_default()
        ),
        (_, None) => stop.as_str().to_string(),
    }
}
