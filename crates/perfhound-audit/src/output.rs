//! Writing an audit: the run file, the HTML and Markdown reports, and the closing summary.

use crate::error::AuditError;
use crate::window::Audit;
use perfhound_model::{Run, Severity};
use perfhound_report::{build_report, render, ReportOptions, RunSet};
use std::path::{Path, PathBuf};

/// Where an audit was written.
pub struct Written {
    pub run: PathBuf,
    pub html: PathBuf,
    pub markdown: PathBuf,
}

/// Writes `run.json`, `report.html` and `report.md` into `dir`; with `baseline`, the
/// report is a before/after comparison.
pub fn write(dir: &Path, audit: &Audit, title: Option<&str>, baseline: Option<Run>) -> Result<Written, AuditError> {
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, &e))?;
    let out = Written { run: dir.join("run.json"), html: dir.join("report.html"), markdown: dir.join("report.md") };
    let json = serde_json::to_vec_pretty(&audit.run).map_err(|e| write_error(&out.run, &e))?;
    write_atomic(&out.run, &json)?;
    let profile = audit.profile.as_ref().map(|p| {
        let mut view = p.view.clone();
        view.diff_svg = p.baseline.as_ref().and_then(|b| crate::profile::tie::diff_svg(b, &p.profile));
        view
    });
    if let Some(p) = &audit.profile {
        write_atomic(&dir.join(PROFILE_FILE), crate::profile::tie::folded(&p.profile).as_bytes())?;
        if let Some(svg) = &p.view.flame_svg {
            write_atomic(&dir.join("flame.svg"), svg.as_bytes())?;
        }
    }
    let options = ReportOptions {
        title: title.map(str::to_string),
        baseline: baseline.map(|b| RunSet::new(vec![b])),
        budgets: audit.budgets.clone(),
        profile,
    };
    let report = build_report(&RunSet::new(vec![audit.run.clone()]), &options);
    write_atomic(&out.html, render::html::render(&report).as_bytes())?;
    write_atomic(&out.markdown, render::markdown::render(&report).as_bytes())?;
    Ok(out)
}

/// The captured profile's folded stacks, next to `run.json`.
pub const PROFILE_FILE: &str = "profile.folded";

/// The profile a previous audit saved next to its run file, if it has one.
pub fn baseline_profile(run_file: &Path) -> Option<perfhound_profile::Profile> {
    let path = run_file.parent().unwrap_or(Path::new("")).join(PROFILE_FILE);
    path.is_file().then(|| crate::profile::tie::read(&path).ok()).flatten()
}

/// Reads a previous audit's run file for the before/after report.
pub fn read_baseline(path: &Path) -> Result<Run, AuditError> {
    perfhound_report::read_run(path)
        .map_err(|e| AuditError::Baseline { path: path.display().to_string(), message: e.to_string() })
}

/// The closing lines: the worst findings first, then where the report is.
pub fn summary(audit: &Audit, written: &Written, top: usize) -> String {
    let mut findings: Vec<_> = audit.run.findings.iter().collect();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.impact.share_of_total.partial_cmp(&a.impact.share_of_total).unwrap_or(std::cmp::Ordering::Equal))
    });
    let mut s = String::new();
    let warn = findings.iter().filter(|f| f.severity >= Severity::Warning).count();
    s.push_str(&format!("\n{} findings ({} warning or worse)\n", findings.len(), warn));
    for f in findings.iter().take(top) {
        s.push_str(&format!("  {}\n", perfhound_term::finding_line(f)));
    }
    for line in cache_lines(&audit.run) {
        s.push_str(&line);
    }
    if let Some(b) = &audit.budgets {
        s.push_str(&format!("budgets: {} passed, {} failed, {} without data\n", b.passed, b.failed, b.no_data));
    }
    s.push_str(&format!("\nreport: {}\nrun:    {}\n", written.html.display(), written.run.display()));
    s
}

/// `cache hit rate 49% over the load window (redis …: 59 hits, 61 misses, 0 evictions)`
/// for each cache server watched with `audit.redis`.
fn cache_lines(run: &Run) -> Vec<String> {
    use perfhound_model::Extra;
    run.targets
        .iter()
        .filter_map(|t| {
            let e = &t.measurements.extra;
            let (hits, misses) = (e.get(Extra::CacheServerKeyspaceHits)?, e.get(Extra::CacheServerKeyspaceMisses)?);
            let ratio = e.get(Extra::CacheHitRatio).map_or("no lookups".to_string(), perfhound_term::human::pct);
            let evicted = e.get(Extra::CacheServerEvictedKeys).unwrap_or(0.0);
            Some(format!(
                "cache hit rate {ratio} over the load window ({}: {hits} hits, {misses} misses, {evicted} evictions)\n",
                perfhound_term::one_line(&t.name)
            ))
        })
        .collect()
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AuditError> {
    perfhound_report::write_file(path, bytes).map_err(|e| write_error(path, &e))
}

fn write_error(path: &Path, e: &dyn std::fmt::Display) -> AuditError {
    AuditError::Write { path: path.display().to_string(), message: e.to_string() }
}
