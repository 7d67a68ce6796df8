//! The report's tables: runs, targets (with limits and changes), load, resources, distributions.
//!
//! Cache ratios are told apart by what measured them. The application cache (what the
//! seeds' "Cache Hit Rate" means): `extra.cache_hits`/`cache_misses` (cache spans that
//! record hit or miss), a cache server's `cache_server_keyspace_hits`/`_misses` (Redis
//! `INFO`), or an endpoint's own `cache_hit_ratio`. The database's buffer cache: a SQL
//! statement's `cache_hit_ratio` (PostgreSQL `shared_blks_hit / (hit + read)`) and a
//! database's `statements_cache_hit_ratio`.

use super::compare::target_change;
use super::{Distribution, LimitCell, LoadInfo, ResourceRow, RunInfo, TargetRow};
use crate::check::{CheckReport, Status};
use crate::human;
use crate::runset::RunSet;
use perfhound_model::Extra;
use perfhound_model::{BudgetResult, ProcessResources, Run, Target, TargetKind};

/// Most targets drawn in the distribution chart (the overall one first).
const MAX_DISTRIBUTIONS: usize = 4;

pub(super) fn run_info(run: &Run) -> RunInfo {
    RunInfo {
        id: run.id.clone(),
        started_at: run.started_at.clone(),
        ended_at: run.ended_at.clone(),
        tool: format!("{} {}", run.tool.name, run.tool.version),
        sources: run.sources.clone(),
    }
}

/// Total measured time in µs (mean × count of the overall target, or of all targets).
pub(super) fn total_time_us(runs: &RunSet) -> Option<f64> {
    let time = |t: &Target| t.measurements.latency.as_ref().map(|h| h.mean_us() * h.count() as f64);
    let total = match runs.overall() {
        Some(overall) => time(overall)?,
        None => runs.targets.iter().filter_map(time).sum(),
    };
    (total > 0.0).then_some(total)
}

pub(super) fn target_rows(runs: &RunSet, baseline: Option<&RunSet>, budgets: Option<&CheckReport>) -> Vec<TargetRow> {
    // An open-model run's throughput is the rate it was asked for: not judged.
    let open = |set: &RunSet| set.runs.iter().filter_map(|r| r.load.as_ref()).any(|l| l.open_model);
    let judge_rps = !open(runs) && !baseline.is_some_and(open);
    runs.targets
        .iter()
        .map(|t| {
            let m = &t.measurements;
            let before = baseline.and_then(|b| b.targets.iter().find(|x| x.name == t.name && x.kind == t.kind));
            TargetRow {
                name: t.name.clone(),
                kind: t.kind,
                group: t.group.clone(),
                requests: m.requests,
                error_rate: m.error_rate(),
                rps: m.rps,
                latency: m.latency.as_ref().filter(|h| !h.is_empty()).map(|h| h.summary()),
                cache_hit_ratio: app_cache_ratio(t),
                cache_server: super::cache::server_counts(t),
                db_buffer_hit_ratio: db_buffer_ratio(t),
                limits: limits_for(t, runs, budgets),
                change: before.map(|b| target_change(&b.measurements, m, judge_rps)),
            }
        })
        .collect()
}

fn ratio_of(t: &Target, key: Extra) -> Option<f64> {
    t.measurements.extra.get(key).filter(|r| r.is_finite() && (0.0..=1.0).contains(r))
}

/// `hits / (hits + misses)` from two counters in `extra`, when there were lookups.
fn counted_ratio(t: &Target, hits: Extra, misses: Extra) -> Option<f64> {
    let (h, m) = (t.measurements.extra.get(hits)?, t.measurements.extra.get(misses).unwrap_or(0.0));
    (h + m > 0.0 && h.is_finite() && m.is_finite()).then(|| h / (h + m))
}

fn app_cache_ratio(t: &Target) -> Option<f64> {
    counted_ratio(t, Extra::CacheHits, Extra::CacheMisses)
        .or_else(|| counted_ratio(t, Extra::CacheServerKeyspaceHits, Extra::CacheServerKeyspaceMisses))
        .or_else(|| if t.kind == TargetKind::Query { None } else { ratio_of(t, Extra::CacheHitRatio) })
}

fn db_buffer_ratio(t: &Target) -> Option<f64> {
    match t.kind {
        TargetKind::Query => ratio_of(t, Extra::CacheHitRatio),
        _ => ratio_of(t, Extra::StatementsCacheHitRatio),
    }
}

