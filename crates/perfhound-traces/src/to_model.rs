//! Builds the model [`Run`]: targets (overall, the service's endpoints, downstream
//! services and calls, background work, query fingerprints, cache lookup templates that
//! record hits and misses) with
//! measurements, ranked findings, and the warnings a reader needs to trust the numbers.

use crate::assemble::AssemblerStats;
use crate::assemble::KeyMap;
use crate::engine::Engine;
use crate::ingest::ReadReport;
use crate::measure::{EndpointStats, QueryStats};
use perfhound_model::{Extra, Extras, Measurements, Run, Source, SourceKind, Target, TargetKind};

/// Query fingerprints written to the run (by total time); outbound call templates likewise.
pub const MAX_QUERY_TARGETS: usize = 100;

/// What the caller knows about the run.
#[derive(Clone, Debug, Default)]
pub struct RunMeta {
    pub command: Vec<String>,
    pub started_at: String,
    pub sources: Vec<String>,
    pub warnings: Vec<String>,
}

pub fn to_run(engine: &Engine, meta: RunMeta, asm: &AssemblerStats, reports: &[ReadReport]) -> Run {
    let m = &engine.measure;
    // What users waited for: the service's own requests, unless the traces hold only
    // background work.
    let overall = if m.service_overall.requests() > 0 { &m.service_overall } else { &m.overall };
    let mut targets = vec![endpoint_target("overall", TargetKind::Overall, None, overall)];
    let c = engine.counters;
    let extra = &mut targets[0].measurements.extra;
    extra.insert(Extra::Spans, c.spans as f64);
    extra.insert(Extra::Traces, c.traces as f64);
    let mut endpoints: Vec<_> = m.endpoints.iter().collect();
    endpoints.sort_by(|a, b| b.1.latency.sum_us.cmp(&a.1.latency.sum_us).then(a.0.cmp(b.0)));
    for ((name, service), s) in endpoints {
        let kind = s.kind.unwrap_or(TargetKind::Endpoint);
        targets.push(endpoint_target(name, kind, Some(service.to_string()), s));
    }
    for q in by_total_time(&m.calls) {
        targets.push(query_target(q, TargetKind::Downstream));
    }
    for q in by_total_time(&m.queries) {
        targets.push(query_target(q, TargetKind::Query));
    }
    for q in by_total_time(&m.caches) {
        targets.push(cache_target(q));
    }
    let mut warnings = meta.warnings;
    warnings.extend(input_warnings(engine, asm, reports));
    let sources = meta.sources.iter().map(|s| Source { kind: SourceKind::Traces, description: s.clone() }).collect();
    Run { sources, targets, findings: engine.findings(), warnings, ..Run::begun(meta.command, meta.started_at) }
}

fn endpoint_target(name: &str, kind: TargetKind, group: Option<String>, s: &EndpointStats) -> Target {
    let requests = s.requests();
    let mut extra = Extras::default();
    let [db, http, cache, own] = s.shares();
    let r = |v: f64| (v * 10_000.0).round() / 10_000.0;
    extra.insert(Extra::DbShare, r(db));
    extra.insert(Extra::HttpShare, r(http));
    extra.insert(Extra::CacheShare, r(cache));
    extra.insert(Extra::OwnShare, r(own));
    let per = |n: u64| r(n as f64 / requests.max(1) as f64);
    extra.insert(Extra::DbCallsPerRequest, per(s.db_calls));
    extra.insert(Extra::HttpCallsPerRequest, per(s.http_calls));
    extra.insert(Extra::CacheCallsPerRequest, per(s.cache_calls));
    // The application cache's hits and misses, when cache spans record them.
    if s.cache_hits + s.cache_misses > 0 {
        extra.insert(Extra::CacheHits, s.cache_hits as f64);
        extra.insert(Extra::CacheMisses, s.cache_misses as f64);
    }
    Target {
        name: name.to_string(),
        kind,
        group,
        measurements: Measurements {
            requests,
            ok: requests - s.errors.min(requests),
            failed: s.errors.min(requests),
            status_codes: s.statuses.clone(),
            latency: Some(s.latency.to_histogram()),
            extra,
            ..Default::default()
        },
    }
}

/// The [`MAX_QUERY_TARGETS`] statements or calls that took the most time in all.
fn by_total_time(stats: &KeyMap<QueryStats>) -> impl Iterator<Item = &QueryStats> {
    let mut sorted: Vec<&QueryStats> = stats.values().collect();
    sorted.sort_by(|a, b| b.latency.sum_us.cmp(&a.latency.sum_us).then(a.label.cmp(&b.label)));
    sorted.into_iter().take(MAX_QUERY_TARGETS)
}

fn query_target(q: &QueryStats, kind: TargetKind) -> Target {
    let calls = q.latency.count;
    Target {
        name: q.label.to_string(),
        kind,
        group: q.system.as_deref().map(str::to_string),
        measurements: Measurements {
            requests: calls,
            ok: calls - q.errors.min(calls),
            failed: q.errors.min(calls),
            latency: Some(q.latency.to_histogram()),
            ..Default::default()
        },
    }
}

/// A cache lookup template (`redis GET product:{id}`) with its hits and misses; the
/// endpoint that looks it up most is the target's group, so a miss rate reads with the
/// request that pays for it.
fn cache_target(q: &QueryStats) -> Target {
    let mut t = query_target(q, TargetKind::Query);
    t.measurements.extra.insert(Extra::CacheHits, q.hits as f64);
    t.measurements.extra.insert(Extra::CacheMisses, q.misses as f64);
    if let Some(e) = q.main_endpoint() {
        t.group = Some(e.to_string());
    }
    t
}

fn input_warnings(engine: &Engine, asm: &AssemblerStats, reports: &[ReadReport]) -> Vec<String> {
    let mut w = Vec::new();
    let failed: u64 = reports.iter().map(|r| r.failed_documents).sum();
    if failed > 0 {
        let first: Vec<String> =
            reports.iter().flat_map(|r| r.errors.iter()).take(3).map(ToString::to_string).collect();
        w.push(format!(
            "{failed} input document(s) could not be decoded and were skipped; first: {}",
            first.join(" | ")
        ));
    }
    if engine.counters.invalid_spans > 0 {
        w.push(format!("{} span(s) without valid trace/span ids were skipped", engine.counters.invalid_spans));
    }
    if engine.counters.spans == 0 {
        w.push(
            "no spans were found in the input: check the format (--input-format) and that the file holds traces".into(),
        );
    }
    if asm.traces_forced > 0 {
        w.push(format!(
            "{} trace(s) were analyzed before they went idle because too many traces were in flight; findings for them may be incomplete",
            asm.traces_forced
        ));
    }
    if asm.spans_dropped > 0 {
        w.push(format!("{} span(s) beyond the per-trace limit were dropped", asm.spans_dropped));
    }
    let m = &engine.measure;
    if m.dropped_endpoints + m.dropped_queries > 0 {
        w.push(format!(
            "too many distinct endpoints/queries: {} endpoint and {} query observations were not measured (URL or SQL templating may be missing a pattern)",
            m.dropped_endpoints, m.dropped_queries
        ));
    }
    w
}
