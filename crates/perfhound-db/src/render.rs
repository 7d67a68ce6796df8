//! The terminal summary of an [`Analysis`]: top statements, index suggestions with their
//! `CREATE INDEX CONCURRENTLY`, findings by severity, warnings.

use crate::statements::StatementSet;
use crate::Analysis;
use perfhound_term::human::{bytes, duration_ms, duration_s};
use perfhound_term::{clip, findings_block, one_line};
use std::fmt::Write as _;

/// Renders the text report.
pub fn text(a: &Analysis, top: usize, show_literals: bool) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "perfhound db — {} (PostgreSQL {}, database {})",
        one_line(&a.source),
        one_line(&a.server.version),
        one_line(&a.server.database)
    );
    let s = &a.statements;
    let window = s.window_s.map_or(String::new(), |w| format!(" over {}", duration_s(w)));
    let _ = writeln!(o, "{} statements analyzed{window}", s.statements.len());
    if !s.statements.is_empty() && s.statements.iter().any(|x| x.calls > 0) {
        top_list(&mut o, "Top statements by total time", s, s.top_by(top, |x| x.total_ms), show_literals);
        top_list(&mut o, "Top statements by mean time", s, s.top_by(top, |x| x.mean_ms), show_literals);
        top_list(&mut o, "Top statements by calls", s, s.top_by(top, |x| x.calls as f64), show_literals);
    }
    if let Some(adv) = &a.advice {
        let kind = if adv.hypopg { "verified with HypoPG" } else { "heuristic — HypoPG not installed" };
        let _ = writeln!(o, "\nIndex suggestions ({kind}): {}", adv.suggestions.len());
        for (i, sug) in adv.suggestions.iter().enumerate() {
            let best = sug.queries.iter().filter_map(|q| q.drop()).fold(0.0_f64, f64::max);
            let mut line = format!("  {}. {} — {} statement(s)", i + 1, sug.spec.label(), sug.queries.len());
            if let Some(q) = sug.queries.first() {
                match q.after {
                    Some(after) => {
                        line.push_str(&format!(", cost {:.0} → {after:.0} (−{:.1}%)", q.before, best * 100.0))
                    }
                    None => line.push_str(&format!(", cost {:.0} now", q.before)),
                }
            }
            if let Some(b) = sug.size_bytes {
                line.push_str(&format!(", ~{}", bytes(b as f64)));
            }
            if let Some(ms) = sug.time_saved_ms_per_day {
                line.push_str(&format!(", saves ~{}/day", duration_ms(ms)));
            }
            let _ = writeln!(o, "{line}");
            for c in &sug.create {
                let _ = writeln!(o, "     {c};");
            }
        }
    }
    let d = &a.diagnosis;
    findings_block(&mut o, &d.findings, &d.warnings, |f| {
        f.recommendation.snippet.iter().flat_map(|s| s.lines()).map(String::from).collect()
    });
    o
}

fn top_list(o: &mut String, title: &str, s: &StatementSet, idx: Vec<usize>, show_literals: bool) {
    let _ = writeln!(o, "\n{title}\n  {:>10} {:>9} {:>10}  query", "total", "calls", "mean");
    for i in idx {
        let st = &s.statements[i];
        let q = clip(&st.display(show_literals), 100);
        let _ = writeln!(o, "  {:>10} {:>9} {:>10}  {q}", duration_ms(st.total_ms), st.calls, duration_ms(st.mean_ms));
    }
}
