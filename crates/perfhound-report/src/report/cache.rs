//! The report's **Cache Hit Rate** lines: which measurement is the headline.
//!
//! A cache server's keyspace counters (Redis `INFO`; inside `perfhound audit` the
//! difference over the load window) measure every lookup the application made, so when
//! a run has them they are the Cache Hit Rate. Cache spans in traces (hits and misses per
//! endpoint, where the instrumentation records them) then say where the misses come from.
//! Without a cache server, the cache spans' ratios are the Cache Hit Rate as before.

use super::TargetRow;
use perfhound_model::{Extra, Target, TargetKind};
use serde::Serialize;

/// A cache server's counters over the run (or the audit window).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CacheServerCounts {
    pub hits: u64,
    pub misses: u64,
    pub evicted: u64,
}

/// The counters when `t` is a cache server (it has `cache_server_keyspace_hits`).
pub(super) fn server_counts(t: &Target) -> Option<CacheServerCounts> {
    let e = &t.measurements.extra;
    let n = |k: Extra| e.get(k).filter(|v| v.is_finite() && *v >= 0.0).map_or(0, |v| v as u64);
    e.get(Extra::CacheServerKeyspaceHits)?;
    Some(CacheServerCounts {
        hits: n(Extra::CacheServerKeyspaceHits),
        misses: n(Extra::CacheServerKeyspaceMisses),
        evicted: n(Extra::CacheServerEvictedKeys),
    })
}

/// One line of the cache section.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheLine {
    /// Whether this is "the" Cache Hit Rate (a cache server, or spans without one).
    pub headline: bool,
    /// What measured it: `cache server` or `application cache` / `cache spans`.
    pub source: &'static str,
    pub target: String,
    pub ratio: f64,
    /// `450 hits, 550 misses, 3 evictions` for a cache server.
    pub detail: Option<String>,
    /// For a key template from cache spans: the endpoint that looks it up most.
    pub called_by: Option<String>,
}

/// The lines in order: cache servers first (headline), then span ratios per target.
pub fn cache_lines(targets: &[TargetRow]) -> Vec<CacheLine> {
    let servers: Vec<CacheLine> = targets
        .iter()
        .filter_map(|t| {
            let c = t.cache_server.as_ref()?;
            let detail = format!("{} hits, {} misses, {} evictions", c.hits, c.misses, c.evicted);
            let source = "cache server";
            let ratio = t.cache_hit_ratio?;
            Some(CacheLine {
                headline: true,
                source,
                target: t.name.clone(),
                ratio,
                detail: Some(detail),
                called_by: None,
            })
        })
        .collect();
    let has_server = !servers.is_empty();
    let spans = targets.iter().filter(|t| t.cache_server.is_none()).filter_map(|t| {
        Some(CacheLine {
            headline: !has_server,
            source: if has_server { "cache spans" } else { "application cache" },
            target: t.name.clone(),
            ratio: t.cache_hit_ratio?,
            detail: None,
            called_by: if t.kind == TargetKind::Query { t.group.clone() } else { None },
        })
    });
    servers.into_iter().chain(spans).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, ratio: Option<f64>, server: Option<CacheServerCounts>) -> TargetRow {
        TargetRow {
            name: name.into(),
            kind: TargetKind::Overall,
            group: None,
            requests: 0,
            error_rate: 0.0,
            rps: 0.0,
            latency: None,
            cache_hit_ratio: ratio,
            cache_server: server,
            db_buffer_hit_ratio: None,
            limits: Vec::new(),
            change: None,
        }
    }

    #[test]
    fn a_cache_server_is_the_headline_and_spans_explain_it() {
        let counts = CacheServerCounts { hits: 45, misses: 55, evicted: 0 };
        let mut lookup = row("redis GET product:{id}", Some(0.5), None);
        (lookup.kind, lookup.group) = (TargetKind::Query, Some("GET /a".into()));
        let server = row("redis h:1/0", Some(0.45), Some(counts));
        let rows = [row("GET /a", Some(0.75), None), row("x", None, None), server, lookup];
        let lines = cache_lines(&rows);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2].called_by.as_deref(), Some("GET /a"));
        assert_eq!(lines[1].called_by, None);
        assert!(lines[0].headline && lines[0].target == "redis h:1/0" && lines[0].source == "cache server");
        assert_eq!(lines[0].detail.as_deref(), Some("45 hits, 55 misses, 0 evictions"));
        assert!(!lines[1].headline && lines[1].source == "cache spans");
        let spans_only = cache_lines(&rows[..1]);
        assert!(spans_only[0].headline && spans_only[0].source == "application cache");
    }
}
