//! `perfhound report` and `perfhound check` as a user runs them: files written, formats,
//! exit codes, JUnit, GitHub annotations, and clear errors for bad input.

use assert_cmd::Command;
use std::path::PathBuf;

fn perfhound() -> Command {
    let mut cmd = Command::cargo_bin("perfhound").expect("binary is built");
    cmd.env_remove("GITHUB_ACTIONS");
    cmd
}

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../perfhound-report/tests/fixtures").join(name);
    path.display().to_string()
}

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name).display().to_string()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn report_format_follows_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (file, starts) in [("r.md", "# Performance Analysis Report"), ("r.html", "<!DOCTYPE html>"), ("r.json", "{")] {
        let out = dir.path().join(file);
        perfhound().args(["report", &fixture("run.json"), "-o"]).arg(&out).assert().code(0);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with(starts), "{file}: {}", &text[..40.min(text.len())]);
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["summary"]["status"], "critical");
    let bad = perfhound().args(["report", &fixture("run.json"), "-o", "report.pdf"]).assert().code(2);
    assert!(stderr(bad.get_output()).contains("use .md, .html or .json"), "{}", stderr(bad.get_output()));
}

#[test]
fn report_with_baseline_marks_changes_and_prints_to_stdout() {
    let out =
        perfhound().args(["report", &fixture("run.json"), "--baseline", &fixture("baseline.json")]).assert().code(0);
    let md = stdout(out.get_output());
    assert!(md.contains("## Before / After"), "{md}");
    assert!(md.contains("🟢 −38%"), "improvements are marked: {md}");
    assert!(md.contains("✅ resolved: `PH-TRACE002`"), "{md}");
}

#[test]
fn report_exit_codes_for_budgets_and_fail_on() {
    perfhound().args(["report", &fixture("run.json"), "--format", "json", "--fail-on", "critical"]).assert().code(1);
    perfhound()
        .args(["report", &fixture("baseline.json"), "--format", "json", "--fail-on", "critical"])
        .assert()
        .code(1);
    let pass = "budgets:\n  - target: overall\n    p99: 5s\n";
    let dir = tempfile::tempdir().unwrap();
    let budget = dir.path().join("b.yaml");
    std::fs::write(&budget, pass).unwrap();
    perfhound().args(["report", &fixture("run.json"), "--format", "md", "--budget"]).arg(&budget).assert().code(0);
    perfhound()
        .args(["report", &fixture("run.json"), "--format", "md", "--budget", &example("budgets.yaml")])
        .assert()
        .code(1);
}

#[test]
fn check_prints_a_table_and_exits_1_on_a_breach() {
    let out = perfhound().args(["check", "--budget", &example("budgets.yaml"), &fixture("run.json")]).assert().code(1);
    let text = stdout(out.get_output());
    assert!(text.contains("FAIL     error_rate: 0.1%"), "{text}");
    assert!(text.contains("budget lines: 11 passed, 3 failed, 3 without data"), "{text}");
    assert!(!text.contains("::error"), "annotations only on GitHub Actions");
}

#[test]
fn check_passes_with_exit_0_and_strict_fails_on_missing_data() {
    let dir = tempfile::tempdir().unwrap();
    let budget = dir.path().join("b.yaml");
    std::fs::write(
        &budget,
        "budgets:\n  - target: \"GET /api/*\"\n    p95: 1s\n  - target: \"GET /nothing\"\n    p95: 1s\n",
    )
    .unwrap();
    let run = fixture("run.json");
    perfhound().args(["check", "--budget"]).arg(&budget).arg(&run).assert().code(0);
    perfhound().args(["check", "--strict", "--budget"]).arg(&budget).arg(&run).assert().code(1);
}

#[test]
fn check_writes_junit_and_github_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("budgets.xml");
    let out = perfhound()
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "--budget", &example("budgets.yaml"), &fixture("run.json"), "--junit"])
        .arg(&junit)
        .assert()
        .code(1);
    let text = stdout(out.get_output());
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error file=")).collect();
    assert_eq!(errors.len(), 3, "{text}");
    assert!(errors.iter().any(|l| l.contains(",line=13,col=17,") && l.contains("error_rate")), "{errors:#?}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 17, "one test case per budget line");
    assert_eq!(xml.matches("<failure ").count(), 3);
    assert_eq!(xml.matches("<skipped ").count(), 3);
    assert!(xml.contains("tests=\"17\" failures=\"3\""), "{xml}");
}

#[test]
fn check_json_stays_parseable_on_github_actions() {
    let out = perfhound()
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "--format", "json", "--budget", &example("budgets.yaml"), &fixture("run.json")])
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_str(&stdout(out.get_output())).unwrap();
    assert_eq!(v["failed"], 3);
    assert_eq!(stderr(out.get_output()).lines().filter(|l| l.starts_with("::error ")).count(), 3);
}

