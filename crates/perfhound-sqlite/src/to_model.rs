//! [`Analysis`] → the model's [`Run`]: one overall target with database-level
//! measurements, one query target per statement — named by its `perfhound-sql`
//! fingerprint and grouped under `sqlite`, exactly as the trace engine names it — the
//! findings and the warnings.

use crate::advisor::Helped;
use crate::Analysis;
use perfhound_model::{Extra, Extras, Run, Target, TargetKind};
use perfhound_sql::engine::{self, counted_target};

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
        let name = s.fingerprint.clone();
        targets.push(counted_target(name, TargetKind::Query, Some("sqlite".into()), s.calls, window, extra));
    }
    let description = format!("{} (SQLite {})", a.source, a.sqlite_version);
    engine::run(description, command, &a.diagnosis, targets)
}

fn helped(a: &Analysis, stmt: usize) -> Option<&Helped> {
    a.suggestion_for(stmt)?.helped.iter().find(|h| h.stmt == stmt)
}

fn overall(a: &Analysis) -> Target {
    let mut extra = a.diagnosis.metrics.clone();
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
    counted_target(a.database_label(), TargetKind::Overall, None, calls, s.window_s, extra)
}
