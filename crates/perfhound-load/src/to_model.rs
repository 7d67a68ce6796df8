//! Turns an engine [`RunResult`] into the model's [`Run`]: targets, accounting,
//! thresholds, hygiene findings and the warnings a reader needs to trust the numbers.

use crate::engine::{EndReason, RunResult};
use crate::hygiene;
use crate::plan::{Executor, Step};
use crate::stats::NameStats;
use perfhound_model::run::{LoadSection, ScenarioSummary};
use perfhound_model::{Accounting, BudgetResult, Measurements, Metric, Resources, Run, Source, Target, TargetKind};

/// Name of the whole-run target.
pub const OVERALL: &str = "overall";

/// Generator CPU share above which results are flagged as generator-bound.
pub const SATURATION_SHARE: f64 = 0.85;

/// Builds the run document.
pub fn to_run(result: &RunResult, command: Vec<String>) -> Run {
    let secs = result.elapsed.as_secs_f64().max(1e-3);
    let mut overall = NameStats::default();
    for n in &result.stats.names {
        overall.merge(n);
    }
    let mut targets = vec![target(OVERALL, TargetKind::Overall, None, &overall, secs)];
    let overall_target_rps = target_rps(result);
    targets[0].measurements.target_rps = overall_target_rps;
    for (i, name) in result.plan.names.iter().enumerate() {
        let stats = &result.stats.names[i];
        if stats.ok + stats.failed == 0 && stats.latency.is_empty() {
            continue;
        }
        targets.push(target(name, TargetKind::Endpoint, group_of(result, i), stats, secs));
    }
    let (accounting, scenarios) = accounting(result);
    let mut findings = Vec::new();
    for (i, name) in result.plan.names.iter().enumerate() {
        let probe = result.probes.get(i).cloned().unwrap_or(hygiene::ProbeResult::Unknown);
        findings.extend(hygiene::findings(name, &result.stats.names[i].hygiene, &probe));
    }
    let per_name: Vec<(&str, &hygiene::HygieneCounts)> =
        result.plan.names.iter().zip(&result.stats.names).map(|(n, s)| (n.as_str(), &s.hygiene)).collect();
    findings.extend(hygiene::server_findings(&per_name));
    let generator_saturated = result.generator_cpu_share >= SATURATION_SHARE;
    let warnings = warnings(
        &GeneratorHealth {
            cpu_share: result.generator_cpu_share,
            threads: result.threads,
            end_reason: result.end_reason,
            hard_cap: result.plan.hard_cap,
        },
        &accounting,
    );
    let mut run = Run {
        ended_at: result.ended_at.clone(),
        sources: vec![Source { kind: perfhound_model::SourceKind::Load, description: result.plan.source.clone() }],
        targets,
        findings,
        load: Some(LoadSection {
            accounting,
            scenarios,
            series: result.series.clone(),
            duration_s: (secs * 1000.0).round() / 1000.0,
            open_model: result.plan.scenarios.iter().any(|s| s.executor.is_open_model()),
            threads: result.threads as u32,
            generator_saturated,
            end_reason: result.end_reason,
            capacity: None,
        }),
        resources: Some(Resources { generator: result.generator.clone(), target: result.target.clone() }),
        warnings,
        ..Run::begun(command, result.started_at.clone())
    };
    run.budget_results = evaluate_thresholds(result, &run);
    run
}

fn group_of(result: &RunResult, name_id: usize) -> Option<String> {
    result
        .plan
        .scenarios
        .iter()
        .find(|s| s.flow.iter().any(|st| matches!(st, Step::Request(r) if r.name_id == name_id)))
        .map(|s| s.name.clone())
}

fn target(name: &str, kind: TargetKind, group: Option<String>, s: &NameStats, secs: f64) -> Target {
    let requests = s.ok + s.failed;
    Target {
        name: name.to_string(),
        kind,
        group,
        measurements: Measurements {
            requests,
            ok: s.ok,
            failed: s.failed,
            errors: s.errors.clone(),
            status_codes: s.statuses.clone(),
            latency: Some(s.latency.clone()),
            service_time: Some(s.service.clone()),
            rps: ((requests as f64 / secs) * 100.0).round() / 100.0,
            target_rps: None,
            bytes_in: s.bytes_in,
            bytes_out: s.bytes_out,
            checks: s.checks.clone(),
            extra: Default::default(),
        },
    }
}