#[test]
fn check_json_output_is_machine_readable() {
    let out = perfhound()
        .args(["check", "--format", "json", "--budget", &example("lighthouse-budget.json"), &fixture("run.json")])
        .assert()
        .code(0);
    let v: serde_json::Value = serde_json::from_str(&stdout(out.get_output())).unwrap();
    assert_eq!(v["format"], "lighthouse");
    assert_eq!(v["no_data"], v["lines"].as_array().unwrap().len(), "no asset or web timing in a load run");
}

#[test]
fn bad_input_is_a_clear_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad_budget = dir.path().join("bad.yaml");
    std::fs::write(&bad_budget, "budgets:\n  - target: x\n    p95: soon\n").unwrap();
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{\"not\": \"a run\"}").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["check".into(), "--budget".into(), bad_budget.display().to_string(), fixture("run.json")],
            "bad.yaml:3:10: budgets[0].p95: bad limit `soon`",
        ),
        (
            vec!["check".into(), "--budget".into(), "/nonexistent/b.yaml".into(), fixture("run.json")],
            "cannot read the budget file",
        ),
        (
            vec!["check".into(), "--budget".into(), example("budgets.yaml"), "/nonexistent/run.json".into()],
            "/nonexistent/run.json: cannot read the run file",
        ),
        (vec!["report".into(), garbage.display().to_string()], "missing `schema_version`"),
        (
            vec!["report".into(), fixture("run.json"), "--baseline".into(), bad_budget.display().to_string()],
            "not valid JSON",
        ),
    ];
    for (args, expected) in cases {
        let out = perfhound().args(&args).assert().code(2);
        let err = stderr(out.get_output());
        assert!(err.contains(expected), "{args:?}: expected `{expected}` in:\n{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn help_has_examples_and_exit_codes() {
    for cmd in ["report", "check"] {
        let out = perfhound().args([cmd, "--help"]).assert().code(0);
        let text = stdout(out.get_output());
        assert!(text.contains("Examples:") && text.contains("Exit codes: 0"), "{cmd} --help:\n{text}");
    }
}

#[test]
fn several_runs_merge_into_one_report() {
    let out =
        perfhound().args(["report", "--format", "json", &fixture("run.json"), &fixture("run.json")]).assert().code(0);
    let v: serde_json::Value = serde_json::from_str(&stdout(out.get_output())).unwrap();
    assert_eq!(v["runs"].as_array().unwrap().len(), 2);
    let overall = &v["targets"][0];
    assert_eq!(
        (overall["name"].as_str(), overall["requests"].as_u64()),
        (Some("overall"), Some(12_000)),
        "counters add"
    );
    assert_eq!(v["bottlenecks"].as_array().unwrap().len(), 4, "findings merge by fingerprint");
}

/// One OTLP span as JSON: ids are hex, times in ms after a fixed epoch.
fn span(
    trace: u8,
    id: u8,
    parent: u8,
    name: &str,
    kind: u8,
    ms: (u64, u64),
    attrs: &[(&str, &str)],
) -> serde_json::Value {
    let ns = |ms: u64| (1_700_000_000_000_000_000u64 + ms * 1_000_000).to_string();
    let attributes: Vec<serde_json::Value> =
        attrs.iter().map(|(k, v)| serde_json::json!({"key": k, "value": {"stringValue": v}})).collect();
    serde_json::json!({
        "traceId": format!("{trace:032x}"), "spanId": format!("{id:016x}"),
        "parentSpanId": if parent == 0 { String::new() } else { format!("{parent:016x}") },
        "name": name, "kind": kind, "startTimeUnixNano": ns(ms.0), "endTimeUnixNano": ns(ms.1),
        "attributes": attributes, "status": {}
    })
}

/// A service `shop` whose endpoint queries a database and calls service `users`, plus a
/// worker thread's client span that lost the request's context (a root client span).
fn service_with_downstream_and_orphans(cache_lookups: &[bool]) -> String {
    let (mut shop, mut users) = (Vec::new(), Vec::new());
    for t in 1..=5u8 {
        let base = u64::from(t) * 1_000;
        let route = [("http.request.method", "GET"), ("http.route", "/orders"), ("url.path", "/orders")];
        shop.push(span(t, 1, 0, "GET /orders", 2, (base, base + 100), &route));
        for q in 0..3u8 {
            let sql = format!("SELECT * FROM items WHERE id = {q}");
            let db = [("db.system", "postgresql"), ("db.statement", sql.as_str())];
            shop.push(span(t, 10 + q, 1, "SELECT", 3, (base + 5 + u64::from(q) * 5, base + 9 + u64::from(q) * 5), &db));
        }
        let call = [("http.request.method", "GET"), ("url.full", "http://users.internal:8080/users/42")];
        shop.push(span(t, 20, 1, "GET", 3, (base + 40, base + 90), &call));
        let served = [("http.request.method", "GET"), ("http.route", "/users/{id}"), ("url.path", "/users/42")];
        users.push(span(t, 21, 20, "GET /users/{id}", 2, (base + 42, base + 88), &served));
        for (i, hit) in cache_lookups.iter().enumerate() {
            let at = base + 92 + i as u64;
            let get = [
                ("db.system", "redis"),
                ("db.statement", "GET price:7"),
                ("cache.hit", if *hit { "true" } else { "false" }),
            ];
            shop.push(span(t, 40 + i as u8, 1, "GET", 3, (at, at + 1), &get));
        }
        let poll = [("http.request.method", "GET"), ("url.full", "http://queue.internal:9000/poll")];
        shop.push(span(100 + t, 30, 0, "GET", 3, (base + 500, base + 520), &poll));
    }
    let resource = |name: &str, spans: Vec<serde_json::Value>| {
        serde_json::json!({
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": name}}]},
            "scopeSpans": [{"scope": {"name": "manual"}, "spans": spans}]
        })
    };
    serde_json::json!({"resourceSpans": [resource("shop", shop), resource("users", users)]}).to_string()
}

/// Markdown section `### title` up to the next heading.
fn section<'a>(md: &'a str, title: &str) -> &'a str {
    let start = md.find(&format!("### {title}\n")).unwrap_or_else(|| panic!("no section {title}:\n{md}"));
    let rest = &md[start + title.len() + 5..];
    &rest[..rest.find("\n#").unwrap_or(rest.len())]
}

