//! Runs with known latency for the history, compare and serve tests, saved in a store
//! with a given commit, as `perfhound load` would have saved them.
#![allow(dead_code)]

use perfhound_model::{Finding, Histogram, HostInfo, Measurements, Rule, Run, Severity, Target, TargetKind, ToolInfo};
use perfhound_store::{Location, Meta};

pub const RULE: Rule = Rule {
    code: "PH-TRACE001",
    name: "n-plus-one-queries",
    severity: Severity::Warning,
    summary: "N+1",
    why: "round trips",
    fix: "batch the queries",
};

/// `n` latencies spread evenly over `median_us` ± 20 % (deterministic).
pub fn histogram(median_us: u64, n: u64) -> Histogram {
    let mut h = Histogram::new();
    for i in 0..n {
        h.record_us(median_us * 8 / 10 + (i * 7919 % n) * median_us * 4 / 10 / n);
    }
    h
}

/// A load-like run: one endpoint `name` with the given median latency.
pub fn run(id: &str, name: &str, median_us: u64) -> Run {
    let latency = histogram(median_us, 400);
    let measurements = Measurements { requests: 400, ok: 400, rps: 40.0, latency: Some(latency), ..Default::default() };
    Run {
        schema_version: perfhound_model::SCHEMA_VERSION,
        id: id.to_string(),
        tool: ToolInfo { name: "perfhound".into(), version: "test".into(), command: vec![] },
        started_at: format!("2026-12-01T00:{:02}:00Z", id.len() % 60),
        ended_at: "2026-12-01T01:00:00Z".into(),
        host: HostInfo::current(),
        sources: vec![],
        targets: vec![Target { name: name.into(), kind: TargetKind::Endpoint, group: None, measurements }],
        findings: vec![],
        budget_results: vec![],
        load: None,
        resources: None,
        warnings: vec![],
        complexity: Vec::new(),
    }
}

/// `run` with an N+1 finding on its endpoint.
pub fn with_finding(mut run: Run) -> Run {
    let target = run.targets[0].name.clone();
    run.findings.push(Finding::new(&RULE, target, "N+1 queries"));
    run
}

/// Saves `run` in the SQLite store `db` as made at `commit` on `branch`.
pub fn save(db: &std::path::Path, run: &Run, commit: &str, branch: &str) {
    let meta =
        Meta { command: "load".into(), git_commit: commit.into(), git_branch: branch.into(), ..Default::default() };
    perfhound_store::save(&Location::Sqlite(db.to_path_buf()), run, &meta).unwrap();
}
