//! Deterministic runs for the report tests: fixed ids, timestamps and values.
//!
//! The same runs are checked in as JSON under `tests/fixtures/` for the CLI tests;
//! `fixtures.rs` keeps the two in sync (`UPDATE_FIXTURES=1 cargo test -p perfhound-report`).
#![allow(dead_code)]

mod findings;

use perfhound_model::Extra;
use perfhound_model::*;
use perfhound_report::{build_report, evaluate, parse_budgets, Report, ReportOptions, RunSet};

pub const HOSTILE_SCRIPT: &str =
    "<script>document.title='pwned';document.documentElement.setAttribute('data-pwned','script')</script>";
pub const HOSTILE_IMG: &str = "\"><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">";

/// The "after" run: a checkout service under load plus trace and code findings.
pub fn fixture_run() -> Run {
    let mut run = base_run("0123456789abcdef0123456789abcdef", 1_768_471_200, 1.0);
    run.findings = findings::current();
    run
}

/// The "before" run: slower, with one finding that the "after" run no longer has.
pub fn baseline_run() -> Run {
    let mut run = base_run("fedcba9876543210fedcba9876543210", 1_768_384_800, 1.6);
    run.findings = findings::baseline();
    run
}

/// A run whose every string is an injection attempt.
pub fn hostile_run() -> Run {
    let mut run = base_run("hostile0000000000000000000000000", 1_768_471_200, 1.0);
    let names = [HOSTILE_SCRIPT, HOSTILE_IMG];
    for (t, name) in run.targets.iter_mut().skip(1).zip(names.iter().cycle()) {
        t.name = (*name).to_string();
        t.group = Some(HOSTILE_IMG.to_string());
    }
    run.sources[0].description = HOSTILE_SCRIPT.to_string();
    run.warnings.push(HOSTILE_IMG.to_string());
    run.findings = findings::current();
    for f in &mut run.findings {
        f.title = format!("{HOSTILE_SCRIPT} `{HOSTILE_IMG}`");
        f.target = HOSTILE_SCRIPT.to_string();
        f.evidence.query = Some(format!("</code></pre>{HOSTILE_SCRIPT}"));
        f.evidence.location = Some(HOSTILE_IMG.to_string());
        f.recommendation.text = HOSTILE_IMG.to_string();
        f.recommendation.snippet = Some(format!("```\n{HOSTILE_SCRIPT}"));
        f.recommendation.snippet_lang = Some(HOSTILE_IMG.to_string());
    }
    run
}

fn base_run(id: &str, start_s: i64, slowdown: f64) -> Run {
    let duration_s = 60;
    let endpoints = [
        ("GET /api/products", 3000u64, 35_000.0, 0u64),
        ("POST /api/orders", 1800, 180_000.0, 30),
        ("GET /api/users/{id}", 1200, 45_000.0, 0),
    ];
    let mut overall = Measurements::default();
    let mut targets = Vec::new();
    for (i, (name, n, median_us, failed)) in endpoints.into_iter().enumerate() {
        let m = measurements(n, median_us * slowdown, failed, duration_s as f64, i as u64);
        merge_into(&mut overall, &m);
        targets.push(Target {
            name: name.into(),
            kind: TargetKind::Endpoint,
            group: Some("checkout".into()),
            measurements: m,
        });
    }
    targets[0].measurements.extra.insert(Extra::CacheHitRatio, 0.45);
    overall.target_rps = Some(100.0);
    targets.insert(0, Target { name: "overall".into(), kind: TargetKind::Overall, group: None, measurements: overall });
    let query = measurements(72_000, 9_000.0 * slowdown, 0, duration_s as f64, 7);
    targets.push(Target {
        name: findings::QUERY.into(),
        kind: TargetKind::Query,
        group: Some("orders-db".into()),
        measurements: query,
    });
    Run {
        schema_version: SCHEMA_VERSION,
        id: id.into(),
        tool: ToolInfo {
            name: "perfhound".into(),
            version: "0.1.0".into(),
            command: vec!["perfhound".into(), "load".into(), "checkout.yaml".into()],
        },
        started_at: rfc3339(start_s, 0),
        ended_at: rfc3339(start_s + duration_s, 0),
        host: HostInfo { hostname: "ci".into(), os: "linux".into(), arch: "x86_64".into(), cpus: 2 },
        sources: vec![
            Source { kind: perfhound_model::SourceKind::Load, description: "checkout.yaml".into() },
            Source { kind: perfhound_model::SourceKind::Traces, description: "traces.otlp.json".into() },
        ],
        targets,
        findings: Vec::new(),
        budget_results: vec![BudgetResult {
            expression: "p95 < 2s".into(),
            target: "*".into(),
            metric: Metric::P95,
            comparison: Comparison::Lt,
            limit: 2_000_000.0,
            actual: Some(400_000.0 * slowdown),
            passed: true,
        }],
        load: Some(load_section(duration_s as u32, slowdown)),
        resources: Some(resources(slowdown)),
        warnings: Vec::new(),
        complexity: Vec::new(),
    }
}

