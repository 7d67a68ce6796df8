//! [`Analysis`] → the model's [`Run`]: one overall target for the server (INFO counters as
//! typed extras), one target per slowlog command shape and one per sampled key template.
//! [`window_run`] is the audit's view: the counters of one load window.

use crate::info::Stats;
use crate::Analysis;
use perfhound_model::{Extra, Extras, Run, SourceKind, Target, TargetKind};
use perfhound_sql::engine::{self, counted_target, Diagnosis};

/// Builds the run document; `top` bounds the slowlog and template targets.
pub fn to_run(a: &Analysis, command: Vec<String>, top: usize) -> Run {
    let mut targets = vec![server_target(&a.source, &a.stats, None)];
    targets.extend(command_targets(&a.source, &a.stats, top, None));
    for g in a.slowlog.iter().take(top) {
        let mut extra = Extras::default();
        extra.insert(Extra::Calls, g.count as f64);
        extra.insert(Extra::ExecTimeMsTotal, g.total_us as f64 / 1000.0);
        extra.insert(Extra::ExecTimeMsMean, g.mean_us() / 1000.0);
        extra.insert(Extra::ExecTimeMsMax, g.max_us as f64 / 1000.0);
        targets.push(counted_target(g.shape.clone(), TargetKind::Query, Some(a.source.clone()), g.count, None, extra));
    }
    if let Some(s) = &a.sample {
        let overall = &mut targets[0].measurements.extra;
        overall.insert(Extra::CacheServerKeysSampled, s.keys as f64);
        overall.insert(Extra::CacheServerSampledBytes, s.bytes as f64);
        for t in s.templates.iter().take(top) {
            let mut extra = Extras::default();
            extra.insert(Extra::KeyMemoryBytes, t.bytes as f64);
            extra.insert(Extra::KeyMemoryShare, s.share(t));
            extra.insert(Extra::KeyMaxBytes, t.max_bytes as f64);
            extra.insert(Extra::KeysWithoutTtl, t.no_ttl_keys as f64);
            targets.push(counted_target(
                t.template.clone(),
                TargetKind::Asset,
                Some(a.source.clone()),
                t.keys,
                None,
                extra,
            ));
        }
    }
    let description = format!("{} (Redis {}, database {})", a.source, a.stats.version, a.db);
    let mut run = engine::run(description, command, &a.diagnosis, targets);
    run.sources.iter_mut().for_each(|s| s.kind = SourceKind::Cache);
    run
}

/// The server as a target: `redis <host:port/db>` with INFO's counters. `window_s` is the
/// length of an audit window (rates per second over it).
pub fn server_target(source: &str, s: &Stats, window_s: Option<f64>) -> Target {
    let mut extra = Extras::default();
    extra.insert(Extra::CacheServerKeyspaceHits, s.keyspace_hits as f64);
    extra.insert(Extra::CacheServerKeyspaceMisses, s.keyspace_misses as f64);
    if let Some(r) = s.hit_ratio() {
        extra.insert(Extra::CacheHitRatio, r);
    }
    extra.insert(Extra::CacheServerEvictedKeys, s.evicted_keys as f64);
    extra.insert(Extra::CacheServerExpiredKeys, s.expired_keys as f64);
    extra.insert(Extra::CacheServerUsedMemoryBytes, s.used_memory as f64);
    extra.insert(Extra::CacheServerMaxMemoryBytes, s.maxmemory as f64);
    extra.insert(Extra::CacheServerFragmentationRatio, s.fragmentation_ratio);
    extra.insert(Extra::CacheServerConnectedClients, s.connected_clients as f64);
    extra.insert(Extra::CacheServerBlockedClients, s.blocked_clients as f64);
    extra.insert(Extra::CacheServerOpsPerSec, s.ops_per_sec);
    extra.insert(Extra::CacheServerKeys, s.keys as f64);
    extra.insert(Extra::CacheServerKeysWithExpiry, s.keys_with_expiry as f64);
    let window = window_s.or(Some(s.uptime_s));
    let name = format!("redis {}", server_name(source));
    counted_target(name, TargetKind::Overall, None, s.lookups(), window, extra)
}

/// Commands written as targets for an audit window (most time first).
const WINDOW_COMMANDS: usize = 10;

/// The `top` commands by time (`INFO commandstats`) as `query` targets named `redis GET`:
/// calls, total and mean time, and the p99 of Redis 7's latency tracking when known.
fn command_targets(source: &str, s: &Stats, top: usize, window_s: Option<f64>) -> Vec<Target> {
    let window = window_s.or(Some(s.uptime_s));
    s.commands
        .iter()
        .take(top)
        .map(|c| {
            let mut extra = Extras::default();
            extra.insert(Extra::Calls, c.calls as f64);
            extra.insert(Extra::ExecTimeMsTotal, c.usec as f64 / 1000.0);
            extra.insert(Extra::ExecTimeMsMean, c.usec as f64 / 1000.0 / c.calls.max(1) as f64);
            if let Some(p99) = c.p99_usec {
                extra.insert(Extra::ExecTimeMsP99, p99 / 1000.0);
            }
            let group = Some(format!("redis {}", server_name(source)));
            counted_target(format!("redis {}", c.name), TargetKind::Query, group, c.calls, window, extra)
        })
        .collect()
}

/// `host:port/db` of a redacted URL (no scheme, no user).
fn server_name(source: &str) -> &str {
    let rest = source.split_once("://").map_or(source, |(_, r)| r);
    rest.rsplit_once('@').map_or(rest, |(_, h)| h)
}

/// The audit window's run: the counters between two snapshots, and the rules that judge
/// counters (hit ratio, evictions, memory) over that window.
pub fn window_run(source: &str, before: &Stats, after: &Stats, elapsed_s: f64, command: Vec<String>) -> Run {
    let w = after.window(before, elapsed_s);
    let t = crate::Thresholds::default();
    let ctx = crate::rules::Ctx { server: source, stats: &w, sample: None, slowlog: &[], t: &t };
    let findings = crate::rules::check(&ctx);
    let now = perfhound_model::rfc3339_now();
    let d = Diagnosis {
        findings,
        metrics: Extras::default(),
        warnings: Vec::new(),
        started_at: now.clone(),
        ended_at: now,
    };
    let description = format!("{source} (Redis {}, INFO over the load window)", after.version);
    let mut targets = vec![server_target(source, &w, Some(elapsed_s))];
    targets.extend(command_targets(source, &w, WINDOW_COMMANDS, Some(elapsed_s)));
    let mut run = engine::run(description, command, &d, targets);
    run.sources.iter_mut().for_each(|s| s.kind = SourceKind::Cache);
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_the_cache_hit_rate() {
        let before = Stats { keyspace_hits: 100, keyspace_misses: 100, version: "7".into(), ..Stats::default() };
        let after = Stats { keyspace_hits: 145, keyspace_misses: 155, ..before.clone() };
        let run = window_run("redis://:***@127.0.0.1:6379/0", &before, &after, 10.0, vec![]);
        let t = &run.targets[0];
        assert_eq!(t.name, "redis 127.0.0.1:6379/0");
        assert_eq!(t.measurements.extra.get(Extra::CacheServerKeyspaceHits), Some(45.0));
        assert_eq!(t.measurements.extra.get(Extra::CacheHitRatio), Some(0.45));
        assert_eq!(run.sources[0].kind, SourceKind::Cache);
        assert_eq!(run.findings[0].rule.code, "PH-REDIS001");
        assert_eq!(run.targets.len(), 1, "no commands ran in the window");
    }
}
