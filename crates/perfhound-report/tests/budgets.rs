//! Budget files: the three formats parse into the same model, errors are located, and
//! evaluation judges the fixture run as documented.

mod common;

use perfhound_model::{BudgetFormat, Comparison, Metric, TargetKind};
use perfhound_report::{evaluate, load_budgets, parse_budgets, RunSet, Status};
use std::path::PathBuf;

fn workspace_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

/// Parses `text` and asserts the error renders exactly as `expected`.
fn check_error(text: &str, expected: &str) {
    let err = parse_budgets("b.yaml", text).expect_err(text);
    assert_eq!(err.to_string(), expected, "for:\n{text}");
}

#[test]
fn errors_name_file_line_column_and_field() {
    check_error("budgets:\n  - target: \"*\"\n    p95: fast\n", "b.yaml:3:10: budgets[0].p95: bad limit `fast`: `fast` does not start with a number — write e.g. `p95: 300ms` (an upper bound) or `p95: \"< 300ms\"`");
    check_error(
        "budgets:\n  - target: x\n    p59: 3ms\n",
        "b.yaml:3:5: budgets[0].p59: unknown field `p59` — did you mean `p50`? see docs/budgets.md for every field",
    );
    check_error("budgets:\n  - target: x\n    rps: 100\n", "b.yaml:3:10: budgets[0].rps: `rps: 100` is ambiguous: a higher rps is better — write the operator, e.g. `rps: \">= 100\"` (quoted: YAML reads a leading `>` as a block)");
    check_error("budgets:\n  - target: x\n", "b.yaml:2:5: budgets[0]: this budget has no limits — add at least one limit, e.g. `p95: 300ms` or `findings: {critical: 0}`");
    check_error(
        "budgets:\n  - kind: planet\n    p95: 1s\n",
        "b.yaml:2:11: budgets[0].kind: unknown kind `planet` — use one of: overall, endpoint, downstream, background, query, code, asset",
    );
    check_error(
        "budgets:\n  - findings: {fatal: 0}\n",
        "b.yaml:2:16: budgets[0].findings.fatal: unknown severity `fatal` — use critical, warning or info",
    );
    check_error(
        "budget:\n  - p95: 1s\n",
        "b.yaml:1:1: budget: unknown top-level field `budget` — a perfhound budget file has `budgets:` (a list)",
    );
    check_error("", "b.yaml:1:1: top level: the budget file is empty — add `budgets:` (see docs/budgets.md)");
}

#[test]
fn yaml_syntax_errors_are_located_too() {
    let err = parse_budgets("b.yaml", "budgets:\n  - target: \"*\"\n    p95: [1s\n").unwrap_err();
    assert_eq!((err.file.as_str(), err.line, err.column), ("b.yaml", 3, 10), "{err}");
    assert!(err.message.starts_with("YAML syntax error"), "{err}");
    assert_eq!(err.field, "budgets[0].p95", "{err}");
}

#[test]
fn unquoted_comparisons_are_accepted() {
    let set =
        parse_budgets("b.yaml", "budgets:\n  - target: x\n    rps: >= 100\n    cache_hit_ratio: > 80%\n").unwrap();
    let lines = &set.budgets[0].lines;
    assert_eq!(
        (lines[0].threshold.metric, lines[0].threshold.comparison, lines[0].threshold.limit),
        (Metric::Rps, Comparison::Ge, 100.0)
    );
    assert_eq!((lines[1].threshold.comparison, lines[1].threshold.limit), (Comparison::Gt, 0.8));
    assert_eq!((lines[0].origin.line, lines[0].origin.field.as_str()), (3, "budgets[0].rps"));
}

#[test]
fn example_budget_file_parses_with_every_kind_of_limit() {
    let set = load_budgets(&workspace_file("examples/budgets.yaml")).unwrap();
    assert_eq!(set.format, BudgetFormat::Perfhound);
    let metrics: Vec<Metric> = set.budgets.iter().flat_map(|b| b.lines.iter().map(|l| l.threshold.metric)).collect();
    for m in [
        Metric::P50,
        Metric::P95,
        Metric::ErrorRate,
        Metric::Rps,
        Metric::CacheHitRatio,
        Metric::TransferSize,
        Metric::ResponseSize,
        Metric::CriticalFindings,
        Metric::Max,
    ] {
        assert!(metrics.contains(&m), "{m} missing from examples/budgets.yaml");
    }
    assert!(set.budgets.iter().any(|b| b.kind == Some(TargetKind::Query) && b.combine));
}

