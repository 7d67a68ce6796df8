//! The terminal summary of an [`Analysis`]: statements, index suggestions with plans and
//! measured times before/after and their `CREATE INDEX IF NOT EXISTS`, findings by
//! severity, warnings.

use crate::advisor::rule::pct;
use crate::Analysis;
use perfhound_model::Extra;
use perfhound_term::human::{bytes, duration_us};
use perfhound_term::{clip, findings_block, one_line};
use std::fmt::Write as _;

/// Renders the text report.
pub fn text(a: &Analysis, show_literals: bool) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "perfhound db — {} (SQLite {})", one_line(&a.source), a.sqlite_version);
    let size = a.diagnosis.metrics.get(Extra::DatabaseBytes).map_or(String::new(), |b| format!(", {}", bytes(b)));
    let _ = writeln!(
        o,
        "{} tables, {} indexes{size}; {} statement(s) analyzed",
        a.catalog.tables.len(),
        a.catalog.indexes.len(),
        a.statements.statements.len()
    );
    statements(&mut o, a, show_literals);
    if let Some(adv) = &a.advice {
        let _ = writeln!(
            o,
            "\nIndex suggestions (built and timed on a copy; {} candidate(s) tested): {}",
            adv.candidates_tested,
            adv.suggestions.len()
        );
        for (i, s) in adv.suggestions.iter().enumerate() {
            let mut line = format!("  {}. {} — {} statement(s)", i + 1, s.candidate.label(), s.helped.len());
            if let Some(b) = s.size_bytes {
                line.push_str(&format!(", ~{}", bytes(b as f64)));
            }
            if let Some(us) = s.time_saved_us_per_day {
                line.push_str(&format!(", saves ~{}/day", duration_us(us)));
            }
            let _ = writeln!(o, "{line}");
            for h in &s.helped {
                let text = a.statements.statements[h.stmt].display(show_literals);
                let _ = writeln!(
                    o,
                    "     {} → {} per execution (−{}%): {}",
                    duration_us(h.before_us),
                    duration_us(h.after_us),
                    pct(h.drop()),
                    clip(&text, 90)
                );
                let _ = writeln!(o, "       before: {}", one_line(&h.plan_before.render().replace('\n', " | ")));
                let _ = writeln!(o, "       after:  {}", one_line(&h.plan_after.render().replace('\n', " | ")));
            }
            for l in s.snippet().lines() {
                let _ = writeln!(o, "     {l}");
            }
        }
    }
    let d = &a.diagnosis;
    findings_block(&mut o, &d.findings, &d.warnings, |f| f.evidence.query.iter().map(|q| clip(q, 110)).collect());
    o
}

fn statements(o: &mut String, a: &Analysis, show_literals: bool) {
    if a.statements.statements.is_empty() {
        return;
    }
    let _ = writeln!(o, "\nStatements\n  {:>9} {:>11}  plan / query", "calls", "mean");
    let order = a.statements.top_by(usize::MAX, |s| s.total_us as f64 + s.calls as f64 * 1e-3);
    for i in order {
        let s = &a.statements.statements[i];
        let mean = s.mean_us().map_or("-".to_string(), duration_us);
        let plan = match a.explained.get(i).map(|e| &e.plan) {
            Some(Ok(p)) => p.render().replace('\n', " | "),
            Some(Err(e)) => format!("not explained: {e}"),
            None => String::new(),
        };
        let _ = writeln!(o, "  {:>9} {:>11}  {}", s.calls, mean, clip(&s.display(show_literals), 100));
        let _ = writeln!(o, "  {:>9} {:>11}  ↳ {}", "", "", clip(&plan, 100));
    }
}
