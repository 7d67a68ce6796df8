//! Runs to save in tests: an endpoint whose latency is drawn around a given median.
#![allow(dead_code)]

use perfhound_model::{
    Finding, Histogram, HostInfo, Measurements, Rule, Run, Severity, Target, TargetKind, ToolInfo, SCHEMA_VERSION,
};

pub const RULE: Rule = Rule {
    code: "PH-TEST001",
    name: "test-rule",
    severity: Severity::Warning,
    summary: "a test rule",
    why: "tests",
    fix: "fix it",
};

/// A run with `GET /api/orders` latencies spread over `p50_us` ± 20 %, `n` requests.
pub fn run(id: &str, p50_us: u64, n: u64) -> Run {
    let mut latency = Histogram::new();
    for i in 0..n {
        latency.record_us(p50_us * 8 / 10 + (i * 7919 % 1000) * p50_us * 4 / 10 / 1000);
    }
    let measurements = Measurements { requests: n, ok: n, rps: 100.0, latency: Some(latency), ..Default::default() };
    Run {
        schema_version: SCHEMA_VERSION,
        id: id.to_string(),
        tool: ToolInfo { name: "perfhound".into(), version: "test".into(), command: vec![] },
        started_at: "2026-12-01T00:00:00Z".into(),
        ended_at: "2026-12-01T00:00:10Z".into(),
        host: HostInfo::current(),
        sources: vec![],
        targets: vec![Target { name: "GET /api/orders".into(), kind: TargetKind::Endpoint, group: None, measurements }],
        findings: vec![],
        budget_results: vec![],
        load: None,
        resources: None,
        warnings: vec![],
        complexity: Vec::new(),
    }
}

/// `run` with one finding of [`RULE`] on the endpoint.
pub fn run_with_finding(id: &str, p50_us: u64) -> Run {
    let mut r = run(id, p50_us, 500);
    r.findings.push(Finding::new(&RULE, "GET /api/orders", "a planted problem"));
    r
}
