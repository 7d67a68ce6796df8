//! `perfhound traces` end to end: files in every format, stdin, output formats, exit codes,
//! and a real OpenTelemetry SDK (Python, SQLAlchemy + requests instrumentations) exporting
//! OTLP to `perfhound traces --listen 127.0.0.1:0`.

use assert_cmd::Command;
use perfhound_model::Extra;
use perfhound_model::Run;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary is built")
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> String {
    workspace().join("crates/perfhound-traces/tests/fixtures").join(name).display().to_string()
}

#[test]
fn analyzes_files_in_every_format() {
    for name in ["otlp_n_plus_one.json", "collector.jsonl", "jaeger.json", "zipkin.json"] {
        let out = perfhound().args(["traces", &fixture(name)]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{name}: {stdout}");
        assert!(stdout.contains("PH-TRACE001 n-plus-one-db-query"), "{name}: {stdout}");
        assert!(stdout.contains("GET /orders/{id}"), "{name}: {stdout}");
    }
}

#[test]
fn json_run_sarif_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let run_path = dir.path().join("run.json");
    let out = perfhound()
        .args(["traces", &fixture("otlp_n_plus_one.json"), "--format", "sarif", "--fail-on", "warning", "-o"])
        .arg(&run_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a warning-or-worse finding fails the run");
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "PH-TRACE001");
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "app/orders.py");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 42);
    let run = Run::from_json(&std::fs::read_to_string(&run_path).unwrap()).unwrap();
    assert_eq!(run.sources[0].kind, perfhound_model::SourceKind::Traces);
    let endpoint = run.target("GET /orders/{id}").expect("endpoint target");
    assert_eq!(endpoint.measurements.requests, 1);
    assert!(endpoint.measurements.extra.get(Extra::DbShare).unwrap() > 0.3, "{:?}", endpoint.measurements.extra);
    assert!(run.targets.iter().any(|t| t.name == "SELECT * FROM order_items WHERE order_id = ? AND line = ?"));
    // Raising the threshold above the finding's severity passes.
    let ok = perfhound()
        .args(["traces", &fixture("otlp_n_plus_one.json"), "--format", "none", "--set", "n_plus_one_db.min_repeats=7"])
        .args(["--set", "redundant.min_repeats=9", "--set", "consecutive_db.min_saved_ms=100", "--fail-on", "info"])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
}

/// Spans with the newer `code.file.path`/`code.line.number`/`code.function.name`: the
/// finding's location reaches the terminal, the JSON run, SARIF and the report.
#[test]
fn code_locations_in_every_output() {
    let input = fixture("rules/n-plus-one-db-query.json");
    let loc = "app/orders.py:42 (list_orders)";
    let text = perfhound().args(["traces", &input]).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains(&format!("at: {loc}")), "{text:?}");
    let dir = tempfile::tempdir().unwrap();
    let run_path = dir.path().join("run.json");
    let sarif = perfhound().args(["traces", &input, "--format", "sarif", "-o"]).arg(&run_path).output().unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let physical = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "app/orders.py", "{sarif}");
    assert_eq!(physical["region"]["startLine"], 42, "{sarif}");
    let run = Run::from_json(&std::fs::read_to_string(&run_path).unwrap()).unwrap();
    assert_eq!(run.findings[0].evidence.location.as_deref(), Some(loc));
    for (file, line) in [("r.md", format!("- **Location**: `{loc}`")), ("r.html", format!("<code>{loc}</code>"))] {
        let out = dir.path().join(file);
        perfhound().arg("report").arg(&run_path).arg("-o").arg(&out).assert().code(0);
        let report = std::fs::read_to_string(&out).unwrap();
        assert!(report.contains(&line), "{file}: {line} not in report");
    }
}

