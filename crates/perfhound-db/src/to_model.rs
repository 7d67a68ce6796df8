//! [`Analysis`] → the model's [`Run`]: one overall target with database-level
//! measurements, one query target per top statement, the findings and the warnings.

use crate::statements::StatementSet;
use crate::Analysis;
use perfhound_model::finding::fingerprint;
use perfhound_model::{Extra, Extras, SourceKind};
use perfhound_model::{HostInfo, Measurements, Run, Source, Target, TargetKind, ToolInfo, SCHEMA_VERSION};

/// Builds the run document. `top` bounds each of the three top lists whose union becomes
/// targets. Query targets are named by their `perfhound-sql` fingerprint text, which never
/// holds literals, so `_show_literals` no longer changes anything (kept for callers).
pub fn to_run(a: &Analysis, command: Vec<String>, top: usize, _show_literals: bool) -> Run {
    let mut targets = vec![overall(a)];
    for i in top_union(&a.statements, top) {
        let s = &a.statements.statements[i];
        let mut extra = Extras::default();
        extra.insert(Extra::Calls, s.calls as f64);
        extra.insert(Extra::ExecTimeMsTotal, s.total_ms);
        extra.insert(Extra::ExecTimeMsMean, s.mean_ms);
        extra.insert(Extra::ExecTimeMsMin, s.min_ms);
        extra.insert(Extra::ExecTimeMsMax, s.max_ms);
        extra.insert(Extra::ExecTimeMsStddev, s.stddev_ms);
        extra.insert(Extra::Rows, s.rows as f64);
        let blocks = s.shared_blks_hit + s.shared_blks_read;
        if blocks > 0 {
            extra.insert(Extra::CacheHitRatio, s.shared_blks_hit as f64 / blocks as f64);
        }
        let rps = a.statements.window_s.filter(|w| *w > 0.0).map_or(0.0, |w| s.calls as f64 / w);
        targets.push(Target {
            // The shared perfhound-sql shape: the name `perfhound traces` gives this query too.
            name: s.fingerprint_text().to_string(),
            kind: TargetKind::Query,
            group: Some(a.server.database.clone()),
            measurements: Measurements {
                requests: s.calls.max(0) as u64,
                ok: s.calls.max(0) as u64,
                rps,
                extra,
                ..Default::default()
            },
        });
    }
    let pid = std::process::id().to_string();
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos().to_string();
    Run {
        schema_version: SCHEMA_VERSION,
        id: format!("{}{}", fingerprint(&[&a.started_at, &pid, &nanos]), fingerprint(&[&nanos, &pid, &a.source])),
        tool: ToolInfo { name: "perfhound".into(), version: env!("CARGO_PKG_VERSION").into(), command },
        started_at: a.started_at.clone(),
        ended_at: a.ended_at.clone(),
        host: HostInfo::current(),
        sources: vec![Source {
            kind: SourceKind::Db,
            description: format!("{} (PostgreSQL {}, database {})", a.source, a.server.version, a.server.database),
        }],
        targets,
        findings: a.findings.clone(),
        budget_results: Vec::new(),
        load: None,
        resources: None,
        warnings: a.warnings.clone(),
    }
}

fn overall(a: &Analysis) -> Target {
    let mut extra = a.metrics.clone();
    let s = &a.statements;
    extra.insert(Extra::Statements, s.statements.len() as f64);
    extra.insert(Extra::ExecTimeMsTotal, s.statements.iter().map(|x| x.total_ms).sum());
    if let Some(w) = s.window_s {
        extra.insert(Extra::StatsWindowS, w);
    }
    let hit: i64 = s.statements.iter().map(|x| x.shared_blks_hit).sum();
    let read: i64 = s.statements.iter().map(|x| x.shared_blks_read).sum();
    if hit + read > 0 {
        // Over the statements analyzed: the load window's blocks when a baseline was given.
        extra.insert(Extra::StatementsCacheHitRatio, hit as f64 / (hit + read) as f64);
        extra.insert(Extra::StatementsBlocksRead, read as f64);
    }
    if let Some(adv) = &a.advice {
        extra.insert(Extra::IndexSuggestions, adv.suggestions.len() as f64);
        extra.insert(Extra::StatementsExplained, adv.explained as f64);
    }
    let calls: i64 = s.statements.iter().map(|x| x.calls).sum();
    Target {
        name: format!("database {}", a.server.database),
        kind: TargetKind::Overall,
        group: None,
        measurements: Measurements {
            requests: calls.max(0) as u64,
            ok: calls.max(0) as u64,
            rps: s.window_s.filter(|w| *w > 0.0).map_or(0.0, |w| calls as f64 / w),
            extra,
            ..Default::default()
        },
    }
}

/// Union of the top `n` by total time, mean time and calls, in that order of priority.
pub fn top_union(set: &StatementSet, n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let lists = [set.top_by(n, |s| s.total_ms), set.top_by(n, |s| s.mean_ms), set.top_by(n, |s| s.calls as f64)];
    for i in lists.into_iter().flatten() {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}
