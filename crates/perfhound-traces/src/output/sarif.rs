//! SARIF 2.1.0 for code-scanning UIs: one result per finding whose spans carried
//! `code.filepath` (+ `code.lineno`) or `code.file.path` (+ `code.line.number`), so the
//! problem shows up on the line that issues the queries. Findings without a source file
//! are left out (SARIF needs one).

use perfhound_model::{Rule, Run, Severity};
use serde_json::{json, Value};

/// SARIF log for the run's findings that have a location.
pub fn render(run: &Run, rules: &[Rule]) -> Value {
    let level = |s: Severity| match s {
        Severity::Critical => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let results: Vec<Value> = run
        .findings
        .iter()
        .filter_map(|f| {
            let loc = f.evidence.location.as_deref().filter(|l| !l.starts_with('('))?;
            let (file, line) = split_location(loc);
            let mut region = json!({});
            if let Some(l) = line {
                region = json!({"startLine": l});
            }
            Some(json!({
                "ruleId": f.rule.code,
                "level": level(f.severity),
                "message": {"text": format!("{} Fix: {}", f.title, f.recommendation.text)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": file}, "region": region}}],
                "partialFingerprints": {"perfhound/v1": f.fingerprint},
            }))
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
            "tool": {"driver": {"name": "perfhound", "version": run.tool.version, "rules": rules}},
            "results": results,
        }]
    })
}

/// `path:line (function)` → (`path`, Some(line)); a bare path → (`path`, None); the
/// function, when present, is dropped (SARIF's region is the line).
fn split_location(loc: &str) -> (&str, Option<u64>) {
    let loc = match loc.rsplit_once(" (") {
        Some((path, function)) if function.ends_with(')') => path,
        _ => loc,
    };
    match loc.rsplit_once(':') {
        Some((file, line)) if line.parse::<u64>().is_ok() => (file, line.parse().ok()),
        _ => (loc, None),
    }
}

#[cfg(test)]
mod tests {
    use super::split_location;

    #[test]
    fn locations() {
        assert_eq!(split_location("app/views.py:42"), ("app/views.py", Some(42)));
        assert_eq!(split_location("C:/x/app.py"), ("C:/x/app.py", None));
        assert_eq!(split_location("app/views.py:42 (list_orders)"), ("app/views.py", Some(42)));
        assert_eq!(split_location("my app/v.py (run)"), ("my app/v.py", None));
    }
}
