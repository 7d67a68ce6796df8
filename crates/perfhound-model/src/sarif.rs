//! SARIF 2.1.0, what GitHub code scanning uploads: the one writer for every command that
//! emits it (`scan`, `traces`). One result per finding the command can place in a source
//! file, the rules with their help text, and perfhound's fingerprint as a partial
//! fingerprint so alerts survive unrelated edits. Where a finding sits is the command's
//! business ([`Location`]); findings it cannot place are left out (SARIF needs a file).

use crate::{Finding, Rule, Run, Severity};
use serde_json::{json, Map, Value};

/// Where in a source file a result is; absent parts are left out of the region.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location<'a> {
    pub uri: &'a str,
    pub start_line: Option<u64>,
    pub start_column: Option<u64>,
    pub end_line: Option<u64>,
}

/// The SARIF log of `run`'s findings that `locate` places, with `rules` as the driver's.
pub fn document<'r>(run: &'r Run, rules: &[Rule], locate: impl Fn(&'r Finding) -> Option<Location<'r>>) -> Value {
    let results: Vec<Value> = run.findings.iter().filter_map(|f| Some(result(f, &locate(f)?))).collect();
    let rules: Vec<Value> = rules.iter().map(rule).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "perfhound", "version": run.tool.version, "informationUri": "https://example.invalid/perfhound", "rules": rules}},
            "results": results,
        }]
    })
}

/// SARIF's `level` for a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn result(f: &Finding, at: &Location) -> Value {
    let mut region = Map::new();
    for (key, value) in [("startLine", at.start_line), ("startColumn", at.start_column), ("endLine", at.end_line)] {
        if let Some(v) = value {
            region.insert(key.into(), v.into());
        }
    }
    json!({
        "ruleId": f.rule.code,
        "level": level(f.severity),
        "message": {"text": format!("{} Fix: {}", f.title, f.recommendation.text)},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": at.uri}, "region": region}}],
        "partialFingerprints": {"perfhound/v1": f.fingerprint},
    })
}

fn rule(r: &Rule) -> Value {
    json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.why},
        "help": {"text": r.fix},
        "defaultConfiguration": {"level": level(r.severity)},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HostInfo, ToolInfo, SCHEMA_VERSION};

    /// Not a registered rule (tidy.rs looks for rule codes written in place).
    const TEST_CODE: &str = "PH-TEST001";
    const RULE: Rule =
        Rule { code: TEST_CODE, name: "test-rule", severity: Severity::Warning, summary: "s", why: "w", fix: "f" };

    fn run() -> Run {
        Run {
            schema_version: SCHEMA_VERSION,
            id: "r".into(),
            tool: ToolInfo { name: "perfhound".into(), version: "9.9".into(), command: vec![] },
            started_at: String::new(),
            ended_at: String::new(),
            host: HostInfo::default(),
            sources: vec![],
            targets: vec![],
            findings: vec![Finding::new(&RULE, "placed", "t1"), Finding::new(&RULE, "nowhere", "t2")],
            budget_results: vec![],
            load: None,
            resources: None,
            warnings: vec![],
            complexity: vec![],
        }
    }

    #[test]
    fn placed_findings_become_results_with_only_the_known_region_parts() {
        let run = run();
        let doc = document(&run, &[RULE], |f| {
            (f.target == "placed").then_some(Location { uri: "a.py", start_line: Some(3), ..Location::default() })
        });
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 1, "a finding without a file is left out");
        assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"], json!({"startLine": 3}));
        assert_eq!(results[0]["level"], "warning");
        assert_eq!(doc["runs"][0]["tool"]["driver"]["rules"][0]["id"], "PH-TEST001");
        assert_eq!(doc["runs"][0]["tool"]["driver"]["version"], "9.9");
    }
}