#[test]
fn reads_stdin_and_reports_bad_input() {
    let json = std::fs::read(fixture("zipkin.json")).unwrap();
    let out = perfhound().args(["traces", "-", "--format", "json"]).write_stdin(json).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let run: Run = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(run.findings[0].rule.code, "PH-TRACE001");

    let out = perfhound().args(["traces", "does-not-exist.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open trace file does-not-exist.json"));
    let out = perfhound().args(["traces", "-"]).write_stdin("{\"resourceSpans\": [}").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<stdin>:1:") && err.contains("invalid JSON"), "{err}");
    let out = perfhound().args(["traces", &fixture("zipkin.json"), "--set", "slow_db.min_ms=fast"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--set"));
}

/// The virtualenv `tests/otel_app/setup.sh` creates (./test.sh runs it).
fn otel_python() -> PathBuf {
    if let Some(p) = std::env::var_os("PERFHOUND_OTEL_PYTHON") {
        return PathBuf::from(p);
    }
    let p = workspace().join("target/otel-venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run ./test.sh (it runs tests/otel_app/setup.sh: python3-venv and PyPI)",
        p.display()
    );
    p
}

#[test]
fn real_opentelemetry_sdk_exports_to_the_live_receiver() {
    let python = otel_python();
    let dir = tempfile::tempdir().unwrap();
    let run_path = dir.path().join("live.json");
    // The app's dependencies are local and fast: lower the time thresholds, keep the counts.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("perfhound"))
        .args(["traces", "--listen", "127.0.0.1:0", "--set", "n_plus_one_db.min_total_ms=0"])
        .args(["--set", "consecutive_http.min_saved_ms=20", "-o"])
        .arg(&run_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr =
        line.split("http://").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or_else(|| panic!("{line}"));
    assert!(addr.starts_with("127.0.0.1:"), "binds loopback: {line}");
    let app = std::process::Command::new(&python)
        .arg(workspace().join("tests/otel_app/app.py"))
        .env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", format!("http://{addr}/v1/traces"))
        .output()
        .unwrap();
    assert!(app.status.success(), "app failed: {}", String::from_utf8_lossy(&app.stderr));
    // The app returns only after its exporter flushed every span to the receiver.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let run = Run::from_json(&std::fs::read_to_string(&run_path).unwrap()).unwrap();
    let codes = |target: &str| -> Vec<&str> {
        run.findings.iter().filter(|f| f.target == target).map(|f| f.rule.code.as_str()).collect()
    };
    let orders = codes("GET /orders");
    assert!(orders.contains(&"PH-TRACE001"), "N+1 over SQLAlchemy: {orders:?}\n{stdout}");
    assert!(orders.contains(&"PH-TRACE005"), "serial requests calls: {orders:?}\n{stdout}");
    assert_eq!(codes("GET /orders/batched"), Vec::<&str>::new(), "batched query + concurrent calls are clean");
    let n1 = run.findings.iter().find(|f| f.rule.code == "PH-TRACE001").unwrap();
    assert_eq!(n1.evidence.query.as_deref(), Some("SELECT id, sku FROM items WHERE order_id = ?"));
    assert_eq!(n1.evidence.counts["max_calls_per_occurrence"], 8);
    assert_eq!(n1.evidence.counts["traces"], 3);
    assert_eq!(run.target("GET /orders").unwrap().measurements.requests, 3);
    assert!(
        stdout.contains("[info] PH-TRACE001") || stdout.contains("[warning] PH-TRACE001"),
        "printed live: {stdout}"
    );
}

#[test]
fn escape_sequences_in_span_data_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("otlp_n_plus_one.json")).unwrap();
    // A title-setting OSC, a colour CSI, a bell and a carriage return inside the route.
    let hostile = text.replace("/orders/{id}", "/orders/\\u001b[31m{id}\\u001b]0;owned\\u0007\\r\\u009b2J");
    assert_ne!(hostile, text, "the fixture carries the route");
    let path = dir.path().join("hostile.json");
    std::fs::write(&path, hostile).unwrap();
    let out = perfhound().arg("traces").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("GET /orders/{id}"), "the text around the sequences is kept: {stdout}");
    let bad: Vec<char> = stdout.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(bad.is_empty(), "control characters reached stdout: {bad:?}\n{stdout:?}");
}