/// Requests per second the open-model scenarios aimed for (arrivals × request steps).
fn target_rps(result: &RunResult) -> Option<f64> {
    let mut total = 0.0;
    let mut any = false;
    for (i, s) in result.plan.scenarios.iter().enumerate() {
        if !s.executor.is_open_model() {
            continue;
        }
        any = true;
        let steps = s.flow.iter().filter(|st| matches!(st, Step::Request(_))).count() as f64;
        let d = s.executor.max_duration().as_secs_f64().max(1e-3);
        total += scheduled_total(result, i) as f64 / d * steps;
    }
    any.then_some((total * 100.0).round() / 100.0)
}

fn scheduled_total(result: &RunResult, i: usize) -> u64 {
    let s = &result.plan.scenarios[i];
    let cutoff = result.cutoffs[i].as_secs_f64();
    match &s.executor {
        Executor::ConstantArrivalRate { rate, duration, .. } => {
            crate::schedule::Shape::constant(*rate, *duration).arrivals_before(cutoff)
        }
        Executor::RampingArrivalRate { start_rate, stages, .. } => {
            crate::schedule::Shape::ramp(*start_rate, stages).arrivals_before(cutoff)
        }
        Executor::PerVuIterations { vus, iterations, .. } => vus * iterations,
        Executor::SharedIterations { iterations, .. } => *iterations,
        Executor::ConstantVus { .. } | Executor::RampingVus { .. } => result.stats.scenarios[i].iterations_started,
    }
}

fn accounting(result: &RunResult) -> (Accounting, Vec<ScenarioSummary>) {
    let mut total = Accounting::default();
    let mut out = Vec::new();
    for (i, s) in result.plan.scenarios.iter().enumerate() {
        let mut acc = result.stats.scenarios[i].clone();
        acc.iterations_scheduled = scheduled_total(result, i).max(acc.iterations_started);
        acc.iterations_dropped = acc.iterations_scheduled - acc.iterations_started;
        total.add(&acc);
        let d = result.cutoffs[i].as_secs_f64().max(1e-3);
        out.push(ScenarioSummary {
            name: s.name.clone(),
            executor: s.executor.kind(),
            target_iterations_per_s: s.executor.is_open_model().then(|| round2(acc.iterations_scheduled as f64 / d)),
            achieved_iterations_per_s: round2(acc.iterations_started as f64 / d),
            vus_max: result.vus_max[i],
            accounting: acc,
        });
    }
    (total, out)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// What the warnings are computed from.
struct GeneratorHealth {
    cpu_share: f64,
    threads: usize,
    end_reason: EndReason,
    hard_cap: std::time::Duration,
}

fn warnings(h: &GeneratorHealth, acc: &Accounting) -> Vec<String> {
    let mut w = Vec::new();
    if h.cpu_share >= SATURATION_SHARE {
        w.push(format!(
            "the load generator itself was CPU-bound ({:.0}% of its {} worker thread(s)): latencies include time spent waiting for the generator, so the target may be faster than shown; use fewer connections, more --threads, or run perfhound on another machine",
            h.cpu_share * 100.0,
            h.threads
        ));
    }
    if acc.iterations_dropped > 0 {
        w.push(format!(
            "{} of {} scheduled iterations were dropped (not started in time): the target or the generator could not keep the requested rate; raise max_vus or lower the rate",
            acc.iterations_dropped, acc.iterations_scheduled
        ));
    }
    if acc.iterations_late > 0 {
        w.push(format!(
            "{} iterations started late (>10 ms after their intended time); their latency is measured from the intended time",
            acc.iterations_late
        ));
    }
    match h.end_reason {
        EndReason::Interrupted => w.push("the run was interrupted (Ctrl-C): results are partial".into()),
        EndReason::HardCap => w.push(format!("the run hit the hard cap of {:?} and was stopped", h.hard_cap)),
        EndReason::Completed | EndReason::Aborted => {}
    }
    w
}

/// Evaluates the plan's thresholds against the run's measurements.
pub fn evaluate_thresholds(result: &RunResult, run: &Run) -> Vec<BudgetResult> {
    let load = run.load.as_ref();
    result
        .plan
        .thresholds
        .iter()
        .map(|spec| {
            let target_name = spec.name.as_deref().unwrap_or(OVERALL);
            let m = run.target(target_name).map(|t| &t.measurements);
            let actual = m.and_then(|m| metric_value(spec.threshold.metric, m, load.map(|l| &l.accounting)));
            BudgetResult {
                expression: spec.expression.clone(),
                target: spec.name.clone().unwrap_or_else(|| "*".into()),
                metric: spec.threshold.metric,
                comparison: spec.threshold.comparison,
                limit: spec.threshold.limit,
                actual,
                passed: actual.is_some_and(|a| spec.threshold.evaluate(a)),
            }
        })
        .collect()
}

/// Metrics a load run measures; thresholds on others (web timings, finding counts…)
/// belong in a budget file for `perfhound check`.
pub fn is_load_metric(metric: Metric) -> bool {
    matches!(
        metric,
        Metric::Min
            | Metric::Mean
            | Metric::P50
            | Metric::P75
            | Metric::P90
            | Metric::P95
            | Metric::P99
            | Metric::P999
            | Metric::Max
            | Metric::ErrorRate
            | Metric::Rps
            | Metric::Requests
            | Metric::CheckFailRate
            | Metric::DroppedRate
            | Metric::ResponseSize
            | Metric::TransferSize
    )
}

/// Checks a parsed threshold applies to a load run; the message says where it belongs.
pub fn check_load_threshold(t: &perfhound_model::Threshold) -> Result<(), String> {
    if is_load_metric(t.metric) {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not measured by a load test; put it in a budget file for `perfhound check` (load metrics: p50…p99.9, min, mean, max, error_rate, rps, requests, check_fail_rate, dropped_rate, response_size, transfer_size)",
            t.metric
        ))
    }
}

