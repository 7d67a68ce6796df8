//! `perfhound scan` end to end: output formats, exit codes, a file that does not parse,
//! suppressions, the config file, .gitignore, control characters in source, and the clean
//! corpus (well-kept PyPI and npm packages installed by tests/scan/setup.sh) on which no
//! rule may report anything.

use assert_cmd::Command;
use perfhound_model::Run;
use std::path::{Path, PathBuf};

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary is built")
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const N_PLUS_ONE: &str = "def f(orders):\n    for o in orders:\n        Customer.objects.get(id=o.customer_id)\n";

fn run_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = perfhound().current_dir(dir).arg("scan").args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn text_json_sarif_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app/views.py", N_PLUS_ONE);
    write(dir.path(), "web/App.tsx", "import _ from 'lodash';\nexport const A = () => <div>{_.x}</div>;\n");
    let (code, out, _) = run_in(dir.path(), &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("PH-SCAN001 query-in-loop") && out.contains("app/views.py:2-3 (f)"), "{out}");
    assert!(out.contains("    3 |     Customer.objects.get"), "{out}");
    assert!(out.contains("PH-SCAN009") && out.contains("scanned 2 files (1 python, 1 tsx"), "{out}");

    let (code, out, _) = run_in(dir.path(), &["--format", "sarif", "--fail-on", "warning", "-o", "run.json"]);
    assert_eq!(code, Some(1), "warning finding with --fail-on warning");
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results.iter().find(|r| r["ruleId"] == "PH-SCAN001").expect("N+1 result");
    assert_eq!(r["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
    assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "app/views.py");
    let run = Run::from_json(&std::fs::read_to_string(dir.path().join("run.json")).unwrap()).unwrap();
    let f = run.findings.iter().find(|f| f.rule.code == "PH-SCAN001").unwrap();
    assert_eq!(f.target, "app/views.py:3:9");
    assert_eq!(f.evidence.code.as_deref(), Some("for o in orders:\n    Customer.objects.get(id=o.customer_id)"));

    let (code, _, _) = run_in(dir.path(), &["--format", "json", "--fail-on", "critical"]);
    assert_eq!(code, Some(0), "no critical finding");
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.py", "def broken(:\n    pass\n");
    write(dir.path(), "good.py", N_PLUS_ONE);
    let (code, out, _) = run_in(dir.path(), &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("warning: bad.py: syntax error at line 1; file skipped"), "{out}");
    assert!(out.contains("good.py:2-3 (f)") && out.contains("1 files skipped"), "{out}");
}

#[test]
fn suppressions_config_and_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    let suppressed = "def f(orders):\n    for o in orders:\n        Customer.objects.get(id=o.c)  # perfhound: ignore[query-in-loop]\n";
    write(dir.path(), "a.py", suppressed);
    write(dir.path(), "gen/b.py", N_PLUS_ONE);
    write(dir.path(), "ignored/c.py", N_PLUS_ONE);
    write(dir.path(), ".gitignore", "ignored/\n");
    write(dir.path(), "d.js", "for (const id of ids) {\n  await prisma.user.findUnique({ where: { id } }); // perfhound-ignore PH-SCAN001\n}\n");
    let (_, out, _) = run_in(dir.path(), &[]);
    assert!(out.contains("gen/b.py") && !out.contains("ignored/c.py") && !out.contains("a.py:"), "{out}");
    assert!(out.contains("2 suppressed"), "{out}");

    write(dir.path(), ".perfhound-scan.yaml", "exclude: [gen]\n");
    let (code, out, _) = run_in(dir.path(), &["--fail-on", "info"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("0 findings"), "{out}");

    write(dir.path(), ".perfhound-scan.yaml", "disable: [no-such-rule]\n");
    let (code, _, err) = run_in(dir.path(), &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains(".perfhound-scan.yaml") && err.contains("unknown rule `no-such-rule`"), "{err}");
    write(dir.path(), ".perfhound-scan.yaml", "exclude: 3\n");
    let (code, _, err) = run_in(dir.path(), &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains(".perfhound-scan.yaml") && err.contains("line 1"), "{err}");
    let (code, _, err) = run_in(dir.path(), &["no/such/dir"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no/such/dir: no such file or directory"), "{err}");
}

#[test]
fn control_characters_in_source_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "def f(xs):\n    for x in xs:\n        Customer.objects.get(id=x)  # \u{1b}[31mred\u{7}\n";
    write(dir.path(), "evil.py", evil);
    let (_, out, _) = run_in(dir.path(), &[]);
    assert!(out.contains("PH-SCAN001"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
}

/// The precision check of docs/scan.md: Flask and its Pallets dependencies (PyPI), Express
/// and axios (npm), as pinned in tests/scan/setup.sh, give no finding at all.
#[test]
fn clean_corpus_has_no_findings() {
    let site = workspace().join("target/scan-venv/lib/python3.11/site-packages");
    let npm = workspace().join("target/scan-npm/node_modules");
    assert!(site.is_dir() && npm.is_dir(), "run tests/scan/setup.sh first (./test.sh does)");
    let mut args: Vec<String> = ["flask", "jinja2", "itsdangerous", "blinker", "markupsafe"]
        .iter()
        .map(|p| site.join(p).display().to_string())
        .collect();
    args.extend(["express", "axios"].iter().map(|p| npm.join(p).display().to_string()));
    let out = perfhound().arg("scan").args(&args).args(["--format", "json"]).output().unwrap();
    let run = Run::from_json(&String::from_utf8_lossy(&out.stdout)).unwrap();
    let found: Vec<String> = run.findings.iter().map(|f| format!("{} {}", f.target, f.title)).collect();
    assert!(found.is_empty(), "findings on the clean corpus:\n{}", found.join("\n"));
    assert!(run.warnings.is_empty(), "{:?}", run.warnings);
    let text = perfhound().arg("scan").args(&args).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let files: usize = text.split("scanned ").nth(1).and_then(|s| s.split(' ').next()).unwrap().parse().unwrap();
    assert!(files > 100, "the corpus is real code: {text}");
}

/// `perfhound traces --source`: the N+1 of the trace fixture (GET /orders/{id}, order_items)
/// gets the loop of its Flask handler as Location and Current Implementation; the static
/// query-in-loop finding on those lines is merged into it; an app without that route gets
/// "not found", never a line.
#[test]
fn traces_source_locates_and_merges() {
    let fixture = workspace().join("crates/perfhound-traces/tests/fixtures/otlp_n_plus_one.json");
    let dir = tempfile::tempdir().unwrap();
    let app = "from flask import Flask\napp = Flask(__name__)\n\n\ndef items_of(cur, oid, line):\n    cur.execute(\"SELECT * FROM order_items WHERE order_id = %s AND line = %s\", (oid, line))\n    return cur.fetchone()\n\n\n{PAD}@app.get(\"/orders/<int:order_id>\")\ndef get_order(order_id):\n    cur = db().cursor()\n    lines = []\n    for n in range(20):\n        lines.append(items_of(cur, order_id, n))\n    return {\"lines\": lines}\n\n\n@app.get(\"/orders/<int:order_id>/direct\")\ndef direct(order_id):\n    cur = db().cursor()\n    for n in range(20):\n        cur.execute(\"SELECT * FROM order_items WHERE order_id = %s AND line = %s\", (order_id, n))\n";
    // The fixture's spans say the query ran at app/orders.py:42 (code.lineno): the loop is
    // put there, so the excerpt agrees with the span's location.
    let app = app.replace("{PAD}", &"# padding\n".repeat(27));
    write(dir.path(), "app/orders.py", &app);
    let src = dir.path().join("app");
    let out = perfhound()
        .args(["traces", fixture.to_str().unwrap(), "--format", "json", "--source", src.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let run = Run::from_json(&String::from_utf8_lossy(&out.stdout)).unwrap();
    let f = run.findings.iter().find(|f| f.rule.code == "PH-TRACE001").unwrap();
    let note = f.evidence.notes.iter().find(|n| n.starts_with("Location: ")).expect("a Location note");
    assert!(note.contains("app/orders.py:41-42 (get_order) (via get_order → items_of)"), "{note}");
    assert!(f.evidence.code.as_deref().unwrap_or("").contains("lines.append(items_of(cur, order_id, n))"), "{f:?}");
    // The static scan comes along: select-star on both literals, query-in-loop in `direct`.
    let statics: Vec<&str> =
        run.findings.iter().filter(|s| s.rule.code.starts_with("PH-SCAN")).map(|s| s.target.as_str()).collect();
    assert_eq!(statics.iter().filter(|t| t.contains("orders.py")).count(), 3, "{statics:?}");
    assert!(run.sources.iter().any(|s| s.description.starts_with("source: ")));
    // A runtime finding on `direct` absorbs the static N+1 on its loop.
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
    rename_route(&mut json, "/orders/{id}", "/orders/{id}/direct");
    write(dir.path(), "direct.json", &json.to_string());
    let out = perfhound()
        .args([
            "traces",
            dir.path().join("direct.json").to_str().unwrap(),
            "--format",
            "json",
            "--source",
            src.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let run = Run::from_json(&String::from_utf8_lossy(&out.stdout)).unwrap();
    let f = run.findings.iter().find(|f| f.rule.code == "PH-TRACE001").unwrap();
    assert!(
        f.evidence.notes.iter().any(|n| n.starts_with("static check PH-SCAN001 query-in-loop agrees")),
        "{:?}",
        f.evidence.notes
    );
    assert!(run.findings.iter().all(|s| s.rule.code != "PH-SCAN001"), "merged, not repeated");

    let other = tempfile::tempdir().unwrap();
    write(other.path(), "main.py", "@app.get(\"/health\")\ndef health():\n    return \"ok\"\n");
    let out = perfhound()
        .args(["traces", fixture.to_str().unwrap(), "--format", "json", "--source", other.path().to_str().unwrap()])
        .output()
        .unwrap();
    let run = Run::from_json(&String::from_utf8_lossy(&out.stdout)).unwrap();
    let f = run.findings.iter().find(|f| f.rule.code == "PH-TRACE001").unwrap();
    assert!(
        f.evidence
            .notes
            .iter()
            .any(|n| n == "Location: not found in the source (no route handler for GET /orders/{} in the source)"),
        "{:?}",
        f.evidence.notes
    );
    let (code, _, err) = run_in(dir.path(), &[]);
    assert_eq!(code, Some(0), "{err}");
    let out = perfhound().args(["traces", fixture.to_str().unwrap(), "--source", "/no/such/dir"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Replaces a route template in every string of a trace document.
fn rename_route(v: &mut serde_json::Value, from: &str, to: &str) {
    match v {
        serde_json::Value::String(s) if s.contains(from) => *s = s.replace(from, to),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| rename_route(x, from, to)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| rename_route(x, from, to)),
        _ => {}
    }
}
