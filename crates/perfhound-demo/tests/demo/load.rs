//! The demo's load scenario: valid for perfhound's scenario parser, and driving every
//! endpoint through perfhound's real load engine with every check passing; the engine's
//! HTTP hygiene rules find the uncompressed export in `Before` mode only.

use crate::common::demo;
use perfhound_demo::{scenario_yaml, Mode, PLANTED};
use perfhound_load::engine::{self, EngineOptions, Observer, Tick};
use perfhound_load::hygiene::{self, ProbeResult};
use perfhound_load::plan::{Executor, Plan};
use perfhound_load::scenario::parse_scenario;
use perfhound_model::Severity;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

fn parse(yaml: &str) -> Plan {
    parse_scenario(Path::new("demo-scenario.yaml"), yaml, &|_| None).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

#[test]
fn scenario_names_every_planted_endpoint_and_takes_duration_and_vus() {
    let plan = parse(&scenario_yaml("http://127.0.0.1:8080", 45, 6));
    let names: BTreeSet<&str> = plan.names.iter().map(String::as_str).collect();
    let mut expected: BTreeSet<&str> = PLANTED.iter().map(|p| p.endpoint).collect();
    expected.insert("GET /health");
    assert_eq!(names, expected);
    assert_eq!(plan.scenarios.len(), 1);
    match &plan.scenarios[0].executor {
        Executor::ConstantVus { vus, duration } => assert_eq!((*vus, *duration), (6, Duration::from_secs(45))),
        other => panic!("expected constant-vus, got {other:?}"),
    }
}

struct Quiet;
impl Observer for Quiet {
    fn on_tick(&mut self, _: &Tick<'_>) {}
}

/// Runs the scenario for a few seconds against `mode` and returns the codes of the HTTP
/// hygiene findings at warning or above, per request name.
async fn load(mode: Mode) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let server = demo(mode, dir.path(), None).await;
    let plan = parse(&scenario_yaml(&server.base_url(), 3, 2));
    let opts = EngineOptions { threads: Some(1), ..EngineOptions::default() };
    let result = tokio::task::spawn_blocking(move || engine::run(plan, &opts, &mut Quiet)).await.unwrap().unwrap();
    server.shutdown().await.unwrap();
    let mut found = Vec::new();
    for (i, name) in result.plan.names.iter().enumerate() {
        let n = &result.stats.names[i];
        assert!(n.ok > 0, "{name}: no successful request ({mode:?})");
        assert_eq!(n.failed, 0, "{name}: {:?} {:?}", n.errors, n.error_examples);
        assert!(n.checks.iter().all(|c| c.failed == 0 && c.passed > 0), "{name}: {:?}", n.checks);
        let probe = result.probes.get(i).cloned().unwrap_or(ProbeResult::Unknown);
        for f in hygiene::findings(name, &n.hygiene, &probe) {
            if f.severity >= Severity::Warning {
                found.push((f.rule.code.clone(), name.clone()));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_engine_drives_every_endpoint_and_hygiene_finds_the_uncompressed_export() {
    let _serial = crate::common::serial().await;
    let before = load(Mode::Before).await;
    assert_eq!(before, [("PH-HTTP001".to_string(), "GET /api/products/export".to_string())]);
    let fixed = load(Mode::Fixed).await;
    assert!(fixed.is_empty(), "{fixed:?}");
}
