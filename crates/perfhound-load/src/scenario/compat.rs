//! k6 and Artillery shapes mapped onto perfhound's executors.
//!
//! * k6 top-level options (`vus`, `duration`, `iterations`, `stages`) become one scenario,
//!   exactly as k6 maps them to its executors.
//! * Artillery `config.phases` become one arrival-rate executor: a phase without `rampTo`
//!   is a constant rate, with `rampTo` a linear ramp; consecutive phases are stages of one
//!   ramping-arrival-rate executor, joined by zero-length stages where the rate jumps.
//!   Weighted Artillery scenarios each get `rate × weight / Σweight`.

use super::duration::{positive_duration, Bare};
use super::error::ScenarioError;
use super::executor::MAX_VUS;
use super::locate::Source;
use super::raw::{RawArtilleryConfig, RawPhase, RawScenario, RawStage};
use crate::plan::{Executor, Stage};
use serde_saphyr::Spanned;
use std::time::Duration;

/// k6 top-level options as one scenario's fields.
pub(crate) struct K6Options {
    pub vus: Option<Spanned<u64>>,
    pub duration: Option<Spanned<perfhound_yaml::Node>>,
    pub iterations: Option<Spanned<u64>>,
    pub stages: Option<Spanned<Vec<Spanned<RawStage>>>>,
}

impl K6Options {
    pub fn is_empty(&self) -> bool {
        self.vus.is_none() && self.duration.is_none() && self.iterations.is_none() && self.stages.is_none()
    }

    /// The first option set, for errors that point at it.
    pub fn first_location(&self) -> Option<serde_saphyr::Location> {
        [
            self.vus.as_ref().map(|f| f.referenced),
            self.duration.as_ref().map(|f| f.referenced),
            self.iterations.as_ref().map(|f| f.referenced),
            self.stages.as_ref().map(|f| f.referenced),
        ]
        .into_iter()
        .flatten()
        .next()
    }

    /// k6's mapping: `stages` → ramping-vus (starting at `vus`), `iterations` (+ `duration`
    /// as its max) → shared-iterations, `vus` + `duration` → constant-vus.
    pub fn into_scenario(self) -> RawScenario {
        let mut s = RawScenario { stages: self.stages, iterations: self.iterations, ..RawScenario::default() };
        if s.stages.is_some() {
            s.start_vus = self.vus;
            s.duration = self.duration;
        } else if s.iterations.is_some() {
            s.vus = self.vus;
            s.max_duration = self.duration;
        } else {
            s.vus = self.vus;
            s.duration = self.duration;
        }
        s
    }
}

/// One phase as a linear rate segment (iterations per second).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment {
    pub duration: Duration,
    pub from: f64,
    pub to: f64,
}

/// Artillery phases → segments, plus the largest `maxVusers`.
pub(crate) fn phases(
    src: &Source,
    cfg: &Spanned<RawArtilleryConfig>,
) -> Result<(Vec<Segment>, Option<u64>), ScenarioError> {
    let Some(phases) = &cfg.value.phases else {
        return Err(src.error_in(
            &cfg.referenced,
            "phases",
            "Artillery config without `phases`",
            "add `phases: [{duration: 60, arrivalRate: 10}]`",
        ));
    };
    if phases.value.is_empty() {
        return Err(src.error(
            &phases.referenced,
            "`phases` is empty",
            "add a phase like `{duration: 60, arrivalRate: 10}`",
        ));
    }
    let mut segments = Vec::new();
    let mut max_vusers: Option<u64> = None;
    for phase in &phases.value {
        segments.push(segment(src, phase)?);
        if let Some(m) = &phase.value.max_vusers {
            if m.value == 0 || m.value > MAX_VUS {
                return Err(src.error(&m.referenced, "maxVusers out of range", format!("use 1 to {MAX_VUS}")));
            }
            max_vusers = Some(max_vusers.unwrap_or(0).max(m.value));
        }
    }
    Ok((segments, max_vusers))
}

