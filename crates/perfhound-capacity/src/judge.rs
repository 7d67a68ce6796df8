//! Judging one step: did it meet the SLO, and if not, whose limit was it — the service's
//! (latency, errors, throughput) or perfhound's own (CPU, VUs)?
//!
//! The generator is blamed when its worker threads were busy ≥ 85 % of the step, or when
//! arrivals were dropped or every allowed VU was in use while the service's own time
//! (actual send → response) stayed within `knee_factor` × its low-load value: the wait was
//! in perfhound, not in the service. (A late arrival alone is not: the engine then starts
//! another VU, up to `--max-vus`.)

use crate::config::Search;
use perfhound_model::{CapacityStep, Metric, Run, StopReason};
use perfhound_term::human;

/// Generator CPU share from which a step's numbers are perfhound's limit.
pub const GENERATOR_BUSY: f64 = perfhound_load::to_model::SATURATION_SHARE;

/// Fills `passed`, `broken` and `cause` of a step. `baseline` is the first step that passed.
pub fn judge(step: &mut CapacityStep, run: &Run, search: &Search, baseline: Option<&CapacityStep>) {
    let mut broken = Vec::new();
    let mut cause = None;
    for b in run.budget_results.iter().filter(|b| !b.passed) {
        let actual = human::metric_value(b.metric, b.actual);
        broken.push(format!("{} (measured {actual})", b.expression));
        cause.get_or_insert(if b.metric == Metric::ErrorRate { StopReason::Errors } else { StopReason::SloBroken });
    }
    if step.achieved_rps < search.throughput_share * step.offered_rps {
        broken.push(format!(
            "achieved {} of {} offered",
            human::rate(step.achieved_rps),
            human::rate(step.offered_rps)
        ));
        cause.get_or_insert(StopReason::Throughput);
    }
    if step.dropped > 0 {
        broken.push(format!("{} arrivals dropped (not started within the timeout)", step.dropped));
        cause.get_or_insert(StopReason::Throughput);
    }
    if cause.is_some() && generator_limited(step, search, baseline) {
        broken.push(generator_note(step));
        cause = Some(StopReason::GeneratorSaturated);
    }
    step.passed = broken.is_empty();
    step.broken = broken;
    step.cause = cause;
}

/// perfhound, not the service, held the step back.
pub fn generator_limited(step: &CapacityStep, search: &Search, baseline: Option<&CapacityStep>) -> bool {
    if step.generator_cpu_share >= GENERATOR_BUSY {
        return true;
    }
    let Some(base) = baseline else { return false };
    let service_fine = (step.service_us_p99 as f64) <= search.knee_factor * (base.service_us_p99.max(1000) as f64)
        && step.error_rate <= base.error_rate.max(0.001);
    service_fine && (step.vus_exhausted || step.dropped > 0)
}

fn generator_note(step: &CapacityStep) -> String {
    if step.generator_cpu_share >= GENERATOR_BUSY {
        format!(
            "perfhound's workers were {} busy: the generator is the limit, not the service",
            human::pct(step.generator_cpu_share)
        )
    } else {
        format!(
            "arrivals waited for a VU ({} late, {} dropped{}) while the service's own time stayed flat \
             (p99 {}): the generator is the limit (raise --max-vus or --threads), not the service",
            step.late,
            step.dropped,
            if step.vus_exhausted { ", every allowed VU in use" } else { "" },
            human::duration_us(step.service_us_p99 as f64)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(service_ms: u64, cpu: f64) -> CapacityStep {
        CapacityStep { service_us_p99: service_ms * 1000, generator_cpu_share: cpu, ..CapacityStep::default() }
    }

    #[test]
    fn the_generator_is_blamed_only_when_the_wait_was_in_perfhound() {
        let search = Search::default();
        let base = step(20, 0.2);
        assert!(generator_limited(&step(500, 0.9), &search, Some(&base)), "busy workers");
        let exhausted = CapacityStep { vus_exhausted: true, late: 40, ..step(22, 0.3) };
        assert!(generator_limited(&exhausted, &search, Some(&base)), "every VU in use, service flat");
        let queued = CapacityStep { vus_exhausted: true, late: 40, ..step(300, 0.3) };
        assert!(!generator_limited(&queued, &search, Some(&base)), "the service's own time grew");
        let late_only = CapacityStep { late: 3, ..step(22, 0.3) };
        assert!(!generator_limited(&late_only, &search, Some(&base)), "a late arrival starts another VU");
        assert!(!generator_limited(&exhausted, &search, None), "nothing to compare the service with");
    }
}
