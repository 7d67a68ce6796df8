//! [`Analysis`] → the model's [`Run`]: one overall target with database-level
//! measurements, one query target per top statement, the findings and the warnings.

use crate::statements::StatementSet;
use crate::Analysis;
use perfhound_model::{Extra, Extras, Run, Target, TargetKind};
use perfhound_sql::engine::{self, counted_target};

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
        // The shared perfhound-sql shape: the name `perfhound traces` gives this query too.
        let name = s.fingerprint_text().to_string();
        let group = Some(a.server.database.clone());
        targets.push(counted_target(
            name,
            TargetKind::Query,
            group,
            s.calls.max(0) as u64,
            a.statements.window_s,
            extra,
        ));
    }
    let description = format!("{} (PostgreSQL {}, database {})", a.source, a.server.version, a.server.database);
    engine::run(description, command, &a.diagnosis, targets)
}

fn overall(a: &Analysis) -> Target {
    let mut extra = a.diagnosis.metrics.clone();
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
    let name = format!("database {}", a.server.database);
    counted_target(name, TargetKind::Overall, None, calls.max(0) as u64, s.window_s, extra)
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
