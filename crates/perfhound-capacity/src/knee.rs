//! The knee: the highest offered rate before latency departs from flat.
//!
//! Steps are taken in order of offered rate. The flat level is the lowest p99 of the two
//! lowest-rate steps; latency has departed at the first step whose p99 exceeds
//! `factor` × that level (and by at least 1 ms, so microsecond noise on a fast service is
//! not a departure). The knee is the rate of the step just below. When no step departs,
//! there is no knee within the searched range.

use perfhound_model::{CapacityStep, StepPhase};

/// Offered rate of the knee, if latency departed within the steps.
pub fn knee(steps: &[CapacityStep], factor: f64) -> Option<f64> {
    let mut curve: Vec<&CapacityStep> =
        steps.iter().filter(|s| matches!(s.phase, StepPhase::Ramp | StepPhase::Refine) && s.requests > 0).collect();
    curve.sort_by(|a, b| a.offered_rps.total_cmp(&b.offered_rps));
    let flat = curve.iter().take(2).map(|s| s.latency_us_p99).min()? as f64;
    let limit = (factor * flat).max(flat + 1000.0);
    let departed = curve.iter().position(|s| s.latency_us_p99 as f64 > limit)?;
    Some(if departed == 0 { curve[0].offered_rps } else { curve[departed - 1].offered_rps })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(rps: f64, p99_ms: u64) -> CapacityStep {
        CapacityStep { offered_rps: rps, latency_us_p99: p99_ms * 1000, requests: 10, ..CapacityStep::default() }
    }

    #[test]
    fn knee_is_the_last_flat_step() {
        let steps = [step(10.0, 20), step(20.0, 21), step(40.0, 22), step(80.0, 60), step(60.0, 30)];
        assert_eq!(knee(&steps, 2.0), Some(60.0));
    }

    #[test]
    fn flat_curve_has_no_knee() {
        let steps = [step(10.0, 20), step(20.0, 21), step(40.0, 25)];
        assert_eq!(knee(&steps, 2.0), None);
        assert_eq!(knee(&[], 2.0), None);
    }

    #[test]
    fn microsecond_noise_is_not_a_departure() {
        let fast =
            |rps, us| CapacityStep { offered_rps: rps, latency_us_p99: us, requests: 5, ..CapacityStep::default() };
        assert_eq!(knee(&[fast(10.0, 100), fast(20.0, 90), fast(40.0, 400)], 2.0), None);
    }
}
