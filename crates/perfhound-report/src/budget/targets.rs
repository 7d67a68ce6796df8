//! The seeds' "Performance Targets" YAML: sections of prose keys with prose limits.
//!
//! ```yaml
//! API Performance:
//!   Response Time (p95): 300ms
//!   Throughput: 10,000 requests/sec
//!   Error Rate: < 0.1%
//! Database Performance:
//!   Query Latency (p95): 50ms
//! Frontend Performance:
//!   First Contentful Paint: < 2 seconds
//! ```
//!
//! `API` judges the whole run (the `overall` target), `Database` the merged query targets,
//! `Frontend` the web timings of any target. The mapping is documented in docs/budgets.md.

use super::error::{join_key, BudgetError, Doc};
use super::native::line;
use super::value::{normalize_prose, threshold_from_text};
use perfhound_model::{Budget, Comparison, Metric, TargetKind};
use perfhound_yaml::Node;
use serde_saphyr::Spanned;

/// Things the seeds list that perfhound cannot measure: kept as "ignored" notes.
const NOT_MEASURED: [&str; 4] = ["replication lag", "concurrent users", "uptime", "availability"];

/// True when the root looks like a targets file (`… Performance:` sections).
pub(crate) fn looks_like(root: &Node) -> bool {
    root.as_map().is_some_and(|entries| {
        !entries.is_empty() && entries.iter().all(|(k, _)| k.value.to_ascii_lowercase().contains("performance"))
    })
}

/// Reads every section; returns the budgets and the notes about ignored entries.
pub(crate) fn parse(doc: &Doc, root: &Spanned<Node>) -> Result<(Vec<Budget>, Vec<String>), BudgetError> {
    let mut root = root;
    if let Some([(key, inner)]) = root.value.as_map() {
        if key.value.eq_ignore_ascii_case("performance targets") {
            root = inner;
        }
    }
    let (mut budgets, mut ignored) = (Vec::new(), Vec::new());
    for (key, value) in root.value.as_map().unwrap_or_default() {
        let path = join_key("", &key.value);
        let mut budget = section(doc, key, &path)?;
        let Some(entries) = value.value.as_map() else {
            let what = format!("expected a mapping of targets, found {}", value.value.kind());
            return Err(doc.error(&value.referenced, &path, what, "write `Response Time (p95): 300ms` lines"));
        };
        for (name, limit) in entries {
            let field = join_key(&path, &name.value);
            match entry_metric(&name.value) {
                Entry::Metric(metric) => budget.lines.push(entry_line(doc, metric, limit, &field, &name.value)?),
                Entry::Ignored => ignored.push(format!("{field}: perfhound does not measure this; not judged")),
                Entry::Unknown => {
                    let hint = "write Response Time (p50|p90|p95|p99), Throughput, Error Rate, Query Latency (pNN), \
                                First Contentful Paint, Time to Interactive, Largest Contentful Paint or Lighthouse Score";
                    return Err(doc.error(&name.referenced, &field, format!("unknown target `{}`", name.value), hint));
                }
            }
        }
        if !budget.lines.is_empty() {
            budgets.push(budget);
        }
    }
    Ok((budgets, ignored))
}

fn section(doc: &Doc, key: &Spanned<String>, path: &str) -> Result<Budget, BudgetError> {
    let lower = key.value.to_ascii_lowercase();
    let (kind, combine) = if lower.contains("api") || lower.contains("backend") {
        (Some(TargetKind::Overall), false)
    } else if lower.contains("database") || lower.contains("db ") {
        (Some(TargetKind::Query), true)
    } else if lower.contains("frontend") || lower.contains("web") {
        (None, true)
    } else {
        let hint = "sections are API Performance, Database Performance and Frontend Performance";
        return Err(doc.error(&key.referenced, path, format!("unknown section `{}`", key.value), hint));
    };
    Ok(Budget { target: "*".into(), kind, group: None, combine, lines: Vec::new() })
}

enum Entry {
    Metric(Metric),
    Ignored,
    Unknown,
}

fn entry_metric(name: &str) -> Entry {
    let lower = name.to_ascii_lowercase();
    if NOT_MEASURED.iter().any(|n| lower.contains(n)) {
        return Entry::Ignored;
    }
    if let Some(inner) = lower.split_once('(').and_then(|(_, rest)| rest.split_once(')')).map(|(p, _)| p) {
        if let Some(metric) = Metric::parse(inner.trim()) {
            return Entry::Metric(metric);
        }
    }
    let metric = match lower.trim() {
        "throughput" | "requests per second" => Metric::Rps,
        "error rate" => Metric::ErrorRate,
        "first contentful paint" => Metric::FirstContentfulPaint,
        "largest contentful paint" => Metric::LargestContentfulPaint,
        "time to interactive" => Metric::Interactive,
        "total blocking time" => Metric::TotalBlockingTime,
        "cumulative layout shift" => Metric::CumulativeLayoutShift,
        "lighthouse score" | "performance score" => Metric::PerformanceScore,
        "cache hit rate" | "cache hit ratio" => Metric::CacheHitRatio,
        other => match Metric::parse(&other.replace(' ', "_")) {
            Some(m) => m,
            None => return Entry::Unknown,
        },
    };
    Entry::Metric(metric)
}

fn entry_line(
    doc: &Doc,
    metric: Metric,
    limit: &Spanned<Node>,
    field: &str,
    name: &str,
) -> Result<perfhound_model::BudgetLine, BudgetError> {
    let Some(raw) = limit.value.scalar_text() else {
        let what = format!("expected a limit, found {}", limit.value.kind());
        return Err(doc.error(&limit.referenced, field, what, "write e.g. `300ms`, `< 0.1%` or `10,000 requests/sec`"));
    };
    let mut text = normalize_prose(&raw);
    // In this format a bare throughput or score is a minimum ("Throughput: 10,000 requests/sec").
    if metric.higher_is_better() && !text.starts_with(['<', '>']) {
        text = format!("{} {text}", Comparison::Ge.as_str());
    }
    let (threshold, _) =
        threshold_from_text(metric, &text).map_err(|why| doc.error(&limit.referenced, field, why, ""))?;
    Ok(line(doc, limit, field, threshold, format!("{name}: {raw}")))
}
