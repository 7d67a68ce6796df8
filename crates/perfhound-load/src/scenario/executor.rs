//! Scenario executor settings (native or k6 camelCase) → [`Executor`], with defaults & limits.
//!
//! The executor is explicit (`executor: constant-vus`) or inferred from the fields present
//! (`vus` + `duration` → constant-vus, `vus` + `iterations` → shared-iterations, `rate` →
//! constant-arrival-rate, …). Fields that do not apply to the executor are errors, not
//! silently ignored: a k6 user who writes `rate` on a constant-vus scenario is told so.

use super::duration::{node_duration, positive_duration, show, Bare};
use super::error::ScenarioError;
use super::locate::Source;
use super::raw::{RawScenario, RawStage};
use crate::plan::{Executor, Stage};
use serde_saphyr::{Location, Spanned};
use std::time::Duration;

/// Most VUs any scenario may use.
pub const MAX_VUS: u64 = 100_000;
/// Highest arrival rate, iterations per second.
pub const MAX_RATE: f64 = 1_000_000.0;
/// Most iterations of an iteration executor.
pub const MAX_ITERATIONS: u64 = 1_000_000_000;
/// `max_duration` of iteration executors when not given.
pub const DEFAULT_MAX_DURATION: Duration = Duration::from_secs(600);
/// `graceful_stop` when not given (as in k6).
pub const DEFAULT_GRACEFUL_STOP: Duration = Duration::from_secs(30);

pub const EXECUTORS: [&str; 6] = [
    "constant-arrival-rate",
    "ramping-arrival-rate",
    "constant-vus",
    "ramping-vus",
    "per-vu-iterations",
    "shared-iterations",
];

/// The executor-specific fields each executor accepts.
fn allowed(kind: &str) -> &'static [&'static str] {
    match kind {
        "constant-arrival-rate" => &["rate", "time_unit", "duration", "pre_allocated_vus", "max_vus"],
        "ramping-arrival-rate" => &["start_rate", "time_unit", "stages", "pre_allocated_vus", "max_vus"],
        "constant-vus" => &["vus", "duration"],
        "ramping-vus" => &["start_vus", "stages"],
        _ => &["vus", "iterations", "max_duration"],
    }
}

/// The executor plus the timing fields every scenario has.
pub(crate) struct Timing {
    pub executor: Executor,
    pub start_time: Duration,
    pub graceful_stop: Duration,
}