/// The value of a metric for measurements (latencies in µs, rates as fractions).
pub fn metric_value(metric: Metric, m: &Measurements, acc: Option<&Accounting>) -> Option<f64> {
    let lat = m.latency.as_ref();
    let q = |p: f64| lat.filter(|h| !h.is_empty()).map(|h| h.quantile_us(p) as f64);
    Some(match metric {
        Metric::Min => lat.filter(|h| !h.is_empty())?.min_us() as f64,
        Metric::Mean => lat.filter(|h| !h.is_empty())?.mean_us(),
        Metric::P50 => q(0.5)?,
        Metric::P75 => q(0.75)?,
        Metric::P90 => q(0.9)?,
        Metric::P95 => q(0.95)?,
        Metric::P99 => q(0.99)?,
        Metric::P999 => q(0.999)?,
        Metric::Max => lat.filter(|h| !h.is_empty())?.max_us() as f64,
        Metric::ErrorRate => m.error_rate(),
        Metric::Rps => m.rps,
        Metric::Requests => m.requests as f64,
        Metric::CheckFailRate => m.check_fail_rate(),
        Metric::DroppedRate => {
            let a = acc?;
            if a.iterations_scheduled == 0 {
                0.0
            } else {
                a.iterations_dropped as f64 / a.iterations_scheduled as f64
            }
        }
        Metric::ResponseSize if m.requests > 0 => m.bytes_in as f64 / m.requests as f64,
        Metric::ResponseSize => return None,
        Metric::TransferSize => m.bytes_in as f64,
        Metric::Count => 1.0,
        Metric::CriticalFindings | Metric::WarningFindings | Metric::InfoFindings => return None,
        Metric::CacheHitRatio
        | Metric::FirstContentfulPaint
        | Metric::LargestContentfulPaint
        | Metric::FirstMeaningfulPaint
        | Metric::Interactive
        | Metric::SpeedIndex
        | Metric::TotalBlockingTime
        | Metric::MaxPotentialFid
        | Metric::CumulativeLayoutShift
        | Metric::PerformanceScore => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(cpu_share: f64, end_reason: EndReason) -> GeneratorHealth {
        GeneratorHealth { cpu_share, threads: 2, end_reason, hard_cap: std::time::Duration::from_secs(3600) }
    }

    #[test]
    fn warns_when_the_generator_is_the_bottleneck() {
        let calm = warnings(&health(0.4, EndReason::Completed), &Accounting::default());
        assert!(calm.is_empty());
        let busy = warnings(&health(0.97, EndReason::Completed), &Accounting::default());
        assert!(busy[0].contains("CPU-bound") && busy[0].contains("97%"), "{busy:?}");
    }

    #[test]
    fn warns_about_drops_lateness_and_partial_runs() {
        let acc = Accounting {
            iterations_scheduled: 10,
            iterations_started: 7,
            iterations_dropped: 3,
            iterations_late: 2,
            ..Default::default()
        };
        let w = warnings(&health(0.1, EndReason::Interrupted), &acc);
        assert_eq!(w.len(), 3);
        assert!(w[0].contains("3 of 10") && w[1].contains("2 iterations started late") && w[2].contains("partial"));
    }
}
