//! Every rule against its fixtures (`tests/fixtures/<rule-name>.<ext>`): a finding of the
//! rule on exactly the lines marked `positive`, none elsewhere; and a snapshot of the
//! rendered findings of every fixture (all rules, so cross-rule noise shows up too).

use perfhound_scan::lang::Lang;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    v.sort();
    v
}

/// The one check: the rule named by the fixture fires on the `positive` lines only.
fn check(path: &Path, failures: &mut Vec<String>) -> String {
    let rule_name = path.file_stem().unwrap().to_str().unwrap().replace('_', "-");
    let rule = perfhound_scan::rules().into_iter().find(|r| r.name == rule_name);
    let rule = rule.unwrap_or_else(|| panic!("fixture {} names no rule", path.display()));
    let text = std::fs::read_to_string(path).unwrap();
    let lang = Lang::from_path(path).unwrap();
    let name = format!("fixtures/{}", path.file_name().unwrap().to_str().unwrap());
    let findings = perfhound_scan::scan_text(&name, lang, &text).unwrap();
    let expected: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| ["# positive", "// positive", "-- positive"].iter().any(|m| l.contains(m)))
        .map(|(i, _)| i + 1)
        .collect();
    let mut got: Vec<usize> = findings
        .iter()
        .filter(|f| f.rule.code == rule.code)
        .map(|f| f.target.rsplit(':').nth(1).unwrap().parse().unwrap())
        .collect();
    got.dedup();
    if got != expected || expected.is_empty() {
        failures.push(format!("{}: {} on lines {got:?}, marked {expected:?}", path.display(), rule.code));
    }
    let mut out = String::new();
    for f in &findings {
        out.push_str(&format!(
            "{} [{}] {} {}\n  at {}\n  {}\n",
            f.target,
            f.severity,
            f.rule.code,
            f.title,
            f.evidence.location.as_deref().unwrap_or("-"),
            f.evidence.code.as_deref().unwrap_or("").replace('\n', "\n  ")
        ));
    }
    out
}

#[test]
fn every_rule_has_fixtures_and_they_hold() {
    let files = fixtures();
    for rule in perfhound_scan::rules() {
        let stem = rule.name.replace('-', "_");
        assert!(
            files.iter().any(|f| f.file_stem().is_some_and(|s| s == stem.as_str())),
            "{} has no fixture tests/fixtures/{stem}.*",
            rule.code
        );
    }
    let mut failures = Vec::new();
    for f in &files {
        let rendered = check(f, &mut failures);
        let snap = f.file_name().unwrap().to_str().unwrap().replace('.', "_");
        insta::assert_snapshot!(snap, rendered);
    }
    assert!(failures.is_empty(), "fixtures do not hold:\n{}", failures.join("\n"));
}
