//! Every rule on its own fixture (`tests/fixtures/rules/<rule name>.json`, written by
//! `make.py` there): the rule must fire, and its rendered finding — title, severity,
//! confidence, evidence, impact, recommendation — is an insta snapshot
//! (`tests/snapshots/`), so a change to how any rule reads shows up in review.
//! A registered rule without a fixture fails here.

use perfhound_model::{Finding, Severity};
use perfhound_traces::{analyze_inputs, rules, Config, Engine, Input};
use serde_json::json;
use std::path::PathBuf;

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules").join(format!("{name}.json"))
}

/// Findings of the engine (default config) on one fixture file.
fn analyze(path: &std::path::Path, cfg: Config) -> Vec<Finding> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e} (run make.py there)", path.display()));
    let mut engine = Engine::new(cfg);
    let input = Input { name: path.display().to_string(), reader: Box::new(file) };
    let (reports, _) = analyze_inputs(&mut engine, vec![input], None);
    assert!(reports.iter().all(|r| r.errors.is_empty()), "{}: {reports:?}", path.display());
    engine.findings()
}

/// The rule's findings on its fixture as a snapshot: what fired, then each finding of the rule.
fn check(rule: &str) -> Vec<Finding> {
    let findings = analyze(&fixture_path(rule), Config::default());
    let fired: Vec<String> = findings.iter().map(|f| format!("{} {}", f.rule.code, f.rule.name)).collect();
    let own: Vec<&Finding> = findings.iter().filter(|f| f.rule.name == rule).collect();
    assert!(!own.is_empty(), "{rule} did not fire on its fixture; fired: {fired:?}");
    let rendered: Vec<_> = own
        .iter()
        .map(|f| {
            json!({
                "title": f.title,
                "target": f.target,
                "severity": f.severity,
                "confidence": f.confidence,
                "evidence": f.evidence,
                "impact": f.impact,
                "recommendation": f.recommendation,
            })
        })
        .collect();
    insta::assert_json_snapshot!(rule, json!({"fired": fired, "findings": rendered}));
    findings
}

#[test]
fn every_rule_on_its_fixture() {
    for r in rules() {
        check(r.name);
    }
}

#[test]
fn locations_from_old_and_new_code_attributes() {
    let new = check("n-plus-one-db-query");
    assert_eq!(new[0].evidence.location.as_deref(), Some("app/orders.py:42 (list_orders)"));
    let old = check("slow-db-query");
    assert_eq!(old[0].evidence.location.as_deref(), Some("app/search.py:17 (search_orders)"));
}

#[test]
fn own_code_fires_only_on_the_slow_cpu_bound_endpoint() {
    let findings = check("cpu-bound-own-code");
    let own: Vec<&Finding> = findings.iter().filter(|f| f.rule.name == "cpu-bound-own-code").collect();
    assert_eq!(own.len(), 1, "{own:#?}");
    assert_eq!(own[0].target, "GET /similar");
    assert!(own[0].title.starts_with("CPU-bound in own code: 9"), "{}", own[0].title);
    assert_eq!(own[0].severity, Severity::Warning);
    assert_eq!(own[0].evidence.location.as_deref(), Some("app/similar.py:31 (pairwise_similarity)"));
    let snippet = own[0].recommendation.snippet.as_deref().unwrap_or("");
    assert!(snippet.contains("py-spy") && snippet.contains("0x") && snippet.contains("perf record"), "{snippet}");
}

#[test]
fn own_code_thresholds_move_the_verdict() {
    let path = fixture_path("cpu-bound-own-code");
    let fires = |sets: &[&str]| {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let cfg = Config::default().with_overrides(&sets).expect("valid overrides");
        analyze(&path, cfg).iter().any(|f| f.rule.name == "cpu-bound-own-code")
    };
    assert!(fires(&[]));
    // Not slow enough in absolute terms.
    assert!(!fires(&["own_code.min_ms=300"]));
    // Not CPU-heavy enough relative to the own code of the service's other endpoints
    // (a few ms each: the loop's ~200 ms is far above 4× but not 1000×).
    assert!(!fires(&["own_code.min_ratio=1000"]));
    // Own code must dominate more than it does (~97 %).
    assert!(!fires(&["own_code.min_share=0.99"]));
    // Must recur in more requests than the fixture has.
    assert!(!fires(&["own_code.min_requests=6"]));
    // Critical from 150 ms of own code in the median request.
    let cfg = Config::default().with_overrides(&["own_code.critical_ms=150".into()]).expect("valid");
    let f = analyze(&path, cfg).into_iter().find(|f| f.rule.name == "cpu-bound-own-code").expect("fires");
    assert_eq!(f.severity, Severity::Critical);
}