pub(crate) fn build(src: &Source, sc: &Spanned<RawScenario>, hard_cap: Duration) -> Result<Timing, ScenarioError> {
    let s = &sc.value;
    let present = present_fields(s);
    let kind = match &s.executor {
        Some(e) => normalize(&e.value).ok_or_else(|| {
            src.error(
                &e.referenced,
                format!("unknown executor `{}`", e.value),
                format!("use one of: {}", EXECUTORS.join(", ")),
            )
        })?,
        None => infer(s).ok_or_else(|| {
            src.error(
                &sc.referenced,
                "this scenario is unbounded: it has no `duration`, `stages` or `iterations`",
                "add e.g. `vus: 10` + `duration: 30s`, `rate: 50` + `duration: 1m`, or `iterations: 100`",
            )
        })?,
    };
    for (field, at) in &present {
        if !allowed(kind).contains(field) {
            let fits: Vec<&str> = EXECUTORS.iter().copied().filter(|k| allowed(k).contains(field)).collect();
            return Err(src.error(
                at,
                format!("`{field}` does not apply to executor {kind}"),
                format!("remove it, or use executor: {}", fits.join(" | ")),
            ));
        }
    }
    let executor = match kind {
        "constant-arrival-rate" => {
            let rate = per_second(src, sc, s.rate.as_ref(), "rate", unit(src, s)?)?;
            let duration = required_duration(src, sc, s)?;
            let (pre_allocated_vus, max_vus) = arrival_vus(src, s, rate)?;
            Executor::ConstantArrivalRate { rate, duration, pre_allocated_vus, max_vus }
        }
        "ramping-arrival-rate" => {
            let unit = unit(src, s)?;
            let start_rate = match &s.start_rate {
                Some(r) => rate_value(src, r, unit, true)?,
                None => 0.0,
            };
            let stages = stages(src, sc, s.stages.as_ref(), |t| rate_value(src, t, unit, true))?;
            let peak = stages.iter().map(|st| st.target).fold(start_rate, f64::max);
            if peak <= 0.0 {
                let at = s.stages.as_ref().map_or(sc.referenced, |st| st.referenced);
                return Err(src.error(
                    &at,
                    "every rate is 0: no iteration would ever start",
                    "give a stage a `target` above 0",
                ));
            }
            let (pre_allocated_vus, max_vus) = arrival_vus(src, s, peak)?;
            Executor::RampingArrivalRate { start_rate, stages, pre_allocated_vus, max_vus }
        }
        "constant-vus" => {
            Executor::ConstantVus { vus: vus(src, s.vus.as_ref(), 1)?, duration: required_duration(src, sc, s)? }
        }
        "ramping-vus" => {
            let start_vus = match &s.start_vus {
                Some(v) => vus_value(src, v, 0)?,
                None => 1,
            };
            let stages = stages(src, sc, s.stages.as_ref(), |t| {
                if t.value.fract() != 0.0 || !(0.0..=MAX_VUS as f64).contains(&t.value) {
                    return Err(src.error(
                        &t.referenced,
                        format!("`{}` is not a VU count", t.value),
                        format!("use a whole number from 0 to {MAX_VUS}"),
                    ));
                }
                Ok(t.value)
            })?;
            if stages.iter().all(|st| st.target == 0.0) && start_vus == 0 {
                let at = s.stages.as_ref().map_or(sc.referenced, |st| st.referenced);
                return Err(src.error(
                    &at,
                    "every VU target is 0: nothing would run",
                    "give a stage a `target` above 0",
                ));
            }
            Executor::RampingVus { start_vus, stages }
        }
        _ => {
            let iterations = match &s.iterations {
                Some(i) if i.value == 0 || i.value > MAX_ITERATIONS => {
                    return Err(src.error(
                        &i.referenced,
                        "iterations must be between 1 and 1e9",
                        "set `iterations: 100` or similar",
                    ))
                }
                Some(i) => i.value,
                None => {
                    return Err(src.error_in(
                        &sc.referenced,
                        "iterations",
                        format!("{kind} needs `iterations`"),
                        "add e.g. `iterations: 100`",
                    ))
                }
            };
            let vus = vus(src, s.vus.as_ref(), 1)?;
            let max_duration = match &s.max_duration {
                Some(d) => positive_duration(src, d, Bare::Reject)?,
                None => DEFAULT_MAX_DURATION.min(hard_cap),
            };
            if kind == "shared-iterations" {
                if vus > iterations {
                    let at = s.vus.as_ref().map_or(sc.referenced, |v| v.referenced);
                    return Err(src.error(
                        &at,
                        format!("{vus} VUs would share only {iterations} iterations"),
                        "lower `vus` or raise `iterations`",
                    ));
                }
                Executor::SharedIterations { vus, iterations, max_duration }
            } else {
                Executor::PerVuIterations { vus, iterations, max_duration }
            }
        }
    };
    let start_time = match &s.start_time {
        Some(d) => node_duration(src, d, Bare::Reject)?,
        None => Duration::ZERO,
    };
    let graceful_stop = match &s.graceful_stop {
        Some(d) => node_duration(src, d, Bare::Reject)?,
        None => DEFAULT_GRACEFUL_STOP,
    };
    check_hard_cap(src, sc, &executor, start_time, hard_cap)?;
    Ok(Timing { executor, start_time, graceful_stop })
}

/// `constant_vus`, `ConstantVUs`, `constant-vus` → `constant-vus`.
fn normalize(text: &str) -> Option<&'static str> {
    let flat: String = text.chars().filter(|c| *c != '-' && *c != '_').flat_map(char::to_lowercase).collect();
    EXECUTORS.iter().copied().find(|e| e.replace('-', "") == flat)
}

fn infer(s: &RawScenario) -> Option<&'static str> {
    Some(if s.rate.is_some() {
        "constant-arrival-rate"
    } else if s.stages.is_some() && (s.start_rate.is_some() || s.pre_allocated_vus.is_some() || s.max_vus.is_some()) {
        "ramping-arrival-rate"
    } else if s.stages.is_some() {
        "ramping-vus"
    } else if s.iterations.is_some() {
        "shared-iterations"
    } else if s.duration.is_some() {
        "constant-vus"
    } else {
        return None;
    })
}

fn present_fields(s: &RawScenario) -> Vec<(&'static str, Location)> {
    let mut out = Vec::new();
    let mut add = |name, at: Option<Location>| {
        if let Some(at) = at {
            out.push((name, at));
        }
    };
    add("rate", s.rate.as_ref().map(|f| f.referenced));
    add("start_rate", s.start_rate.as_ref().map(|f| f.referenced));
    add("time_unit", s.time_unit.as_ref().map(|f| f.referenced));
    add("duration", s.duration.as_ref().map(|f| f.referenced));
    add("stages", s.stages.as_ref().map(|f| f.referenced));
    add("vus", s.vus.as_ref().map(|f| f.referenced));
    add("iterations", s.iterations.as_ref().map(|f| f.referenced));
    add("pre_allocated_vus", s.pre_allocated_vus.as_ref().map(|f| f.referenced));
    add("max_vus", s.max_vus.as_ref().map(|f| f.referenced));
    add("start_vus", s.start_vus.as_ref().map(|f| f.referenced));
    add("max_duration", s.max_duration.as_ref().map(|f| f.referenced));
    out
}

fn unit(src: &Source, s: &RawScenario) -> Result<f64, ScenarioError> {
    Ok(match &s.time_unit {
        Some(t) => positive_duration(src, t, Bare::Reject)?.as_secs_f64(),
        None => 1.0,
    })
}