#[test]
fn report_of_a_real_service_keeps_its_endpoints_apart_from_downstream_orphan_and_sql() {
    let dir = tempfile::tempdir().unwrap();
    let traces = dir.path().join("traces.json");
    std::fs::write(&traces, service_with_downstream_and_orphans(&[])).unwrap();
    let run = dir.path().join("run.json");
    perfhound().arg("traces").arg(&traces).args(["--format", "json", "-o"]).arg(&run).assert().code(0);
    let out = perfhound().arg("report").arg(&run).args(["--format", "md"]).assert().code(0);
    let md = stdout(out.get_output());

    let endpoints = section(&md, "Response Times");
    assert!(endpoints.contains("`GET /orders`"), "{endpoints}");
    for other in ["SELECT", "users", "poll", "/users/{id}"] {
        assert!(!endpoints.contains(other), "`{other}` is not an endpoint of the service:\n{endpoints}");
    }
    let downstream = section(&md, "Downstream Calls");
    assert!(downstream.contains("`GET /users/{id}`") && downstream.contains("| users |"), "{downstream}");
    assert!(downstream.contains("users.internal:8080/users/{id}"), "the outbound call: {downstream}");
    assert!(section(&md, "Background and Orphan Work").contains("queue.internal:9000/poll"), "{md}");
    let sql = section(&md, "SQL Statements");
    assert!(sql.contains("SELECT") && sql.contains("| 15 |"), "3 statements × 5 requests, one fingerprint: {sql}");
    assert!(md.contains("- **Cache Hit Rate**: not measured (no cache instrumentation)"), "{md}");
    assert!(!md.contains("0/s"), "traces measure no throughput: {md}");
    assert!(md.contains("| `overall` | 5 |"), "the 5 requests to the service, not the orphan calls: {md}");

    let out = perfhound().arg("report").arg(&run).args(["--format", "json"]).assert().code(0);
    let v: serde_json::Value = serde_json::from_str(&stdout(out.get_output())).unwrap();
    let kind_of = |name: &str| {
        v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"].as_str().is_some_and(|n| n.contains(name)))
            .map(|t| t["kind"].clone())
    };
    assert_eq!(kind_of("GET /orders"), Some("endpoint".into()));
    assert_eq!(kind_of("GET /users/{id}"), Some("downstream".into()));
    assert_eq!(kind_of("poll"), Some("background".into()));
    assert_eq!(kind_of("SELECT"), Some("query".into()));
}

#[test]
fn cache_hit_rate_is_the_application_cache_from_cache_spans() {
    let dir = tempfile::tempdir().unwrap();
    let traces = dir.path().join("traces.json");
    // 3 hits and 1 miss per request, 5 requests: 15 / 20 = 75%.
    std::fs::write(&traces, service_with_downstream_and_orphans(&[true, true, false, true])).unwrap();
    let run = dir.path().join("run.json");
    perfhound().arg("traces").arg(&traces).args(["--format", "json", "-o"]).arg(&run).assert().code(0);
    let out = perfhound().arg("report").arg(&run).args(["--format", "md"]).assert().code(0);
    let md = stdout(out.get_output());
    assert!(md.contains("- **Cache Hit Rate** (application cache, `GET /orders`): 75%"), "{md}");
    assert!(!md.contains("not measured (no cache instrumentation)"), "{md}");
}
