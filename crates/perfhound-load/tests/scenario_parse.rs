//! Scenario YAML → Plan: executors, k6/Artillery mappings, and located errors.
use perfhound_load::scenario::{load_scenario, parse_scenario};
use std::path::Path;

fn no_env(_: &str) -> Option<String> { None }

#[test]
fn scratch() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for f in ["scenario.yaml", "k6-style.yaml", "artillery-style.yaml"] {
        match load_scenario(&root.join(f), &no_env) {
            Ok(p) => println!("{f}: OK {:#?}", (p.names, p.scenarios.iter().map(|s| (&s.name, &s.executor, s.capture_slots)).collect::<Vec<_>>(), p.thresholds.iter().map(|t| (&t.expression, &t.name, &t.threshold)).collect::<Vec<_>>())),
            Err(e) => println!("{f}: ERR {e}"),
        }
    }
    let _ = parse_scenario;
}