/// `n` requests `GET /products/{id}`, each reading its product's price from a pricing
/// service (a client GET of `http://127.0.0.1:9/prices/{id % 5}`, 30 ms), 100 ms apart;
/// `private` requests carry an `Authorization` header attribute.
fn price_reads(n: u64, private: bool) -> String {
    let mut spans = Vec::new();
    for i in 0..n {
        let trace = format!("{:032x}", i + 1);
        let start = 1_700_000_000_000_000_000u64 + i * 100_000_000;
        let attr = |k: &str, v: &str| serde_json::json!({"key": k, "value": {"stringValue": v}});
        let mut server_attrs = vec![
            attr("http.request.method", "GET"),
            attr("http.route", "/products/{id}"),
            attr("url.path", "/products/1"),
        ];
        if private {
            server_attrs.push(serde_json::json!({"key": "http.request.header.authorization",
                "value": {"arrayValue": {"values": [{"stringValue": "Bearer t0ken"}]}}}));
        }
        spans.push(
            serde_json::json!({"traceId": trace, "spanId": format!("{:016x}", 2 * i + 1), "name": "GET /products/{id}",
            "kind": 2, "startTimeUnixNano": start.to_string(), "endTimeUnixNano": (start + 40_000_000).to_string(),
            "attributes": server_attrs}),
        );
        spans.push(serde_json::json!({"traceId": trace, "spanId": format!("{:016x}", 2 * i + 2),
            "parentSpanId": format!("{:016x}", 2 * i + 1), "name": "GET", "kind": 3,
            "startTimeUnixNano": (start + 5_000_000).to_string(), "endTimeUnixNano": (start + 35_000_000).to_string(),
            "attributes": [attr("http.request.method", "GET"), attr("url.full", &format!("http://127.0.0.1:9/prices/{}", i % 5))]}));
    }
    serde_json::json!({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "shop"}}]},
        "scopeSpans": [{"scope": {"name": "manual"}, "spans": spans}]}]})
    .to_string()
}

#[test]
fn reads_repeated_across_requests_get_a_cache_finding_unless_private() {
    let dir = tempfile::tempdir().unwrap();
    for private in [false, true] {
        let path = dir.path().join(format!("reads-{private}.json"));
        std::fs::write(&path, price_reads(100, private)).unwrap();
        let out = perfhound().arg("traces").arg(&path).args(["--format", "json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let run: Run = serde_json::from_slice(&out.stdout).unwrap();
        let found: Vec<_> = run.findings.iter().filter(|f| f.rule.code == "PH-LOGS002").collect();
        if private {
            assert!(found.is_empty(), "never for requests with credentials: {:?}", found[0].title);
            continue;
        }
        let [f] = found[..] else { panic!("one cache finding: {found:?}") };
        // 100 reads of 5 prices: 5 cold misses, 95 hits; 30 ms each, a hit costs 1 ms.
        assert_eq!(
            f.title,
            "GET http://127.0.0.1:9/prices/{id} in GET /products/{id}: a 1-minute TTL, 1 MB cache would hit 95 % and save ≈ 29ms per read (cache-aside in Redis)"
        );
        assert_eq!(f.evidence.counts["reads"], 100);
        let p50 = f.evidence.durations_us["p50"];
        assert!((30_000..30_100).contains(&p50), "the spans' 30 ms (histogram precision): {p50}");
        let saved = f.impact.time_saved_per_request_us.unwrap() as f64;
        assert!((saved - 0.95 * (p50 - 1_000) as f64).abs() < 100.0, "95 % of the reads save all but 1 ms: {saved}");
    }
}