fn segment(src: &Source, phase: &Spanned<RawPhase>) -> Result<Segment, ScenarioError> {
    let p = &phase.value;
    let rate_ok = |r: &Spanned<f64>| {
        if r.value.is_finite() && r.value >= 0.0 && r.value <= super::executor::MAX_RATE {
            Ok(r.value)
        } else {
            Err(src.error(
                &r.referenced,
                format!("rate `{}` is out of range", r.value),
                "use a number ≥ 0 (arrivals per second)",
            ))
        }
    };
    if let Some(pause) = &p.pause {
        if let Some(at) = [
            p.duration.as_ref().map(|f| f.referenced),
            p.arrival_rate.as_ref().map(|f| f.referenced),
            p.arrival_count.as_ref().map(|f| f.referenced),
        ]
        .into_iter()
        .flatten()
        .next()
        {
            return Err(src.error(&at, "a `pause` phase takes no other settings", "move them to their own phase"));
        }
        return Ok(Segment { duration: positive_duration(src, pause, Bare::Seconds)?, from: 0.0, to: 0.0 });
    }
    let Some(duration_node) = &p.duration else {
        return Err(src.error_in(
            &phase.referenced,
            "duration",
            "phase without `duration`",
            "add `duration: 60` (seconds)",
        ));
    };
    let duration = positive_duration(src, duration_node, Bare::Seconds)?;
    match (&p.arrival_rate, &p.ramp_to, &p.arrival_count) {
        (None, None, Some(count)) => {
            let n = rate_ok(count)?;
            let rate = n / duration.as_secs_f64();
            Ok(Segment { duration, from: rate, to: rate })
        }
        (_, _, Some(count)) => Err(src.error(
            &count.referenced,
            "`arrivalCount` cannot be combined with `arrivalRate`/`rampTo`",
            "keep one",
        )),
        (Some(r), ramp, None) => {
            let from = rate_ok(r)?;
            let to = ramp.as_ref().map(rate_ok).transpose()?.unwrap_or(from);
            Ok(Segment { duration, from, to })
        }
        (None, Some(t), None) => {
            Err(src.error(&t.referenced, "`rampTo` without `arrivalRate`", "add the starting `arrivalRate`"))
        }
        (None, None, None) => Err(src.error(
            &phase.referenced,
            "phase without an arrival rate",
            "add `arrivalRate: 10` (or `arrivalCount`, or write `pause: 10`)",
        )),
    }
}

/// Segments scaled by `share` → a constant or ramping arrival-rate executor.
pub(crate) fn arrival_executor(segments: &[Segment], share: f64, max_vusers: Option<u64>) -> Executor {
    let scaled: Vec<Segment> =
        segments.iter().map(|s| Segment { duration: s.duration, from: s.from * share, to: s.to * share }).collect();
    let peak = scaled.iter().map(|s| s.from.max(s.to)).fold(0.0, f64::max);
    let per_second = (peak.ceil() as u64).clamp(1, MAX_VUS);
    let max_vus = max_vusers.unwrap_or_else(|| (per_second * 10).clamp(100, MAX_VUS));
    let pre_allocated_vus = per_second.min(max_vus);
    if let [only] = scaled.as_slice() {
        if only.from == only.to {
            return Executor::ConstantArrivalRate {
                rate: only.from,
                duration: only.duration,
                pre_allocated_vus,
                max_vus,
            };
        }
    }
    let start_rate = scaled[0].from;
    let mut current = start_rate;
    let mut stages = Vec::new();
    for s in &scaled {
        if s.from != current {
            stages.push(Stage { duration: Duration::ZERO, target: s.from });
        }
        stages.push(Stage { duration: s.duration, target: s.to });
        current = s.to;
    }
    Executor::RampingArrivalRate { start_rate, stages, pre_allocated_vus, max_vus }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(secs: u64, from: f64, to: f64) -> Segment {
        Segment { duration: Duration::from_secs(secs), from, to }
    }

    #[test]
    fn one_constant_phase_is_constant_arrival_rate() {
        let ex = arrival_executor(&[seg(60, 10.0, 10.0)], 1.0, None);
        assert!(matches!(ex, Executor::ConstantArrivalRate { rate, .. } if rate == 10.0));
    }

    #[test]
    fn jumps_become_zero_length_stages() {
        let ex = arrival_executor(&[seg(10, 5.0, 5.0), seg(20, 10.0, 50.0)], 0.5, None);
        let Executor::RampingArrivalRate { start_rate, stages, .. } = ex else { panic!("{ex:?}") };
        assert_eq!(start_rate, 2.5);
        let got: Vec<(u64, f64)> = stages.iter().map(|s| (s.duration.as_secs(), s.target)).collect();
        assert_eq!(got, [(10, 2.5), (0, 5.0), (20, 25.0)]);
    }
}
