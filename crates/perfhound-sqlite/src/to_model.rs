//! [`Analysis`] → the model's [`Run`]: one overall target with database-level
//! measurements, one query target per statement — named by its `perfhound-sql`
//! fingerprint and grouped under `sqlite`, exactly as the trace engine names it — the
//! findings and the warnings.

use crate::advisor::Helped;
use crate::Analysis;
use perfhound_model::{Extra, Extras, SourceKind};
use perfhound_model::{HostInfo, Measurements, Run, Source, Target, TargetKind, ToolInfo, SCHEMA_VERSION};

/// Builds the run document.
pub fn to_run(a: &Analysis, command: Vec<String>) -> Run {
    let mut targets = vec![overall(a)];
    let window = a.statements.window_s;
    for (i, s) in a.statements.statements.iter().enumerate() {
        let mut extra = Extras::default();
        extra.insert(Extra::Calls, s.calls as f64);
        if s.total_us > 0 {
            extra.insert(Extra::ExecTimeMsTotal, s.total_us as f64 / 1000.0);
        }
        if let Some(mean) = s.mean_us() {
            extra.insert(Extra::ExecTimeMsMean, mean / 1000.0);
        }
        if let Some(h) = helped(a, i) {
            extra.insert(Extra::MeasuredTimeMs, h.before_us / 1000.0);
            extra.insert(Extra::MeasuredTimeMsWithIndex, h.after_us / 1000.0);
        }
        if let Some(Ok(plan)) = a.explained.get(i).map(|e| &e.plan) {
            extra.insert(Extra::FullScans, plan.full_scans().len() as f64);
        }
        targets.push(Target {
            name: s.fingerprint.clone(),
            kind: TargetKind::Query,
            group: Some("sqlite".into()),
            measurements: Measurements {
                requests: s.calls,
                ok: s.calls,
                rps: window.map_or(0.0, |w| s.calls as f64 / w),
                extra,
                ..Default::default()
            },
        });
    }
    Run {
        schema_version: SCHEMA_VERSION,
        id: perfhound_model::new_run_id(),
        tool: ToolInfo { name: "perfhound".into(), version: env!("CARGO_PKG_VERSION").into(), command },
        started_at: a.started_at.clone(),
        ended_at: a.ended_at.clone(),
        host: HostInfo::current(),
        sources: vec![Source {
            kind: SourceKind::Db,
            description: format!("{} (SQLite {})", a.source, a.sqlite_version),
        }],
        targets,
        findings: a.findings.clone(),
        budget_results: Vec::new(),
        load: None,
        resources: None,
        warnings: a.warnings.clone(),
    }
}

fn helped(a: &Analysis, stmt: usize) -> Option<&Helped> {
    a.suggestion_for(stmt)?.helped.iter().find(|h| h.stmt == stmt)
}

fn overall(a: &Analysis) -> Target {
    let mut extra = a.metrics.clone();
    let s = &a.statements;
    extra.insert(Extra::Statements, s.statements.len() as f64);
    extra.insert(Extra::StatementsExplained, a.explained.iter().filter(|e| e.plan.is_ok()).count() as f64);
    if let Some(adv) = &a.advice {
        extra.insert(Extra::IndexSuggestions, adv.suggestions.len() as f64);
        extra.insert(Extra::CandidateIndexesTested, adv.candidates_tested as f64);
        let per_day: f64 = adv.suggestions.iter().filter_map(|x| x.time_saved_us_per_day).sum();
        if per_day > 0.0 {
            extra.insert(Extra::TimeSavedSPerDay, per_day / 1e6);
        }
    }
    let calls: u64 = s.statements.iter().map(|x| x.calls).sum();
    Target {
        name: a.database_label(),
        kind: TargetKind::Overall,
        group: None,
        measurements: Measurements {
            requests: calls,
            ok: calls,
            rps: s.window_s.map_or(0.0, |w| calls as f64 / w),
            extra,
            ..Default::default()
        },
    }
}
