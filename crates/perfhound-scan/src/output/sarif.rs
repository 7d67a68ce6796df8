//! SARIF 2.1.0 (what GitHub code scanning uploads): one result per finding at its
//! `path:line:column`, the rules with their help text, and perfhound's fingerprint as a
//! partial fingerprint so alerts survive unrelated edits.

use perfhound_model::{Rule, Run, Severity};
use serde_json::{json, Value};

/// The SARIF log of a scan run.
pub fn render(run: &Run, rules: &[Rule]) -> Value {
    let results: Vec<Value> = run
        .findings
        .iter()
        .map(|f| {
            let (file, line, column) = split_target(&f.target);
            let end_line = f.evidence.location.as_deref().and_then(end_line).unwrap_or(line);
            json!({
                "ruleId": f.rule.code,
                "level": level(f.severity),
                "message": {"text": format!("{} Fix: {}", f.title, f.recommendation.text)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": file},
                    "region": {"startLine": line, "startColumn": column, "endLine": end_line.max(line)},
                }}],
                "partialFingerprints": {"perfhound/v1": f.fingerprint},
            })
        })
        .collect();
    let rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.why},
                "help": {"text": r.fix},
                "defaultConfiguration": {"level": level(r.severity)},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "perfhound", "version": run.tool.version, "informationUri": "https://example.invalid/perfhound", "rules": rules}},
            "results": results,
        }]
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `path:line:col` → (path, line, col); a missing part becomes 1.
fn split_target(t: &str) -> (&str, u64, u64) {
    let mut parts = t.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse().ok());
    let line = parts.next().and_then(|c| c.parse().ok());
    match (parts.next(), line, col) {
        (Some(path), Some(l), Some(c)) => (path, l, c),
        _ => (t, 1, 1),
    }
}

/// The last line of a `path:first-last (function)` location.
fn end_line(loc: &str) -> Option<u64> {
    let loc = loc.split(" (").next()?;
    loc.rsplit(':').next()?.rsplit('-').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn targets() {
        assert_eq!(super::split_target("a/b.py:3:5"), ("a/b.py", 3, 5));
        assert_eq!(super::split_target("weird"), ("weird", 1, 1));
        assert_eq!(super::end_line("a.py:3-9 (f)"), Some(9));
    }
}
