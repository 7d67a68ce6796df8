//! `perfhound compare`: saved ids, run files and `--baseline branch:main`; the exit code
//! gates on a significant regression; text, Markdown, JSON and JUnit.

mod store_support;

use assert_cmd::Command;
use std::path::Path;

fn perfhound() -> Command {
    let mut cmd = Command::cargo_bin("perfhound").expect("binary is built");
    cmd.env_remove("PERFHOUND_STORE");
    cmd
}

/// main: 10 ms; feature: 13 ms and a new N+1 finding.
fn store(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("h.db");
    store_support::save(&db, &store_support::run("main0001", "GET /api/orders", 10_000), "aaaaaaa", "main");
    let slow = store_support::with_finding(store_support::run("feat0001", "GET /api/orders", 13_000));
    store_support::save(&db, &slow, "bbbbbbb", "feature");
    db
}

#[test]
fn a_branch_baseline_gates_on_the_regression_in_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let out = perfhound()
        .args(["compare", "--baseline", "branch:main", "--format", "md", "--store"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("### ❌ perfhound compare"), "{md}");
    assert!(md.contains("| `GET /api/orders` | p50 | 9.99ms | 13ms | +30.0%"), "{md}");
    assert!(md.contains("**regression**"), "{md}");
    assert!(md.contains("| PH-TRACE001 N+1 queries | new | warning |"), "{md}");
}

#[test]
fn ids_json_and_junit_agree_and_no_change_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let out = perfhound().args(["compare", "main", "feat", "--format", "json", "--store"]).arg(&db).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p50 = &c["targets"][0]["metrics"][0];
    assert_eq!(p50["metric"], "p50");
    assert!((p50["change"].as_f64().unwrap() - 0.3).abs() < 0.02, "{p50}");
    assert_eq!(p50["regression"], true);
    assert_eq!(c["findings"][0]["status"], "new");

    let xml = dir.path().join("c.xml");
    perfhound()
        .args(["compare", "main", "feat", "--format", "junit", "--out"])
        .arg(&xml)
        .arg("--store")
        .arg(&db)
        .assert()
        .code(1);
    let xml = std::fs::read_to_string(xml).unwrap();
    assert!(xml.contains("<failure type=\"regression\" message=\"p50 9.99ms → 13ms (+30.0%)"), "{xml}");

    let same = perfhound().args(["compare", "main", "main0001", "--store"]).arg(&db).output().unwrap();
    assert_eq!(same.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&same.stdout).contains("no significant change"));
}

#[test]
fn run_files_compare_without_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    let fast = store_support::run("a", "GET /x", 10_000);
    std::fs::write(&a, serde_json::to_vec(&fast).unwrap()).unwrap();
    let slow = store_support::run("b", "GET /x", 10_200);
    std::fs::write(&b, serde_json::to_vec(&slow).unwrap()).unwrap();
    // 2 % slower: within the default 5 % tolerance, a regression at 1 %.
    perfhound().arg("compare").arg(&a).arg(&b).args(["--store", "/nonexistent/dir/h.db"]).assert().code(0);
    perfhound().arg("compare").arg(&a).arg(&b).args(["--tolerance", "1%"]).assert().code(1);
}

#[test]
fn unknown_runs_and_bad_flags_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let out = perfhound().args(["compare", "nope", "feat", "--store"]).arg(&db).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no run `nope`"));
    let out = perfhound().args(["compare", "--baseline", "branch:release", "--store"]).arg(&db).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no saved run on branch `release`"));
    let out = perfhound().args(["compare", "a", "b", "--tolerance", "lots"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn hostile_target_names_stay_text_in_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let name = "GET /x|<script>alert(1)</script>`";
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    std::fs::write(&a, serde_json::to_vec(&store_support::run("a", name, 10_000)).unwrap()).unwrap();
    std::fs::write(&b, serde_json::to_vec(&store_support::run("b", name, 10_000)).unwrap()).unwrap();
    let out = perfhound().arg("compare").arg(&a).arg(&b).args(["--format", "md"]).output().unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    let row = md.lines().find(|l| l.contains("p50")).unwrap();
    assert_eq!(row.matches(" | ").count(), 7, "the name cannot add a table cell: {row}");
    assert!(row.contains("\\|<script>"), "inside a code span, | is escaped: {row}");
}

#[test]
fn on_the_baseline_branch_the_newest_run_is_compared_with_the_one_before() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    store_support::save(&db, &store_support::run("main0002", "GET /api/orders", 13_000), "ccccccc", "main");
    let out = perfhound()
        .args(["compare", "--baseline", "branch:main", "--format", "json", "--store"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "main0002 against main0001, not against itself");
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((c["baseline"].as_str(), c["current"].as_str()), (Some("main0001"), Some("main0002")));
}