#[test]
fn seed_targets_yaml_maps_onto_budgets() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/targets.yaml");
    let set = load_budgets(&path).unwrap();
    assert_eq!(set.format, BudgetFormat::PerformanceTargets);
    let api = &set.budgets[0];
    assert_eq!(api.kind, Some(TargetKind::Overall));
    let described: Vec<String> = api.lines.iter().map(|l| l.threshold.describe()).collect();
    assert_eq!(described, ["p50 <= 100ms", "p95 <= 300ms", "p99 <= 800ms", "rps >= 10000/s", "error_rate < 0.1%"]);
    let db = &set.budgets[1];
    assert_eq!((db.kind, db.combine, db.lines.len()), (Some(TargetKind::Query), true, 2));
    let web: Vec<String> = set.budgets[2].lines.iter().map(|l| l.threshold.describe()).collect();
    assert_eq!(
        web,
        ["first_contentful_paint < 2s", "first_contentful_paint < 2s", "interactive < 3s", "performance_score > 90"]
    );
    assert_eq!(set.ignored.len(), 1, "replication lag is noted, not judged: {:?}", set.ignored);
}

#[test]
fn lighthouse_budget_json_maps_onto_budgets() {
    let set = load_budgets(&workspace_file("examples/lighthouse-budget.json")).unwrap();
    assert_eq!(set.format, BudgetFormat::Lighthouse);
    let script = set.budgets.iter().find(|b| b.group.as_deref() == Some("script")).unwrap();
    assert_eq!((script.kind, script.combine), (Some(TargetKind::Asset), true));
    assert_eq!(script.lines[0].threshold.limit, 500.0 * 1024.0, "Lighthouse sizes are KiB");
    let timings = &set.budgets[0].lines;
    assert_eq!(timings[0].threshold.metric, Metric::FirstContentfulPaint);
    assert_eq!(timings[0].threshold.limit, 2_000_000.0, "ms → µs");
    let err = parse_budgets("lh.json", "[{\"timings\": [{\"metric\": \"fcp\", \"budget\": 1}]}]").unwrap_err();
    assert!(err.to_string().starts_with("lh.json:1:15: [0].timings[0]: unknown timing metric `fcp`"), "{err}");
}

#[test]
fn evaluation_judges_each_target_or_the_combination() {
    let runs = RunSet::new(vec![common::fixture_run()]);
    let text = "budgets:\n  - target: \"GET /api/*\"\n    p95: 300ms\n    error_rate: 0%\n  - target: \"*\"\n    kind: query\n    combine: true\n    p95: 1ms\n  - target: \"GET /nothing\"\n    p95: 1s\n  - target: \"*\"\n    findings: {critical: 0, info: 1}\n";
    let outcome = evaluate(&parse_budgets("b.yaml", text).unwrap(), &runs);
    let statuses: Vec<(String, Status, usize)> =
        outcome.lines.iter().map(|l| (l.text.clone(), l.status, l.results.len())).collect();
    assert_eq!(
        statuses,
        [
            ("p95: 300ms".to_string(), Status::Pass, 2),
            ("error_rate: 0%".to_string(), Status::Pass, 2),
            ("p95: 1ms".to_string(), Status::Fail, 1),
            ("p95: 1s".to_string(), Status::NoData, 0),
            ("findings.critical: 0".to_string(), Status::Fail, 1),
            ("findings.info: 1".to_string(), Status::Pass, 1),
        ]
    );
    assert_eq!((outcome.passed, outcome.failed, outcome.no_data), (3, 2, 1));
    assert!(!outcome.ok(false) && !outcome.ok(true));
}

#[test]
fn json_schema_and_parser_accept_the_same_fields() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(workspace_file("docs/schema/budgets.schema.json")).unwrap())
            .unwrap();
    let props = schema["$defs"]["budget"]["properties"].as_object().unwrap();
    let selectors = ["target", "kind", "group", "combine", "findings", "thresholds"];
    for key in props.keys().filter(|k| !selectors.contains(&k.as_str())) {
        let text = format!("budgets:\n  - target: x\n    {key}: \">= 1\"\n");
        assert!(parse_budgets("b.yaml", &text).is_ok(), "schema field `{key}` is rejected by the parser");
    }
    let finding_counts = [Metric::CriticalFindings, Metric::WarningFindings, Metric::InfoFindings];
    for metric in Metric::ALL.into_iter().filter(|m| !finding_counts.contains(m)) {
        assert!(
            props.contains_key(metric.as_str()),
            "metric `{metric}` is missing from docs/schema/budgets.schema.json"
        );
    }
}