fn rate_value(src: &Source, r: &Spanned<f64>, unit_secs: f64, zero_ok: bool) -> Result<f64, ScenarioError> {
    let per_s = r.value / unit_secs;
    let ok = r.value.is_finite() && if zero_ok { r.value >= 0.0 } else { r.value > 0.0 };
    if !ok || per_s > MAX_RATE {
        let bound = if zero_ok { "≥ 0" } else { "> 0" };
        return Err(src.error(
            &r.referenced,
            format!("rate `{}` is out of range", r.value),
            format!("use a number {bound} and at most {MAX_RATE} per second"),
        ));
    }
    Ok(per_s)
}

fn per_second(
    src: &Source,
    sc: &Spanned<RawScenario>,
    r: Option<&Spanned<f64>>,
    name: &str,
    unit: f64,
) -> Result<f64, ScenarioError> {
    match r {
        Some(r) => rate_value(src, r, unit, false),
        None => Err(src.error_in(
            &sc.referenced,
            name,
            format!("missing `{name}`"),
            format!("add `{name}: 100` (iterations per time_unit, default 1s)"),
        )),
    }
}

fn required_duration(src: &Source, sc: &Spanned<RawScenario>, s: &RawScenario) -> Result<Duration, ScenarioError> {
    match &s.duration {
        Some(d) => positive_duration(src, d, Bare::Reject),
        None => Err(src.error_in(
            &sc.referenced,
            "duration",
            "missing `duration`",
            "add e.g. `duration: 30s`; every scenario must be bounded",
        )),
    }
}

fn vus_value(src: &Source, v: &Spanned<u64>, min: u64) -> Result<u64, ScenarioError> {
    if v.value < min || v.value > MAX_VUS {
        return Err(src.error(
            &v.referenced,
            format!("{} VUs is out of range", v.value),
            format!("use {min} to {MAX_VUS}"),
        ));
    }
    Ok(v.value)
}

fn vus(src: &Source, v: Option<&Spanned<u64>>, default: u64) -> Result<u64, ScenarioError> {
    v.map_or(Ok(default), |v| vus_value(src, v, 1))
}

/// Default VUs for arrival-rate executors: one second's worth of iterations pre-allocated,
/// up to ten times that (at least 100) when responses slow down.
fn arrival_vus(src: &Source, s: &RawScenario, peak_rate: f64) -> Result<(u64, u64), ScenarioError> {
    let per_second = (peak_rate.ceil() as u64).clamp(1, MAX_VUS);
    let pre = s.pre_allocated_vus.as_ref().map(|v| vus_value(src, v, 1)).transpose()?;
    let max = s.max_vus.as_ref().map(|v| vus_value(src, v, 1)).transpose()?;
    Ok(match (pre, max) {
        (Some(p), Some(m)) if p > m => {
            let at = s.max_vus.as_ref().map_or(Location::UNKNOWN, |v| v.referenced);
            return Err(src.error(&at, format!("max_vus {m} is below pre_allocated_vus {p}"), "raise max_vus"));
        }
        (Some(p), Some(m)) => (p, m),
        (Some(p), None) => (p, p),
        (None, Some(m)) => (per_second.min(m), m),
        (None, None) => (per_second, (per_second * 10).clamp(100, MAX_VUS)),
    })
}

fn stages(
    src: &Source,
    sc: &Spanned<RawScenario>,
    raw: Option<&Spanned<Vec<Spanned<RawStage>>>>,
    target: impl Fn(&Spanned<f64>) -> Result<f64, ScenarioError>,
) -> Result<Vec<Stage>, ScenarioError> {
    let Some(raw) = raw else {
        return Err(src.error_in(
            &sc.referenced,
            "stages",
            "missing `stages`",
            "add e.g. `stages: [{duration: 30s, target: 50}]`",
        ));
    };
    let mut out = Vec::new();
    for st in &raw.value {
        out.push(Stage {
            duration: node_duration(src, &st.value.duration, Bare::Reject)?,
            target: target(&st.value.target)?,
        });
    }
    if out.iter().all(|s| s.duration.is_zero()) {
        return Err(src.error(
            &raw.referenced,
            "the stages add up to 0s",
            "give at least one stage a duration above 0",
        ));
    }
    Ok(out)
}

fn check_hard_cap(
    src: &Source,
    sc: &Spanned<RawScenario>,
    ex: &Executor,
    start: Duration,
    cap: Duration,
) -> Result<(), ScenarioError> {
    let end = start + ex.max_duration();
    if end > cap {
        let s = &sc.value;
        let at = [
            s.duration.as_ref().map(|d| d.referenced),
            s.stages.as_ref().map(|d| d.referenced),
            s.max_duration.as_ref().map(|d| d.referenced),
        ]
        .into_iter()
        .flatten()
        .next()
        .unwrap_or(sc.referenced);
        return Err(src.error(
            &at,
            format!("the scenario would run until {} but hard_cap is {}", show(end), show(cap)),
            "shorten it, or raise `hard_cap:` at the top of the file",
        ));
    }
    Ok(())
}