/// Budget results about this very target, then the load run's own thresholds.
fn limits_for(target: &Target, runs: &RunSet, budgets: Option<&CheckReport>) -> Vec<LimitCell> {
    // Budget results name the very target they judged (combined ones name their pattern).
    let from_budgets = budgets.into_iter().flat_map(|b| b.lines.iter()).flat_map(|l| l.results.iter());
    let from_budgets = from_budgets.filter(|r| r.target == target.name);
    // Load thresholds without a request name (`*`) are about the whole run.
    let from_runs = runs.runs.iter().flat_map(|r| r.budget_results.iter());
    let about = |r: &&BudgetResult| r.target == target.name || (r.target == "*" && target.kind == TargetKind::Overall);
    from_budgets.chain(from_runs.filter(about)).map(limit_cell).collect()
}

fn limit_cell(r: &BudgetResult) -> LimitCell {
    let status = match (r.actual, r.passed) {
        (None, _) => Status::NoData,
        (Some(_), true) => Status::Pass,
        (Some(_), false) => Status::Fail,
    };
    let limit = human::limit(r.metric, r.comparison, r.limit);
    LimitCell { text: format!("{} {limit}", r.metric), status }
}

pub(super) fn load_infos(runs: &RunSet) -> Vec<LoadInfo> {
    runs.runs
        .iter()
        .filter_map(|run| {
            let load = run.load.as_ref()?;
            Some(LoadInfo {
                run_id: run.id.clone(),
                description: run
                    .sources
                    .iter()
                    .filter(|s| s.kind == perfhound_model::SourceKind::Load)
                    .map(|s| s.description.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                duration_s: load.duration_s,
                open_model: load.open_model,
                generator_saturated: load.generator_saturated,
                end_reason: load.end_reason.as_str().to_string(),
                accounting: load.accounting.clone(),
                series: load.series.clone(),
            })
        })
        .collect()
}

pub(super) fn resource_rows(runs: &RunSet, baseline: Option<&RunSet>) -> Vec<ResourceRow> {
    let mut rows = Vec::new();
    for run in &runs.runs {
        let Some(res) = &run.resources else { continue };
        let pairs = [("target", res.target.as_ref()), ("generator", res.generator.as_ref())];
        for (role, proc_res) in pairs {
            let Some(p) = proc_res else { continue };
            let before = baseline.and_then(|b| baseline_process(b, role));
            rows.push(resource_row(role, p, before));
        }
    }
    rows
}

fn baseline_process<'a>(baseline: &'a RunSet, role: &str) -> Option<&'a ProcessResources> {
    baseline.runs.iter().filter_map(|r| r.resources.as_ref()).find_map(|res| match role {
        "target" => res.target.as_ref(),
        _ => res.generator.as_ref(),
    })
}

fn resource_row(role: &str, p: &ProcessResources, before: Option<&ProcessResources>) -> ResourceRow {
    let rel = |b: f64, a: f64| (b > 0.0).then(|| (a - b) / b);
    ResourceRow {
        label: p.label.clone(),
        role: role.to_string(),
        cpu_pct_avg: p.cpu_pct_avg,
        cpu_pct_peak: p.cpu_pct_peak,
        rss_bytes_avg: p.rss_bytes_avg,
        rss_bytes_peak: p.rss_bytes_peak,
        cpu_change: before.and_then(|b| rel(b.cpu_pct_avg, p.cpu_pct_avg)),
        rss_change: before.and_then(|b| rel(b.rss_bytes_avg as f64, p.rss_bytes_avg as f64)),
    }
}

pub(super) fn distributions(runs: &RunSet, baseline: Option<&RunSet>) -> Vec<Distribution> {
    let mut targets: Vec<&Target> = runs.targets.iter().filter(|t| has_latency(t)).collect();
    // The whole run, then the service's endpoints, then anything else (statements, calls).
    targets.sort_by_key(|t| match t.kind {
        TargetKind::Overall => 0,
        TargetKind::Endpoint => 1,
        _ => 2,
    });
    targets
        .into_iter()
        .take(MAX_DISTRIBUTIONS)
        .map(|t| Distribution {
            target: t.name.clone(),
            points: t.measurements.latency.as_ref().map(|h| h.distribution()).unwrap_or_default(),
            baseline: baseline
                .and_then(|b| b.targets.iter().find(|x| x.name == t.name && x.kind == t.kind && has_latency(x)))
                .and_then(|x| x.measurements.latency.as_ref())
                .map(|h| h.distribution()),
        })
        .collect()
}

fn has_latency(t: &Target) -> bool {
    t.measurements.latency.as_ref().is_some_and(|h| !h.is_empty())
}
