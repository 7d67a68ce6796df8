//! The checked-in JSON fixtures (used by the CLI tests) equal the runs built in code.

mod common;

use perfhound_model::Run;
use std::path::PathBuf;

fn check(file: &str, run: Run) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(file);
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&run).unwrap() + "\n").unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let stored = Run::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(stored, run, "{file} is stale: run UPDATE_FIXTURES=1 cargo test -p perfhound-report --test fixtures");
}

#[test]
fn fixtures_match_the_code() {
    check("run.json", common::fixture_run());
    check("baseline.json", common::baseline_run());
    check("hostile.json", common::hostile_run());
}
