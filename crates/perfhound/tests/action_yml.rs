//! The GitHub Action (`action.yml`) only calls perfhound with subcommands and flags that
//! exist: every `perfhound …` line of its steps is checked against that command's `--help`.

use assert_cmd::Command;
use std::path::Path;

#[test]
fn every_perfhound_invocation_in_action_yml_uses_real_flags() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../action.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&text).expect("action.yml is valid YAML");
    assert_eq!(doc["runs"]["using"], "composite");
    let scripts: Vec<&str> =
        doc["runs"]["steps"].as_array().unwrap().iter().filter_map(|s| s["run"].as_str()).collect();
    let mut checked = 0;
    for line in scripts.iter().flat_map(|s| s.lines()).map(str::trim) {
        let Some(rest) = line.strip_prefix("perfhound ") else { continue };
        let sub = rest.split_whitespace().next().unwrap();
        let help = Command::cargo_bin("perfhound").unwrap().args([sub, "--help"]).output().unwrap();
        assert!(help.status.success(), "`perfhound {sub}` is not a command");
        let help = String::from_utf8_lossy(&help.stdout);
        for flag in rest.split_whitespace().filter(|w| w.starts_with("--")) {
            assert!(help.contains(flag), "`perfhound {sub}` has no {flag} (action.yml: {line})");
        }
        checked += 1;
    }
    assert!(checked >= 3, "audit, check and compare are called: {checked}");
}
