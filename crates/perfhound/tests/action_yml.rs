//! The GitHub Action (`action.yml`) and the GitLab CI job of docs/ci.md only call
//! perfhound with subcommands and flags that exist: every `perfhound …` line of their
//! scripts is checked against that command's `--help`.

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
    let checked = check_invocations("action.yml", scripts.iter().flat_map(|s| s.lines()));
    assert!(checked >= 3, "audit, check and compare are called: {checked}");
}

/// Checks every `perfhound SUB --flag …` line against `perfhound SUB --help`; returns how
/// many there were.
fn check_invocations<'a>(origin: &str, lines: impl Iterator<Item = &'a str>) -> usize {
    let mut checked = 0;
    for line in lines.map(str::trim) {
        let Some(rest) = line.strip_prefix("perfhound ") else { continue };
        let sub = rest.split_whitespace().next().unwrap();
        let help = Command::cargo_bin("perfhound").unwrap().args([sub, "--help"]).output().unwrap();
        assert!(help.status.success(), "`perfhound {sub}` is not a command ({origin}: {line})");
        let help = String::from_utf8_lossy(&help.stdout);
        for flag in rest.split_whitespace().filter(|w| w.starts_with("--")) {
            assert!(help.contains(flag), "`perfhound {sub}` has no {flag} ({origin}: {line})");
        }
        checked += 1;
    }
    checked
}

#[test]
fn the_gitlab_ci_job_in_the_docs_is_valid_and_uses_real_flags() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ci.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let section = &text[text.find("## GitLab CI").expect("docs/ci.md has a GitLab CI section")..];
    let start = section.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let yaml = &section[start..start + section[start..].find("```").unwrap()];
    let doc: serde_json::Value = serde_saphyr::from_str(yaml).expect("the GitLab job is valid YAML");
    let job = &doc["perf"];
    let script: Vec<&str> = job["script"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    let checked = check_invocations("docs/ci.md", script.iter().copied());
    assert!(checked >= 3, "audit and compare (md, junit) are called: {checked}");
    assert_eq!(job["artifacts"]["reports"]["junit"], "compare.xml");
    assert!(script.iter().any(|l| l.contains("--format junit --out compare.xml")), "{script:?}");
    assert!(script.iter().any(|l| l.contains("--baseline branch:main")), "{script:?}");
    assert_eq!(job["cache"]["paths"][0], ".perfhound/", "the store is what the cache keeps");
    assert!(script.iter().any(|l| l.starts_with("perfhound audit") && l.contains("perfhound.yaml")), "{script:?}");
    let gate = script.last().unwrap();
    for (status, passes) in [("0", true), ("1", false), ("2", true)] {
        let ok = std::process::Command::new("sh").arg("-c").arg(gate).env("status", status).status().unwrap();
        assert_eq!(ok.success(), passes, "exit {status} of compare under `{gate}`");
    }
}
