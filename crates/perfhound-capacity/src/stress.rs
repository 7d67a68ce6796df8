//! Stress and recovery: hold a rate above the knee, then drop back to a share of the max
//! sustainable rate — in one run, so the backlog the hold built is still in the service when the load
//! drops — and time how long until every second meets the SLO again.
//!
//! How the service fails is read from the hold: errors by kind, timeouts, and the peak of
//! busy VUs (requests sent and not yet answered: the queue in front of the service).

use crate::config::{CapacityConfig, HoldConfig};
use crate::error::CapacityError;
use crate::step::{plan_at, run_step, Quiet, StepRun};
use perfhound_load::plan::{Executor, Stage, ThresholdSpec};
use perfhound_model::capacity::Stress;
use perfhound_model::{CapacityStep, ErrorKind, Metric, SecondSample, StepPhase};
use std::time::Duration;

/// The hold's step, the stress verdict, and whether Ctrl-C cut it short.
pub struct Stressed {
    pub step: CapacityStep,
    pub stress: Stress,
    pub interrupted: bool,
}

/// Holds `hold.factor × max_rps`, then `hold.recovery_share × max_rps`.
pub fn stress(cfg: &CapacityConfig, hold: &HoldConfig, max_rps: f64) -> Result<Stressed, CapacityError> {
    let high = max_rps * hold.factor;
    let good_rps = max_rps * hold.recovery_share;
    let drop = Duration::from_millis(100);
    let mut plan = plan_at(cfg, high, hold.duration + drop + hold.recovery);
    let n = plan.scenarios.len().max(1) as f64;
    for s in &mut plan.scenarios {
        let (pre_allocated_vus, max_vus) = match s.executor {
            Executor::ConstantArrivalRate { pre_allocated_vus, max_vus, .. } => (pre_allocated_vus, max_vus),
            _ => (1, cfg.search.max_vus),
        };
        s.executor = Executor::RampingArrivalRate {
            start_rate: high / n,
            stages: vec![
                Stage { duration: hold.duration, target: high / n },
                Stage { duration: drop, target: good_rps / n },
                Stage { duration: hold.recovery, target: good_rps / n },
            ],
            pre_allocated_vus,
            max_vus,
        };
    }
    let StepRun { mut step, run, interrupted } = run_step(cfg, plan, StepPhase::Hold, false, &mut Quiet)?;
    step.offered_rps = crate::step::round2(high);
    let series = run.load.as_ref().map(|l| l.series.clone()).unwrap_or_default();
    let hold_s = hold.duration.as_secs_f64();
    let queued_peak = series.iter().filter(|s| f64::from(s.t_s) < hold_s).map(|s| s.vus_active).max().unwrap_or(0);
    let stress = Stress {
        hold_rps: step.offered_rps,
        timeouts: step.errors_by_kind.get(&ErrorKind::Timeout).copied().unwrap_or(0),
        errors_by_kind: step.errors_by_kind.clone(),
        queued_peak,
        recovery_rps: crate::step::round2(good_rps),
        recovered_after_s: recovered_after(&series, hold_s + drop.as_secs_f64(), &cfg.slo),
    };
    Ok(Stressed { step, stress, interrupted })
}

/// Seconds from the drop until every later second of the recovery meets the SLO.
pub fn recovered_after(series: &[SecondSample], drop_at_s: f64, slo: &[ThresholdSpec]) -> Option<f64> {
    let recovery: Vec<&SecondSample> = series.iter().filter(|s| f64::from(s.t_s) >= drop_at_s.floor()).collect();
    let bad_last = recovery.iter().rposition(|s| !second_ok(s, slo));
    match bad_last {
        None => recovery.first().map(|_| 0.0),
        Some(i) if i + 1 < recovery.len() => Some(f64::from(recovery[i + 1].t_s) - drop_at_s.floor()),
        Some(_) => None,
    }
}

/// One second against the SLO's latency and error objectives (p90/p95 judged by p99,
/// the nearest the per-second samples keep; other metrics are not judged per second).
fn second_ok(s: &SecondSample, slo: &[ThresholdSpec]) -> bool {
    if s.requests == 0 {
        return false;
    }
    slo.iter().all(|spec| {
        let t = &spec.threshold;
        let actual = match t.metric {
            Metric::P50 => s.p50_us as f64,
            Metric::P75 | Metric::P90 | Metric::P95 | Metric::P99 | Metric::P999 => s.p99_us as f64,
            Metric::Max => s.max_us as f64,
            Metric::ErrorRate => s.errors as f64 / s.requests as f64,
            _ => return true,
        };
        t.evaluate(actual)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sec(t_s: u32, p99_ms: u64, errors: u64) -> SecondSample {
        SecondSample { t_s, requests: 10, errors, p50_us: 1000, p99_us: p99_ms * 1000, ..SecondSample::default() }
    }

    #[test]
    fn recovery_is_the_first_second_after_which_all_meet_the_slo() {
        let slo = crate::config::parse_slo(&["p99 < 100ms".into(), "error_rate < 5%".into()]).unwrap();
        let series = [
            sec(0, 500, 0),
            sec(1, 900, 3),
            sec(2, 400, 0),
            sec(3, 50, 0),
            sec(4, 150, 0),
            sec(5, 40, 0),
            sec(6, 30, 0),
        ];
        assert_eq!(recovered_after(&series, 2.0, &slo), Some(3.0));
        assert_eq!(recovered_after(&series[..5], 2.0, &slo), None, "the last second still breaks it");
        assert_eq!(recovered_after(&[sec(0, 9, 0), sec(1, 9, 0)], 0.0, &slo), Some(0.0));
    }
}
