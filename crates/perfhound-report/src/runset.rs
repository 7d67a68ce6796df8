//! Reading run files and merging several into one [`RunSet`] that reports and budgets use.
//!
//! Targets with the same name and kind are merged as if the runs were shards of one test:
//! counters and rates add, HDR histograms merge exactly, checks add by name; values in
//! `extra` (ratios, scores, web timings) are not additive, so the last run's value wins.
//! Findings with the same fingerprint are one finding: occurrences add, the highest
//! severity wins, the affected targets are the union.

use perfhound_model::{Accounting, Finding, Measurements, Run, Target};
use std::path::Path;

/// Why a run file could not be used. The message names the file and what to do.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct RunFileError {
    pub path: String,
    pub message: String,
}

/// Writes `bytes` through a temporary file beside `path`, then renames it: a reader (a
/// CI step, a browser reloading the report) never sees half a file.
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Reads one run file (any engine's output).
pub fn read_run(path: &Path) -> Result<Run, RunFileError> {
    let error = |message: String| RunFileError { path: path.display().to_string(), message };
    let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read the run file: {e}")))?;
    let mut run = Run::from_json(&text)
        .map_err(|e| error(format!("{e} (expected a run.json written by a perfhound command)")))?;
    // A run file written by an older perfhound (or by hand) may still hold a secret.
    run.redact_secrets();
    Ok(run)
}

/// Several runs seen as one.
#[derive(Clone, Debug, Default)]
pub struct RunSet {
    /// The runs as read, in command-line order.
    pub runs: Vec<Run>,
    /// Targets merged by name and kind, in first-seen order.
    pub targets: Vec<Target>,
    /// Findings merged by fingerprint, in first-seen order.
    pub findings: Vec<Finding>,
    /// Load accounting summed over the runs that had a load section.
    pub accounting: Option<Accounting>,
}

impl RunSet {
    /// Merges `runs`, masking any secret they hold first (every report and budget
    /// output is rendered from a `RunSet`).
    pub fn new(mut runs: Vec<Run>) -> RunSet {
        runs.iter_mut().for_each(Run::redact_secrets);
        let mut set = RunSet::default();
        for run in &runs {
            for target in &run.targets {
                set.add_target(target);
            }
            for finding in &run.findings {
                set.add_finding(finding);
            }
            if let Some(load) = &run.load {
                set.accounting.get_or_insert_with(Accounting::default).add(&load.accounting);
            }
        }
        set.runs = runs;
        set
    }

    /// The whole-run target (`kind: overall`), if any run had one.
    pub fn overall(&self) -> Option<&Target> {
        self.targets.iter().find(|t| t.kind == perfhound_model::TargetKind::Overall)
    }

    fn add_target(&mut self, target: &Target) {
        match self.targets.iter_mut().find(|t| t.name == target.name && t.kind == target.kind) {
            Some(existing) => merge_measurements(&mut existing.measurements, &target.measurements),
            None => self.targets.push(target.clone()),
        }
    }

    fn add_finding(&mut self, finding: &Finding) {
        match self.findings.iter_mut().find(|f| f.fingerprint == finding.fingerprint) {
            Some(existing) => {
                existing.severity = existing.severity.max(finding.severity);
                if let (Some(a), Some(b)) = (&mut existing.impact.occurrences, finding.impact.occurrences) {
                    *a += b;
                }
                for name in &finding.affected {
                    if !existing.affected.contains(name) {
                        existing.affected.push(name.clone());
                    }
                }
            }
            None => self.findings.push(finding.clone()),
        }
    }
}

/// Adds `other` into `into` (exact for counters and histograms).
pub fn merge_measurements(into: &mut Measurements, other: &Measurements) {
    into.requests += other.requests;
    into.ok += other.ok;
    into.failed += other.failed;
    for (kind, n) in &other.errors {
        *into.errors.entry(*kind).or_default() += n;
    }
    for (code, n) in &other.status_codes {
        *into.status_codes.entry(*code).or_default() += n;
    }
    merge_histogram(&mut into.latency, &other.latency);
    merge_histogram(&mut into.service_time, &other.service_time);
    into.rps += other.rps;
    into.target_rps = match (into.target_rps, other.target_rps) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    };
    into.bytes_in += other.bytes_in;
    into.bytes_out += other.bytes_out;
    for check in &other.checks {
        match into.checks.iter_mut().find(|c| c.name == check.name) {
            Some(c) => {
                c.passed += check.passed;
                c.failed += check.failed;
            }
            None => into.checks.push(check.clone()),
        }
    }
    into.extra.extend_from(&other.extra);
}

fn merge_histogram(into: &mut Option<perfhound_model::Histogram>, other: &Option<perfhound_model::Histogram>) {
    match (into.as_mut(), other) {
        (Some(a), Some(b)) => a.merge(b),
        (None, Some(b)) => *into = Some(b.clone()),
        _ => {}
    }
}