/// `n` requests around `median_us` (a fixed skewed spread), `failed` of them failed.
fn measurements(n: u64, median_us: f64, failed: u64, duration_s: f64, seed: u64) -> Measurements {
    let mut h = Histogram::new();
    for i in 0..n {
        let u = ((i * 7919 + seed * 104_729) % n) as f64 / n as f64;
        let factor = 0.4 + u * 0.9 + if u > 0.95 { (u - 0.95) * 60.0 } else { 0.0 };
        h.record_us((median_us * factor) as u64);
    }
    let mut m = Measurements {
        requests: n,
        ok: n - failed,
        failed,
        rps: ((n as f64 / duration_s) * 10.0).round() / 10.0,
        bytes_in: n * 2_400,
        bytes_out: n * 300,
        latency: Some(h),
        ..Default::default()
    };
    m.status_codes.insert(200, n - failed);
    if failed > 0 {
        m.status_codes.insert(503, failed);
        m.errors.insert(ErrorKind::Http5xx, failed);
    }
    m
}

fn merge_into(into: &mut Measurements, m: &Measurements) {
    into.requests += m.requests;
    into.ok += m.ok;
    into.failed += m.failed;
    into.rps += m.rps;
    into.bytes_in += m.bytes_in;
    into.bytes_out += m.bytes_out;
    for (k, v) in &m.status_codes {
        *into.status_codes.entry(*k).or_default() += v;
    }
    for (k, v) in &m.errors {
        *into.errors.entry(*k).or_default() += v;
    }
    match (&mut into.latency, &m.latency) {
        (Some(a), Some(b)) => a.merge(b),
        (None, Some(b)) => into.latency = Some(b.clone()),
        _ => {}
    }
}

fn load_section(seconds: u32, slowdown: f64) -> LoadSection {
    let series = (0..seconds)
        .map(|t| {
            let wave = f64::from((t * 37) % 11) / 10.0;
            SecondSample {
                t_s: t,
                requests: 100 - u64::from(t % 3),
                errors: u64::from(t % 12 == 5) * 3,
                p50_us: ((40_000.0 + wave * 8_000.0) * slowdown) as u64,
                p99_us: ((400_000.0 + wave * 150_000.0) * slowdown) as u64,
                max_us: ((700_000.0 + wave * 200_000.0) * slowdown) as u64,
                dropped: 0,
                vus_active: 20 + u64::from(t % 5),
            }
        })
        .collect();
    let accounting = Accounting {
        iterations_scheduled: 6000,
        iterations_started: 6000,
        iterations_completed: 6000,
        requests_sent: 6000,
        requests_ok: 5970,
        requests_failed: 30,
        ..Default::default()
    };
    LoadSection {
        scenarios: vec![ScenarioSummary {
            name: "checkout".into(),
            executor: perfhound_model::ExecutorKind::ConstantArrivalRate,
            accounting: accounting.clone(),
            target_iterations_per_s: Some(100.0),
            achieved_iterations_per_s: 100.0,
            vus_max: 40,
        }],
        accounting,
        series,
        duration_s: f64::from(seconds),
        open_model: true,
        threads: 2,
        generator_saturated: false,
        end_reason: perfhound_model::EndReason::Completed,
        capacity: None,
    }
}

fn resources(slowdown: f64) -> Resources {
    let process = |pid, label: &str, cpu: f64, rss: u64| ProcessResources {
        pid,
        label: label.into(),
        cpu_pct_avg: cpu,
        cpu_pct_peak: cpu * 1.27,
        rss_bytes_avg: rss,
        rss_bytes_peak: rss * 3 / 2,
        samples: vec![ProcessSample { t_s: 0, cpu_pct: cpu, rss_bytes: rss }],
    };
    Resources {
        generator: Some(process(4242, "perfhound (generator)", 18.0, 40_000_000)),
        target: Some(process(1234, "checkout-api", (75.0 * slowdown).round(), (3_200_000_000.0 * slowdown) as u64)),
    }
}

fn example_budgets() -> perfhound_model::BudgetSet {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/budgets.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    parse_budgets("examples/budgets.yaml", &text).unwrap()
}

/// The fixture run against the baseline, judged by examples/budgets.yaml.
pub fn fixture_report(run: perfhound_model::Run) -> Report {
    let runs = RunSet::new(vec![run]);
    let budgets = evaluate(&example_budgets(), &runs);
    let options = ReportOptions {
        title: None,
        baseline: Some(RunSet::new(vec![baseline_run()])),
        budgets: Some(budgets),
        profile: None,
    };
    build_report(&runs, &options)
}
