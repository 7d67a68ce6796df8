//! The human report: one block per finding — the finding line, `--> location`, the
//! current code with line numbers, the fix — then a summary. The caller prints it through
//! `perfhound_term::print`, which strips control characters from the source excerpts.

use crate::walk::Scan;
use perfhound_model::Finding;
use std::fmt::Write as _;

/// The whole report.
pub fn render(scan: &Scan, elapsed_s: f64) -> String {
    let mut out = String::new();
    for f in &scan.findings {
        finding(&mut out, f);
    }
    for s in &scan.skipped {
        let _ = writeln!(out, "warning: {}: {}", s.path, s.reason);
    }
    let files: usize = scan.files.iter().map(|(_, n)| n).sum();
    let per_lang: Vec<String> = scan.files.iter().map(|(l, n)| format!("{n} {}", l.name())).collect();
    let _ = writeln!(
        out,
        "\nscanned {files} files ({}; {} lines) in {}: {} finding{}{}{}",
        if per_lang.is_empty() { "none".to_string() } else { per_lang.join(", ") },
        scan.lines,
        perfhound_term::human::duration_s(elapsed_s),
        scan.findings.len(),
        if scan.findings.len() == 1 { "" } else { "s" },
        if scan.suppressed > 0 { format!(", {} suppressed", scan.suppressed) } else { String::new() },
        if scan.skipped.is_empty() { String::new() } else { format!(", {} files skipped", scan.skipped.len()) },
    );
    out
}

/// One finding block.
pub fn finding(out: &mut String, f: &Finding) {
    let _ = writeln!(out, "{}", perfhound_term::finding_line(f));
    let loc = f.evidence.location.as_deref().unwrap_or(&f.target);
    let _ = writeln!(out, "  --> {}", loc);
    if let (Some(code), Some(first)) = (&f.evidence.code, first_line(loc)) {
        for (i, line) in code.lines().enumerate() {
            let _ = writeln!(out, "  {:>5} | {}", first + i, line);
        }
    }
    let _ = writeln!(out, "  fix: {}\n", f.recommendation.text);
}

/// `path:12-20 (f)` → 12.
fn first_line(loc: &str) -> Option<usize> {
    let loc = loc.split(" (").next()?;
    let range = loc.rsplit(':').next()?;
    range.split('-').next()?.parse().ok()
}
